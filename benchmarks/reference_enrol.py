"""The reference of ``benchmarks/enrolment.py``: a minimal plain-Django enrolment view with the same row
lock as ``courses.services.enrol``, mounted only for the benchmark (``benchmarks.reference_settings``
points ROOT_URLCONF here; every project URL stays as it is).

Four queries in one transaction, the least an exact enrolment needs: the teacher and school from the
token, the edition row locked (``SELECT ... FOR UPDATE``), the seats held, the insert. No DRF, no
throttle, no MFA check, no outbox, no serializer: what the project adds on top is what the ratio measures.
"""

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from accounts.models import Membership
from config.urls import urlpatterns as project_urls
from courses.models import SEAT_STATUSES, Edition, Enrolment, EnrolmentStatus


@csrf_exempt
def enrol(request: HttpRequest, edition_id: int) -> JsonResponse:
    key = request.headers.get("Authorization", "").removeprefix("Token ")
    with transaction.atomic():
        teacher = (
            Membership.objects.filter(user__auth_token__key=key)
            .values_list("user_id", "organisation_id")
            .first()
        )
        if teacher is None:
            return JsonResponse({"detail": "no such token"}, status=401)
        capacity = Edition.objects.select_for_update().values_list("capacity", flat=True).get(pk=edition_id)
        held = Enrolment.objects.filter(edition_id=edition_id, status__in=SEAT_STATUSES).count()
        now = timezone.now()
        confirmed = held < capacity
        enrolment = Enrolment.objects.create(
            edition_id=edition_id,
            teacher_id=teacher[0],
            school_id=teacher[1],
            status=EnrolmentStatus.CONFIRMED if confirmed else EnrolmentStatus.WAITLISTED,
            queued_at=now,
            confirmed_at=now if confirmed else None,
        )
    return JsonResponse({"id": enrolment.pk, "status": enrolment.status}, status=201)


urlpatterns = [path("bench/enrol/<int:edition_id>/", enrol), *project_urls]
