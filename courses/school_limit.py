"""Capacity per school (optional per edition): at most ``Edition.school_seat_limit`` seats held, offered
or reserved by the teachers of one school, so one large school cannot take a regional study day.

Every count here is read with the edition row locked by the caller (``services.locking._lock_edition``): the
lock that keeps the edition's capacity also keeps each school's share, so two teachers of one school
can never both take the school's last seat.
"""

from collections import Counter

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from core.errors import Conflict, ServiceError
from courses.models import SEAT_STATUSES, Edition, EditionStatus, Enrolment, SeatReservation


def school_seats(edition: Edition, school_id: int | None) -> int:
    """Seats the school holds: confirmed and offered enrolments plus its unnamed reserved seats."""
    if school_id is None:
        return 0
    held = Enrolment.objects.filter(edition=edition, school_id=school_id, status__in=SEAT_STATUSES).count()
    reserved = (
        SeatReservation.objects.filter(
            edition=edition, school_id=school_id, status=SeatReservation.Status.ACTIVE
        ).aggregate(n=Sum("seats"))["n"]
        or 0
    )
    return held + reserved


def has_room(edition: Edition, school_id: int | None, seats: int = 1) -> bool:
    """Whether the school may take ``seats`` more seats of the (locked) edition."""
    if edition.school_seat_limit is None or school_id is None:
        return True
    return school_seats(edition, school_id) + seats <= edition.school_seat_limit


def seats_per_school(edition: Edition) -> Counter[int]:
    """Every school's seats in two queries, for the promotion walk."""
    counts: Counter[int] = Counter()
    held = (
        Enrolment.objects.filter(edition=edition, status__in=SEAT_STATUSES, school_id__isnull=False)
        .values_list("school_id", flat=True)
        .order_by()
    )
    counts.update(held)
    for school_id, seats in SeatReservation.objects.filter(
        edition=edition, status=SeatReservation.Status.ACTIVE
    ).values_list("school_id", "seats"):
        counts[school_id] += seats
    return counts


def eligible_ids(edition: Edition, queue: list[tuple[int, int | None]], free: int) -> list[int]:
    """From the waitlist in its order, as (enrolment id, school id), the first ``free`` teachers whose
    school is under its limit: one over the limit keeps their place and is skipped, and the next
    eligible teacher gets the seat."""
    limit = edition.school_seat_limit
    if limit is None:
        return [pk for pk, _school in queue[:free]]
    counts = seats_per_school(edition)
    chosen: list[int] = []
    for pk, school_id in queue:
        if len(chosen) >= free:
            break
        if school_id is not None:
            if counts[school_id] >= limit:
                continue
            counts[school_id] += 1
        chosen.append(pk)
    return chosen


@transaction.atomic
def set_school_limit(actor: User, edition: Edition, limit: int | None) -> list[Enrolment]:
    """Set or remove the per-school limit. It cannot go below what a school already holds (nobody loses
    a seat); raising or removing it promotes the waitlisted teachers it held back. Returns them."""
    from courses.services import editions, enrolling, locking  # they call this module's helpers

    edition = locking._lock_edition(edition.pk)
    editions._require_organiser(actor, edition.module)
    if edition.status in (EditionStatus.CANCELLED, EditionStatus.COMPLETED):
        raise Conflict(_("This edition can no longer be changed."), code="closed", field="school_seat_limit")
    if limit is not None:
        if limit < 1:
            raise ServiceError(
                _("A school needs at least one seat."), code="invalid", field="school_seat_limit"
            )
        most = max(seats_per_school(edition).values(), default=0)
        if limit < most:
            raise ServiceError(
                ngettext(
                    "A school already holds %(n)d seat; the limit cannot go below that.",
                    "A school already holds %(n)d seats; the limit cannot go below that.",
                    most,
                )
                % {"n": most},
                code="below_held",
                field="school_seat_limit",
            )
    edition.school_seat_limit = limit
    edition.save(update_fields=["school_seat_limit"])
    return enrolling._promote(edition)
