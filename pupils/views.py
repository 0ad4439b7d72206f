"""Pupil pages: list with filters, detail, create/edit, export (JSON) and erase. Every view of a pupil
record is written to the access log; URLs carry only the pupil's id."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Field, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import scoping
from accounts.http import AuthedRequest, Viewer
from accounts.models import User
from accounts.roles import Capability
from core.errors import ServiceError
from core.forms import apply_service_error
from pupils import access, services
from pupils.forms import AccessLogFilterForm, EraseForm, PupilFilterForm, PupilForm
from pupils.models import AccessAction, AccessLog, Pupil


def _pupils(user: Viewer) -> QuerySet[Pupil]:
    return scoping.scope(
        Pupil.objects.filter(anonymised_at__isnull=True).select_related("school"),
        user,
        Capability.VIEW_PUPILS,
        field="school",
    )


@login_required
def pupil_list(request: AuthedRequest) -> HttpResponse:
    if not scoping.can(request.user, Capability.VIEW_PUPILS):
        raise Http404
    form = PupilFilterForm(request.GET or None, user=request.user)
    qs = _pupils(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["school"]:
            qs = qs.filter(school=data["school"])
        if data["grade"]:
            qs = qs.filter(grade=data["grade"])
        if data["language"]:
            code = f'"{data["language"]}"'  # JSON lists: match the quoted code, on SQLite and PostgreSQL
            qs = qs.filter(Q(home_languages__icontains=code) | Q(other_languages__icontains=code))
        if data["waiting"]:
            qs = qs.exclude(matches__status="approved")
    page = Paginator(qs.order_by("-priority_since", "transition_date", "id"), 50).get_page(
        request.GET.get("page")
    )
    access.record(request.user, [p.pk for p in page], AccessAction.LIST, context="pupils.pupil_list")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pupils/pupil_list.html",
        {
            "form": form,
            "page": page,
            "query_string": query.urlencode(),
            "can_manage": scoping.can(request.user, Capability.MANAGE_PUPILS),
        },
    )


@login_required
def pupil_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    pupil = scoping.get_in_reach_or_404(
        Pupil.objects.select_related("school").prefetch_related("interests"),
        request.user,
        Capability.VIEW_PUPILS,
        field="school",
        pk=pk,
    )
    access.record(request.user, [pupil.pk], AccessAction.VIEW, context="pupils.pupil_detail")
    matches = pupil.matches.select_related("buddy").order_by("-created_at")
    return render(
        request,
        "pupils/pupil_detail.html",
        {
            "pupil": pupil,
            "matches": matches,
            "can_manage": scoping.can(request.user, Capability.MANAGE_PUPILS, pupil.school),
        },
    )


def _initial(pupil: Pupil) -> dict[str, object]:
    return {
        **{name: getattr(pupil, name) for name in services.PUPIL_FIELDS},
        "school": pupil.school,
        "interests": list(pupil.interests.all()),
    }


@login_required
@require_http_methods(["GET", "POST"])
def pupil_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    if not scoping.can(request.user, Capability.MANAGE_PUPILS):
        raise Http404
    pupil = None
    if pk is not None:
        pupil = scoping.get_in_reach_or_404(
            Pupil.objects.select_related("school"),
            request.user,
            Capability.MANAGE_PUPILS,
            field="school",
            pk=pk,
        )
        access.record(request.user, [pupil.pk], AccessAction.VIEW, context="pupils.pupil_edit")
    form = PupilForm(request.POST or None, user=request.user, initial=_initial(pupil) if pupil else None)
    if request.method == "POST" and form.is_valid():
        try:
            if pupil is None:
                pupil = services.create_pupil(request.user, **form.cleaned_data)
            else:
                pupil = services.update_pupil(request.user, pupil, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("matching:pupil_detail", pupil.pk)
    return render(request, "pupils/pupil_form.html", {"form": form, "pupil": pupil})


@login_required
@require_POST
def pupil_erase(request: AuthedRequest, pk: int) -> HttpResponse:
    form = EraseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for erasing."))
        return redirect("matching:pupil_detail", pk)
    services.erase_pupil(request.user, pk, form.cleaned_data["reason"])
    messages.success(request, _("The pupil's data was erased."))
    return redirect("matching:pupil_list")


@login_required
def access_log(request: AuthedRequest) -> HttpResponse:
    """The access log for the region's privacy officer: who did what to which pupil id, when and why.
    Shows ids only; no pupil data is loaded."""
    if not scoping.can(request.user, Capability.VIEW_ACCESS_LOG):
        raise Http404
    entries = access.visible_entries(request.user)
    people = User.objects.filter(pk__in=entries.values("user_id")).order_by("email")
    form = AccessLogFilterForm(request.GET or None, users=people)
    if form.is_valid():
        data = form.cleaned_data
        if data["user"]:
            entries = entries.filter(user=data["user"])
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["since"]:
            entries = entries.filter(at__date__gte=data["since"])
        if data["date"]:
            entries = entries.filter(at__date=data["date"])
    page = Paginator(entries.select_related("user").order_by("-at", "-id"), 100).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pupils/access_log.html",
        {
            "form": form,
            "page": page,
            "query_string": query.urlencode(),
            "title": AccessLog._meta.verbose_name_plural,
            "fields": _log_labels(),
        },
    )


def _log_labels() -> dict[str, object]:
    labels: dict[str, object] = {}
    for name in ("at", "user", "action", "pupil_id", "context", "reason"):
        field = AccessLog._meta.get_field(name)  # concrete fields, each with its verbose name
        labels[name] = field.verbose_name if isinstance(field, Field) else name
    return labels
