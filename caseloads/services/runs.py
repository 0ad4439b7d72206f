"""Allocation runs: the open queue solved in the background when it is too large for a page request.

Safe to repeat: a user has at most one queued or running run (partial unique constraint); the task claims
a run by a conditional update (queued, or running past its lease when a worker died) and writes the
result by another (only while running), so a second delivery finds nothing to do or redoes the same solve.
"""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import User
from accounts.roles import Capability
from caseloads import allocation, workload
from caseloads.models import AllocationRun, AllocationRunStatus, SupportRequest
from caseloads.reach import open_requests_for, supporters_for
from core import outbox
from core.errors import Conflict, Forbidden

logger = logging.getLogger(__name__)

# A running run older than this lost its worker: the next delivery of the task may claim it again.
LEASE = timedelta(seconds=2 * allocation.BACKGROUND_SECONDS + 60)
LOADED = 10  # percent once the queue is loaded; the solve fills the rest against its time limit


def start_run(user: User) -> AllocationRun:
    """Queue a background solve of the open queue in ``user``'s reach; Conflict when one is under way."""
    if not scoping.can(user, Capability.ALLOCATE_SUPPORT):
        raise Forbidden(_("You cannot allocate requests."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = AllocationRun.objects.create(requested_by=user)
        except IntegrityError:
            raise Conflict(_("A proposal is already being calculated."), code="run_active") from None
        outbox.enqueue("caseloads.run_allocation", run.pk)
    return run


def latest_run(user: User) -> AllocationRun | None:
    return AllocationRun.objects.filter(requested_by=user).order_by("-pk").first()


def _claim(run_id: int) -> bool:
    now = timezone.now()
    return bool(
        AllocationRun.objects.filter(
            Q(status=AllocationRunStatus.QUEUED)
            | Q(status=AllocationRunStatus.RUNNING, started_at__lt=now - LEASE),
            pk=run_id,
        ).update(status=AllocationRunStatus.RUNNING, started_at=now, progress=0)
    )


def execute(run_id: int) -> bool:
    """Solve the run's queue and store the proposal (ids and figures). False when there was nothing to do."""
    if not _claim(run_id):
        return False
    run = AllocationRun.objects.select_related("requested_by").get(pk=run_id)
    try:
        requests = list(
            open_requests_for(run.requested_by)
            .select_related("school")
            .prefetch_related("pupils")
            .order_by("pk")
        )
        loads = workload.loads(supporters_for(run.requested_by))
        AllocationRun.objects.filter(pk=run_id, status=AllocationRunStatus.RUNNING).update(progress=LOADED)
        proposal = allocation.propose(requests, loads, time_limit=allocation.BACKGROUND_SECONDS)
    except Exception as exc:  # the type only: messages may quote input rows
        logger.warning("allocation run %s failed: %s", run_id, type(exc).__name__)
        return bool(
            AllocationRun.objects.filter(pk=run_id, status=AllocationRunStatus.RUNNING).update(
                status=AllocationRunStatus.FAILED, error=type(exc).__name__, finished_at=timezone.now()
            )
        )
    result = {
        "pairs": [list(pair) for pair in proposal.pairs],
        "cost": proposal.cost,
        "optimal": proposal.optimal,
        "missing_at_most": proposal.missing_at_most,
        "cost_gap": proposal.cost_gap,
        "seconds": proposal.seconds,
    }
    return bool(
        AllocationRun.objects.filter(pk=run_id, status=AllocationRunStatus.RUNNING).update(
            status=AllocationRunStatus.DONE,
            progress=100,
            fingerprint=proposal.fingerprint,
            result=result,
            finished_at=timezone.now(),
        )
    )


def percent(run: AllocationRun) -> int:
    """Done: 100. Solving: from ``LOADED`` towards 99 as the time limit runs out (the solver reports no
    progress of its own, so this is the most it can still take, not a forecast)."""
    if run.is_finished:
        return 100
    if run.status != AllocationRunStatus.RUNNING or run.progress < LOADED or run.started_at is None:
        return run.progress
    spent = (timezone.now() - run.started_at).total_seconds() / allocation.BACKGROUND_SECONDS
    return min(99, LOADED + int((99 - LOADED) * min(1.0, spent)))


def label(run: AllocationRun) -> str:
    if run.status == AllocationRunStatus.QUEUED:
        return _("Waiting for a worker…")
    if run.status == AllocationRunStatus.RUNNING and run.progress < LOADED:
        return _("Loading the open requests and supporters…")
    if run.status == AllocationRunStatus.RUNNING:
        return _("Calculating the best allocation (at most %(seconds)s seconds)…") % {
            "seconds": int(allocation.BACKGROUND_SECONDS)
        }
    if run.status == AllocationRunStatus.FAILED:
        return _("The calculation stopped with an error (%(error)s). Nothing was changed; try again.") % {
            "error": run.error
        }
    return _("Done.")


def proposal_of(
    run: AllocationRun, requests: list[SupportRequest], loads: list[workload.Load]
) -> allocation.Proposal | None:
    """The run's proposal, explained against the current queue; None when the queue changed since."""
    if run.status != AllocationRunStatus.DONE or run.fingerprint != allocation.fingerprint(requests, loads):
        return None
    pairs = [(int(r), int(u)) for r, u in run.result.get("pairs", [])]
    return allocation.explain(requests, loads, pairs, run.result)
