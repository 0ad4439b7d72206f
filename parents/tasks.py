from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from parents import consent
from parents.models import ConsentRequest, ConsentStatus


@shared_task(name="parents.send_consent_request", ignore_result=True)
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
        with translation.override(request.language):
            context = {
                "request": request,
                "url": settings.SITE_URL + reverse("parents:consent", args=[consent.token_for(request)]),
            }
            subject = render_to_string("parents/email/consent_subject.txt", context).strip()
            body = render_to_string("parents/email/consent_message.txt", context)
        send_mail(subject, body, None, [request.parent_email])
        request.sent_at = timezone.now()
        request.save(update_fields=["sent_at"])
    return True
