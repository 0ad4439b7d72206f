"""Enqueue Celery tasks through the transactional outbox.

Call :func:`enqueue` inside the service's transaction. The task is sent when the transaction commits; if the
broker cannot be reached, the row waits for :func:`flush` (run by beat every minute). Arguments are ids and
other JSON scalars only, never model instances or personal data.

A row is *done* when its task has run to the end (``done_at``, set by :func:`mark_done` on Celery's
``task_success`` in the worker), not when it was handed to the broker (``dispatched_at``): a task that died
on a dropped database connection after its retries, or whose message the broker lost, is sent again by the
sweep once ``REDELIVER_AFTER`` has passed. Every task is idempotent, so a second send changes nothing.

With a broker (not eager), a message is written *claimed by its commit hook*: ``dispatched_at`` is set in
the insert, inside the caller's transaction, and the hook only publishes, without a query of its own. The
request so pays no second transaction after its commit (it was BEGIN, SELECT ... FOR UPDATE, UPDATE,
COMMIT: four round trips per message, 1.6 of a 13 ms enrolment). When the publish fails, or is skipped
while the broker is down, one UPDATE gives the message back to the sweep (``dispatched_at`` NULL), which
sends it after ``SWEEP_GRACE`` as before. The price: a process killed between the commit and the publish
leaves a claimed message that the sweep resends only after ``REDELIVER_AFTER`` (15 minutes, not 30 s).
In eager mode (tests, no broker) the hook runs :func:`dispatch` as before, so the task's errors reach
the caller.
"""

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from celery import Celery, Task, current_app
from celery.signals import task_success
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.models import OutboxMessage

logger = logging.getLogger(__name__)

# How long a fresh message is left to its own commit hook before the sweep takes it.
SWEEP_GRACE = timedelta(seconds=30)
# How long a sent message may take to be done before the sweep sends it again: longer than a task's hard
# time limit (360 s) plus its retries (about a minute), so a slow task is not doubled for nothing.
REDELIVER_AFTER = timedelta(minutes=15)
# Sends after which a message that never succeeds is left alone (with its last error) for a person to see.
MAX_ATTEMPTS = 10
SWEEP_BATCH = 500
HEADER = "outbox_id"
#: Seconds after a failed publish during which this process's commit hooks leave messages to the sweep
#: instead of each request waiting on kombu's publish retries against a broker that is down.
BROKER_RETRY_AFTER = 5.0
_broker = {"skip_until": 0.0}


def _app() -> Celery:
    """The project's Celery app: ``config.celery`` makes it the default of every thread, so the plumbing
    finds it without importing the project's config (``core`` knows no app above it)."""
    return current_app


def _task(name: str) -> Task[Any, Any]:
    # Web processes import task modules lazily; a worker has them all from start-up.
    celery_app = _app()
    if name not in celery_app.tasks:
        celery_app.loader.import_default_modules()
    task: Task[Any, Any] = celery_app.tasks[name]
    return task


def enqueue(task: str, *args: int | str) -> OutboxMessage:
    if _app().conf.task_always_eager:
        message = OutboxMessage.objects.create(task=task, args=list(args))
        transaction.on_commit(lambda: dispatch_after_commit(message.pk))
        return message
    message = OutboxMessage.objects.create(
        task=task, args=list(args), dispatched_at=timezone.now(), attempts=1
    )
    transaction.on_commit(lambda: publish_after_commit(message))
    return message


def publish_after_commit(message: OutboxMessage) -> None:
    """The commit hook of a claimed message (see the module docstring): publish it, no query on success.
    Nothing may raise into the response from here; a failed publish gives the row back to the sweep."""
    error = "broker failed a moment ago in this process"
    if time.monotonic() >= _broker["skip_until"]:
        try:
            _task(message.task).apply_async(args=message.args, headers={HEADER: message.pk})  # type: ignore[dict-item]  # any JSON value travels
            return
        except Exception as exc:  # broker down or unreachable
            _broker["skip_until"] = time.monotonic() + BROKER_RETRY_AFTER
            error = f"{type(exc).__name__}: {exc}"
    try:
        OutboxMessage.objects.filter(pk=message.pk, done_at__isnull=True).update(
            dispatched_at=None, last_error=error[:500]
        )
    except Exception as exc:  # the database too: the sweep resends it after REDELIVER_AFTER
        logger.warning("outbox message %s left claimed: %s", message.pk, type(exc).__name__)
        return
    logger.warning("outbox message %s left for the sweep: %s", message.pk, error.split(":")[0])


def dispatch_after_commit(message_id: int) -> None:
    """The commit hook in eager mode, and for messages not claimed at insert: the change is committed, so
    nothing may raise into the response from here (a dropped database connection, a broker error). The
    row stays for the sweep."""
    if not _app().conf.task_always_eager and time.monotonic() < _broker["skip_until"]:
        return  # the broker failed a moment ago in this process: the sweep sends it
    try:
        dispatch(message_id)
    except Exception as exc:
        if _app().conf.task_always_eager:
            raise  # in-process tasks (embedded mode, tests): their errors are the caller's to see
        logger.warning("outbox message %s left for the sweep: %s", message_id, type(exc).__name__)


def dispatch(message_id: int, *, resend_before: datetime | None = None) -> bool:
    """Send one message that is not done; True when it was handed to the broker (or ran, in embedded mode).

    A message sent before is sent again only when it was sent before ``resend_before`` (the sweep)."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, done_at__isnull=True)
            .first()
        )
        if message is None or not _due(message.dispatched_at, resend_before):
            return False
        try:
            _task(message.task).apply_async(
                args=message.args,
                headers={HEADER: message.pk},  # type: ignore[dict-item]  # any JSON value travels; the stubs say str
            )
        except Exception as exc:  # broker down or unreachable: keep the row for the sweep
            if _app().conf.task_always_eager:
                raise
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=message.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:500]
            )
            logger.warning("outbox message %s not sent: %s", message.pk, type(exc).__name__)
            _broker["skip_until"] = time.monotonic() + BROKER_RETRY_AFTER
            return False
        OutboxMessage.objects.filter(pk=message.pk).update(
            dispatched_at=timezone.now(), attempts=message.attempts + 1
        )
        return True


def _due(dispatched_at: datetime | None, resend_before: datetime | None) -> bool:
    if dispatched_at is None:
        return True
    return resend_before is not None and dispatched_at <= resend_before


def pending(now: datetime | None = None) -> list[int]:
    """Messages the sweep sends: never sent (past the grace), or sent long ago and still not done.

    One query on the partial index of not-done rows: cheap when everything went through."""
    now = now or timezone.now()
    due = Q(dispatched_at__isnull=True, created_at__lte=now - SWEEP_GRACE) | Q(
        dispatched_at__lte=now - REDELIVER_AFTER
    )
    return list(
        OutboxMessage.objects.filter(due, done_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def flush(now: datetime | None = None) -> int:
    """Send messages whose commit hook did not, or whose task never finished. Returns how many were sent."""
    now = now or timezone.now()
    return sum(dispatch(pk, resend_before=now - REDELIVER_AFTER) for pk in pending(now))


def mark_done(message_id: int) -> bool:
    return bool(
        OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).update(done_at=timezone.now())
    )


def message_id_of(task: Task[Any, Any]) -> int | None:
    """The outbox row a running task was sent for (a header that Celery keeps across retries)."""
    request = task.request
    value = (getattr(request, "headers", None) or {}).get(HEADER) or getattr(request, HEADER, None)
    return int(value) if value is not None else None


@task_success.connect
def _on_task_success(sender: Task[Any, Any] | None = None, **kwargs: object) -> None:
    message_id = message_id_of(sender) if sender is not None else None
    if message_id is None:
        return
    try:
        mark_done(message_id)
    except Exception as exc:  # the effect is recorded; the sweep's second send will find it so
        logger.warning("outbox message %s not marked done: %s", message_id, type(exc).__name__)
