"""The catalogue's verbs: modules, editions and their meetings (create, change, publish, change the
capacity, cancel), the edition status table's one writer (``transition``), and interest in a module."""

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import scoping
from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind
from core import outbox
from core.errors import Conflict, Forbidden, ServiceError
from courses import access, meetings
from courses.models import (
    ACTIVE_STATUSES,
    EDITION_TRANSITIONS,
    ENROLMENT_TRANSITIONS,
    FORMAT_ACTIVITY,
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
from courses.services import enrolling, locking

if TYPE_CHECKING:  # django-stubs-ext is a development dependency; the alias below is evaluated lazily
    pass

Kind = EnrolmentMessage.Kind


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
    edition = locking._lock_edition(edition.pk)
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
    edition = locking._lock_edition(edition.pk)
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
    edition = locking._lock_edition(edition.pk)
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
    edition = locking._lock_edition(edition.pk)
    _require_organiser(actor, edition.module)
    if edition.status in (EditionStatus.CANCELLED, EditionStatus.COMPLETED):
        raise Conflict(_("This edition can no longer be changed."), code="closed", field="capacity")
    if capacity < 1:
        raise ServiceError(_("An edition needs at least one seat."), code="invalid", field="capacity")
    taken = locking.seats_taken(edition)
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
    return enrolling._promote(edition)


@transaction.atomic
def cancel_edition(actor: User, edition: Edition, reason: str = "") -> int:
    """Cancel the edition and release everyone on it, each with a message. Returns how many."""
    edition = locking._lock_edition(edition.pk)
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
        enrolling._message(enrolment, Kind.EDITION_CANCELLED)
    edition.reservations.filter(status=SeatReservation.Status.ACTIVE).update(
        status=SeatReservation.Status.RELEASED
    )
    return len(released)


# --- Interest list -------------------------------------------------------------------------------------


@transaction.atomic
def register_interest(user: User, module: Module) -> Interest:
    if not access.catalogue_modules(user).filter(pk=module.pk).exists():
        raise Forbidden(_("This module is not offered to you."), code="out_of_region")
    interest, _created = Interest.objects.get_or_create(module=module, user=user)
    return interest
