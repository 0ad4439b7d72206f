"""Read-side helpers shared by pages and API: seat counts as subqueries so a list of editions is one
query however many editions it holds."""

from datetime import timedelta
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import Organisation, User
from courses.models import SEAT_STATUSES, Edition, Enrolment, EnrolmentStatus, Meeting, SeatReservation

if TYPE_CHECKING:  # django-stubs-ext is a development dependency; the alias below is evaluated lazily
    from django_stubs_ext import WithAnnotations


def _count(status_filter: Q) -> Subquery:
    return Subquery(
        Enrolment.objects.filter(status_filter, edition=OuterRef("pk"))
        .order_by()
        .values("edition")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


class SeatCounts(TypedDict):
    """What ``annotate_seats`` adds to each edition."""

    held: int
    reserved: int
    waiting: int
    free: int


type SeatedEdition = WithAnnotations[Edition, SeatCounts]


def annotate_seats(queryset: QuerySet[Edition]) -> QuerySet[SeatedEdition]:
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
    queryset: QuerySet[SeatedEdition],
    *,
    q: str = "",
    theme: str = "",
    format: str = "",
    month: tuple[int, int] | None = None,
    municipality: Organisation | None = None,
    free: bool = False,
) -> QuerySet[SeatedEdition]:
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


def fill_rate(edition: SeatedEdition) -> int:
    """Percentage of capacity held (confirmed, offered, reserved), from the annotations."""
    return round(100 * (edition.held + edition.reserved) / edition.capacity) if edition.capacity else 0


def calendar_meetings(user: User) -> tuple[list[Meeting], set[int]]:
    """The meetings of a teacher's calendar feed, and which of them are cancelled for them. A cancelled
    enrolment (or a cancelled edition) stays in the feed as cancelled for CALENDAR_KEEP_CANCELLED_DAYS, so
    subscribed calendars remove the event; after that it is dropped."""
    since = timezone.now() - timedelta(days=settings.CALENDAR_KEEP_CANCELLED_DAYS)
    enrolments = Enrolment.objects.filter(teacher=user).filter(
        Q(status=EnrolmentStatus.CONFIRMED)
        | Q(status__in=[EnrolmentStatus.CANCELLED, EnrolmentStatus.RELEASED], cancelled_at__gte=since)
    )
    rows = list(enrolments.values_list("edition_id", "status"))
    confirmed = {edition for edition, status in rows if status == EnrolmentStatus.CONFIRMED}
    meetings = list(
        Meeting.objects.filter(edition_id__in={edition for edition, _status in rows})
        .select_related("edition__module")
        .order_by("starts_at", "pk")
    )
    return meetings, {m.pk for m in meetings if m.edition_id not in confirmed}
