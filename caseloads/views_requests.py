"""Pages of support requests: list, file, read, and the coordinator's triage, allocation and decline."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import scoping
from accounts.http import AuthedRequest
from accounts.roles import Capability
from caseloads import reach, services
from caseloads.forms import (
    AllocateForm,
    DeclineForm,
    RequestForm,
)
from caseloads.models import (
    Case,
    RequestStatus,
    SupportRequest,
)
from core.errors import ServiceError
from core.forms import apply_service_error
from pupils import access
from pupils.models import AccessAction, Pupil


@login_required
def request_list(request: AuthedRequest) -> HttpResponse:
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
def request_create(request: AuthedRequest) -> HttpResponse:
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


def _request_or_404(request: AuthedRequest, pk: int) -> SupportRequest:
    return get_object_or_404(reach.requests_for(request.user).select_related("school", "filed_by"), pk=pk)


@login_required
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    support_request = _request_or_404(request, pk)
    case = Case.objects.select_related("supporter").filter(request=support_request).first()
    # Pupils by name only for the school's own staff (who hold VIEW_PUPILS there); others see a count.
    pupils: list[Pupil] = []
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
def request_allocate(request: AuthedRequest, pk: int) -> HttpResponse:
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
def request_triage(request: AuthedRequest, pk: int) -> HttpResponse:
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
def request_decline(request: AuthedRequest, pk: int) -> HttpResponse:
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
