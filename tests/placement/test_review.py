"""Approve, reject, place by hand, start; capacity changes under the lock; a full group refuses."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, Forbidden, ServiceError
from placement import services
from placement.models import Group, Placement, PlacementStatus, ReportStatus
from tests.placement.factories import make_group, make_placement, make_report

pytestmark = pytest.mark.django_db


def test_it_takes_one_place_when_a_proposal_is_approved(reg):
    group = make_group(reg.location, capacity=2)
    report = make_report(reg.tree.school_a)
    placement = services.approve(reg.officer, make_placement(report, group))
    group.refresh_from_db()
    report.refresh_from_db()
    assert (placement.status, placement.decided_by) == (PlacementStatus.APPROVED, reg.officer)
    assert (group.occupied, report.status, report.location) == (1, ReportStatus.PLACED, reg.location)


def test_it_refuses_a_placement_into_a_full_group_and_changes_nothing(reg):
    group = make_group(reg.location, capacity=1)
    services.approve(reg.officer, make_placement(make_report(reg.tree.school_a), group))
    late = make_placement(make_report(reg.tree.school_a), group)
    with pytest.raises(Conflict) as caught:
        services.approve(reg.officer, late)
    assert (caught.value.code, caught.value.field) == ("group_full", "group")
    late.refresh_from_db()
    assert late.status == PlacementStatus.PROPOSED
    assert Group.objects.get(pk=group.pk).occupied == 1


def test_it_backs_the_capacity_with_a_database_constraint(reg):
    group = make_group(reg.location, capacity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Group.objects.filter(pk=group.pk).update(occupied=2)


def test_it_gives_a_child_one_place_only(reg):
    report = make_report(reg.tree.school_a)
    make_placement(report, make_group(reg.location), PlacementStatus.APPROVED)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_placement(report, make_group(reg.location), PlacementStatus.APPROVED)


def test_it_rejects_a_proposal_without_taking_a_place(reg):
    group = make_group(reg.location)
    placement = services.reject(reg.officer, make_placement(make_report(reg.tree.school_a), group))
    assert placement.status == PlacementStatus.REJECTED
    assert Group.objects.get(pk=group.pk).occupied == 0


def test_it_places_by_hand_and_rejects_the_open_proposal(reg):
    report = make_report(reg.tree.school_a)
    proposal = make_placement(report, make_group(reg.location))
    chosen = make_group(reg.location, age_min=6, age_max=9)
    placement = services.place_by_hand(reg.officer, report, chosen)
    proposal.refresh_from_db()
    assert (placement.group, placement.status, proposal.status) == (
        chosen,
        PlacementStatus.APPROVED,
        PlacementStatus.REJECTED,
    )


def test_it_refuses_an_officer_of_another_region(reg):
    placement = make_placement(make_report(reg.tree.school_a), make_group(reg.location))
    with pytest.raises(Forbidden):
        services.approve(reg.officer_b, placement)
    assert Placement.objects.get(pk=placement.pk).status == PlacementStatus.PROPOSED


def test_it_refuses_a_capacity_below_the_places_taken(reg):
    group = make_group(reg.location, capacity=3)
    for _ in range(2):
        services.approve(reg.officer, make_placement(make_report(reg.tree.school_a), group))
    with pytest.raises(ServiceError) as caught:
        services.update_group(reg.officer, group, capacity=1, age_min=6, age_max=8)
    assert (caught.value.field, caught.value.message) == (
        "capacity",
        "2 places are taken: the capacity cannot go below that.",
    )
    assert Group.objects.get(pk=group.pk).capacity == 3


def test_it_lets_the_location_staff_record_the_start(reg):
    placement = services.approve(
        reg.officer, make_placement(make_report(reg.tree.school_a), make_group(reg.location))
    )
    placement = services.start(reg.location_staff, placement, timezone.localdate())
    assert placement.status == PlacementStatus.STARTED
    assert placement.report.__class__.objects.get(pk=placement.report_id).status == ReportStatus.STARTED
