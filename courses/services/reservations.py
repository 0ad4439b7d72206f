"""Seat reservations: a school holds seats on an edition, names its teachers on them before the
deadline, releases what it does not need; unnamed seats lapse at the deadline."""

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import scoping
from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind
from core.errors import Conflict, Forbidden, ServiceError
from courses import access, school_limit
from courses.models import (
    ACTIVE_STATUSES,
    Edition,
    Enrolment,
    EnrolmentMessage,
    EnrolmentStatus,
    Module,
    SeatReservation,
)
from courses.services import enrolling, locking

if TYPE_CHECKING:  # django-stubs-ext is a development dependency; the alias below is evaluated lazily
    pass

Kind = EnrolmentMessage.Kind


# --- Seat reservations ---------------------------------------------------------------------------------


@transaction.atomic
def reserve_seats(actor: User, edition: Edition, school: Organisation, seats: int) -> SeatReservation:
    if school.kind != OrganisationKind.SCHOOL or not scoping.can(actor, Capability.RESERVE_SEATS, school):
        raise Forbidden(
            _("You cannot reserve seats for this school."), code="not_school_staff", field="school"
        )
    edition = locking._lock_edition(edition.pk)
    module = Module.objects.select_related("visible_in").get(pk=edition.module_id)
    if not access.school_can_see(school, module):
        raise Forbidden(_("This edition is not offered to your school."), code="out_of_region")
    enrolling._check_open(edition)
    if seats < 1:
        raise ServiceError(_("Reserve at least one seat."), code="invalid", field="seats")
    if not school_limit.has_room(edition, school.pk, seats):
        raise ServiceError(
            _("This edition allows at most %(n)d seats per school.") % {"n": edition.school_seat_limit},
            code="school_limit",
            field="seats",
        )
    free = locking.free_seats(edition)
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
    edition = locking._lock_edition(reservation.edition_id)
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
    enrolling._message(enrolment, Kind.CONFIRMATION)
    return enrolment


@transaction.atomic
def release_reservation(actor: User, reservation: SeatReservation) -> list[Enrolment]:
    edition = locking._lock_edition(reservation.edition_id)
    reservation = SeatReservation.objects.select_for_update().get(pk=reservation.pk)
    if not scoping.can(actor, Capability.RESERVE_SEATS, reservation.school):
        raise Forbidden(_("You cannot manage this reservation."), code="not_school_staff")
    if reservation.status != SeatReservation.Status.ACTIVE:
        raise Conflict(_("This reservation is no longer active."), code="lapsed")
    reservation.status = SeatReservation.Status.RELEASED
    reservation.save(update_fields=["status"])
    return enrolling._promote(edition)


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
        edition = locking._lock_edition(edition_id)
        lapsed += SeatReservation.objects.filter(
            edition=edition, status=SeatReservation.Status.ACTIVE, expires_at__lte=now
        ).update(status=SeatReservation.Status.LAPSED)
        enrolling._promote(edition)
    return lapsed
