"""Read-side helpers shared by pages and API: seat counts as subqueries so a list of editions is one
query however many editions it holds."""

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from accounts.models import Organisation
from courses.models import SEAT_STATUSES, Edition, Enrolment, EnrolmentStatus, SeatReservation


def _count(status_filter: Q) -> Subquery:
    return Subquery(
        Enrolment.objects.filter(status_filter, edition=OuterRef("pk"))
        .order_by()
        .values("edition")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def annotate_seats(queryset: QuerySet[Edition]) -> QuerySet[Edition]:
    """Add ``held`` (confirmed + offered), ``reserved`` (unnamed reserved seats), ``waiting`` and ``free``."""
    reserved = Subquery(
        SeatReservation.objects.filter(edition=OuterRef("pk"), status=SeatReservation.Status.ACTIVE)
        .order_by()
        .values("edition")
        .annotate(n=Sum("seats"))
        .values("n"),
        output_field=IntegerField(),
    )
    zero = Value(0)
    return queryset.annotate(
        held=Coalesce(_count(Q(status__in=SEAT_STATUSES)), zero),
        reserved=Coalesce(reserved, zero),
        waiting=Coalesce(_count(Q(status=EnrolmentStatus.WAITLISTED)), zero),
    ).annotate(free=Greatest(F("capacity") - F("held") - F("reserved"), zero))


def filter_editions(
    queryset: QuerySet[Edition],
    *,
    q: str = "",
    theme: str = "",
    format: str = "",
    month: tuple[int, int] | None = None,
    municipality: Organisation | None = None,
    free: bool = False,
) -> QuerySet[Edition]:
    if q:
        queryset = queryset.filter(
            Q(module__title__icontains=q) | Q(module__summary__icontains=q) | Q(label__icontains=q)
        )
    if theme:
        queryset = queryset.filter(module__themes__contains=f",{theme},")
    if format:
        queryset = queryset.filter(module__format=format)
    if month:
        queryset = queryset.filter(starts_at__year=month[0], starts_at__month=month[1])
    if municipality is not None:
        queryset = queryset.filter(Q(module__visible_in=municipality) | Q(module__organiser=municipality))
    if free:
        queryset = queryset.filter(free__gt=0)
    return queryset


def fill_rate(edition: Edition) -> int:
    """Percentage of capacity held (confirmed, offered, reserved), from the annotations."""
    return round(100 * (edition.held + edition.reserved) / edition.capacity) if edition.capacity else 0
