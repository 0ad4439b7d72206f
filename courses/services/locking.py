"""The locks and seat counts every seat-changing verb shares. A verb locks the edition row first
(``_lock_edition``) and only then counts, so two requests can never both take the last seat (pretix's quota
lock, in one row); ``_lock_enrolment`` takes the edition and then the enrolment, always in that order.

The other service modules call these as ``locking.<name>``, so the race tests take the lock away (or slow
the count down) in this one place."""

from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypedDict

from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from courses.models import (
    SEAT_STATUSES,
    Edition,
    Enrolment,
    EnrolmentStatus,
    SeatReservation,
)

if TYPE_CHECKING:  # django-stubs-ext is a development dependency; the alias below is evaluated lazily
    from django_stubs_ext import WithAnnotations


def _lock_edition(edition_id: int) -> Edition:
    """Lock the edition row for the rest of the transaction. Every seat-changing verb comes through here,
    so they queue up per edition instead of counting the same free seat twice. The module and its
    visibility come in the same statement (only the edition row is locked): every query inside the lock
    holds up each other request for the edition."""
    return (
        Edition.objects.select_for_update(of=("self",))
        .select_related("module__visible_in")
        .get(pk=edition_id)
    )


# One statement for what a seat-changing verb counts under the lock. Written out rather than built with
# the ORM: compiling the same counts as four ORM subqueries cost 1.5-3 ms of CPU per enrolment, inside the
# locked section, where every other request for the edition waits on it.
_SEAT_COUNTS = """
SELECT COUNT(*) FILTER (WHERE e.status IN ({seat})),
       (SELECT COALESCE(SUM(r.seats), 0) FROM {reservation} r WHERE r.edition_id = %s AND r.status = %s),
       COUNT(*) FILTER (WHERE e.status = %s),
       MAX(e.queued_at) FILTER (WHERE e.status = %s)
FROM {enrolment} e WHERE e.edition_id = %s
""".format(
    seat=", ".join(["%s"] * len(SEAT_STATUSES)),
    reservation=SeatReservation._meta.db_table,
    enrolment=Enrolment._meta.db_table,
)


def _datetime(value: object) -> datetime | None:
    """A timestamp from a raw cursor: PostgreSQL gives an aware datetime, SQLite a string in UTC."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def seats_taken(edition: Edition) -> int:
    """Confirmed and offered seats plus unnamed reserved seats, in one query. Call with the edition
    locked (a statement of its own after the lock: in READ COMMITTED it sees every commit before it)."""
    waitlisted = str(EnrolmentStatus.WAITLISTED)
    params: list[int | str] = [
        *map(str, SEAT_STATUSES),
        edition.pk,
        str(SeatReservation.Status.ACTIVE),
        waitlisted,
        waitlisted,
    ]
    params.append(edition.pk)
    with connection.cursor() as cursor:
        cursor.execute(_SEAT_COUNTS, params)
        held, reserved, waiting, last_queued = cursor.fetchone()
    # Kept for ``_joined_waitlist_at``: enrol's answer needs its waitlist position, and this statement
    # already runs inside the lock.
    edition._waitlist_tail = (waiting, _datetime(last_queued))  # type: ignore[attr-defined]
    return held + int(reserved)


def _joined_waitlist_at(edition: Edition, enrolment: Enrolment) -> int | None:
    """The position of an enrolment that just joined the end of the waitlist (edition locked, counted by
    ``seats_taken`` in the same transaction): everyone waiting then is ahead of it, unless a clock put a
    queued_at after its own (then the position is read, as ``waitlist_position`` does)."""
    waiting, last_queued = getattr(edition, "_waitlist_tail", (None, None))
    if waiting is None or (last_queued is not None and last_queued > enrolment.queued_at):
        return waitlist_position(enrolment)
    return waiting + 1


def free_seats(edition: Edition) -> int:
    return max(0, edition.capacity - seats_taken(edition))


class WaitlistRank(TypedDict):
    """What ``with_waitlist_position`` adds: 1 = next in line; None when not waitlisted."""

    waitlist_rank: int | None


type RankedEnrolment = WithAnnotations[Enrolment, WaitlistRank]


def with_waitlist_position(queryset: QuerySet[Enrolment]) -> QuerySet[RankedEnrolment]:
    """Annotate ``waitlist_position`` (1 = next in line; None when not waitlisted) in the same query."""
    ahead = (
        Enrolment.objects.filter(edition=OuterRef("edition"), status=EnrolmentStatus.WAITLISTED)
        .filter(
            Q(queued_at__lt=OuterRef("queued_at"))
            | Q(queued_at=OuterRef("queued_at"), pk__lte=OuterRef("pk"))
        )
        .order_by()
        .values("edition")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(waitlist_rank=Subquery(ahead))


def waitlist_position(enrolment: Enrolment) -> int | None:
    if enrolment.status != EnrolmentStatus.WAITLISTED:
        return None
    position = getattr(enrolment, "waitlist_rank", None)
    if position is None:
        position = with_waitlist_position(Enrolment.objects.filter(pk=enrolment.pk)).get().waitlist_rank
    return position


def _lock_enrolment(enrolment_id: int) -> tuple[Edition, Enrolment]:
    """Lock edition then enrolment, always in that order, so two verbs never deadlock."""
    edition_id = Enrolment.objects.values_list("edition_id", flat=True).get(pk=enrolment_id)
    edition = _lock_edition(edition_id)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment_id)
    return edition, enrolment
