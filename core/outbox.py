"""Enqueue Celery tasks through the transactional outbox.

Call :func:`enqueue` inside the service's transaction. The task is sent when the transaction commits; if the
broker cannot be reached, the row waits for :func:`flush` (run by beat every minute). Arguments are ids and
other JSON scalars only, never model instances or personal data.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from config.celery import app as celery_app
from core.models import OutboxMessage

logger = logging.getLogger(__name__)

# How long a fresh message is left to its own commit hook before the sweep takes it.
SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 500


def _task(name: str):  # type: ignore[no-untyped-def]
    # Web processes import task modules lazily; a worker has them all from start-up.
    if name not in celery_app.tasks:
        celery_app.loader.import_default_modules()
    return celery_app.tasks[name]


def enqueue(task: str, *args: int | str) -> OutboxMessage:
    message = OutboxMessage.objects.create(task=task, args=list(args))
    transaction.on_commit(lambda: dispatch(message.pk))
    return message


def dispatch(message_id: int) -> bool:
    """Send one pending message; True when it was handed to the broker (or ran, in embedded mode)."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, dispatched_at__isnull=True)
            .first()
        )
        if message is None:
            return False
        try:
            _task(message.task).apply_async(args=message.args)
        except Exception as exc:  # broker down or unreachable: keep the row for the sweep
            if celery_app.conf.task_always_eager:
                raise
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=message.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:500]
            )
            logger.warning("outbox message %s not sent: %s", message.pk, type(exc).__name__)
            return False
        OutboxMessage.objects.filter(pk=message.pk).update(
            dispatched_at=timezone.now(), attempts=message.attempts + 1
        )
        return True


def flush(now: timezone.datetime | None = None) -> int:
    """Send messages whose commit hook did not (broker down, process died). Returns how many were sent."""
    cutoff = (now or timezone.now()) - SWEEP_GRACE
    pending = list(
        OutboxMessage.objects.filter(dispatched_at__isnull=True, created_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(dispatch(pk) for pk in pending)
