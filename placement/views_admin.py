"""The officer's pages: groups, placement runs with their proposals, and the steering figures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scoping
from accounts.http import AuthedRequest
from accounts.roles import Capability
from core.charts import BarChart, bar_chart
from core.csvexport import csv_response
from core.errors import NotFound, ServiceError
from core.forms import apply_service_error
from placement import figures, queries, services
from placement.forms import GroupEditForm, GroupForm
from placement.models import PlacementStatus, Report, RunStatus


def _officer(request: AuthedRequest) -> None:
    if not scoping.can(request.user, Capability.KEEP_REGISTER):
        raise Http404


@login_required
def group_list(request: AuthedRequest) -> HttpResponse:
    _officer(request)
    form = GroupForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_group(request.user, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The group has been added."))
            return redirect("placement:group_list")
    groups = queries.groups_for(request.user).filter(location__in=queries.locations_for(request.user))
    return render(
        request, "placement/group_list.html", {"groups": groups, "form": form, "keeps_register": True}
    )


@login_required
def group_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    _officer(request)
    group = queries.groups_for(request.user).filter(pk=pk).first()
    if group is None or not scoping.can(request.user, Capability.KEEP_REGISTER, group.location):
        raise NotFound()
    initial = {k: getattr(group, k) for k in ("age_min", "age_max", "capacity", "intake_days", "active")}
    form = GroupEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_group(request.user, group, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The group has been saved."))
            return redirect("placement:group_list")
    return render(
        request, "placement/group_form.html", {"group": group, "form": form, "keeps_register": True}
    )


@login_required
def run_list(request: AuthedRequest) -> HttpResponse:
    _officer(request)
    if request.method == "POST":
        raw = request.POST.get("region", "")
        region = queries.regions_for(request.user).filter(pk=int(raw)).first() if raw.isdecimal() else None
        try:
            if region is None:
                raise ServiceError(_("Choose a region."), field="region")
            run = services.start_run(request.user, region)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("placement:run_detail", pk=run.pk)
    context = {
        "runs": queries.runs_for(request.user)[:20],
        "regions": queries.regions_for(request.user),
        "keeps_register": True,
    }
    return render(request, "placement/run_list.html", context)


@login_required
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _officer(request)
    run = queries.runs_for(request.user).filter(pk=pk).first()
    if run is None:
        raise NotFound()
    proposals = run.placements.filter(status=PlacementStatus.PROPOSED).select_related(
        "report", "group__location"
    )
    names = {r.pk: r for r in Report.objects.filter(pk__in=[w["report"] for w in run.waiting])}
    waiting = [(names.get(w["report"]), w["text"]) for w in run.waiting]
    context = {
        "run": run,
        "proposals": proposals,
        "waiting": waiting,
        "running": run.status in (RunStatus.PENDING, RunStatus.RUNNING),
        "keeps_register": True,
    }
    return render(request, "placement/run_detail.html", context)


@login_required
@require_POST
def run_approve_all(request: AuthedRequest, pk: int) -> HttpResponse:
    _officer(request)
    run = queries.runs_for(request.user).filter(pk=pk).first()
    if run is None:
        raise NotFound()
    done, refused = 0, 0
    for placement in run.placements.filter(status=PlacementStatus.PROPOSED).select_related("report__school"):
        try:
            services.approve(request.user, placement)
            done += 1
        except ServiceError:
            refused += 1
    messages.success(
        request, _("Approved: %(done)s; not possible: %(refused)s.") % {"done": done, "refused": refused}
    )
    return redirect("placement:run_detail", pk=run.pk)


def _charts(fig: figures.Figures) -> list[BarChart]:
    free = [(f"{r.group.location.name} · {r.group.name}", float(r.free_now)) for r in fig.groups]
    speed = [(m.name, float(m.median_days)) for m in fig.municipalities if m.median_days is not None]
    charts = [bar_chart(_("Free places now"), free)] if free else []
    if speed:
        charts.append(
            bar_chart(_("Days from report to start (median)"), speed, target=figures.TARGET_DAYS, unit=" d")
        )
    return charts


@login_required
def figures_page(request: AuthedRequest) -> HttpResponse:
    if not (
        scoping.can(request.user, Capability.KEEP_REGISTER)
        or scoping.can(request.user, Capability.VIEW_REPORTS)
    ):
        raise Http404
    fig = figures.figures_for(request.user)
    keeps = scoping.can(request.user, Capability.KEEP_REGISTER)
    context = {
        "fig": fig,
        "charts": _charts(fig),
        "target": figures.TARGET_DAYS,
        "keeps_register": keeps,
        "aggregate": not keeps,
    }
    return render(request, "placement/figures.html", context)


@login_required
def figures_csv(request: AuthedRequest) -> HttpResponse:
    if not (
        scoping.can(request.user, Capability.KEEP_REGISTER)
        or scoping.can(request.user, Capability.VIEW_REPORTS)
    ):
        raise Http404
    return csv_response("bezetting.csv", figures.csv_rows(figures.figures_for(request.user)))
