"""Verbs of the catalogue and of enrolment. One transaction each; every verb that changes who holds a seat
locks the edition row first (``_lock_edition``) and only then counts, so two requests can never both take
the last seat (pretix's quota lock, in one row). Messages go out through the outbox on commit.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import scoping
from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind
from core import outbox
from core.errors import Conflict, Forbidden, ServiceError
from courses import access, meetings, school_limit
from courses.models import (
    ACTIVE_STATUSES,
    EDITION_TRANSITIONS,
    ENROLMENT_TRANSITIONS,
    FORMAT_ACTIVITY,
    SEAT_STATUSES,
    ApprovalStage,
    Edition,
    EditionStatus,
    Enrolment,
    EnrolmentMessage,
    EnrolmentStatus,
    Format,
    Interest,
    Meeting,
    Module,
    PromotionMode,
    SeatReservation,
    Theme,
)

if TYPE_CHECKING:  # django-stubs-ext is a development dependency; the alias below is evaluated lazily
    from django_stubs_ext import WithAnnotations

Kind = EnrolmentMessage.Kind


# --- Locking and counting ------------------------------------------------------------------------------


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


def _message(enrolment: Enrolment, kind: str) -> None:
    outbox.enqueue("courses.send_enrolment_message", enrolment.pk, kind)


# --- Edition lifecycle ---------------------------------------------------------------------------------


def transition(edition: Edition, to: str) -> None:
    """The only writer of ``Edition.status``: refuses transitions the table does not allow."""
    if to not in EDITION_TRANSITIONS[edition.status]:
        raise Conflict(
            _("An edition that is %(current)s cannot become %(target)s.")
            % {
                "current": EditionStatus(edition.status).label.lower(),
                "target": EditionStatus(to).label.lower(),
            },
            code="invalid_transition",
            field="status",
        )
    edition.status = to
    edition.save(update_fields=["status"])


def _require_organiser(actor: User, module: Module) -> None:
    if not access.can_organise(actor, module):
        raise Forbidden(_("You do not organise this module."), code="not_organiser")


def _validate_themes(themes: list[str]) -> str:
    if not themes or any(t not in Theme.values for t in themes):
        raise ServiceError(_("Choose at least one theme from the list."), code="invalid", field="themes")
    return Module.wrap_themes(themes)


@transaction.atomic
def create_module(
    actor: User,
    *,
    title: str,
    summary: str,
    themes: list[str],
    format: str,
    pd_hours: Decimal,
    organiser: Organisation,
    visible_in: Organisation,
    description: str = "",
    audience_stage: str = "all",
    audience_role: str = "teachers",
) -> Module:
    if not scoping.can(actor, Capability.ORGANISE_COURSES, organiser):
        raise Forbidden(_("You cannot organise modules for this organisation."), field="organiser")
    if visible_in.kind not in (OrganisationKind.REGION, OrganisationKind.MUNICIPALITY):
        raise ServiceError(
            _("A module is visible in a region or a municipality."), code="invalid", field="visible_in"
        )
    if not scoping.can(actor, Capability.ORGANISE_COURSES, visible_in):
        raise Forbidden(_("You cannot publish modules there."), field="visible_in")
    if format not in Format.values:
        raise ServiceError(_("Choose a format from the list."), field="format")
    if pd_hours < 0:
        raise ServiceError(_("Hours cannot be negative."), field="pd_hours")
    return Module.objects.create(
        title=title.strip(),
        summary=summary.strip(),
        description=description,
        themes=_validate_themes(themes),
        format=format,
        activity_type=FORMAT_ACTIVITY[format],
        pd_hours=pd_hours,
        organiser=organiser,
        visible_in=visible_in,
        audience_stage=audience_stage,
        audience_role=audience_role,
    )


def _validate_window(opens: datetime, closes: datetime, cancel_deadline: datetime) -> None:
    if closes <= opens:
        raise ServiceError(
            _("Enrolment must close after it opens."), code="invalid_window", field="enrol_closes_at"
        )


@transaction.atomic
def create_edition(
    actor: User,
    module: Module,
    *,
    capacity: int,
    enrol_opens_at: datetime,
    enrol_closes_at: datetime,
    cancel_deadline: datetime,
    label: str = "",
    reservation_deadline: datetime | None = None,
    requires_school_approval: bool = False,
    requires_organiser_approval: bool = False,
    promotion_mode: str = PromotionMode.IMMEDIATE,
    offer_hours: int = 48,
    required_meetings: int | None = None,
    remind_school_leader: bool = False,
) -> Edition:
    _require_organiser(actor, module)
    if capacity < 1:
        raise ServiceError(_("An edition needs at least one seat."), code="invalid", field="capacity")
    _validate_window(enrol_opens_at, enrol_closes_at, cancel_deadline)
    return Edition.objects.create(
        module=module,
        label=label,
        capacity=capacity,
        enrol_opens_at=enrol_opens_at,
        enrol_closes_at=enrol_closes_at,
        cancel_deadline=cancel_deadline,
        reservation_deadline=reservation_deadline,
        requires_school_approval=requires_school_approval,
        requires_organiser_approval=requires_organiser_approval,
        promotion_mode=promotion_mode,
        offer_hours=offer_hours,
        required_meetings=required_meetings,
        remind_school_leader=remind_school_leader,
    )


#: What the edition edit page may change; capacity has its own verb (it promotes from the waitlist).
EDITION_EDIT_FIELDS = (
    "label",
    "enrol_opens_at",
    "enrol_closes_at",
    "cancel_deadline",
    "reservation_deadline",
    "requires_school_approval",
    "requires_organiser_approval",
    "promotion_mode",
    "offer_hours",
    "required_meetings",
    "remind_school_leader",
)


@transaction.atomic
def update_edition(actor: User, edition: Edition, **data: object) -> Edition:
    """Change an edition's label, enrolment window, deadlines and rules (not its capacity or meetings)."""
    edition = _lock_edition(edition.pk)
    _require_organiser(actor, edition.module)
    if edition.status in (EditionStatus.CANCELLED, EditionStatus.COMPLETED):
        raise Conflict(_("This edition can no longer be changed."), code="closed")
    for name in EDITION_EDIT_FIELDS:
        if name in data:
            setattr(edition, name, data[name])
    _validate_window(edition.enrol_opens_at, edition.enrol_closes_at, edition.cancel_deadline)
    edition.save(update_fields=list(EDITION_EDIT_FIELDS))
    return edition


@transaction.atomic
def add_meeting(
    actor: User,
    edition: Edition,
    *,
    starts_at: datetime,
    ends_at: datetime,
    venue: str = "",
    online_url: str = "",
) -> Meeting:
    edition = _lock_edition(edition.pk)
    meetings.check(actor, edition, starts_at=starts_at, ends_at=ends_at, venue=venue, online_url=online_url)
    meeting = Meeting.objects.create(
        edition=edition, starts_at=starts_at, ends_at=ends_at, venue=venue.strip(), online_url=online_url
    )
    edition.starts_at = min(filter(None, [edition.starts_at, starts_at]))
    edition.ends_at = max(filter(None, [edition.ends_at, ends_at]))
    edition.save(update_fields=["starts_at", "ends_at"])
    return meeting


@transaction.atomic
def publish_edition(actor: User, edition: Edition) -> Edition:
    edition = _lock_edition(edition.pk)
    _require_organiser(actor, edition.module)
    if not edition.meetings.exists():
        raise ServiceError(_("Add at least one meeting before publishing."), code="no_meetings")
    transition(edition, EditionStatus.PUBLISHED)
    outbox.enqueue("courses.notify_interest", edition.pk)
    outbox.enqueue("courses.notify_theme_followers", edition.pk)
    return edition


@transaction.atomic
def change_capacity(actor: User, edition: Edition, capacity: int) -> list[Enrolment]:
    """Set the capacity; raising it promotes as many waitlisted teachers as now fit. Returns them."""
    edition = _lock_edition(edition.pk)
    _require_organiser(actor, edition.module)
    if edition.status in (EditionStatus.CANCELLED, EditionStatus.COMPLETED):
        raise Conflict(_("This edition can no longer be changed."), code="closed", field="capacity")
    if capacity < 1:
        raise ServiceError(_("An edition needs at least one seat."), code="invalid", field="capacity")
    taken = seats_taken(edition)
    if capacity < taken:
        raise ServiceError(
            ngettext(
                "%(taken)d seat is already taken or reserved; the capacity cannot go below that.",
                "%(taken)d seats are already taken or reserved; the capacity cannot go below that.",
                taken,
            )
            % {"taken": taken},
            code="below_confirmed",
            field="capacity",
        )
    edition.capacity = capacity
    edition.save(update_fields=["capacity"])
    return _promote(edition)


@transaction.atomic
def cancel_edition(actor: User, edition: Edition, reason: str = "") -> int:
    """Cancel the edition and release everyone on it, each with a message. Returns how many."""
    edition = _lock_edition(edition.pk)
    _require_organiser(actor, edition.module)
    transition(edition, EditionStatus.CANCELLED)
    edition.cancellation_reason = reason.strip()
    edition.save(update_fields=["cancellation_reason"])
    edition.meetings.update(sequence=F("sequence") + 1)  # calendars must replace the event: it is cancelled
    now = timezone.now()
    released = list(Enrolment.objects.filter(edition=edition, status__in=ACTIVE_STATUSES))
    for enrolment in released:
        ENROLMENT_TRANSITIONS.move(enrolment, EnrolmentStatus.RELEASED)
        enrolment.cancelled_at = now
        enrolment.offer_expires_at = None
        enrolment.save(update_fields=["status", "cancelled_at", "offer_expires_at"])
        _message(enrolment, Kind.EDITION_CANCELLED)
    edition.reservations.filter(status=SeatReservation.Status.ACTIVE).update(
        status=SeatReservation.Status.RELEASED
    )
    return len(released)


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
    if free_seats(edition) > 0 and school_limit.has_room(edition, enrolment.school_id):
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
    edition = _lock_edition(edition.pk)
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
        enrolment.waitlist_rank = _joined_waitlist_at(edition, enrolment)  # type: ignore[attr-defined]
    return enrolment


def _lock_enrolment(enrolment_id: int) -> tuple[Edition, Enrolment]:
    """Lock edition then enrolment, always in that order, so two verbs never deadlock."""
    edition_id = Enrolment.objects.values_list("edition_id", flat=True).get(pk=enrolment_id)
    edition = _lock_edition(edition_id)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment_id)
    return edition, enrolment


@transaction.atomic
def cancel_enrolment(actor: User, enrolment: Enrolment) -> Enrolment:
    """The teacher (before the cancellation deadline) or the organiser (any time) cancels; a freed seat
    goes to the waitlist at once."""
    edition, enrolment = _lock_enrolment(enrolment.pk)
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
    free = free_seats(edition)
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
    _edition, enrolment = _lock_enrolment(enrolment.pk)
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
        edition = _lock_edition(edition_id)
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


# --- Seat reservations ---------------------------------------------------------------------------------


@transaction.atomic
def reserve_seats(actor: User, edition: Edition, school: Organisation, seats: int) -> SeatReservation:
    if school.kind != OrganisationKind.SCHOOL or not scoping.can(actor, Capability.RESERVE_SEATS, school):
        raise Forbidden(
            _("You cannot reserve seats for this school."), code="not_school_staff", field="school"
        )
    edition = _lock_edition(edition.pk)
    module = Module.objects.select_related("visible_in").get(pk=edition.module_id)
    if not access.school_can_see(school, module):
        raise Forbidden(_("This edition is not offered to your school."), code="out_of_region")
    _check_open(edition)
    if seats < 1:
        raise ServiceError(_("Reserve at least one seat."), code="invalid", field="seats")
    if not school_limit.has_room(edition, school.pk, seats):
        raise ServiceError(
            _("This edition allows at most %(n)d seats per school.") % {"n": edition.school_seat_limit},
            code="school_limit",
            field="seats",
        )
    free = free_seats(edition)
    if seats > free:
        raise ServiceError(
            ngettext("Only %(free)d seat is free.", "Only %(free)d seats are free.", free) % {"free": free},
            code="not_enough_seats",
            field="seats",
        )
    expires = edition.reservation_deadline or edition.enrol_closes_at
    return SeatReservation.objects.create(
        edition=edition, school=school, reserved_by=actor, seats=seats, expires_at=expires
    )


@transaction.atomic
def name_teacher(actor: User, reservation: SeatReservation, teacher: User) -> Enrolment:
    """Turn one reserved seat into a confirmed enrolment for a teacher of the reserving school."""
    edition = _lock_edition(reservation.edition_id)
    reservation = SeatReservation.objects.select_for_update().get(pk=reservation.pk)
    if not scoping.can(actor, Capability.RESERVE_SEATS, reservation.school):
        raise Forbidden(_("You cannot manage this reservation."), code="not_school_staff")
    if reservation.status != SeatReservation.Status.ACTIVE or reservation.expires_at <= timezone.now():
        raise Conflict(_("This reservation has lapsed."), code="lapsed")
    if reservation.seats < 1:
        raise Conflict(_("Every reserved seat has been named."), code="no_seats_left")
    if not access.is_teacher_at(teacher, reservation.school):
        raise ServiceError(_("Choose a teacher of your school."), code="invalid", field="teacher")
    if Enrolment.objects.filter(edition=edition, teacher=teacher, status__in=ACTIVE_STATUSES).exists():
        raise Conflict(
            _("This teacher is already enrolled in this edition."), code="already_enrolled", field="teacher"
        )
    now = timezone.now()
    enrolment = Enrolment.objects.create(
        edition=edition,
        teacher=teacher,
        school=reservation.school,
        status=EnrolmentStatus.CONFIRMED,
        confirmed_at=now,
        queued_at=now,
        reservation=reservation,
    )
    reservation.seats -= 1
    reservation.save(update_fields=["seats"])
    _message(enrolment, Kind.CONFIRMATION)
    return enrolment


@transaction.atomic
def release_reservation(actor: User, reservation: SeatReservation) -> list[Enrolment]:
    edition = _lock_edition(reservation.edition_id)
    reservation = SeatReservation.objects.select_for_update().get(pk=reservation.pk)
    if not scoping.can(actor, Capability.RESERVE_SEATS, reservation.school):
        raise Forbidden(_("You cannot manage this reservation."), code="not_school_staff")
    if reservation.status != SeatReservation.Status.ACTIVE:
        raise Conflict(_("This reservation is no longer active."), code="lapsed")
    reservation.status = SeatReservation.Status.RELEASED
    reservation.save(update_fields=["status"])
    return _promote(edition)


@transaction.atomic
def lapse_reservations(now: datetime | None = None) -> int:
    """Beat: unnamed reserved seats past their deadline go back to the pool and the waitlist."""
    now = now or timezone.now()
    edition_ids = sorted(
        set(
            SeatReservation.objects.filter(
                status=SeatReservation.Status.ACTIVE, expires_at__lte=now
            ).values_list("edition_id", flat=True)
        )
    )
    lapsed = 0
    for edition_id in edition_ids:
        edition = _lock_edition(edition_id)
        lapsed += SeatReservation.objects.filter(
            edition=edition, status=SeatReservation.Status.ACTIVE, expires_at__lte=now
        ).update(status=SeatReservation.Status.LAPSED)
        _promote(edition)
    return lapsed


# --- Interest list -------------------------------------------------------------------------------------


@transaction.atomic
def register_interest(user: User, module: Module) -> Interest:
    if not access.catalogue_modules(user).filter(pk=module.pk).exists():
        raise Forbidden(_("This module is not offered to you."), code="out_of_region")
    interest, _created = Interest.objects.get_or_create(module=module, user=user)
    return interest
