"""Enrolment: enrol, cancel, the waitlist's promotion and offers, and the school's approval. Each verb
locks the edition before it counts (``locking``); messages go out through the outbox on commit."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import outbox
from core.errors import Conflict, Forbidden, ServiceError
from courses import access, school_limit
from courses.models import (
    ENROLMENT_TRANSITIONS,
    SEAT_STATUSES,
    ApprovalStage,
    Edition,
    EditionStatus,
    Enrolment,
    EnrolmentMessage,
    EnrolmentStatus,
    PromotionMode,
)
from courses.services import locking

if TYPE_CHECKING:  # django-stubs-ext is a development dependency; the alias below is evaluated lazily
    pass

Kind = EnrolmentMessage.Kind


def _message(enrolment: Enrolment, kind: str) -> None:
    outbox.enqueue("courses.send_enrolment_message", enrolment.pk, kind)


# --- Enrolment -----------------------------------------------------------------------------------------


def _check_open(edition: Edition) -> None:
    if edition.status == EditionStatus.CANCELLED:
        raise ServiceError(_("This edition has been cancelled."), code="cancelled")
    if edition.status != EditionStatus.PUBLISHED:
        raise ServiceError(_("This edition is not open for enrolment."), code="not_published")
    now = timezone.now()
    if now < edition.enrol_opens_at:
        raise ServiceError(_("Enrolment has not opened yet."), code="window_not_open")
    if now >= edition.enrol_closes_at:
        raise ServiceError(_("Enrolment for this edition has closed."), code="window_closed")


def _already_enrolled() -> Conflict:
    return Conflict(_("You are already enrolled in this edition."), code="already_enrolled")


def _place(edition: Edition, enrolment: Enrolment) -> None:
    """Confirm when a seat is free, else join the end of the waitlist. Edition must be locked."""
    now = timezone.now()
    enrolment.queued_at = now
    enrolment.approval_stage = ""
    if locking.free_seats(edition) > 0 and school_limit.has_room(edition, enrolment.school_id):
        target = EnrolmentStatus.CONFIRMED
        enrolment.confirmed_at = now
    else:
        target = EnrolmentStatus.WAITLISTED
    if enrolment.status:  # placed after its approvals
        ENROLMENT_TRANSITIONS.move(enrolment, target)
    else:  # a new enrolment starts here
        enrolment.status = target


@transaction.atomic
def enrol(teacher: User, edition: Edition) -> Enrolment:
    """Confirm a seat if one is free, otherwise join the waitlist (or await the school's approval)."""
    edition = locking._lock_edition(edition.pk)
    school = access.enrolling_school(teacher, edition.module)
    if school is None:
        raise Forbidden(_("This edition is not offered to your school."), code="out_of_region")
    _check_open(edition)
    enrolment = Enrolment(edition=edition, teacher=teacher, school=school)
    if edition.requires_school_approval or edition.requires_organiser_approval:
        enrolment.status = EnrolmentStatus.PENDING_APPROVAL
        enrolment.approval_stage = (
            ApprovalStage.SCHOOL if edition.requires_school_approval else ApprovalStage.ORGANISER
        )
    else:
        _place(edition, enrolment)
    try:
        # No "already enrolled?" query first and no savepoint: the partial unique constraint on active
        # enrolments answers it in the insert, and its error rolls this whole verb back.
        enrolment.save()
    except IntegrityError:  # the partial unique constraint: enrolled before, or a twin request got in first
        raise _already_enrolled() from None
    if enrolment.status == EnrolmentStatus.CONFIRMED:
        _message(enrolment, Kind.CONFIRMATION)
    elif enrolment.status == EnrolmentStatus.WAITLISTED:
        _message(enrolment, Kind.WAITLISTED)
        # Read here, in the transaction: the answer needs no query after the commit, so a connection
        # dropped after it cannot turn a committed enrolment into an error.
        enrolment.waitlist_rank = locking._joined_waitlist_at(edition, enrolment)  # type: ignore[attr-defined]
    return enrolment


@transaction.atomic
def cancel_enrolment(actor: User, enrolment: Enrolment) -> Enrolment:
    """The teacher (before the cancellation deadline) or the organiser (any time) cancels; a freed seat
    goes to the waitlist at once."""
    edition, enrolment = locking._lock_enrolment(enrolment.pk)
    module = edition.module
    organiser = access.can_organise(actor, module)
    if enrolment.teacher_id != actor.pk and not organiser:
        raise Forbidden(_("You cannot cancel this enrolment."), code="not_yours")
    ENROLMENT_TRANSITIONS.check(
        enrolment.status,
        EnrolmentStatus.CANCELLED,
        message=_("This enrolment is no longer active."),
        code="not_active",
    )
    if edition.status in (EditionStatus.COMPLETED, EditionStatus.CANCELLED):
        raise Conflict(_("This edition is closed."), code="closed")
    now = timezone.now()
    if not organiser and enrolment.status == EnrolmentStatus.CONFIRMED and now > edition.cancel_deadline:
        raise ServiceError(
            _("The cancellation deadline has passed; please contact the organiser."),
            code="deadline_passed",
        )
    held_seat = enrolment.status in SEAT_STATUSES
    ENROLMENT_TRANSITIONS.move(enrolment, EnrolmentStatus.CANCELLED)
    enrolment.cancelled_at = now
    enrolment.offer_expires_at = None
    enrolment.save(update_fields=["status", "cancelled_at", "offer_expires_at"])
    _message(enrolment, Kind.CANCELLATION)
    if held_seat:
        _promote(edition)
    return enrolment


def _promote(edition: Edition) -> list[Enrolment]:
    """Give free seats to the waitlist in order (queued_at, pk). Edition must be locked. Safe to repeat:
    with no free seat or nobody waiting it changes nothing."""
    if edition.status != EditionStatus.PUBLISHED or (
        edition.starts_at and edition.starts_at <= timezone.now()
    ):
        return []
    free = locking.free_seats(edition)
    if free <= 0:
        return []
    queue = (
        Enrolment.objects.select_for_update()
        .filter(edition=edition, status=EnrolmentStatus.WAITLISTED)
        .order_by("queued_at", "pk")
    )
    if edition.school_seat_limit is None:
        waiting = list(queue[:free])
    else:
        # The walk skips teachers whose school is full: it reads the whole queue's (id, school), then
        # locks and loads only the rows it takes.
        chosen = school_limit.eligible_ids(edition, list(queue.values_list("pk", "school_id")), free)
        waiting = list(queue.filter(pk__in=chosen))
    now = timezone.now()
    for enrolment in waiting:
        if edition.promotion_mode == PromotionMode.OFFER:
            ENROLMENT_TRANSITIONS.move(enrolment, EnrolmentStatus.OFFERED)
            enrolment.offer_expires_at = now + timedelta(hours=edition.offer_hours)
            enrolment.save(update_fields=["status", "offer_expires_at"])
            _message(enrolment, Kind.OFFER)
        else:
            ENROLMENT_TRANSITIONS.move(enrolment, EnrolmentStatus.CONFIRMED)
            enrolment.confirmed_at = now
            enrolment.save(update_fields=["status", "confirmed_at"])
            _message(enrolment, Kind.PROMOTION)
    return waiting


@transaction.atomic
def accept_offer(teacher: User, enrolment: Enrolment) -> Enrolment:
    _edition, enrolment = locking._lock_enrolment(enrolment.pk)
    if enrolment.teacher_id != teacher.pk:
        raise Forbidden(_("This offer is not yours."), code="not_yours")
    if enrolment.status != EnrolmentStatus.OFFERED:
        raise Conflict(_("There is no open offer on this enrolment."), code="no_offer")
    # An offered enrolment always has an expiry (the database constraint beside the field says so).
    if enrolment.offer_expires_at is None or enrolment.offer_expires_at <= timezone.now():
        raise Conflict(_("This offer has expired."), code="offer_expired")
    ENROLMENT_TRANSITIONS.move(enrolment, EnrolmentStatus.CONFIRMED)
    enrolment.confirmed_at = timezone.now()
    enrolment.offer_expires_at = None
    enrolment.save(update_fields=["status", "confirmed_at", "offer_expires_at"])
    _message(enrolment, Kind.CONFIRMATION)
    return enrolment


@transaction.atomic
def expire_offers(now: datetime | None = None) -> int:
    """Beat: offers past their time lapse and the seat passes to the next in line."""
    now = now or timezone.now()
    edition_ids = sorted(
        set(
            Enrolment.objects.filter(status=EnrolmentStatus.OFFERED, offer_expires_at__lte=now).values_list(
                "edition_id", flat=True
            )
        )
    )
    expired = 0
    for edition_id in edition_ids:  # ascending ids: the same lock order as every other verb
        edition = locking._lock_edition(edition_id)
        expired += ENROLMENT_TRANSITIONS.update(
            Enrolment.objects.filter(edition=edition, offer_expires_at__lte=now),
            EnrolmentStatus.OFFERED,
            EnrolmentStatus.EXPIRED,
            offer_expires_at=None,
            cancelled_at=now,
        )
        _promote(edition)
    return expired


def decide_approval(actor: User, enrolment: Enrolment, *, approve: bool) -> Enrolment:
    """The school leader (or their deputy) and then, where the edition asks for it, the organiser
    approve or decline a sign-up; the last approval places the teacher (seat or waitlist)."""
    from courses import approval  # approval builds on this module's locks and placement

    return approval.decide(actor, enrolment, approve=approve)
