"""Organisers' pages for edition series: create a series of editions of one module, see it, change what
its future editions share, publish them at once. Thin: validate, call one verb, show its refusal next to
the field."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthedRequest
from core.errors import ServiceError
from core.forms import apply_service_error
from courses import access, queries, series
from courses.forms_flow import (
    SeriesForm,
    SeriesSettingsForm,
)
from courses.models import (
    EditionSeries,
    EditionStatus,
)
from courses.views_organise import organiser_or_404


def _series_or_404(request: AuthedRequest, pk: int) -> EditionSeries:
    organiser_or_404(request)
    return get_object_or_404(
        EditionSeries.objects.filter(module__in=access.organised_modules(request.user)).select_related(
            "module"
        ),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def series_create(request: AuthedRequest, pk: int) -> HttpResponse:
    organiser_or_404(request)
    module = get_object_or_404(access.organised_modules(request.user), pk=pk)
    form = SeriesForm(
        request.POST or None,
        initial={"count": 5, "interval_weeks": 6, "promotion_mode": "immediate", "offer_hours": 48}
        | {"close_days_before": 1, "cancel_days_before": 2},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dates = series.plan_dates(
                data["first_starts_at"],
                data["first_ends_at"],
                count=data["count"],
                interval_weeks=data["interval_weeks"],
                venues=data["venues"],
            )
            made = series.create_series(
                request.user,
                module,
                title=data["title"],
                dates=dates,
                capacity=data["capacity"],
                school_seat_limit=data["school_seat_limit"],
                enrol_opens_at=data["enrol_opens_at"],
                close_days_before=data["close_days_before"],
                cancel_days_before=data["cancel_days_before"],
                requires_school_approval=data["requires_school_approval"],
                requires_organiser_approval=data["requires_organiser_approval"],
                promotion_mode=data["promotion_mode"],
                offer_hours=data["offer_hours"],
                publish=data["publish"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Series created with %(n)d edition.", "Series created with %(n)d editions.", len(dates)
                )
                % {"n": len(dates)},
            )
            return redirect("courses:series_detail", pk=made.pk)
    return render(
        request,
        "courses/form_page.html",
        {"form": form, "title": _("New series of %(title)s") % {"title": module.title}},
        status=400 if form.errors else 200,
    )


@login_required
def series_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    made = _series_or_404(request, pk)
    editions = list(
        queries.annotate_seats(made.editions.all()).prefetch_related("meetings").order_by("starts_at", "pk")
    )
    return render(
        request,
        "courses/series_detail.html",
        {
            "series": made,
            "editions": editions,
            "future": {e.pk for e in series.future_editions(made)},
            "has_drafts": any(e.status == EditionStatus.DRAFT for e in editions),
        },
    )


def _series_initial(made: EditionSeries) -> dict[str, object]:
    future = series.future_editions(made)
    if not future:
        return {}
    first = future[0]
    return {name: getattr(first, name) for name in series.SERIES_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def series_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    made = _series_or_404(request, pk)
    form = SeriesSettingsForm(request.POST or None, initial=_series_initial(made))
    if request.method == "POST" and form.is_valid():
        try:
            changed = series.update_series(request.user, made, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Saved for %(n)d future edition of the series.",
                    "Saved for %(n)d future editions of the series.",
                    len(changed),
                )
                % {"n": len(changed)},
            )
            return redirect("courses:series_detail", pk=made.pk)
    return render(
        request,
        "courses/form_page.html",
        {
            "form": form,
            "title": _("Edit the series %(title)s") % {"title": made.title},
            "intro": _(
                "These settings apply to every edition of the series that has not started yet. "
                "To change one edition alone, open it from the series page."
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def series_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    made = _series_or_404(request, pk)
    try:
        n = series.publish_series(request.user, made)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, ngettext("%(n)d edition published.", "%(n)d editions published.", n) % {"n": n}
        )
    return redirect("courses:series_detail", pk=made.pk)
