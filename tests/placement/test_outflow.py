"""Outflow joins the rest: the pupil record through the pupils verb, aftercare through caseloads' verb."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from caseloads import services as caseloads
from caseloads.models import SupportRequest
from core.errors import Conflict, ServiceError
from matching.models import MatchRun
from matching.problem_builder import eligible_pupils
from placement import queries, services
from placement.models import Group, PlacementStatus, Report, ReportStatus
from pupils.models import Pupil
from tests.factories import make_membership
from tests.placement.factories import make_group, make_placement, make_report

pytestmark = pytest.mark.django_db


def _started(reg, **report_extra):  # type: ignore[no-untyped-def]
    group = make_group(reg.location)
    report = make_report(reg.tree.school_a, home_languages=["uk", "ru"], **report_extra)
    placement = services.approve(reg.officer, make_placement(report, group))
    return services.start(reg.location_staff, placement, timezone.localdate())


def test_it_creates_the_pupil_and_files_aftercare_when_the_officer_confirms(reg):
    placement = _started(reg)
    leave = timezone.localdate() + timedelta(days=200)
    services.record_progress(reg.location_staff, placement, "A2", timezone.localdate())
    services.plan_outflow(reg.location_staff, placement, outflow_date=leave, advised_grade=4)
    placement = services.confirm_outflow(reg.officer, placement)
    report = Report.objects.get(pk=placement.report_id)
    pupil = Pupil.objects.get(pk=report.pupil_id)
    assert (pupil.school, pupil.grade, pupil.transition_date, pupil.home_languages) == (
        reg.tree.school_a,
        4,
        leave,
        ["uk", "ru"],
    )
    aftercare = SupportRequest.objects.get(pk=report.aftercare_request_id)
    assert (aftercare.school, list(aftercare.pupils.all())) == (reg.tree.school_a, [pupil])
    assert (placement.status, report.status, report.left_at) == (
        PlacementStatus.ENDED,
        ReportStatus.LEFT,
        leave,
    )
    assert Group.objects.get(pk=placement.group_id).occupied == 0
    labels = [e.label for e in queries.timeline(report)]
    assert labels == [
        "Reported by School A",
        "Qualifies",
        f"Placed: {placement.group}",
        "Started",
        "Outflow to School A",
    ]


def test_it_puts_the_child_in_the_next_buddy_matching_run_and_the_supporters_queue(reg):
    placement = _started(reg)
    services.plan_outflow(
        reg.location_staff, placement, outflow_date=timezone.localdate() + timedelta(days=30), advised_grade=5
    )
    services.confirm_outflow(reg.officer, placement)
    report = Report.objects.get(pk=placement.report_id)
    run = MatchRun(scope=reg.tree.region_a, buddy_kind="peer")
    assert list(eligible_pupils(run).values_list("pk", flat=True)) == [report.pupil_id]
    coordinator = make_membership(Role.REGIONAL_COORDINATOR, reg.tree.region_a)
    queue = caseloads.open_requests_for(coordinator)
    assert list(queue.values_list("pk", flat=True)) == [report.aftercare_request_id]


def test_it_refuses_an_outflow_before_the_start(reg):
    placement = _started(reg)
    with pytest.raises(ServiceError) as caught:
        services.plan_outflow(
            reg.location_staff,
            placement,
            outflow_date=timezone.localdate() - timedelta(days=1),
            advised_grade=4,
        )
    assert (caught.value.field, caught.value.message) == (
        "outflow_date",
        "The outflow date lies before the start.",
    )
    assert Report.objects.get(pk=placement.report_id).status == ReportStatus.STARTED


def test_it_refuses_to_confirm_an_outflow_that_was_not_planned(reg):
    placement = _started(reg)
    with pytest.raises(Conflict):
        services.confirm_outflow(reg.officer, placement)
    assert Pupil.objects.count() == 0


def test_it_refuses_a_receiving_school_outside_the_region(reg):
    placement = _started(reg)
    with pytest.raises(ServiceError) as caught:
        services.plan_outflow(
            reg.location_staff,
            placement,
            outflow_date=timezone.localdate() + timedelta(days=10),
            advised_grade=4,
            receiving_school=reg.tree.school_b,
        )
    assert caught.value.field == "receiving_school"


def test_the_timeline_follows_the_child_to_the_buddy_and_the_aftercare_visits(reg):
    from caseloads.models import SupportRequest
    from matching.models import Match, MatchStatus
    from tests.caseloads.factories import make_case, make_supporter, make_visit
    from tests.matching.factories import make_buddy, make_match

    placement = _started(reg)
    services.plan_outflow(
        reg.location_staff, placement, outflow_date=timezone.localdate() + timedelta(days=5), advised_grade=4
    )
    services.confirm_outflow(reg.officer, placement)
    report = Report.objects.get(pk=placement.report_id)
    match = make_match(Pupil.objects.get(pk=report.pupil_id), make_buddy(reg.tree.school_a))
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.APPROVED, decided_at=timezone.now())
    supporter = make_supporter(reg.tree.support_a, municipality=reg.tree.municipality_a1)
    case = make_case(
        supporter, reg.tree.school_a, request=SupportRequest.objects.get(pk=report.aftercare_request_id)
    )
    make_visit(case, on=timezone.localdate() + timedelta(days=20))
    labels = [e.label for e in queries.timeline(report)]
    assert labels == [
        "Reported by School A",
        "Qualifies",
        f"Placed: {placement.group}",
        "Started",
        "Buddy proposed",
        "Buddy: Approved",
        "Outflow to School A",
        "Aftercare visit",
    ]
