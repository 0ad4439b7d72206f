"""Grants awaiting a second person's approval, and the grant log (pages). Thin: one service call each."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import grants, scoping
from accounts.forms import GrantDecisionForm
from accounts.http import AuthedRequest
from accounts.models import GrantLogEntry, GrantRequest
from accounts.roles import Capability
from core.csvexport import csv_response
from core.errors import ServiceError
from core.reauth import require_recent_login


def pending_panel(request: HttpRequest) -> dict[str, object] | None:
    pending = grants.approvable(request.user)
    count = pending.count()
    return {"count": count, "grants": list(pending[:5])} if count else None


def _decide(request: AuthedRequest, grant: GrantRequest, form: GrantDecisionForm) -> bool:
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    try:
        if decision == "approve":
            grants.approve(request.user, grant, reason=reason)
        else:
            grants.refuse(request.user, grant, reason=reason)
    except ServiceError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return False
    values = {"role": grant.get_role_display(), "org": grant.organisation.name, "person": grant.user.email}
    if decision == "approve":
        messages.success(request, _("Role %(role)s at %(org)s for %(person)s approved.") % values)
    else:
        messages.success(request, _("Role %(role)s at %(org)s for %(person)s refused.") % values)
    return True


@login_required
@require_http_methods(["GET", "POST"])
def grant_list(request: AuthedRequest) -> HttpResponse:
    if not scoping.can(request.user, Capability.APPROVE_GRANTS):
        raise Http404
    pending = grants.approvable(request.user)
    failed: dict[int, GrantDecisionForm] = {}
    if request.method == "POST":
        grant = get_object_or_404(pending, pk=request.POST.get("grant") or 0)
        form = GrantDecisionForm(request.POST)
        if form.is_valid() and _decide(request, grant, form):
            return redirect("grant_list")
        failed[grant.pk] = form
    rows = [{"grant": g, "form": failed.get(g.pk) or GrantDecisionForm()} for g in pending]
    return render(request, "accounts/grant_list.html", {"rows": rows}, status=400 if failed else 200)


def _log_or_404(request: AuthedRequest) -> QuerySet[GrantLogEntry]:
    if not scoping.can(request.user, Capability.VIEW_GRANT_LOG):
        raise Http404
    return grants.grant_log(request.user)


@login_required
def grant_log(request: AuthedRequest) -> HttpResponse:
    entries = _log_or_404(request)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/grant_log.html", {"page": page})


@login_required
def grant_log_csv(request: AuthedRequest) -> HttpResponse:
    entries = _log_or_404(request)
    require_recent_login(request)  # staff names and addresses leave the site
    header = [_("When"), _("Event"), _("Role"), _("Organisation"), _("Person"), _("By"), _("Reason")]
    rows = (
        [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"),
            e.get_event_display(),
            e.get_role_display(),
            e.organisation_name,
            e.user_email,
            e.actor_email,
            e.reason,
        ]
        for e in entries.iterator()
    )
    return csv_response("grant-log.csv", [header, *rows])
