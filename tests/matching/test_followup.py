from datetime import date, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from core.errors import ServiceError
from matching.models import CheckIn, EndReason, Match, MatchRun, MatchStatus
from matching.services import followup, runs
from pupils.models import Pupil
from tests.matching.factories import make_buddy, make_match, make_pupil


def approved(tree, **extra):
    today = timezone.localdate()
    match = make_match(
        make_pupil(tree.school_a),
        make_buddy(tree.school_a),
        status=MatchStatus.APPROVED,
        starts_on=today,
        ends_on=followup.add_months(today, 6),
        **extra,
    )
    followup.schedule_check_ins(match)
    return match


def test_it_schedules_week_1_2_6_then_monthly():
    start = date(2026, 1, 5)

    dates = followup.check_in_dates(start, followup.add_months(start, 6))

    assert dates == [
        date(2026, 1, 12),
        date(2026, 1, 19),
        date(2026, 2, 16),
        date(2026, 3, 5),
        date(2026, 4, 5),
        date(2026, 5, 5),
        date(2026, 6, 5),
        date(2026, 7, 5),
    ]


def test_it_records_a_check_in_on_the_earliest_open_one(tree, coordinator_a):
    match = approved(tree)

    check_in = followup.record_check_in(coordinator_a, match.pk, "going_well")

    assert check_in.due_on == match.starts_on + timedelta(weeks=1)
    assert (check_in.outcome, check_in.done_by) == ("going_well", coordinator_a)


def test_it_refuses_a_check_in_on_an_ended_match(tree, coordinator_a):
    match = approved(tree)
    followup.end_match(coordinator_a, match.pk, EndReason.PUPIL_LEFT)

    with pytest.raises(ServiceError) as exc:
        followup.record_check_in(coordinator_a, match.pk, "going_well")

    assert exc.value.code == "match_ended"
    assert CheckIn.objects.filter(done_at__isnull=False).count() == 0


def test_it_returns_the_pupil_to_the_pool_with_priority_when_not_a_fit(tree, coordinator_a):
    match = approved(tree)

    followup.record_fit(coordinator_a, match.pk, "not_a_fit")

    match.refresh_from_db()
    assert (match.status, match.end_reason, match.fit) == (MatchStatus.ENDED, "not_a_fit", "not_a_fit")
    assert Pupil.objects.get(pk=match.pupil_id).priority_since is not None


def test_it_never_reproposes_a_pair_that_was_not_a_fit(tree, coordinator_a):
    match = approved(tree)
    followup.record_fit(coordinator_a, match.pk, "not_a_fit")
    with mock.patch("core.outbox.transaction.on_commit"):
        run = runs.start_run(coordinator_a, tree.school_a, "peer")

    from matching import tasks

    tasks.run_matching(run.pk)

    assert not Match.objects.filter(run=run).exists()


def test_it_keeps_a_good_fit_running(tree, coordinator_a):
    match = approved(tree)

    followup.record_fit(coordinator_a, match.pk, "good")

    match.refresh_from_db()
    assert (match.status, match.fit) == (MatchStatus.APPROVED, "good")


def test_it_refuses_an_unknown_end_reason(tree, coordinator_a):
    match = approved(tree)

    with pytest.raises(ServiceError) as exc:
        followup.end_match(coordinator_a, match.pk, "bored")

    assert exc.value.field == "reason"
    assert Match.objects.get().status == MatchStatus.APPROVED


def test_it_ends_matches_after_their_term(tree):
    expired = approved(tree)
    Match.objects.filter(pk=expired.pk).update(ends_on=timezone.localdate() - timedelta(days=1))
    running = approved(tree)

    assert followup.end_expired_matches() == 1
    assert followup.end_expired_matches() == 0

    expired.refresh_from_db()
    running.refresh_from_db()
    assert (expired.status, expired.end_reason) == (MatchStatus.ENDED, EndReason.TERM_ENDED)
    assert running.status == MatchStatus.APPROVED


def test_it_starts_nightly_runs_per_region_for_pupils_within_the_horizon(tree, settings):
    settings.MATCHING_NIGHTLY_WEEKS = 4
    today = date(2026, 12, 1)

    with mock.patch("core.outbox.transaction.on_commit"):
        started = runs.start_nightly_runs(today)
        again = runs.start_nightly_runs(today)

    assert len(started) == 2 * 3  # two regions x three buddy kinds
    assert again == []  # the first ones are still queued
    assert set(MatchRun.objects.values_list("transition_before", flat=True)) == {today + timedelta(weeks=4)}


def test_it_only_takes_pupils_within_the_horizon_in_a_nightly_run(tree):
    soon = make_pupil(tree.school_a, transition_date=timezone.localdate() + timedelta(days=7))
    make_pupil(tree.school_a, transition_date=timezone.localdate() + timedelta(days=120))
    make_buddy(tree.school_a, capacity=3)
    run = MatchRun.objects.create(
        scope=tree.region_a, buddy_kind="peer", transition_before=timezone.localdate() + timedelta(weeks=6)
    )
    from matching import tasks

    tasks.run_matching(run.pk)

    assert list(Match.objects.filter(run=run).values_list("pupil_id", flat=True)) == [soon.pk]


def test_it_schedules_nightly_runs_term_ends_and_retention_in_beat():
    from config.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}

    assert {
        "matching.start_nightly_runs",
        "matching.end_expired_matches",
        "matching.anonymise_expired",
    } <= tasks
