"""Placement runs: in the background, exact, explained, safe to repeat."""

import pytest

from core.models import OutboxMessage
from placement import services
from placement.models import Placement, PlacementRun, PlacementStatus, RunStatus
from tests.placement.factories import make_group, make_location, make_placement, make_report

pytestmark = pytest.mark.django_db


def test_it_proposes_places_with_reasons_and_explains_who_waits(reg, django_capture_on_commit_callbacks):
    group = make_group(reg.location, capacity=1)
    longest = make_report(reg.tree.school_a, waited_days=30)
    shorter = make_report(reg.tree.school_a, waited_days=5)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(reg.officer, reg.tree.region_a)
    run.refresh_from_db()
    assert (run.status, run.progress, run.placed_count) == (RunStatus.DONE, 100, 1)
    proposal = Placement.objects.get(run=run)
    assert (proposal.report, proposal.group, proposal.status) == (longest, group, PlacementStatus.PROPOSED)
    assert proposal.reason == "2 km; Haarlem-Noord has the only free place in 6-8 years"
    assert run.waiting == [
        {
            "report": shorter.pk,
            "code": "places_taken",
            "text": "the free place in 6-8 years went to a child who waited longer or to place more children",
        }
    ]
    assert OutboxMessage.objects.get().args == [run.pk]


def test_it_does_nothing_when_the_task_is_delivered_twice(reg, django_capture_on_commit_callbacks):
    make_group(reg.location)
    make_report(reg.tree.school_a)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(reg.officer, reg.tree.region_a)
    assert services.execute_run(run.pk) is False
    assert Placement.objects.count() == 1


def test_it_replaces_open_proposals_and_keeps_approved_places(reg, django_capture_on_commit_callbacks):
    group = make_group(reg.location, capacity=2)
    kept = services.approve(reg.officer, make_placement(make_report(reg.tree.school_a), group))
    stale = make_placement(make_report(reg.tree.school_a), group)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(reg.officer, reg.tree.region_a)
    assert not Placement.objects.filter(pk=stale.pk).exists()
    assert Placement.objects.get(pk=kept.pk).status == PlacementStatus.APPROVED
    assert list(Placement.objects.filter(run=run).values_list("report_id", flat=True)) == [stale.report_id]


def test_it_keeps_a_waiting_child_at_the_location_of_a_placed_sibling(
    reg, django_capture_on_commit_callbacks
):
    far = make_location(reg.tree.municipality_a2, "Zuid", lat="52.10", lon="4.90")
    near_older = make_group(reg.location, capacity=1, age_min=9, age_max=11)
    make_group(reg.location, capacity=0, age_min=6, age_max=8)
    far_group = make_group(far, capacity=1, age_min=6, age_max=8)
    sister = make_report(reg.tree.school_a, age=10)
    services.approve(reg.officer, make_placement(sister, near_older))
    brother = make_report(reg.tree.school_a, age=7)
    brother.siblings.add(sister)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(reg.officer, reg.tree.region_a)
    assert not Placement.objects.filter(run=run).exists()
    assert far_group.placements.count() == 0
    assert [w["report"] for w in PlacementRun.objects.get(pk=run.pk).waiting] == [brother.pk]
