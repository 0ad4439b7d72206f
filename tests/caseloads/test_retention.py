from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from caseloads import tasks
from caseloads.models import Case, CaseStatus, NextStep, RequestStatus, Transfer
from caseloads.retention import months_before
from pupils.models import AccessLog
from tests.caseloads.factories import make_case, make_request, make_supporter, make_visit
from tests.pupils.factories import make_pupil


@override_settings(PUPIL_DATA_RETENTION_MONTHS=12)
def test_it_anonymises_cases_closed_longer_ago_than_the_retention_period(tree):
    supporter = make_supporter(tree.support_a)
    pupil = make_pupil(tree.school_a)
    request = make_request(
        tree.school_a, status=RequestStatus.ALLOCATED, pupils=[pupil], description="About Amira"
    )
    old = make_case(
        supporter,
        tree.school_a,
        status=CaseStatus.CLOSED,
        closed_at=timezone.now() - timedelta(days=400),
        pupils=[pupil],
        request=request,
    )
    visit = make_visit(old, notes="Amira reads well", duration=50)
    NextStep.objects.create(
        visit=visit, case=old, description="Call Amira's mother", due_date=timezone.localdate()
    )
    Transfer.objects.create(
        case=old,
        from_supporter=supporter,
        to_supporter=make_supporter(tree.support_a),
        message="Amira's case",
        status="declined",
    )
    recent = make_case(
        supporter, tree.school_a, status=CaseStatus.CLOSED, closed_at=timezone.now() - timedelta(days=30)
    )
    make_visit(recent, notes="Keep")
    active = make_case(supporter, tree.school_a, pupils=[pupil])

    assert tasks.anonymise_closed_cases() == 1
    assert tasks.anonymise_closed_cases() == 0  # safe to run twice

    old.refresh_from_db()
    request.refresh_from_db()
    assert (old.goals, old.closing_summary, old.anonymised_at is not None) == ("", "—", True)
    assert list(old.pupils.all()) == []
    assert list(old.visits.values_list("notes", "duration_minutes")) == [("", 50)]
    assert list(old.steps.values_list("description", flat=True)) == ["—"]
    assert list(old.transfers.values_list("message", flat=True)) == [""]
    assert (request.description, list(request.pupils.all())) == ("—", [])
    assert list(recent.visits.values_list("notes", flat=True)) == ["Keep"]
    assert list(active.pupils.all()) == [pupil]
    assert list(AccessLog.objects.values_list("pupil_id", "action", "context")) == [
        (pupil.pk, "anonymise", "caseloads.retention")
    ]
    assert Case.objects.filter(anonymised_at__isnull=False).count() == 1


def test_it_counts_months_back_on_the_calendar():
    moment = timezone.datetime(2026, 3, 31, 12, tzinfo=timezone.UTC)

    assert months_before(moment, 12) == timezone.datetime(2025, 3, 28, 12, tzinfo=timezone.UTC)
    assert months_before(moment, 3) == timezone.datetime(2025, 12, 28, 12, tzinfo=timezone.UTC)


def test_it_is_scheduled_daily():
    from caseloads.beat import SCHEDULE

    assert SCHEDULE["caseloads-anonymise-closed-cases"]["task"] == "caseloads.anonymise_closed_cases"
