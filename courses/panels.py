"""Dashboard panels: a teacher's next courses, an organiser's editions that are filling up."""

from django.db.models import Count, F, Q
from django.http import HttpRequest
from django.utils import timezone

from courses import access
from courses.models import SEAT_STATUSES, EditionStatus, Enrolment, EnrolmentStatus


def upcoming(request: HttpRequest) -> dict[str, object] | None:
    rows = list(
        Enrolment.objects.filter(
            teacher_id=request.user.pk,  # None (nothing) for an anonymous viewer
            status__in=[EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.OFFERED],
            edition__starts_at__gte=timezone.now(),
        )
        .select_related("edition__module")
        .order_by("edition__starts_at")[:5]
    )
    return {"enrolments": rows}


def filling_up(request: HttpRequest) -> dict[str, object] | None:
    editions = list(
        access.organised_editions(request.user)
        .filter(status=EditionStatus.PUBLISHED, starts_at__gte=timezone.now())
        .select_related("module")
        .annotate(taken=Count("enrolments", filter=Q(enrolments__status__in=SEAT_STATUSES)))
        .annotate(waiting=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITLISTED)))
        .filter(taken__gte=F("capacity") * 0.8)
        .order_by("starts_at")[:8]
    )
    return {"editions": editions}
