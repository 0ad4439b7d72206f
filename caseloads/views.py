"""Pages of caseloads: the home redirect, the dashboards, the region report and supporters' profiles.
Thin: find the object within reach (404 otherwise), validate, call one service. Requests and cases have
their own pages in ``views_requests`` and ``views_cases``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import scoping
from accounts.http import AuthedRequest
from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind, Role
from caseloads import dashboards, services
from caseloads.forms import (
    ProfileForm,
)
from caseloads.models import (
    SupporterProfile,
)
from core.csvexport import csv_response
from core.errors import ServiceError
from core.forms import apply_service_error


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    if scoping.can(request.user, Capability.WORK_CASES):
        return redirect("caseloads:my_dashboard")
    if scoping.can(request.user, Capability.ALLOCATE_SUPPORT):
        return redirect("caseloads:region_dashboard")
    if scoping.can(request.user, Capability.REQUEST_SUPPORT):
        return redirect("caseloads:request_list")
    raise Http404


@login_required
def my_dashboard(request: AuthedRequest) -> HttpResponse:
    context = dashboards.supporter_dashboard(request.user)
    if context is None:
        raise Http404
    # Only a supporter of a support service has a profile; a superuser sees the caseload page without one.
    has_profile = _service_of(request.user) is not None
    return render(request, "caseloads/my_dashboard.html", {"panel": context, "has_profile": has_profile})


@login_required
def region_dashboard(request: AuthedRequest) -> HttpResponse:
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
def region_report_csv(request: AuthedRequest) -> HttpResponse:
    if not scoping.can(request.user, Capability.ALLOCATE_SUPPORT):
        raise Http404
    from caseloads import report

    quarter = report.valid_quarter(request.GET.get("quarter"), timezone.localdate())
    return csv_response(
        f"support-hours-{quarter}.csv", report.report_rows(report.quarter_report(request.user, quarter))
    )


def _service_of(user: User) -> Organisation | None:
    return next(
        (
            m.organisation
            for m in scoping.memberships(user)  # the list reach already holds: no second query
            if m.role == Role.LANGUAGE_SUPPORTER and m.organisation.kind == OrganisationKind.SUPPORT_SERVICE
        ),
        None,
    )


def _profile_page(
    request: AuthedRequest, supporter: User, service: Organisation, done_url: str
) -> HttpResponse:
    profile = SupporterProfile.objects.filter(user=supporter).first()
    initial: dict[str, object] = {}
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
def profile_edit(request: AuthedRequest) -> HttpResponse:
    """A supporter's own profile."""
    service = _service_of(request.user)
    if service is None:
        raise Http404
    return _profile_page(request, request.user, service, reverse("caseloads:my_dashboard"))


@login_required
@require_http_methods(["GET", "POST"])
def supporter_profile_edit(request: AuthedRequest, user_id: int) -> HttpResponse:
    """The regional coordinator sets a supporter's profile (e.g. contracted hours)."""
    supporter = get_object_or_404(User, pk=user_id)
    service = _service_of(supporter)
    if service is None or not scoping.can(request.user, Capability.ALLOCATE_SUPPORT, service):
        raise Http404
    return _profile_page(request, supporter, service, reverse("caseloads:region_dashboard"))
