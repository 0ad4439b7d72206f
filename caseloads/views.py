"""Pages of caseloads. Thin: find the object within reach (404 otherwise), validate, call one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import scoping
from accounts.models import User
from accounts.roles import Capability, OrganisationKind, Role
from caseloads import dashboards, reach, services
from caseloads.forms import (
    AllocateForm,
    CaseForm,
    CaseStatusForm,
    DeclineForm,
    ProfileForm,
    RequestForm,
    ShareForm,
    TransferForm,
    VisitForm,
)
from caseloads.models import (
    Case,
    NextStep,
    RequestStatus,
    SupporterProfile,
    SupportRequest,
    Transfer,
    TransferStatus,
    Visit,
)
from core.csvexport import csv_response
from core.errors import ServiceError
from core.forms import apply_service_error
from pupils import access
from pupils.models import AccessAction


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if scoping.can(request.user, Capability.WORK_CASES):
        return redirect("caseloads:my_dashboard")
    if scoping.can(request.user, Capability.ALLOCATE_SUPPORT):
        return redirect("caseloads:region_dashboard")
    if scoping.can(request.user, Capability.REQUEST_SUPPORT):
        return redirect("caseloads:request_list")
    raise Http404


# --- Requests ------------------------------------------------------------------------------------------


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    qs = reach.requests_for(request.user)
    status = request.GET.get("status", "")
    if status in RequestStatus.values:
        qs = qs.filter(status=status)
    qs = qs.select_related("school", "case__supporter").order_by("-created_at", "-id")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "caseloads/request_list.html",
        {
            "page": page,
            "status": status,
            "statuses": RequestStatus.choices,
            "can_file": scoping.can(request.user, Capability.REQUEST_SUPPORT),
            "can_allocate": scoping.can(request.user, Capability.ALLOCATE_SUPPORT),
            "open_count": services.open_requests_for(request.user).count(),
            "query_string": f"status={status}" if status else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    if not scoping.can(request.user, Capability.REQUEST_SUPPORT):
        raise Http404
    form = RequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.file_request(request.user, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Your request has been sent to the support team."))
            return redirect("caseloads:request_detail", pk=created.pk)
    return render(request, "caseloads/request_form.html", {"form": form})


def _request_or_404(request: HttpRequest, pk: int) -> SupportRequest:
    return get_object_or_404(reach.requests_for(request.user).select_related("school", "filed_by"), pk=pk)


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = _request_or_404(request, pk)
    case = Case.objects.select_related("supporter").filter(request=support_request).first()
    # Pupils by name only for the school's own staff (who hold VIEW_PUPILS there); others see a count.
    pupils: list = []
    if scoping.can(request.user, Capability.REQUEST_SUPPORT, support_request.school):
        pupils = list(support_request.pupils.all())
        access.record(
            request.user, [p.pk for p in pupils], AccessAction.VIEW, context="caseloads.request_detail"
        )
    context: dict[str, object] = {
        "req": support_request,
        "case": case,
        "pupils": pupils,
        "pupil_count": support_request.pupils.count(),
        "can_open_case": case is not None and reach.cases_for(request.user).filter(pk=case.pk).exists(),
        "report": reach.school_report(case)
        if case and reach.follows_request(request.user, support_request)
        else None,
    }
    if support_request.is_open and reach.can_allocate(request.user, support_request.school):
        ranked = services.ranking(request.user, support_request)
        context.update(
            ranked=ranked,
            allocate_form=AllocateForm(
                profiles=[r.load.profile for r in ranked],
                initial={"supporter": ranked[0].load.user_id if ranked else None},
            ),
            decline_form=DeclineForm(),
        )
    return render(request, "caseloads/request_detail.html", context)


@login_required
@require_POST
def request_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = _request_or_404(request, pk)
    if not reach.can_allocate(request.user, support_request.school):
        raise Http404
    profiles = list(services.supporters_for(request.user).filter(active=True))
    form = AllocateForm(request.POST, profiles=profiles)
    if form.is_valid():
        try:
            case = services.allocate(
                request.user,
                support_request,
                form.cleaned_data["supporter"],
                override=form.cleaned_data["override"],
                goals=form.cleaned_data["goals"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Allocated to %(name)s.") % {"name": case.supporter})
            return redirect("caseloads:request_detail", pk=pk)
    ranked = services.ranking(request.user, support_request) if support_request.is_open else []
    return render(
        request,
        "caseloads/request_detail.html",
        {
            "req": support_request,
            "ranked": ranked,
            "allocate_form": form,
            "decline_form": DeclineForm(),
            "pupil_count": support_request.pupils.count(),
            "pupils": [],
        },
        status=400,
    )


@login_required
@require_POST
def request_triage(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = _request_or_404(request, pk)
    if not reach.can_allocate(request.user, support_request.school):
        raise Http404
    try:
        services.start_triage(request.user, support_request)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("caseloads:request_detail", pk=pk)


@login_required
@require_POST
def request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = _request_or_404(request, pk)
    if not reach.can_allocate(request.user, support_request.school):
        raise Http404
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.decline_request(request.user, support_request, form.cleaned_data["reason"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The request was declined; the school will be told why."))
    else:
        messages.error(request, _("Give the school a reason for declining."))
    return redirect("caseloads:request_detail", pk=pk)


# --- Cases ---------------------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    qs = reach.cases_for(request.user)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    qs = qs.select_related("school", "supporter", "advisor").order_by("school__name", "-opened_at")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "caseloads/case_list.html",
        {"page": page, "status": status, "query_string": f"status={status}" if status else ""},
    )


def _case_or_404(request: HttpRequest, pk: int) -> Case:
    return get_object_or_404(
        reach.cases_for(request.user).select_related("school", "supporter", "advisor", "request"), pk=pk
    )


def _case_context(request: HttpRequest, case: Case) -> dict[str, object]:
    user = request.user
    today = timezone.localdate()
    pupils: list = []
    if reach.can_see_pupils(user, case):
        pupils = list(case.pupils.all())
        access.record(user, [p.pk for p in pupils], AccessAction.VIEW, context="caseloads.case_detail")
    steps = list(NextStep.objects.filter(case=case).order_by("done_at", "due_date", "id"))
    for step in steps:
        step.overdue = step.is_overdue(today)  # type: ignore[attr-defined]
    is_owner = user.pk == case.supporter_id
    pending = (
        Transfer.objects.filter(case=case, status=TransferStatus.PENDING)
        .select_related("to_supporter")
        .first()
    )
    return {
        "case": case,
        "today": today,
        "pupils": pupils,
        "pupil_count": case.pupils.count(),
        "show_notes": reach.can_see_notes(user, case),
        "visits": list(Visit.objects.filter(case=case).select_related("supporter")),
        "steps": steps,
        "can_work": reach.is_case_supporter(user, case) and not case.is_closed,
        "is_owner": is_owner and not case.is_closed,
        "pending_transfer": pending,
        "offered_to_me": pending is not None and pending.to_supporter_id == user.pk,
        "case_form": CaseForm(
            initial={"goals": case.goals, "planned_hours_per_month": case.planned_hours_per_month}
        ),
        "status_form": CaseStatusForm(initial={"status": case.status}),
        "transfer_form": TransferForm(user=user),
        "share_form": ShareForm(user=user, initial={"advisor": case.advisor_id}),
    }


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "caseloads/case_detail.html", _case_context(request, _case_or_404(request, pk)))


def _case_action(request: HttpRequest, pk: int, form_key: str, form: object, action: object) -> HttpResponse:
    case = _case_or_404(request, pk)
    if form.is_valid():  # type: ignore[attr-defined]
        try:
            action(case, form.cleaned_data)  # type: ignore[attr-defined,operator]
        except ServiceError as exc:
            apply_service_error(form, exc)  # type: ignore[arg-type]
        else:
            messages.success(request, _("Saved."))
            return redirect("caseloads:case_detail", pk=case.pk)
    context = _case_context(request, case)
    context[form_key] = form
    return render(request, "caseloads/case_detail.html", context, status=400)


@login_required
@require_POST
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        "case_form",
        CaseForm(request.POST),
        lambda case, d: services.update_case(
            request.user, case, goals=d["goals"], planned_hours_per_month=d["planned_hours_per_month"]
        ),
    )


@login_required
@require_POST
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        "status_form",
        CaseStatusForm(request.POST),
        lambda case, d: services.set_case_status(request.user, case, d["status"], summary=d["summary"]),
    )


@login_required
@require_POST
def case_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        "transfer_form",
        TransferForm(request.POST, user=request.user),
        lambda case, d: services.offer_transfer(request.user, case, d["supporter"], d["message"]),
    )


@login_required
@require_POST
def case_share(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        "share_form",
        ShareForm(request.POST, user=request.user),
        lambda case, d: services.share_case(request.user, case, d["advisor"]),
    )


@login_required
@require_POST
def transfer_answer(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_object_or_404(
        Transfer.objects.select_related("case"),
        pk=pk,
        to_supporter=request.user,
        status=TransferStatus.PENDING,
    )
    accept = request.POST.get("answer") == "accept"
    try:
        services.answer_transfer(request.user, transfer, accept=accept)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("caseloads:my_dashboard")
    if accept:
        messages.success(request, _("The case is now yours."))
        return redirect("caseloads:case_detail", pk=transfer.case_id)
    messages.success(request, _("You declined the case; your colleague keeps it."))
    return redirect("caseloads:my_dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    if not reach.is_case_supporter(request.user, case):
        raise Http404
    form = VisitForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.log_visit(
                request.user,
                case,
                date=d["date"],
                kind=d["kind"],
                duration_minutes=d["duration_minutes"],
                preparation_minutes=d["preparation_minutes"] or 0,
                travel_minutes=d["travel_minutes"] or 0,
                notes=d["notes"],
                advice=d["advice"],
                next_visit_date=d["next_visit_date"],
                done=d["done"],
                steps=form.steps(),
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Visit saved."))
            return redirect("caseloads:case_detail", pk=case.pk)
    return render(
        request, "caseloads/visit_form.html", {"form": form, "case": case}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def visit_done(request: HttpRequest, pk: int, visit_pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    visit = get_object_or_404(Visit, pk=visit_pk, case=case)
    try:
        services.mark_visit_done(request.user, visit)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("caseloads:case_detail", pk=case.pk)


@login_required
@require_POST
def step_done(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    step = get_object_or_404(NextStep, pk=step_pk, case=case)
    try:
        services.complete_step(request.user, step)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("caseloads:case_detail", pk=case.pk)


# --- Dashboards, report, profile -----------------------------------------------------------------------


@login_required
def my_dashboard(request: HttpRequest) -> HttpResponse:
    context = dashboards.supporter_dashboard(request.user)
    if context is None:
        raise Http404
    # Only a supporter of a support service has a profile; a superuser sees the caseload page without one.
    has_profile = _service_of(request.user) is not None
    return render(request, "caseloads/my_dashboard.html", {"panel": context, "has_profile": has_profile})


@login_required
def region_dashboard(request: HttpRequest) -> HttpResponse:
    context = dashboards.region_dashboard(request.user)
    if context is None:
        raise Http404
    from caseloads import report

    quarter = report.valid_quarter(request.GET.get("quarter"), timezone.localdate())
    quarter_report = report.quarter_report(request.user, quarter)
    context.update(
        report=quarter_report,
        hours_chart=report.hours_chart(quarter_report),
        quarters=report.quarters_around(timezone.localdate()),
        quarter=quarter,
    )
    return render(request, "caseloads/region_dashboard.html", context)


@login_required
def region_report_csv(request: HttpRequest) -> HttpResponse:
    if not scoping.can(request.user, Capability.ALLOCATE_SUPPORT):
        raise Http404
    from caseloads import report

    quarter = report.valid_quarter(request.GET.get("quarter"), timezone.localdate())
    return csv_response(
        f"support-hours-{quarter}.csv", report.report_rows(report.quarter_report(request.user, quarter))
    )


def _service_of(user: User) -> object:
    return next(
        (
            m.organisation
            for m in scoping.memberships(user)  # the list reach already holds: no second query
            if m.role == Role.LANGUAGE_SUPPORTER and m.organisation.kind == OrganisationKind.SUPPORT_SERVICE
        ),
        None,
    )


def _profile_page(request: HttpRequest, supporter: User, service: object, done_url: str) -> HttpResponse:
    profile = SupporterProfile.objects.filter(user=supporter).first()
    initial = {}
    if profile:
        initial = {
            "expertise": profile.expertise,
            "languages": profile.languages,
            "home_municipality": profile.home_municipality_id,
            "contract_hours_per_week": profile.contract_hours_per_week,
            "active": profile.active,
        }
    form = ProfileForm(request.POST or None, service=service, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_profile(request.user, supporter, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The profile was saved."))
            return redirect(done_url)
    return render(request, "caseloads/profile_form.html", {"form": form, "supporter": supporter})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    """A supporter's own profile."""
    service = _service_of(request.user)
    if service is None:
        raise Http404
    return _profile_page(request, request.user, service, reverse("caseloads:my_dashboard"))


@login_required
@require_http_methods(["GET", "POST"])
def supporter_profile_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    """The regional coordinator sets a supporter's profile (e.g. contracted hours)."""
    supporter = get_object_or_404(User, pk=user_id)
    service = _service_of(supporter)
    if service is None or not scoping.can(request.user, Capability.ALLOCATE_SUPPORT, service):
        raise Http404
    return _profile_page(request, supporter, service, reverse("caseloads:region_dashboard"))
