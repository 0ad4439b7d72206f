from celery import shared_task
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from core.retry import RETRY, send_after_record
from parents import letters, retention
from parents.models import ConsentRequest, ConsentStatus, Letter


@shared_task(name="parents.send_consent_request", ignore_result=True, **RETRY)
def send_consent_request(request_id: int) -> bool:
    """Mail the consent link once, in the family's language. The subject names no child."""
    with transaction.atomic():
        request = (
            ConsentRequest.objects.select_for_update(of=("self",))
            .select_related("school")
            .filter(pk=request_id, sent_at__isnull=True, status=ConsentStatus.PENDING)
            .exclude(parent_email="")
            .first()
        )
        if request is None:
            return False
        subject, body = letters.consent_message(request)
        request.sent_at = timezone.now()
        request.save(update_fields=["sent_at"])
    send_after_record(
        lambda: send_mail(subject, body, None, [request.parent_email]),
        lambda: ConsentRequest.objects.filter(pk=request.pk).update(sent_at=None),
    )
    return True


@shared_task(name="parents.send_letter", ignore_result=True, **RETRY)
def send_letter(letter_id: int) -> bool:
    """Mail a letter once, in the family's language. The subject names no child."""
    with transaction.atomic():
        letter = (
            Letter.objects.select_for_update(of=("self",))
            .select_related("school")
            .filter(pk=letter_id, sent_at__isnull=True)
            .exclude(parent_email="")
            .first()
        )
        if letter is None:
            return False
        subject, body = letters.letter_message(letter)
        letter.sent_at = timezone.now()
        letter.save(update_fields=["sent_at"])
    send_after_record(
        lambda: send_mail(subject, body, None, [letter.parent_email]),
        lambda: Letter.objects.filter(pk=letter.pk).update(sent_at=None),
    )
    return True


@shared_task(name="parents.erase_expired_contacts", ignore_result=True)
def erase_expired_contacts() -> int:
    return retention.erase_expired_contacts()
