from unittest import mock

import pytest
from django.utils import translation

from core.errors import Conflict, ServiceError
from matching import tasks
from matching.models import Match, MatchRun, MatchStatus, RunBatch, RunStatus, UnmatchedPupil
from matching.services import runs
from tests.matching.factories import make_buddy, make_match, make_pupil


def _start(coordinator, scope, kind="peer"):
    with mock.patch("core.outbox.transaction.on_commit"):
        return runs.start_run(coordinator, scope, kind)


def test_it_writes_proposals_progress_stats_and_reasons(tree, coordinator_a):
    pupil = make_pupil(tree.school_a, home_languages=["ar"], grade=5, interests=["football", "music"])
    lonely = make_pupil(tree.school_a2)
    buddy = make_buddy(tree.school_a, languages=["ar", "nl"], grade=5, interests=["football", "music"])
    run = _start(coordinator_a, tree.municipality_a1)

    tasks.run_matching(run.pk)

    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert (run.components_done, run.components_total, run.pupils_matched) == (2, 2, 1)
    assert run.stats["matched"] == 1
    assert run.stats["unmatched"] == 1
    assert run.stats["shared_home_language"] == 1
    match = Match.objects.get(run=run)
    assert (match.pupil_id, match.buddy_id, match.status) == (pupil.pk, buddy.pk, MatchStatus.PROPOSED)
    assert match.reasons == [
        ["shared_home_language", {"languages": ["ar"]}],
        ["same_grade", {}],
        ["shared_interests", {"count": 2, "interests": ["football", "music"]}],
        ["buddy_load", {"load": 0}],
    ]
    unmatched = UnmatchedPupil.objects.get(run=run)
    assert (unmatched.pupil_id, unmatched.reason) == (lonely.pk, "no_buddy_in_group")


def test_it_writes_no_duplicates_when_the_task_runs_twice(tree, coordinator_a):
    make_pupil(tree.school_a)
    make_buddy(tree.school_a)
    run = _start(coordinator_a, tree.school_a)

    tasks.run_matching(run.pk)
    tasks.run_matching(run.pk)
    tasks.run_matching_batch(run.pk, 0)

    assert Match.objects.filter(run=run).count() == 1
    assert RunBatch.objects.filter(run=run).count() == 1


def test_it_skips_a_batch_already_written_when_redelivered_mid_run(tree, coordinator_a):
    make_pupil(tree.school_a)
    make_buddy(tree.school_a)
    run = _start(coordinator_a, tree.school_a)
    pending = runs.prepare_run(run.pk)
    assert pending == [0]

    assert runs.run_batch(run.pk, 0) is True
    MatchRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)  # as if redelivered before close
    assert runs.run_batch(run.pk, 0) is False

    assert Match.objects.filter(run=run).count() == 1


def test_it_fails_the_run_and_leaves_active_matches_untouched(tree, coordinator_a):
    kept_pupil = make_pupil(tree.school_a)
    kept_buddy = make_buddy(tree.school_a, capacity=2)
    active = make_match(kept_pupil, kept_buddy, status=MatchStatus.APPROVED)
    make_pupil(tree.school_a)
    run = _start(coordinator_a, tree.school_a)

    with (
        mock.patch("matching.services.runs.engine.solve", side_effect=RuntimeError("boom")),
        translation.override("en"),
    ):
        tasks.run_matching(run.pk)

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == "The run stopped with an error (RuntimeError). Nothing was changed; try again."
    assert Match.objects.filter(run=run).count() == 0
    active.refresh_from_db()
    assert active.status == MatchStatus.APPROVED


def test_it_refuses_a_second_run_for_the_same_scope_and_kind(tree, coordinator_a):
    _start(coordinator_a, tree.school_a)

    with pytest.raises(Conflict):
        _start(coordinator_a, tree.school_a)

    assert MatchRun.objects.count() == 1


def test_it_refuses_a_scope_outside_reach(tree, coordinator_a):
    with pytest.raises(ServiceError) as exc:
        _start(coordinator_a, tree.school_b)

    assert exc.value.field == "scope"
    assert MatchRun.objects.count() == 0


def test_it_keeps_approved_and_locked_pairs_and_never_reproposes_rejected(tree, coordinator_a):
    approved_pupil = make_pupil(tree.school_a)
    locked_pupil = make_pupil(tree.school_a)
    rejected_pupil = make_pupil(tree.school_a)
    b1 = make_buddy(tree.school_a, capacity=1)
    b2 = make_buddy(tree.school_a, capacity=1)
    b3 = make_buddy(tree.school_a, capacity=1)
    make_match(approved_pupil, b1, status=MatchStatus.APPROVED)
    make_match(locked_pupil, b2, locked=True)
    make_match(rejected_pupil, b3, status=MatchStatus.REJECTED)
    run = _start(coordinator_a, tree.school_a)

    tasks.run_matching(run.pk)

    pairs = set(Match.objects.filter(run=run).values_list("pupil_id", "buddy_id", "locked"))
    assert pairs == {(locked_pupil.pk, b2.pk, True)}
    assert UnmatchedPupil.objects.get(run=run).reason == "no_free_capacity"


def test_it_never_proposes_a_rejected_pair_again(tree, coordinator_a):
    pupil = make_pupil(tree.school_a)
    buddy = make_buddy(tree.school_a, capacity=3)
    make_match(pupil, buddy, status=MatchStatus.REJECTED)
    run = _start(coordinator_a, tree.school_a)

    tasks.run_matching(run.pk)

    assert Match.objects.filter(run=run).count() == 0
    assert UnmatchedPupil.objects.get(run=run).reason == "all_excluded"


def test_it_groups_by_municipality_when_cross_school_matching_is_allowed(tree, coordinator_a):
    tree.municipality_a1.allow_cross_school_matching = True
    tree.municipality_a1.save()
    pupil = make_pupil(tree.school_a)
    buddy = make_buddy(tree.school_a2)
    run = _start(coordinator_a, tree.municipality_a1)

    tasks.run_matching(run.pk)

    assert list(Match.objects.filter(run=run).values_list("pupil_id", "buddy_id")) == [(pupil.pk, buddy.pk)]


def test_it_supersedes_pending_proposals_of_an_earlier_run(tree, coordinator_a):
    pupil = make_pupil(tree.school_a)
    make_buddy(tree.school_a)
    first = _start(coordinator_a, tree.school_a)
    tasks.run_matching(first.pk)
    second = _start(coordinator_a, tree.school_a)

    tasks.run_matching(second.pk)

    assert Match.objects.get(run=first).status == MatchStatus.SUPERSEDED
    assert Match.objects.get(run=second, pupil=pupil).status == MatchStatus.PROPOSED


def test_it_loads_a_batch_in_a_fixed_number_of_queries(tree, coordinator_a, django_assert_num_queries):
    from matching.problem_builder import load_batch

    for _ in range(5):
        make_pupil(tree.school_a, interests=["chess"])
        make_buddy(tree.school_a, interests=["chess"])
    run = _start(coordinator_a, tree.school_a)
    # The record path (SQLite): schools of the groups, pupils, pupil interests, buddies, buddy interests,
    # buddy loads, interest codes, locked/rejected pairs: 8, whatever the number of pupils. PostgreSQL
    # loads columns instead: 6 (tests/matching/test_columnar_load.py lists them).
    from django.db import connection

    with django_assert_num_queries(6 if connection.vendor == "postgresql" else 8):
        load_batch(run, [tree.school_a.pk])


def test_it_fails_the_run_when_a_transient_error_outlasts_the_retries(tree, coordinator_a):
    from django.db import OperationalError

    make_pupil(tree.school_a)
    run = _start(coordinator_a, tree.school_a)
    runs.prepare_run(run.pk)

    with mock.patch("matching.services.runs.load_batch", side_effect=OperationalError("gone")):
        task = tasks.run_matching_batch
        task.push_request(retries=tasks.MAX_RETRIES)
        try:
            assert task.run(run.pk, 0) is False
        finally:
            task.pop_request()

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED


def test_it_retries_a_transient_error_before_failing(tree, coordinator_a):
    from celery.exceptions import Retry
    from django.db import OperationalError

    make_pupil(tree.school_a)
    run = _start(coordinator_a, tree.school_a)
    runs.prepare_run(run.pk)

    with (
        mock.patch("matching.services.runs.load_batch", side_effect=OperationalError("gone")),
        mock.patch.object(tasks.run_matching_batch, "retry", side_effect=Retry()) as retry,
        pytest.raises(Retry),
    ):
        tasks.run_matching_batch.run(run.pk, 0)

    assert retry.call_args.kwargs["countdown"] == 1
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING


def test_it_lists_every_proposal_column_for_the_fast_insert():
    from matching.writing import COLUMNS

    assert set(COLUMNS) == {f.column for f in Match._meta.concrete_fields} - {"id"}


def test_it_resumes_a_stalled_run_by_resending_its_unfinished_batches(tree, coordinator_a):
    from datetime import timedelta

    from django.utils import timezone

    make_pupil(tree.school_a)
    make_buddy(tree.school_a)
    run = _start(coordinator_a, tree.school_a)
    runs.prepare_run(run.pk)  # planned, but the batch message was lost
    long_ago = timezone.now() - timedelta(hours=1)
    MatchRun.objects.filter(pk=run.pk).update(created_at=long_ago, started_at=long_ago)

    assert tasks.resume_stalled_runs() == 1

    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert Match.objects.filter(run=run).count() == 1
    assert tasks.resume_stalled_runs() == 0
