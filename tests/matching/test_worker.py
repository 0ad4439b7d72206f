"""A match run carried out by a real `celery worker` through Redis, on PostgreSQL: fanned-out batches,
proposals written exactly once, and a re-delivered batch that changes nothing."""

import time

import pytest

from accounts.roles import Role
from config.celery import app
from matching.models import Match, MatchRun, RunStatus, UnmatchedPupil
from matching.services import runs
from tests.factories import make_membership, make_org_tree
from tests.matching.factories import make_buddy, make_pupil
from tests.support import require_postgres, require_redis
from tests.worker import celery_worker, wait_for


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_runs_matching_on_a_real_worker_and_writes_proposals_once():
    require_postgres()
    redis_url = require_redis()
    tree = make_org_tree()
    coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.region_a)
    pupils = []
    for school in (tree.school_a, tree.school_a2, tree.school_a3):
        pupils += [make_pupil(school, home_languages=["uk"]) for _ in range(4)]
        make_buddy(school, capacity=3, languages=["uk", "nl"])

    # Four pupils per batch: three batches, fanned out as a group of tasks.
    with celery_worker(redis_url, extra_env={"MATCHING_BATCH_PUPILS": "4"}, pool="prefork", concurrency=2):
        run = runs.start_run(coordinator, tree.region_a, "peer")
        finished = wait_for(lambda: MatchRun.objects.get(pk=run.pk).is_finished, timeout=60)
        # A redelivered batch and a redelivered run start, after the run is done: nothing changes.
        app.send_task("matching.run_matching_batch", args=[run.pk, 0])
        app.send_task("matching.run_matching", args=[run.pk])
        time.sleep(2)

    assert finished, "the worker did not finish the run within 60 s"
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert (run.batches_done, run.batches_total, run.components_done) == (3, 3, 3)
    assert Match.objects.filter(run=run).count() == 9  # three places per school
    assert UnmatchedPupil.objects.filter(run=run).count() == 3
    assert run.stats["matched"] == 9
    assert run.stats["shared_home_language"] == 9
    assert {"load_seconds", "solve_seconds", "write_seconds", "wall_seconds"} <= set(run.stats)
