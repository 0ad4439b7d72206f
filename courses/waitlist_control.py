"""The organiser's hand on the waitlist: move a teacher up or down one place, or offer a seat out of
turn, each with a reason in the append-only ``WaitlistMove`` log.

Both verbs lock as ``enrol`` does (the edition row, then the enrolment, through
``services.locking._lock_enrolment``), so a move never interleaves with a promotion that reads the same order,
and a seat offered by hand is counted under the same lock as every other seat.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, ServiceError
from courses import school_limit, services
from courses.models import (
    ENROLMENT_TRANSITIONS,
    EditionStatus,
    Enrolment,
    EnrolmentMessage,
    EnrolmentStatus,
    WaitlistMove,
)
from courses.services import editions, enrolling, locking

Action = WaitlistMove.Action
TICK = timedelta(microseconds=1)


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Give a reason; it is kept in the log."), code="required", field="reason")
    return reason[:500]


@transaction.atomic
def move(actor: User, enrolment: Enrolment, *, direction: str, reason: str) -> WaitlistMove:
    """Swap a waitlisted teacher with the one just ahead (``up``) or just behind (``down``)."""
    edition, enrolment = locking._lock_enrolment(enrolment.pk)
    editions._require_organiser(actor, edition.module)
    if direction not in (Action.UP, Action.DOWN):
        raise ServiceError(_("Choose up or down."), code="invalid", field="direction")
    reason = _reason(reason)
    if enrolment.status != EnrolmentStatus.WAITLISTED:
        raise Conflict(_("This teacher is not on the waitlist."), code="not_waitlisted")
    queue = list(
        Enrolment.objects.select_for_update()
        .filter(edition=edition, status=EnrolmentStatus.WAITLISTED)
        .order_by("queued_at", "pk")
    )
    index = next(i for i, e in enumerate(queue) if e.pk == enrolment.pk)
    other_index = index - 1 if direction == Action.UP else index + 1
    if not 0 <= other_index < len(queue):
        raise Conflict(
            _("This teacher is already first.")
            if direction == Action.UP
            else _("This teacher is already last."),
            code="at_end",
        )
    other = queue[other_index]
    first, second = (enrolment, other) if direction == Action.UP else (other, enrolment)
    # ``first`` must now come before ``second``: swap their arrival times (with equal times, one tick
    # earlier is enough, as the pk breaks ties the wrong way round).
    if first.queued_at != second.queued_at:
        first.queued_at, second.queued_at = second.queued_at, first.queued_at
    else:
        first.queued_at = second.queued_at - TICK
    Enrolment.objects.filter(pk=first.pk).update(queued_at=first.queued_at)
    Enrolment.objects.filter(pk=second.pk).update(queued_at=second.queued_at)
    return WaitlistMove.objects.create(
        edition=edition,
        enrolment=enrolment,
        action=direction,
        from_position=index + 1,
        to_position=other_index + 1,
        reason=reason,
        moved_by=actor,
    )


@transaction.atomic
def offer_by_hand(actor: User, enrolment: Enrolment, *, reason: str, add_seat: bool = False) -> Enrolment:
    """Offer a free seat to this waitlisted teacher out of turn; with ``add_seat`` the capacity grows by
    one when none is free. The per-school limit holds here too."""
    edition, enrolment = locking._lock_enrolment(enrolment.pk)
    editions._require_organiser(actor, edition.module)
    reason = _reason(reason)
    ENROLMENT_TRANSITIONS.check(
        enrolment.status,
        EnrolmentStatus.OFFERED,
        message=_("This teacher is not on the waitlist."),
        code="not_waitlisted",
    )
    if edition.status != EditionStatus.PUBLISHED:
        raise Conflict(_("This edition is not open for enrolment."), code="not_published")
    if edition.starts_at is not None and edition.starts_at <= timezone.now():
        raise Conflict(_("This edition has already started."), code="started")
    if not school_limit.has_room(edition, enrolment.school_id):
        raise ServiceError(
            _("This teacher's school already holds the %(n)d seats one school may take.")
            % {"n": edition.school_seat_limit},
            code="school_limit",
        )
    if services.free_seats(edition) <= 0:
        if not add_seat:
            raise Conflict(
                _("No seat is free. Tick “add a seat” to offer one beyond the capacity."),
                code="no_free_seat",
                field="add_seat",
            )
        edition.capacity += 1
        edition.save(update_fields=["capacity"])
    position = services.waitlist_position(enrolment) or 0
    now = timezone.now()
    ENROLMENT_TRANSITIONS.move(enrolment, EnrolmentStatus.OFFERED)
    enrolment.offer_expires_at = now + timedelta(hours=edition.offer_hours)
    enrolment.save(update_fields=["status", "offer_expires_at"])
    enrolling._message(enrolment, EnrolmentMessage.Kind.OFFER)
    WaitlistMove.objects.create(
        edition=edition,
        enrolment=enrolment,
        action=Action.OFFER,
        from_position=position,
        reason=reason,
        moved_by=actor,
    )
    return enrolment
