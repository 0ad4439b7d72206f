from celery import shared_task
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Invitation
from core.retry import RETRY, send_after_record
from core.urls import absolute_url


@shared_task(name="accounts.send_invitation_email", ignore_result=True, **RETRY)
def send_invitation_email(invitation_id: int) -> bool:
    """Send the invitation link once. A second delivery of the same task finds ``sent_at`` set and stops."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organisation", "invited_by")
            .filter(pk=invitation_id, sent_at__isnull=True, accepted_at__isnull=True)
            .first()
        )
        if invitation is None:
            return False
        with translation.override(invitation.language):
            context = {
                "invitation": invitation,
                "url": absolute_url(reverse("invitation_accept", args=[invitation.token])),
            }
            subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
            body = render_to_string("accounts/email/invitation_message.txt", context)
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
    send_after_record(
        lambda: send_mail(subject, body, None, [invitation.email]),
        lambda: Invitation.objects.filter(pk=invitation.pk).update(sent_at=None),
    )
    return True


@shared_task(name="accounts.send_grant_decision_email", ignore_result=True, **RETRY)
def send_grant_decision_email(grant_id: int) -> bool:
    """Tell the invitee and the inviter that a grant was approved or refused, once."""
    from accounts.models import GrantRequest, GrantStatus

    with transaction.atomic():
        grant = (
            GrantRequest.objects.select_for_update(of=("self",))
            .select_related("organisation", "user", "requested_by", "decided_by")
            .filter(pk=grant_id, decision_sent_at__isnull=True)
            .exclude(status=GrantStatus.PENDING)
            .first()
        )
        if grant is None:
            return False
        context = {"grant": grant, "url": absolute_url(reverse("dashboard"))}
        mails = []
        for person in {p.pk: p for p in (grant.user, grant.requested_by) if p is not None}.values():
            with translation.override(person.language):
                subject = render_to_string("accounts/email/grant_decision_subject.txt", context).strip()
                body = render_to_string("accounts/email/grant_decision_message.txt", context)
            mails.append(EmailMessage(subject, body, None, [person.email]))
        grant.decision_sent_at = timezone.now()
        grant.save(update_fields=["decision_sent_at"])
    send_after_record(
        lambda: get_connection().send_messages(mails),
        lambda: GrantRequest.objects.filter(pk=grant_id).update(decision_sent_at=None),
    )
    return True
