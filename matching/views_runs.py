"""Pages for match runs (start, live progress, results), review, follow-up and reports."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import scoping
from accounts.http import AuthedRequest, Viewer
from accounts.roles import Capability
from core.charts import bar_chart
from core.errors import ServiceError
from core.forms import apply_service_error
from matching import reports, run_access
from matching.explanations import explain, interest_names, unmatched_text
from matching.forms import PupilSearchForm, StartRunForm
from matching.models import Buddy, Match, MatchRun, MatchStatus, RunStatus, UnmatchedPupil
from matching.services import followup, runs
from pupils import access
from pupils.models import AccessAction, Pupil


@dataclass(frozen=True)
class UnmatchedLine:
    """A pupil the run found no buddy for, with the reason in words."""

    pupil: Pupil
    pupil_id: int
    text: str


def _runs(user: Viewer) -> QuerySet[MatchRun]:
    return run_access.visible_runs(user)


@login_required
@require_http_methods(["GET", "POST"])
def run_list(request: AuthedRequest) -> HttpResponse:
    if not scoping.can(request.user, Capability.RUN_MATCHING):
        raise Http404
    form = StartRunForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            run = runs.start_run(request.user, form.cleaned_data["scope"], form.cleaned_data["buddy_kind"])
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            return redirect("matching:run_detail", run.pk)
    page = Paginator(_runs(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "matching/run_list.html", {"form": form, "page": page})


def _progress_label(run: MatchRun) -> str:
    if run.status == RunStatus.QUEUED:
        return _("Waiting for a worker…")
    if run.status == RunStatus.FAILED:
        return run.error
    return _("%(done)s of %(total)s schools done, %(matched)s pupils matched") % {
        "done": run.components_done,
        "total": run.components_total,
        "matched": run.pupils_matched,
    }


@login_required
def run_progress(request: AuthedRequest, pk: int) -> JsonResponse:
    run = run_access.get_visible_or_404(request.user, pk)
    return JsonResponse(
        {"status": run.status, "percent": run.percent, "label": _progress_label(run), "done": run.is_finished}
    )


def _buddy_names(ids: set[int]) -> dict[int, str]:
    return {
        b.pk: b.display_name
        for b in Buddy.objects.filter(pk__in=ids).only("first_name", "last_initial", "anonymised_at")
    }


UNMATCHED_SHOWN = 200  # names listed under "without a buddy"; the rest are counted ("and 1,234 more")


@login_required
@require_http_methods(["GET", "POST"])
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The proposals and the pupils without a buddy; a name search is posted (names stay out of URLs).
    Anyone who reaches a school with results in the run opens it and sees their schools' part only."""
    run = run_access.get_visible_or_404(request.user, pk)
    search = PupilSearchForm(request.POST or None)
    name = search.cleaned_data["name"] if search.is_valid() else ""
    proposals = run_access.part(Match.objects.filter(run=run, **search.pupil_filter("pupil__")), request.user)
    page = Paginator(
        proposals.select_related("pupil", "buddy", "school").order_by("school__name", "pupil_id"), 100
    ).get_page(1 if name else request.GET.get("page"))
    left = run_access.part(
        UnmatchedPupil.objects.filter(run=run, **search.pupil_filter("pupil__")), request.user
    )
    unmatched = list(
        left.select_related("pupil", "school").order_by("school__name", "pupil_id")[:UNMATCHED_SHOWN]
    )
    more = left.count() - len(unmatched) if len(unmatched) == UNMATCHED_SHOWN else 0
    names = interest_names()
    alt_names = _buddy_names({int(b) for m in page for b, _c in m.alternatives})
    rows = [
        {
            "match": m,
            "explanation": explain(m.reasons, names),
            "alternatives": [(int(b), alt_names.get(int(b), "")) for b, _c in m.alternatives],
        }
        for m in page
    ]
    lines = [
        UnmatchedLine(u.pupil, u.pupil_id, unmatched_text(u.reason, u.params, u.school.name))
        for u in unmatched
    ]
    access.record(
        request.user,
        [m.pupil_id for m in page] + [u.pupil_id for u in unmatched],
        AccessAction.LIST,
        context="matching.run_detail",
    )
    return render(
        request,
        "matching/run_detail.html",
        {
            "run": run,
            "page": page,
            "rows": rows,
            "unmatched": lines,
            "unmatched_more": more,
            "search": search,
            "name": name,
            "label": _progress_label(run),
            "partial": not run_access.sees_whole_run(request.user, run),
        },
    )


@login_required
def match_list(request: AuthedRequest) -> HttpResponse:
    if not scoping.can(request.user, Capability.VIEW_PUPILS):
        raise Http404
    qs = scoping.scope(
        Match.objects.select_related("pupil", "buddy", "school"),
        request.user,
        Capability.VIEW_PUPILS,
        field="school",
    )
    status = request.GET.get("status", MatchStatus.APPROVED)
    if status in MatchStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("school__name", "pupil_id"), 50).get_page(request.GET.get("page"))
    overdue = set(
        followup.overdue_check_ins().filter(match__in=[m.pk for m in page]).values_list("match_id", flat=True)
    )
    access.record(request.user, [m.pupil_id for m in page], AccessAction.LIST, context="matching.match_list")
    return render(
        request,
        "matching/match_list.html",
        {
            "page": page,
            "status": status,
            "statuses": MatchStatus.choices,
            "overdue": overdue,
            "query_string": f"status={status}",
            "can_review": scoping.can(request.user, Capability.RUN_MATCHING),
        },
    )


@login_required
def report(request: AuthedRequest) -> HttpResponse:
    if not scoping.can(request.user, Capability.VIEW_REPORTS):
        raise Http404
    data = reports.build(request.user)
    shown = [r for r in data.schools if not r.hidden][:40]
    chart = bar_chart(
        _("Match rate per school"),
        [(r.name, r.match_rate or 0) for r in shown],
        unit="%",
        maximum=100,
        secondary=[r.language_rate or 0 for r in shown],
        secondary_label=_("share of matches with a shared language"),
    )
    return render(request, "matching/report.html", {"report": data, "chart": chart})
