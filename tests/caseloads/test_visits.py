from datetime import timedelta

import pytest
from django.utils import timezone

from caseloads import services
from caseloads.models import CaseStatus, NextStep, Visit, VisitKind
from core.errors import ServiceError
from tests.caseloads.factories import make_case, make_supporter, make_visit


def test_it_logs_a_done_visit_with_next_steps(tree):
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a)
    today = timezone.localdate()

    visit = services.log_visit(
        supporter,
        case,
        date=today,
        kind=VisitKind.TEACHER_ADVICE,
        duration_minutes=90,
        preparation_minutes=30,
        travel_minutes=20,
        notes="Advised on scaffolding",
        next_visit_date=today + timedelta(days=14),
        done=True,
        steps=[{"description": "Try picture cards", "due_date": today + timedelta(days=7)}],
    )

    assert visit.total_minutes == 140
    assert list(NextStep.objects.values_list("description", "case_id")) == [("Try picture cards", case.pk)]


def test_it_refuses_a_future_visit_marked_done_and_writes_nothing(tree):
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a)

    with pytest.raises(ServiceError) as exc:
        services.log_visit(
            supporter,
            case,
            date=timezone.localdate() + timedelta(days=1),
            kind=VisitKind.OBSERVATION,
            duration_minutes=60,
            done=True,
            steps=[{"description": "x", "due_date": timezone.localdate()}],
        )

    assert (exc.value.code, exc.value.field) == ("visit_in_future", "done")
    assert Visit.objects.count() == 0
    assert NextStep.objects.count() == 0


def test_it_refuses_to_mark_a_planned_future_visit_done(tree):
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a)
    visit = make_visit(case, on=timezone.localdate() + timedelta(days=3), done=False)

    with pytest.raises(ServiceError) as exc:
        services.mark_visit_done(supporter, visit)

    assert exc.value.code == "visit_in_future"
    visit.refresh_from_db()
    assert visit.done is False


def test_it_marks_a_past_planned_visit_done(tree):
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a)
    visit = make_visit(case, done=False)

    services.mark_visit_done(supporter, visit)

    visit.refresh_from_db()
    assert visit.done is True


def test_it_refuses_a_visit_on_a_closed_case(tree):
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a, status=CaseStatus.CLOSED)

    with pytest.raises(ServiceError) as exc:
        services.log_visit(
            supporter, case, date=timezone.localdate(), kind=VisitKind.OBSERVATION, duration_minutes=30
        )

    assert exc.value.code == "case_closed"
    assert Visit.objects.count() == 0


def test_it_lets_the_advisor_log_a_consultation(tree):
    owner = make_supporter(tree.support_a)
    advisor = make_supporter(tree.support_a)
    case = make_case(owner, tree.school_a, advisor=advisor)

    visit = services.log_visit(
        advisor,
        case,
        date=timezone.localdate(),
        kind=VisitKind.TEACHER_ADVICE,
        duration_minutes=30,
        done=True,
    )

    assert visit.supporter == advisor


def test_it_completes_a_next_step(tree):
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a)
    visit = make_visit(case)
    step = NextStep.objects.create(visit=visit, case=case, description="x", due_date=timezone.localdate())

    services.complete_step(supporter, step)

    step.refresh_from_db()
    assert step.done_at is not None
