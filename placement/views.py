"""Register pages: the list, a school's report form, a child's record with its timeline and the actions on
its placement. URLs carry ids only; every view of a record is logged (queries.report_or_404)."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scoping
from accounts.http import AuthedRequest
from accounts.models import Organisation
from accounts.roles import Capability, OrganisationKind
from core.errors import ServiceError
from core.forms import apply_service_error
from placement import queries, services, views_offer
from placement.forms import EraseForm, HandPlacementForm, OutflowForm, ProgressForm, ReportForm, StartForm
from placement.models import PlacementStatus, Report, ReportStatus
from placement.services.common import region_of

ANY_REGISTER_ROLE = (Capability.REPORT_NEWCOMERS, Capability.KEEP_REGISTER, Capability.TEACH_NEWCOMERS)


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    if not any(scoping.can(request.user, c) for c in ANY_REGISTER_ROLE):
        raise Http404
    reports = queries.reports_for(request.user).filter(anonymised_at__isnull=True)
    status = request.GET.get("status", "")
    if status in ReportStatus.values:
        reports = reports.filter(status=status)
    context = {
        "reports": reports.order_by("reported_at")[:300],
        "statuses": ReportStatus.choices,
        "status": status,
        "can_report": scoping.can(request.user, Capability.REPORT_NEWCOMERS),
        "keeps_register": scoping.can(request.user, Capability.KEEP_REGISTER),
    }
    return render(request, "placement/home.html", context)


@login_required
def report_create(request: AuthedRequest) -> HttpResponse:
    if not scoping.can(request.user, Capability.REPORT_NEWCOMERS):
        raise Http404
    siblings = queries.reports_for(request.user).filter(anonymised_at__isnull=True).order_by("first_name")
    form = ReportForm(request.POST or None, user=request.user, siblings=siblings)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.file_report(request.user, **form.verb_arguments())
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            if report.status == ReportStatus.NOT_ELIGIBLE:
                messages.warning(
                    request,
                    _(
                        "The child does not qualify: %(reason)s A support request for the regular class has been filed."
                    )
                    % {"reason": report.eligibility_reason},
                )
            else:
                messages.success(
                    request,
                    _("The child is on the waiting list: %(reason)s") % {"reason": report.eligibility_reason},
                )
            return redirect("placement:home")
    return render(request, "placement/report_form.html", {"form": form})


def _schools_of_region(report_school: Organisation) -> QuerySet[Organisation]:
    region = region_of(report_school)
    return Organisation.objects.filter(
        kind=OrganisationKind.SCHOOL, path__startswith=region.path if region else "/-/"
    ).order_by("name")


def _detail(request: AuthedRequest, report: Report, status: int = 200, **bound: object) -> HttpResponse:
    """The child's record; ``bound`` replaces a blank form by the one just posted, with its field errors."""
    keeps = queries.keeps(request.user, report)
    placements = list(
        report.placements.select_related("group__location", "receiving_school").order_by("-created_at")
    )
    current = next(
        (p for p in placements if p.status in (PlacementStatus.APPROVED, PlacementStatus.STARTED)), None
    )
    context = {
        "report": report,
        "keeps": keeps,
        "sees_parents": queries.sees_parents(request.user, report),
        "placements": placements,
        "current": current,
        "timeline": queries.timeline(report),
        "hand_form": HandPlacementForm(groups=queries.groups_for(request.user).filter(active=True))
        if keeps
        else None,
        "start_form": StartForm(),
        "progress_form": ProgressForm(),
        "outflow_form": OutflowForm(schools=_schools_of_region(report.school)),
        "erase_form": EraseForm(),
        "keeps_register": keeps,
        **views_offer.context(report, current, keeps),
    }
    context.update(bound)
    return render(request, "placement/report_detail.html", context, status=status)


@login_required
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    report = queries.report_or_404(request.user, pk, "placement.report_detail")
    return _detail(request, report)


FORM_VERBS = {"start": ("start_form", StartForm), "progress": ("progress_form", ProgressForm)}


@login_required
@require_POST
def placement_action(request: AuthedRequest, pk: int, verb: str) -> HttpResponse:
    """One POST endpoint per verb on a placement (approve, reject, start, progress, outflow, confirm). A verb
    with a form that is refused shows the page again with the error next to the field (HTTP 400)."""
    placement = queries.placement_or_404(request.user, pk)
    form: forms.Form | None = None
    refused = False
    try:
        if verb == "approve":
            services.approve(request.user, placement)
        elif verb == "reject":
            services.reject(request.user, placement)
        elif verb == "confirm":
            services.confirm_outflow(request.user, placement)
        elif verb == "outflow":
            form = OutflowForm(request.POST, schools=_schools_of_region(placement.report.school))
            if form.is_valid():
                services.plan_outflow(request.user, placement, **form.cleaned_data)
        else:
            form = FORM_VERBS[verb][1](request.POST)
            if form.is_valid() and verb == "start":
                services.start(request.user, placement, form.cleaned_data["start_date"])
            elif form.is_valid():
                services.record_progress(
                    request.user, placement, form.cleaned_data["progress"], form.cleaned_data["on"]
                )
    except ServiceError as exc:
        refused = True
        if form is None:
            messages.error(request, exc.message)
        else:
            apply_service_error(form, exc)
    if form is not None and form.errors:
        name = "outflow_form" if verb == "outflow" else FORM_VERBS[verb][0]
        report = queries.report_or_404(request.user, placement.report_id, f"placement.{verb}")
        return _detail(request, report, status=400, **{name: form})
    if not refused:
        messages.success(request, _("Saved."))
    if verb in ("approve", "reject") and placement.run_id and request.POST.get("back") == "run":
        return redirect("placement:run_detail", pk=placement.run_id)
    return redirect("placement:report_detail", pk=placement.report_id)


@login_required
@require_POST
def report_action(request: AuthedRequest, pk: int, verb: str) -> HttpResponse:
    """POST verbs on a child's record: place by hand, interim arrangement, erase."""
    report = queries.report_or_404(request.user, pk, f"placement.{verb}")
    try:
        if verb == "place":
            hand_form = HandPlacementForm(
                request.POST, groups=queries.groups_for(request.user).filter(active=True)
            )
            try:
                if hand_form.is_valid():
                    services.place_by_hand(request.user, report, hand_form.cleaned_data["group"])
            except ServiceError as exc:
                apply_service_error(hand_form, exc)
            if hand_form.errors:
                return _detail(request, report, status=400, hand_form=hand_form)
        elif verb == "interim":
            services.record_interim(request.user, report)
        else:
            form = EraseForm(request.POST)
            if not form.is_valid():
                raise ServiceError(_("Give a reason."), field="reason")
            services.erase_report(request.user, report, form.cleaned_data["reason"])
            messages.success(request, _("The record has been erased."))
            return redirect("placement:home")
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("placement:report_detail", pk=report.pk)


@login_required
def report_export(request: AuthedRequest, pk: int) -> HttpResponse:
    report = queries.report_or_404(request.user, pk, "placement.export")
    try:
        record = services.export_record(request.user, report)
    except ServiceError:
        raise Http404 from None
    response = HttpResponse(json.dumps(record, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="register-{report.pk}.json"'
    return response
