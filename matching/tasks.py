"""Celery entry points for matching: ids in, services do the work, every task safe to run twice."""

from celery import Task, group, shared_task

from core import retry
from core.retry import RETRY
from matching import leases, notifications
from matching.services import followup, imports, retention, runs

MAX_RETRIES = retry.MAX_RETRIES


def _retry_or_fail(task: Task, run_id: int, exc: BaseException) -> None:
    """Retry a transient error with the shared backoff (1, 2, 4, 8, 16 s); after the cap, fail the run
    visibly."""
    if task.request.retries >= MAX_RETRIES:
        runs.fail_run(run_id, runs.failure_message(exc))
        return
    # The transient errors are all Exceptions (database and broker errors), which Celery's retry takes.
    raise task.retry(
        exc=exc if isinstance(exc, Exception) else None, countdown=retry.backoff(task.request.retries)
    )


@shared_task(name="matching.run_matching", bind=True, ignore_result=True, acks_late=True)
def run_matching(self: Task, run_id: int) -> int:
    """Plan the run, then fan its unfinished batches out to workers (a group; the last batch closes
    the run). A second delivery re-sends only unfinished batches, which are idempotent anyway."""
    try:
        pending = runs.run_guarded(run_id, runs.prepare_run) or []
    except runs.TRANSIENT_ERRORS as exc:
        _retry_or_fail(self, run_id, exc)
        return 0
    if pending:
        _send_batches(run_id, pending)
    return len(pending)


def _send_batches(run_id: int, indexes: list[int]) -> None:
    leases.mark_dispatched(run_id, indexes)
    group(run_matching_batch.si(run_id, index) for index in indexes).apply_async()


@shared_task(name="matching.run_matching_batch", bind=True, ignore_result=True, acks_late=True)
def run_matching_batch(self: Task, run_id: int, index: int) -> bool:
    try:
        return bool(runs.run_guarded(run_id, runs.run_batch, index, self.request.id or ""))
    except runs.TRANSIENT_ERRORS as exc:
        _retry_or_fail(self, run_id, exc)
        return False


@shared_task(name="matching.resume_stalled_runs", ignore_result=True)
def resume_stalled_runs() -> int:
    """Beat's sweep: send again the batches whose lease ran out (a dead worker's), and runs that never
    got going (planning is skipped; only unfinished batches go out again). Returns what was sent."""
    batches = leases.stalled_batches()
    for run_id, indexes in batches.items():
        _send_batches(run_id, indexes)
    stalled = [run_id for run_id in runs.stalled_runs() if run_id not in batches]
    for run_id in stalled:
        run_matching.delay(run_id)
    return len(stalled) + sum(len(indexes) for indexes in batches.values())


@shared_task(name="matching.start_nightly_runs", ignore_result=True)
def start_nightly_runs() -> int:
    return len(runs.start_nightly_runs())


@shared_task(name="matching.notify_match_approved", ignore_result=True, **RETRY)
def notify_match_approved(match_id: int) -> bool:
    return notifications.notify_match_approved(match_id)


@shared_task(name="matching.notify_match_ended", ignore_result=True, **RETRY)
def notify_match_ended(match_id: int) -> bool:
    return notifications.notify_match_ended(match_id)


@shared_task(name="matching.end_expired_matches", ignore_result=True)
def end_expired_matches() -> int:
    return followup.end_expired_matches()


@shared_task(name="matching.anonymise_expired", ignore_result=True)
def anonymise_expired() -> int:
    return retention.anonymise_expired()


@shared_task(name="matching.process_import", ignore_result=True)
def process_import(job_id: int) -> bool:
    return imports.process_job(job_id)
