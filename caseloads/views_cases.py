"""Pages of cases: list and read, the owner's edits, transfers and sharing, visits and next steps."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthedRequest
from caseloads import reach, services
from caseloads.forms import (
    CaseForm,
    CaseStatusForm,
    ShareForm,
    TransferForm,
    VisitForm,
)
from caseloads.models import (
    Case,
    NextStep,
    Transfer,
    TransferStatus,
    Visit,
)
from core.errors import ServiceError
from core.forms import apply_service_error
from pupils import access
from pupils.models import AccessAction, Pupil


@login_required
def case_list(request: AuthedRequest) -> HttpResponse:
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


def _case_or_404(request: AuthedRequest, pk: int) -> Case:
    return get_object_or_404(
        reach.cases_for(request.user).select_related("school", "supporter", "advisor", "request"), pk=pk
    )


def _case_context(request: AuthedRequest, case: Case) -> dict[str, object]:
    user = request.user
    today = timezone.localdate()
    pupils: list[Pupil] = []
    if reach.can_see_pupils(user, case):
        pupils = list(case.pupils.all())
        access.record(user, [p.pk for p in pupils], AccessAction.VIEW, context="caseloads.case_detail")
    steps = list(NextStep.objects.filter(case=case).order_by("done_at", "due_date", "id"))
    for step in steps:
        step.overdue = step.is_overdue(today)  # type: ignore[attr-defined]  # for the template
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
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return render(request, "caseloads/case_detail.html", _case_context(request, _case_or_404(request, pk)))


def _case_action(
    request: AuthedRequest,
    pk: int,
    form_key: str,
    form: forms.Form,
    action: Callable[[Case, dict[str, Any]], object],
) -> HttpResponse:
    """Validate ``form`` and call ``action`` (one verb) on the case; the case page again, with the errors."""
    case = _case_or_404(request, pk)
    if form.is_valid():
        try:
            action(case, form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("caseloads:case_detail", pk=case.pk)
    context = _case_context(request, case)
    context[form_key] = form
    return render(request, "caseloads/case_detail.html", context, status=400)


@login_required
@require_POST
def case_edit(request: AuthedRequest, pk: int) -> HttpResponse:
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
def case_status(request: AuthedRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        "status_form",
        CaseStatusForm(request.POST),
        lambda case, d: services.set_case_status(request.user, case, d["status"], summary=d["summary"]),
    )


@login_required
@require_POST
def case_transfer(request: AuthedRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        "transfer_form",
        TransferForm(request.POST, user=request.user),
        lambda case, d: services.offer_transfer(request.user, case, d["supporter"], d["message"]),
    )


@login_required
@require_POST
def case_share(request: AuthedRequest, pk: int) -> HttpResponse:
    return _case_action(
        request,
        pk,
        "share_form",
        ShareForm(request.POST, user=request.user),
        lambda case, d: services.share_case(request.user, case, d["advisor"]),
    )


@login_required
@require_POST
def transfer_answer(request: AuthedRequest, pk: int) -> HttpResponse:
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
def visit_create(request: AuthedRequest, pk: int) -> HttpResponse:
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
def visit_done(request: AuthedRequest, pk: int, visit_pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    visit = get_object_or_404(Visit, pk=visit_pk, case=case)
    try:
        services.mark_visit_done(request.user, visit)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("caseloads:case_detail", pk=case.pk)


@login_required
@require_POST
def step_done(request: AuthedRequest, pk: int, step_pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    step = get_object_or_404(NextStep, pk=step_pk, case=case)
    try:
        services.complete_step(request.user, step)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("caseloads:case_detail", pk=case.pk)
