from collections.abc import Callable

from celery import shared_task
from django.core.mail import EmailMessage, get_connection, send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import GrantRequest, GrantStatus, Invitation
from core.notify import send_once_stamped
from core.retry import RETRY
from core.urls import absolute_url


@shared_task(name="accounts.send_invitation_email", ignore_result=True, **RETRY)
def send_invitation_email(invitation_id: int) -> bool:
    """Send the invitation link once. A second delivery of the same task finds ``sent_at`` set and stops."""
    unanswered = Invitation.objects.select_related("organisation", "invited_by").filter(
        pk=invitation_id, accepted_at__isnull=True
    )
    return send_once_stamped(unanswered, "sent_at", _invitation_mail)


def _invitation_mail(invitation: Invitation) -> Callable[[], object]:
    with translation.override(invitation.language):
        context = {
            "invitation": invitation,
            "url": absolute_url(reverse("invitation_accept", args=[invitation.token])),
        }
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_message.txt", context)
    return lambda: send_mail(subject, body, None, [invitation.email])


@shared_task(name="accounts.send_grant_decision_email", ignore_result=True, **RETRY)
def send_grant_decision_email(grant_id: int) -> bool:
    """Tell the invitee and the inviter that a grant was approved or refused, once."""
    decided = (
        GrantRequest.objects.select_related("organisation", "user", "requested_by", "decided_by")
        .filter(pk=grant_id)
        .exclude(status=GrantStatus.PENDING)
    )
    return send_once_stamped(decided, "decision_sent_at", _grant_decision_mails)


def _grant_decision_mails(grant: GrantRequest) -> Callable[[], object]:
    context = {"grant": grant, "url": absolute_url(reverse("dashboard"))}
    mails = []
    for person in {p.pk: p for p in (grant.user, grant.requested_by) if p is not None}.values():
        with translation.override(person.language):
            subject = render_to_string("accounts/email/grant_decision_subject.txt", context).strip()
            body = render_to_string("accounts/email/grant_decision_message.txt", context)
        mails.append(EmailMessage(subject, body, None, [person.email]))
    return lambda: get_connection().send_messages(mails)
