"""Allocate all open requests: the proposal (solved now, or by a background run for large queues), confirm."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts import scoping
from accounts.http import AuthedRequest
from accounts.models import User
from accounts.roles import Capability
from caseloads import allocation, services, workload
from caseloads.models import TOPIC_HOURS, URGENCY_EXTRA_HOURS, AllocationRun, SupportRequest
from caseloads.services import runs
from core.errors import ServiceError


def _pair(value: str) -> tuple[int, int]:
    """A confirmed pair as the form posts it, ``"<request id>:<supporter user id>"``; ValueError otherwise."""
    request_id, user_id = value.split(":", 1)
    return int(request_id), int(user_id)


def _post(request: AuthedRequest) -> HttpResponse:
    if request.POST.get("action") == "start":
        try:
            runs.start_run(request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("caseloads:allocate_open")
    try:
        pairs = [_pair(item) for item in request.POST.getlist("pair")]
    except ValueError:
        raise Http404 from None
    try:
        cases = services.confirm_open(request.user, pairs, request.POST.get("fingerprint", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("caseloads:allocate_open")
    messages.success(
        request,
        ngettext("%(n)s request allocated.", "%(n)s requests allocated.", len(cases)) % {"n": len(cases)},
    )
    return redirect("caseloads:region_dashboard")


def _background(user: User) -> tuple[AllocationRun | None, allocation.Proposal | None]:
    """The latest run and, when it is done and the queue is unchanged, its proposal."""
    run = runs.latest_run(user)
    if run is None or not run.is_finished:
        return run, None
    requests = list(
        services.open_requests_for(user).select_related("school").prefetch_related("pupils").order_by("pk")
    )
    return run, runs.proposal_of(run, requests, workload.loads(services.supporters_for(user)))


def _rows(proposal: allocation.Proposal) -> tuple[list[dict[str, object]], list[SupportRequest]]:
    ids = [rid for rid, _uid in proposal.pairs] + proposal.unassigned
    requests_by_id = SupportRequest.objects.select_related("school").in_bulk(ids)
    users = User.objects.in_bulk([uid for _rid, uid in proposal.pairs])
    rows = [
        {
            "req": requests_by_id[rid],
            "supporter": users[uid],
            "value": f"{rid}:{uid}",
            "reasons": proposal.reasons[rid],
        }
        for rid, uid in proposal.pairs
    ]
    return rows, [requests_by_id[rid] for rid in proposal.unassigned]


@login_required
@require_http_methods(["GET", "POST"])
def allocate_open(request: AuthedRequest) -> HttpResponse:
    """Show the optimal proposal for the open queue; confirming carries it out, all or nothing."""
    if not scoping.can(request.user, Capability.ALLOCATE_SUPPORT):
        raise Http404
    if request.method == "POST":
        return _post(request)
    n = services.open_requests_for(request.user).count()
    m = services.supporters_for(request.user).filter(active=True).count()
    run: AllocationRun | None = None
    proposal: allocation.Proposal | None
    if allocation.is_inline(n, m):
        proposal = services.propose_open(request.user)
    else:
        run, proposal = _background(request.user)
    rows, unassigned = _rows(proposal) if proposal else ([], [])
    return render(
        request,
        "caseloads/allocate_open.html",
        {
            "proposal": proposal,
            "run": run,
            "background": not allocation.is_inline(n, m),
            "progress": runs.percent(run) if run else 0,
            "label": runs.label(run) if run else "",
            "rows": rows,
            "unassigned": unassigned,
            "topic_hours": TOPIC_HOURS,
            "urgency_extra": URGENCY_EXTRA_HOURS,
        },
    )


@login_required
def run_progress(request: AuthedRequest, pk: int) -> JsonResponse:
    run = get_object_or_404(AllocationRun, pk=pk, requested_by=request.user)
    return JsonResponse(
        {
            "status": run.status,
            "percent": runs.percent(run),
            "label": runs.label(run),
            "done": run.is_finished,
        }
    )
