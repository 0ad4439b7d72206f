"""A worker killed with its whole process group in the middle of a match run, on PostgreSQL + Redis + a real
prefork worker: a new worker and beat's sweep finish the run within 90 s, every pupil with exactly one
proposal and the objective of a clean run. And a run task delivered twice changes nothing the second time.

Where the kill lands is not left to timing: the test holds the run's row lock, so the worker's batches stop
at their progress update, *inside* the batch's transaction, after claiming the batch and writing its
proposals. That is the worst moment to die: the claim and the proposals exist, uncommitted. The whole
process group gets SIGKILL; PostgreSQL rolls the transactions back, the batch messages the dead worker held
stay unacknowledged in Redis (``acks_late``; redelivered only after the one-hour visibility timeout), and
only the batch leases (``matching/leases.py``) let the sweep send them again.
"""

import os
import signal
import time
from collections import Counter
from typing import Any

import pytest
import redis
from django.apps import apps
from django.db import connection, transaction

from accounts.roles import OrganisationKind, Role
from matching import leases, tasks
from matching.models import Match, MatchRun, RunBatch, RunStatus, UnmatchedPupil
from matching.services import runs
from tests.factories import make_membership, make_org, make_org_tree
from tests.matching.factories import make_buddy, make_pupil
from tests.support import require_postgres, require_redis
from tests.worker import _isolated, celery_worker, wait_for

SCHOOLS = 12
PUPILS_PER_SCHOOL = 4  # two buddies of capacity 2 each: every pupil can be matched
WORKER_ENV = {"MATCHING_BATCH_PUPILS": str(PUPILS_PER_SCHOOL)}  # one school per batch: 12 batches
# National style: a region of several municipalities, batches of several schools each.
MUNICIPALITIES = 3
# Per municipality. Batches are fast since proposals go in by COPY: with 8 batches in all, the run could
# finish between the progress poll and the test taking the run's row lock, leaving no batch to stop.
REGION_SCHOOLS = 16
REGION_BATCH_PUPILS = 3 * PUPILS_PER_SCHOOL  # three schools per batch: 16 batches
RECOVERY_SECONDS = 90


def _school(parent) -> list[int]:  # type: ignore[no-untyped-def]
    school = make_org(OrganisationKind.SCHOOL, parent=parent)
    pupils = [make_pupil(school, home_languages=["uk"]).pk for _ in range(PUPILS_PER_SCHOOL)]
    for _ in range(2):
        make_buddy(school, capacity=2, languages=["uk", "nl"])
    return pupils


def _scope() -> tuple[Any, Any, list[int]]:
    """A municipality of twelve schools, each with four pupils and room for exactly four."""
    tree = make_org_tree()
    coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.municipality_b)
    pupils: list[int] = []
    for _ in range(SCHOOLS):
        pupils += _school(tree.municipality_b)
    return tree.municipality_b, coordinator, pupils


def _region() -> tuple[Any, Any, list[int]]:
    tree = make_org_tree()
    coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.region_b)
    pupils: list[int] = []
    for _ in range(MUNICIPALITIES):
        municipality = make_org(OrganisationKind.MUNICIPALITY, parent=tree.region_b)
        for _ in range(REGION_SCHOOLS):
            pupils += _school(municipality)
    return tree.region_b, coordinator, pupils


def _run(run_id: int) -> MatchRun:
    return MatchRun.objects.get(pk=run_id)


def _blocked_on_run_row() -> bool:
    """A backend (the worker's) waits for a lock while updating the match run: it is inside a batch."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the view is frozen for the transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' "
            "AND query LIKE 'UPDATE \"matching_matchrun\"%%'"
        )
        return cursor.fetchone()[0] >= 1


def _other_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


def _sweep_until_finished(run_id: int, timeout: float) -> bool:
    """What beat does: the sweep every ``SWEEP_SECONDS`` until the run is finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if wait_for(lambda: _run(run_id).is_finished, timeout=leases.SWEEP_SECONDS):
            return True
        tasks.resume_stalled_runs()
    return _run(run_id).is_finished


def _objective(run: MatchRun) -> tuple[int, int, float]:
    return run.stats["matched"], run.stats["unmatched"], run.stats["total_cost"]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_finishes_a_run_whose_whole_worker_was_killed_within_90_seconds_exactly(capsys):
    require_postgres()
    redis_url = require_redis()
    scope, coordinator, pupils = _region()
    # Messages left in the test's own Redis database by an earlier, interrupted run name ids that exist
    # again in this fresh test database.
    redis.Redis.from_url(_isolated(redis_url)).flushdb()
    env = {"MATCHING_BATCH_PUPILS": str(REGION_BATCH_PUPILS)}
    batches = MUNICIPALITIES * REGION_SCHOOLS * PUPILS_PER_SCHOOL // REGION_BATCH_PUPILS

    with celery_worker(redis_url, extra_env=env, concurrency=2, pool="prefork") as first:
        run_id = runs.start_run(coordinator, scope, "peer").pk
        assert wait_for(lambda: _run(run_id).batches_done >= 2, timeout=90, interval=0.02), (
            "the run did not progress"
        )
        with transaction.atomic():
            MatchRun.objects.select_for_update().get(pk=run_id)
            assert wait_for(_blocked_on_run_row, timeout=30), "the worker never reached a batch's write"
            os.killpg(first.pid, signal.SIGKILL)  # the main process and its pool children
            first.wait(timeout=10)
        # The dead worker's backends notice the lost clients and roll back.
        assert wait_for(lambda: _other_backends() == 0, timeout=30)

    killed = _run(run_id)
    assert (killed.status, killed.batches_total) == (RunStatus.RUNNING, batches)
    assert 2 <= killed.batches_done < batches
    done = RunBatch.objects.filter(run_id=run_id, done_at__isnull=False).count()
    assert done == killed.batches_done  # the batches being written when the worker died left nothing
    assert Match.objects.filter(run_id=run_id).count() == done * 3 * PUPILS_PER_SCHOOL

    with celery_worker(redis_url, extra_env=env, concurrency=2, pool="prefork"):
        ready = time.monotonic()
        assert _sweep_until_finished(run_id, RECOVERY_SECONDS), "the run did not finish within 90 s"
        recovered = time.monotonic() - ready
        with capsys.disabled():
            print(f"\nrun finished {recovered:.1f} s after the new worker was ready ({batches} batches)")

        run = _run(run_id)
        assert run.status == RunStatus.DONE, run.error
        assert (run.batches_done, run.pupils_matched) == (batches, len(pupils))
        proposals = Counter(Match.objects.filter(run_id=run_id).values_list("pupil_id", flat=True))
        assert proposals == dict.fromkeys(pupils, 1)  # every pupil once: none lost, none twice
        loads = Counter(Match.objects.filter(run_id=run_id).values_list("buddy_id", flat=True))
        assert set(loads.values()) == {2}  # every buddy at capacity, none over
        assert not UnmatchedPupil.objects.filter(run_id=run_id).exists()

        # A clean run of the same scope on the same data reaches the same objective.
        clean_id = runs.start_run(coordinator, scope, "peer").pk
        assert wait_for(lambda: _run(clean_id).is_finished, timeout=90)
    assert _objective(_run(clean_id)) == _objective(run)
    assert _run(clean_id).status == RunStatus.DONE


# --- The same task delivered twice ---------------------------------------------------------------------


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the apps a run touches (and the outbox), in a comparable form."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for label in ("matching", "pupils", "core"):
        for model in apps.get_app_config(label).get_models():
            fields = [f.attname for f in model._meta.concrete_fields]
            rows = model.objects.order_by("pk").values_list(*fields)
            tables[model._meta.label] = [tuple(repr(v) for v in row) for row in rows]
    return tables


@pytest.mark.django_db(transaction=True)
def test_it_changes_nothing_when_the_run_and_its_batches_are_delivered_again(settings):
    settings.MATCHING_BATCH_PUPILS = PUPILS_PER_SCHOOL
    scope, coordinator, pupils = _scope()
    run_id = runs.start_run(coordinator, scope, "peer").pk  # runs in-process (eager) on commit
    assert _run(run_id).status == RunStatus.DONE
    before = _snapshot()

    tasks.run_matching(run_id)
    for index in range(SCHOOLS):
        tasks.run_matching_batch(run_id, index)
    assert tasks.resume_stalled_runs() == 0

    assert _snapshot() == before
    assert Match.objects.filter(run_id=run_id).count() == len(pupils)


@pytest.mark.django_db(transaction=True)
def test_it_changes_nothing_when_a_batch_is_delivered_twice_mid_run(settings):
    """The second delivery of a batch arrives while the run is still running (the first one's worker was
    slow, not dead): it finds the batch claimed and writes nothing."""
    settings.MATCHING_BATCH_PUPILS = PUPILS_PER_SCHOOL
    scope, coordinator, pupils = _scope()
    run = MatchRun.objects.create(scope=scope, buddy_kind="peer", started_by=coordinator)
    pending = runs.prepare_run(run.pk)
    assert pending == list(range(SCHOOLS))

    for index in pending[:6]:
        assert tasks.run_matching_batch(run.pk, index) is True
    before = _snapshot()
    for index in pending[:6]:
        assert tasks.run_matching_batch(run.pk, index) is False
    assert _snapshot() == before

    for index in pending[6:]:
        assert tasks.run_matching_batch(run.pk, index) is True
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert Counter(Match.objects.filter(run=run).values_list("pupil_id", flat=True)) == dict.fromkeys(
        pupils, 1
    )
