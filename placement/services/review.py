"""Reviewing proposals: approve (a place is taken under a lock on the group row), reject, place by hand, and
start. A place is never given twice: the conditional update on ``occupied`` and the database's
``group_not_overfull`` and ``one_place_per_child`` constraints stand behind the lock."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import User
from accounts.roles import Capability
from core.errors import Conflict, ServiceError
from placement.models import Group, Placement, PlacementStatus, Report, ReportStatus
from placement.services.common import require


def _take_place(group_id: int) -> Group:
    """Lock the group row, then take one place; Conflict when the group is full."""
    group = Group.objects.select_for_update().get(pk=group_id)
    if not group.active or group.occupied >= group.capacity:
        raise Conflict(_("This group is full."), code="group_full", field="group")
    Group.objects.filter(pk=group.pk, occupied__lt=F("capacity")).update(occupied=F("occupied") + 1)
    return group


def release_place(group_id: int) -> None:
    Group.objects.filter(pk=group_id, occupied__gt=0).update(occupied=F("occupied") - 1)


def _give(user: User, placement: Placement) -> Placement:
    report = Report.objects.select_for_update().get(pk=placement.report_id)
    if report.status != ReportStatus.WAITING:
        raise Conflict(_("This child already has a place or no longer waits."), code="not_waiting")
    group = _take_place(placement.group_id)
    placement.status = PlacementStatus.APPROVED
    placement.decided_by = user
    placement.decided_at = timezone.now()
    try:
        with transaction.atomic():
            placement.save()
    except IntegrityError:
        raise Conflict(_("This child already has a place."), code="already_placed") from None
    report.status = ReportStatus.PLACED
    report.location_id = group.location_id
    report.save(update_fields=["status", "location"])
    return placement


def _proposal(user: User, placement: Placement) -> Placement:
    require(user, Capability.KEEP_REGISTER, placement.report.school)
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if placement.status != PlacementStatus.PROPOSED:
        raise Conflict(_("This is no longer an open proposal."), code="not_proposed")
    return placement


@transaction.atomic
def approve(user: User, placement: Placement) -> Placement:
    return _give(user, _proposal(user, placement))


@transaction.atomic
def reject(user: User, placement: Placement) -> Placement:
    placement = _proposal(user, placement)
    placement.status = PlacementStatus.REJECTED
    placement.decided_by = user
    placement.decided_at = timezone.now()
    placement.save(update_fields=["status", "decided_by", "decided_at"])
    return placement


@transaction.atomic
def place_by_hand(user: User, report: Report, group: Group) -> Placement:
    """The officer's own choice: open proposals for the child are rejected, and the place is given at once."""
    require(user, Capability.KEEP_REGISTER, report.school)
    require(user, Capability.KEEP_REGISTER, group.location, field="group")
    Placement.objects.filter(report=report, status=PlacementStatus.PROPOSED).update(
        status=PlacementStatus.REJECTED, decided_by=user, decided_at=timezone.now()
    )
    placement = Placement(
        report=report, group=group, status=PlacementStatus.PROPOSED, reason=_("Placed by hand")
    )
    return _give(user, placement)


def may_teach_or_keep(user: User, placement: Placement) -> bool:
    """The officer of the child's region or the staff of the child's location."""
    return scoping.can(user, Capability.KEEP_REGISTER, placement.report.school) or scoping.can(
        user, Capability.TEACH_NEWCOMERS, placement.group.location
    )


@transaction.atomic
def start(user: User, placement: Placement, start_date: date) -> Placement:
    """The child started in the group (the officer or the location's staff record it)."""
    if not may_teach_or_keep(user, placement):
        require(user, Capability.TEACH_NEWCOMERS, None)
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if placement.status != PlacementStatus.APPROVED:
        raise Conflict(_("Only an approved placement can start."), code="not_approved")
    if start_date < timezone.localtime(placement.report.reported_at).date():
        raise ServiceError(_("The start lies before the report."), field="start_date")
    placement.status = PlacementStatus.STARTED
    placement.start_date = start_date
    placement.save(update_fields=["status", "start_date"])
    Report.objects.filter(pk=placement.report_id).update(status=ReportStatus.STARTED)
    return placement
