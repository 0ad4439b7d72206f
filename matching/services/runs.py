"""Match runs: start one (service), plan and fan out its batches, solve and write each batch (tasks).

Safe to repeat at every step: the start is guarded by a partial unique constraint (one queued/running
run per scope and buddy kind); batches are planned once (unique on run + index); a batch is written in
one transaction that first claims it (``done_at`` set by a conditional update), and proposals are unique
on (run, pupil) and inserted ignoring conflicts (``writing.py``). The last batch to finish closes the run, also by
a conditional update, so no result backend or chord is needed.
"""

import logging
import math
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind
from core import outbox, retry
from core.errors import Conflict, ServiceError
from matching import engine, leases
from matching.models import (
    ACTIVE_RUN_STATUSES,
    BuddyKind,
    Match,
    MatchRun,
    MatchStatus,
    RunBatch,
    RunStatus,
    RunTrigger,
    UnmatchedPupil,
)
from matching.problem_builder import load_batch, plan_batches
from matching.writing import write_proposals

logger = logging.getLogger(__name__)

RUN_SCOPE_KINDS = (OrganisationKind.SCHOOL, OrganisationKind.MUNICIPALITY, OrganisationKind.REGION)


def start_run(
    user: User | None,
    scope: Organisation | int | None,
    buddy_kind: str,
    *,
    trigger: str = RunTrigger.MANUAL,
    transition_before: date | None = None,
) -> MatchRun:
    """Queue a run for ``scope`` and ``buddy_kind``; the task starts when this transaction commits.

    ``user`` None means the system (beat). Raises Conflict when a run for the same scope and kind is
    queued or running.
    """
    if buddy_kind not in BuddyKind.values:
        raise ServiceError(_("Choose a buddy kind."), field="buddy_kind")
    if not isinstance(scope, Organisation):
        # An id from the beat or the API; None (no scope given) finds nothing and is refused below.
        scope = Organisation.objects.filter(pk=scope).first()  # type: ignore[misc]
    if scope is None or (user is not None and not scoping.can(user, Capability.RUN_MATCHING, scope)):
        raise ServiceError(_("This organisation does not exist or is outside your reach."), field="scope")
    if scope.kind not in RUN_SCOPE_KINDS:
        raise ServiceError(_("Choose a school, a municipality or a region."), field="scope")
    with transaction.atomic():
        if MatchRun.objects.filter(
            scope=scope, buddy_kind=buddy_kind, status__in=ACTIVE_RUN_STATUSES
        ).exists():
            raise Conflict(
                _("A run for this scope and buddy kind is already in progress."), code="run_active"
            )
        try:
            with transaction.atomic():
                run = MatchRun.objects.create(
                    scope=scope,
                    buddy_kind=buddy_kind,
                    trigger=trigger,
                    transition_before=transition_before,
                    started_by=user if getattr(user, "pk", None) else None,
                )
        except IntegrityError:  # a simultaneous start won the partial unique constraint
            raise Conflict(
                _("A run for this scope and buddy kind is already in progress."), code="run_active"
            ) from None
        outbox.enqueue("matching.run_matching", run.pk)
    return run


def fail_run(run_id: int, message: str) -> bool:
    """Mark a run failed and drop its proposals; approved matches are never touched."""
    with transaction.atomic():
        changed = MatchRun.objects.filter(pk=run_id, status__in=ACTIVE_RUN_STATUSES).update(
            status=RunStatus.FAILED, error=message[:500], finished_at=timezone.now()
        )
        if changed:
            Match.objects.filter(run_id=run_id, status=MatchStatus.PROPOSED).delete()
            UnmatchedPupil.objects.filter(run_id=run_id).delete()
    return bool(changed)


def _failure_message(exc: BaseException) -> str:
    # The type only: exception texts may quote input rows, and pupil data must not reach logs or pages.
    return _("The run stopped with an error (%(error)s). Nothing was changed; try again.") % {
        "error": type(exc).__name__
    }


def prepare_run(run_id: int) -> list[int]:
    """Claim a queued run, plan its batches once, and return the indexes of batches still to do."""
    run = MatchRun.objects.select_related("scope").filter(pk=run_id).first()
    if run is None or run.is_finished:
        return []
    MatchRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    if not RunBatch.objects.filter(run_id=run_id).exists():
        t0 = time.perf_counter()
        plan = plan_batches(run)
        with transaction.atomic():
            RunBatch.objects.bulk_create(
                [
                    RunBatch(run_id=run_id, index=i, groups=b.groups, pupils=b.pupils)
                    for i, b in enumerate(plan)
                ],
                ignore_conflicts=True,
            )
            MatchRun.objects.filter(pk=run_id, batches_total=0).update(
                batches_total=len(plan),
                components_total=sum(len(b.groups) for b in plan),
                pupils_total=sum(b.pupils for b in plan),
                stats={"plan_seconds": round(time.perf_counter() - t0, 3)},
            )
        if not plan:
            _finish(run_id)
            return []
    return list(
        RunBatch.objects.filter(run_id=run_id, done_at__isnull=True)
        .order_by("index")
        .values_list("index", flat=True)
    )


def run_batch(run_id: int, index: int, claimant: str = "") -> bool:
    """Solve and write one batch under its lease (``leases.py``; ``claimant`` is the task id, which a
    retry keeps). Returns False when there was nothing to do (done before, run over, leased by a live
    worker)."""
    run = MatchRun.objects.select_related("scope").filter(pk=run_id).first()
    batch = RunBatch.objects.filter(run_id=run_id, index=index).first()
    if run is None or batch is None or run.status != RunStatus.RUNNING or batch.done_at is not None:
        return False
    claimant = claimant or uuid.uuid4().hex
    if not leases.claim(batch.pk, claimant):
        return False
    with leases.Heartbeat(batch.pk, claimant):
        return _solve_and_write(run, batch)


def _solve_and_write(run: MatchRun, batch: RunBatch) -> bool:
    run_id = run.pk
    t0 = time.perf_counter()
    loaded = load_batch(run, batch.groups)
    t1 = time.perf_counter()
    result = engine.solve(loaded.problem)
    t2 = time.perf_counter()
    unmatched = [
        UnmatchedPupil(
            run_id=run_id,
            pupil_id=u.pupil_id,
            school_id=loaded.school_of_pupil[u.pupil_id],
            reason=u.reason,
            params=u.params,
        )
        for u in result.unmatched
    ]
    with transaction.atomic():
        # Claim the batch first: a second delivery of this task waits on the row lock, then finds it done.
        if not RunBatch.objects.filter(pk=batch.pk, done_at__isnull=True).update(done_at=timezone.now()):
            return False
        write_proposals(run, result.pairs, loaded.school_of_pupil)
        UnmatchedPupil.objects.bulk_create(unmatched, batch_size=2000, ignore_conflicts=True)
        t3 = time.perf_counter()
        stats = result.stats
        RunBatch.objects.filter(pk=batch.pk).update(
            stats={
                "pupils": stats.pupils,
                "matched": stats.matched,
                "locked": stats.locked,
                "unmatched": stats.unmatched,
                "shared_home_language": stats.shared_home_language,
                "total_cost": stats.total_cost,
            }
        )
        MatchRun.objects.filter(pk=run_id).update(
            batches_done=F("batches_done") + 1,
            components_done=F("components_done") + len(batch.groups),
            pupils_matched=F("pupils_matched") + stats.matched,
            load_seconds=F("load_seconds") + (t1 - t0),
            solve_seconds=F("solve_seconds") + (t2 - t1),
            write_seconds=F("write_seconds") + (t3 - t2),
        )
        _finish(run_id)
    return True


def _finish(run_id: int) -> bool:
    """Close the run when every batch is written (only one caller wins), sum stats, retire old proposals."""
    with transaction.atomic():
        run = MatchRun.objects.select_for_update().select_related("scope").get(pk=run_id)
        if run.status != RunStatus.RUNNING or run.batches_done < run.batches_total:
            return False
        totals = {"pupils": 0, "matched": 0, "locked": 0, "unmatched": 0, "shared_home_language": 0}
        costs: list[float] = []
        for batch_stats in RunBatch.objects.filter(run_id=run_id).values_list("stats", flat=True):
            for key in totals:
                totals[key] += batch_stats.get(key, 0)
            costs.append(batch_stats.get("total_cost", 0.0))
        now = timezone.now()
        wall = (now - (run.started_at or run.created_at)).total_seconds()
        run.stats = {
            **run.stats,
            **totals,
            "total_cost": math.fsum(costs),
            "match_rate": round(totals["matched"] / totals["pupils"], 4) if totals["pupils"] else 0.0,
            "load_seconds": round(run.load_seconds, 3),
            "solve_seconds": round(run.solve_seconds, 3),
            "write_seconds": round(run.write_seconds, 3),
            "wall_seconds": round(wall, 3),
        }
        run.status = RunStatus.DONE
        run.finished_at = now
        run.save(update_fields=["stats", "status", "finished_at"])
        _keep_decisions(run)
        # Proposals of earlier runs for the same pupils are replaced by this run's (a lock by its copy).
        covered = Q(pupil__in=Match.objects.filter(run=run).values("pupil_id")) | Q(
            pupil__in=UnmatchedPupil.objects.filter(run=run).values("pupil_id")
        )
        Match.objects.filter(covered, kind=run.buddy_kind, status=MatchStatus.PROPOSED).exclude(
            run=run
        ).update(status=MatchStatus.SUPERSEDED)
    return True


def _keep_decisions(run: MatchRun) -> None:
    """People's decisions outlive any run, of any scope. A lock known when the batch loaded is carried
    into this run as the same pair, locked (and the old row is then superseded). A lock, approval or
    rejection that this run could not honour (taken while it worked, after its batch had read them, or
    a locked buddy now full) wins: this run's proposal or "unmatched" row for that pupil is dropped (for a
    lock only an unlocked one), so the earlier pair stays as it is, and a rejected pair is not shown."""
    others = Match.objects.filter(kind=run.buddy_kind).exclude(run=run)
    approved = others.filter(status=MatchStatus.APPROVED).values("pupil_id")
    locked = others.filter(status=MatchStatus.PROPOSED, locked=True).values("pupil_id")
    rejected = Match.objects.filter(
        kind=run.buddy_kind,
        status=MatchStatus.REJECTED,
        pupil_id=OuterRef("pupil_id"),
        buddy_id=OuterRef("buddy_id"),
    )
    Match.objects.filter(run=run).filter(
        Q(pupil__in=approved) | Q(pupil__in=locked, locked=False) | Exists(rejected)
    ).delete()
    UnmatchedPupil.objects.filter(run=run).filter(Q(pupil__in=approved) | Q(pupil__in=locked)).delete()


#: Errors worth a retry (the database restarted, a connection dropped): the one policy of ``core.retry``;
#: the task retries these with backoff and fails the run only when the retries run out.
TRANSIENT_ERRORS = retry.TRANSIENT_ERRORS


def failure_message(exc: BaseException) -> str:
    return _failure_message(exc)


def run_guarded[T](run_id: int, step: Callable[..., T], *args: int | str) -> T | None:
    """Call a run step; any non-transient error fails the run (message without pupil data) instead of
    leaving it running for ever. Returns the step's result, or None after a failure."""
    try:
        return step(run_id, *args)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        logger.error(
            "match run %s failed in %s: %s", run_id, getattr(step, "__name__", step), type(exc).__name__
        )
        fail_run(run_id, _failure_message(exc))
        return None


#: A running run whose last progress is older than this is re-dispatched by the sweep (a batch message
#: lost with a broker restart would otherwise leave it running for ever). Longer than the hard time limit.
STALL_AFTER = timedelta(minutes=10)


def stalled_runs(now: datetime | None = None) -> list[int]:
    """Runs still queued or running long after they started: their unfinished batches are re-sent."""
    cutoff = (now or timezone.now()) - STALL_AFTER
    return list(
        MatchRun.objects.filter(status__in=ACTIVE_RUN_STATUSES, created_at__lt=cutoff)
        .filter(Q(started_at__isnull=True) | Q(started_at__lt=cutoff))
        .values_list("pk", flat=True)
    )


def start_nightly_runs(today: date | None = None) -> list[int]:
    """One run per region and buddy kind for pupils whose transition is within the configured weeks."""
    today = today or timezone.localdate()
    horizon = today + timedelta(weeks=settings.MATCHING_NIGHTLY_WEEKS)
    started: list[int] = []
    for region in Organisation.objects.filter(kind=OrganisationKind.REGION):
        for kind in BuddyKind.values:
            try:
                run = start_run(None, region, kind, trigger=RunTrigger.NIGHTLY, transition_before=horizon)
            except Conflict:
                continue
            started.append(run.pk)
    return started
