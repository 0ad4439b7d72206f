"""Leases on run batches: claimed once, renewed while working, and sent again by the sweep when they run
out (a dead worker) or when a run shows no life for a lease's length. The clock is passed in."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from matching import beat, leases, tasks
from matching.models import MatchRun, RunBatch, RunStatus
from matching.services import runs
from tests.matching.factories import make_buddy, make_pupil, make_run

LEASE = leases.lease()


@pytest.fixture
def running(tree, settings) -> MatchRun:  # type: ignore[no-untyped-def]
    """A running run of three batches (one school each), planned a minute ago, none claimed yet."""
    for school in (tree.school_a, tree.school_a2, tree.school_a3):
        make_pupil(school)
        make_buddy(school)
    run = make_run(tree.region_a, status=RunStatus.QUEUED)
    settings.MATCHING_BATCH_PUPILS = 1
    assert runs.prepare_run(run.pk) == [0, 1, 2]
    MatchRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(minutes=1))
    return run


def _batch(run: MatchRun, index: int) -> RunBatch:
    return RunBatch.objects.get(run=run, index=index)


def test_it_claims_a_free_batch_once_and_lets_the_same_task_claim_it_again(running):
    batch = _batch(running, 0)

    assert leases.claim(batch.pk, "task-1") is True
    assert leases.claim(batch.pk, "task-2") is False  # a live lease of another worker
    assert leases.claim(batch.pk, "task-1") is True  # a retry keeps its task id

    batch.refresh_from_db()
    assert batch.claimed_by == "task-1"
    assert batch.lease_expires_at - batch.claimed_at == LEASE


def test_it_takes_over_a_lease_that_ran_out(running):
    batch = _batch(running, 0)
    now = timezone.now()
    leases.claim(batch.pk, "dead-worker", now=now)

    assert leases.claim(batch.pk, "new-worker", now=now + LEASE - timedelta(seconds=1)) is False
    assert leases.claim(batch.pk, "new-worker", now=now + LEASE + timedelta(seconds=1)) is True


def test_it_skips_a_batch_leased_by_a_live_worker(running):
    leases.claim(_batch(running, 0).pk, "other-worker")

    assert runs.run_batch(running.pk, 0, "me") is False
    assert _batch(running, 0).done_at is None


def test_it_sends_again_a_batch_whose_lease_ran_out_and_leaves_live_ones(running):
    now = timezone.now()
    leases.mark_dispatched(running.pk, [0, 1, 2])
    leases.claim(_batch(running, 0).pk, "dead-worker", now=now - LEASE - timedelta(seconds=1))
    leases.claim(_batch(running, 1).pk, "live-worker", now=now)

    assert leases.stalled_batches(now) == {running.pk: [0]}


def test_it_sends_again_unclaimed_batches_once_the_run_is_quiet_for_a_lease(running):
    """The dead worker had received batch messages it never started: nothing claims them, so once no
    batch of the run is leased or finished for a lease's length, they go out again."""
    leases.mark_dispatched(running.pk, [0, 1, 2])
    dispatched = _batch(running, 0).dispatched_at

    assert leases.stalled_batches(dispatched + LEASE - timedelta(seconds=1)) == {}
    assert leases.stalled_batches(dispatched + LEASE + timedelta(seconds=1)) == {running.pk: [0, 1, 2]}
    RunBatch.objects.filter(run=running, index=2).update(done_at=dispatched + LEASE)
    assert leases.stalled_batches(dispatched + LEASE + timedelta(seconds=1)) == {}  # progress: alive


def test_it_resends_stalled_batches_from_the_sweep_and_finishes_the_run(running):
    """In-process (eager) the sweep's send runs the batches: the run completes, every pupil once."""
    past = timezone.now() - LEASE * 2
    RunBatch.objects.filter(run=running).update(dispatched_at=past)
    leases.claim(_batch(running, 1).pk, "dead-worker", now=past)

    assert tasks.resume_stalled_runs() == 3

    running.refresh_from_db()
    assert (running.status, running.batches_done, running.pupils_matched) == (RunStatus.DONE, 3, 3)
    assert running.matches.count() == 3


def test_it_sweeps_with_one_query_when_no_run_is_running(tree, django_assert_num_queries):
    make_run(tree.region_a, status=RunStatus.DONE)

    # 1. SELECT the ids of runs running for longer than a lease
    with django_assert_num_queries(1):
        assert leases.stalled_batches() == {}


def test_it_runs_the_sweep_often_enough_to_recover_within_a_minute():
    schedule = beat.SCHEDULE["matching-resume-stalled-runs"]["schedule"]
    assert schedule == leases.SWEEP_SECONDS
    assert leases.SWEEP_SECONDS + LEASE.total_seconds() < 60


@pytest.mark.django_db(transaction=True)
def test_it_renews_the_lease_while_the_batch_works(settings):
    from tests.factories import make_org_tree

    settings.MATCHING_BATCH_LEASE_SECONDS = 0.6  # renewed every 0.2 s
    tree = make_org_tree()
    run = make_run(tree.school_a, status=RunStatus.RUNNING)
    batch = RunBatch.objects.create(run=run, index=0)
    leases.claim(batch.pk, "me")
    first = RunBatch.objects.get(pk=batch.pk).lease_expires_at

    with leases.Heartbeat(batch.pk, "me"):
        time.sleep(1.0)

    renewed = RunBatch.objects.get(pk=batch.pk).lease_expires_at
    assert renewed - first >= timedelta(seconds=0.6)
