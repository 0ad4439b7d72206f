from collections.abc import Callable

from celery import shared_task
from django.core.mail import send_mail

from core.notify import send_once_stamped
from core.retry import RETRY
from parents import letters, retention
from parents.models import ConsentRequest, ConsentStatus, Letter


@shared_task(name="parents.send_consent_request", ignore_result=True, **RETRY)
def send_consent_request(request_id: int) -> bool:
    """Mail the consent link once, in the family's language. The subject names no child."""
    pending = (
        ConsentRequest.objects.select_related("school")
        .filter(pk=request_id, status=ConsentStatus.PENDING)
        .exclude(parent_email="")
    )
    return send_once_stamped(pending, "sent_at", _consent_mail)


def _consent_mail(request: ConsentRequest) -> Callable[[], object]:
    subject, body = letters.consent_message(request)
    return lambda: send_mail(subject, body, None, [request.parent_email])


@shared_task(name="parents.send_letter", ignore_result=True, **RETRY)
def send_letter(letter_id: int) -> bool:
    """Mail a letter once, in the family's language. The subject names no child."""
    addressed = Letter.objects.select_related("school").filter(pk=letter_id).exclude(parent_email="")
    return send_once_stamped(addressed, "sent_at", _letter_mail)


def _letter_mail(letter: Letter) -> Callable[[], object]:
    subject, body = letters.letter_message(letter)
    return lambda: send_mail(subject, body, None, [letter.parent_email])


@shared_task(name="parents.erase_expired_contacts", ignore_result=True)
def erase_expired_contacts() -> int:
    return retention.erase_expired_contacts()
