from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Invitation
from core.retry import RETRY, send_after_record


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
                "url": settings.SITE_URL + reverse("invitation_accept", args=[invitation.token]),
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
