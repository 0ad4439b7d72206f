"""Buddy pages, CSV import pages and the pupil export. Runs, review and follow-up: ``views_runs.py``."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import scoping
from accounts.http import AuthedRequest, Viewer
from accounts.roles import Capability
from core.csvexport import csv_response
from core.errors import ServiceError
from core.forms import apply_service_error
from core.reauth import require_recent_login
from matching import parent_consent, services
from matching.forms import AskConsentForm, BuddyForm, ImportForm
from matching.import_plan import import_reference
from matching.models import Buddy, BuddyKind, ImportJob, ImportKind, ImportStatus
from matching.services import imports
from matching.services.retention import export_pupil
from pupils.models import Pupil


def _buddies(user: Viewer) -> QuerySet[Buddy]:
    return scoping.scope(
        Buddy.objects.filter(anonymised_at__isnull=True).select_related("school"),
        user,
        Capability.VIEW_PUPILS,
        field="school",
    )


@login_required
def buddy_list(request: AuthedRequest) -> HttpResponse:
    if not scoping.can(request.user, Capability.VIEW_PUPILS):
        raise Http404
    qs = _buddies(request.user)
    kind = request.GET.get("kind", "")
    if kind in BuddyKind.values:
        qs = qs.filter(kind=kind)
    school = request.GET.get("school", "")
    if school.isdigit():
        qs = qs.filter(school_id=int(school))
    page = Paginator(qs.order_by("school__name", "first_name", "id"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "matching/buddy_list.html",
        {
            "page": page,
            "kinds": BuddyKind.choices,
            "kind": kind,
            "schools": scoping.organisations_of_kind(request.user, Capability.VIEW_PUPILS, ["school"]),
            "school": school,
            "query_string": query.urlencode(),
            "can_manage": scoping.can(request.user, Capability.MANAGE_PUPILS),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def buddy_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    if not scoping.can(request.user, Capability.MANAGE_PUPILS):
        raise Http404
    buddy = None
    initial = None
    if pk is not None:
        buddy = scoping.get_in_reach_or_404(
            Buddy.objects.select_related("school"),
            request.user,
            Capability.MANAGE_PUPILS,
            field="school",
            pk=pk,
        )
        initial = {name: getattr(buddy, name) for name in services.BUDDY_FIELDS}
        initial |= {"school": buddy.school, "interests": list(buddy.interests.all())}
    form = BuddyForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if buddy is None:
                services.create_buddy(request.user, **form.cleaned_data)
            else:
                services.update_buddy(request.user, buddy, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("matching:buddy_list")
    context: dict[str, object] = {"form": form, "buddy": buddy}
    if buddy is not None and buddy.kind == BuddyKind.PEER:
        context |= {"consent_form": AskConsentForm(), "consent_requests": parent_consent.requests_for(buddy)}
    return render(request, "matching/buddy_form.html", context)


@login_required
@require_POST
def buddy_ask_consent(request: AuthedRequest, pk: int) -> HttpResponse:
    buddy = scoping.get_in_reach_or_404(
        Buddy.objects.select_related("school"), request.user, Capability.MANAGE_PUPILS, field="school", pk=pk
    )
    form = AskConsentForm(request.POST)
    if form.is_valid():
        try:
            asked = parent_consent.ask(buddy, request.user, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            if asked.parent_email:
                messages.success(
                    request,
                    _("The consent request for %(name)s was sent to the parent.")
                    % {"name": buddy.display_name},
                )
            else:
                messages.success(
                    request,
                    _("Print the letter for %(name)s and give it to the parent.")
                    % {"name": buddy.display_name},
                )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("matching:buddy_edit", pk=buddy.pk)


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: AuthedRequest, kind: str) -> HttpResponse:
    if kind not in ImportKind.values or not scoping.can(request.user, Capability.MANAGE_PUPILS):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    rows: list[imports.RowError] = []
    outcome = None
    if request.method == "POST" and form.is_valid():
        options = {"update": form.cleaned_data["update_existing"], "dry_run": form.cleaned_data["dry_run"]}
        try:
            text = imports.read_upload(form.cleaned_data["file"])
            outcome = imports.import_csv(request.user, kind, text, **options)
        except imports.ImportInvalid as exc:
            rows = exc.rows
            form.add_error(None, exc.message)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            if outcome.job is not None:
                return redirect("matching:import_job", outcome.job.pk)
            if outcome.plan is None:
                messages.success(request, imports.outcome_message(outcome))
                return redirect("matching:pupil_list" if kind == ImportKind.PUPILS else "matching:buddy_list")
    context = {
        "form": form,
        "kind": kind,
        "kind_label": ImportKind(kind).label,
        "rows": rows,
        "outcome": outcome,
    }
    context |= import_reference(request.user, kind)
    return render(request, "matching/import.html", context, status=400 if form.errors else 200)


def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in ImportKind.values:
        raise Http404
    return csv_response(f"overstap-{kind}-template.csv", imports.template_rows(kind))


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob, pk=pk, created_by=request.user)


@login_required
def import_job(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "matching/import_job.html", {"job": job, "rows_done": imports.job_progress(job)})


@login_required
def import_job_progress(request: AuthedRequest, pk: int) -> JsonResponse:
    job = _job(request, pk)
    done = imports.job_progress(job)
    percent = int(100 * done / job.rows_total) if job.rows_total else 0
    return JsonResponse(
        {
            "status": job.status,
            "percent": 100 if job.status == ImportStatus.DONE else percent,
            "label": _("%(done)s of %(total)s rows imported") % {"done": done, "total": job.rows_total},
            "done": job.status in (ImportStatus.DONE, ImportStatus.FAILED),
        }
    )


@login_required
def pupil_export(request: AuthedRequest, pk: int) -> HttpResponse:
    # Reach first (a wrong id answers 404, not a password prompt), then a recent login, then the export.
    scoping.get_in_reach_or_404(
        Pupil.objects.all(), request.user, Capability.MANAGE_PUPILS, field="school", pk=pk
    )
    require_recent_login(request)
    data = export_pupil(request.user, pk)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="pupil-{pk}.json"'
    return response
