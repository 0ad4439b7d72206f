"""Leases on match-run batches: a worker that dies whole does not stall its run.

A batch task first claims its batch (a conditional update: free, expired, or already its own, since a
retry keeps the task id) with a lease of ``lease()`` seconds, and a heartbeat thread renews it while the
batch loads, solves and writes. If the worker is killed, with its whole process group, nothing renews it:
the lease runs out, and beat's sweep (``matching.resume_stalled_runs``, every ``SWEEP_SECONDS``) sends the
batch again, instead of waiting for Redis's visibility timeout (an hour) on the message the dead worker
held. Batches the dead worker had received but not yet claimed are sent again once the run shows no sign
of life (no live lease, nothing finished) for a lease's length.

Sending a batch twice is harmless: writing it claims ``done_at`` by a conditional update inside the batch's
transaction, and proposals are unique per run and pupil, so results stay exact.
"""

import logging
import threading
from datetime import datetime, timedelta
from types import TracebackType

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from matching.models import MatchRun, RunBatch, RunStatus

logger = logging.getLogger(__name__)

#: Seconds a claim holds without renewal (setting MATCHING_BATCH_LEASE_SECONDS). A national batch takes
#: 1-3 s on an idle machine and up to ~10 s at a load average of 8; the heartbeat renews every third of
#: the lease, so only a worker that stopped altogether loses it.
LEASE_SECONDS = 30
#: Beat's sweep interval: a dead worker's batch is sent again within lease + sweep, well under a minute.
SWEEP_SECONDS = 15.0


def lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "MATCHING_BATCH_LEASE_SECONDS", LEASE_SECONDS))


def claim(batch_id: int, claimant: str, now: datetime | None = None) -> bool:
    """Take the batch's lease: True when it was free, expired or already ours (a retry)."""
    now = now or timezone.now()
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now) | Q(claimed_by=claimant)
    return bool(
        RunBatch.objects.filter(free, pk=batch_id, done_at__isnull=True).update(
            claimed_at=now, claimed_by=claimant, lease_expires_at=now + lease()
        )
    )


def renew(batch_id: int, claimant: str) -> bool:
    return bool(
        RunBatch.objects.filter(pk=batch_id, claimed_by=claimant, done_at__isnull=True).update(
            lease_expires_at=timezone.now() + lease()
        )
    )


class Heartbeat:
    """Renews a lease from a thread of its own (its own database connection) until the block ends."""

    def __init__(self, batch_id: int, claimant: str) -> None:
        self.batch_id, self.claimant = batch_id, claimant
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{batch_id}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=lease().total_seconds())

    def _beat(self) -> None:
        every = lease().total_seconds() / 3
        try:
            while not self._stop.wait(every):
                if not renew(self.batch_id, self.claimant):
                    return  # written (done) or taken over: nothing left to hold
        except Exception as exc:  # a dropped connection: the lease runs out and the sweep resends
            logger.warning("lease of batch %s not renewed: %s", self.batch_id, type(exc).__name__)
        finally:
            connection.close()


def mark_dispatched(run_id: int, indexes: list[int]) -> None:
    RunBatch.objects.filter(run_id=run_id, index__in=indexes, done_at__isnull=True).update(
        dispatched_at=timezone.now(), claimed_by="", lease_expires_at=None
    )


def stalled_batches(now: datetime | None = None) -> dict[int, list[int]]:
    """Run id -> indexes of batches to send again: leases that ran out, and unclaimed batches of runs that
    show no sign of life for a lease's length. One query when no run is running."""
    now = now or timezone.now()
    quiet_since = now - lease()
    running = list(
        MatchRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=quiet_since).values_list(
            "pk", flat=True
        )
    )
    if not running:
        return {}
    rows = RunBatch.objects.filter(run_id__in=running).values_list(
        "run_id", "index", "done_at", "dispatched_at", "lease_expires_at"
    )
    per_run: dict[int, list[tuple[int, datetime | None, datetime | None, datetime | None]]] = {}
    for run_id, index, done_at, dispatched_at, expires in rows:
        per_run.setdefault(run_id, []).append((index, done_at, dispatched_at, expires))
    stalled: dict[int, list[int]] = {}
    for run_id, batches in per_run.items():
        alive = any(
            (done is None and expires is not None and expires >= now) or (done and done >= quiet_since)
            for _, done, _, expires in batches
        )
        due = [
            index
            for index, done, dispatched, expires in batches
            if done is None
            and (
                (expires is not None and expires < now)
                or (expires is None and not alive and (dispatched is None or dispatched < quiet_since))
            )
        ]
        if due:
            stalled[run_id] = sorted(due)
    return stalled
