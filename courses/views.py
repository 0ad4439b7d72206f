"""Pages of the catalogue and of enrolment: browse modules and editions, register interest, enrol, cancel,
answer an offer, reserve seats for a school. Thin: validate, call one service, map ServiceError.

A teacher's own pages are in ``views_mine``, the school staff's in ``views_team``, trajectories in
``views_trajectories``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scoping
from accounts.http import AuthedRequest
from accounts.roles import Capability
from core.errors import ServiceError
from core.forms import apply_service_error
from core.redirects import redirect_next
from courses import access, queries, services
from courses.forms import CatalogueFilterForm, ReserveForm
from courses.models import (
    ACTIVE_STATUSES,
    Edition,
    EditionStatus,
    Enrolment,
    EnrolmentStatus,
    Interest,
)


def _browse_or_404(request: AuthedRequest) -> None:
    if not scoping.can(request.user, Capability.BROWSE_CATALOGUE) and not scoping.can(
        request.user, Capability.ORGANISE_COURSES
    ):
        raise Http404


@login_required
def catalogue(request: AuthedRequest) -> HttpResponse:
    _browse_or_404(request)
    form = CatalogueFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    editions = queries.filter_editions(
        queries.annotate_seats(
            access.catalogue_editions(request.user).filter(
                status=EditionStatus.PUBLISHED, starts_at__gte=timezone.now()
            )
        ),
        **{k: v for k, v in filters.items() if v},
    ).select_related("module__organiser")
    page = Paginator(editions.order_by("starts_at", "pk"), 25).get_page(request.GET.get("page"))
    ids = [e.pk for e in page]
    mine = dict(
        Enrolment.objects.filter(
            teacher=request.user, edition_id__in=ids, status__in=ACTIVE_STATUSES
        ).values_list("edition_id", "status")
    )
    for edition in page:
        edition.my_status = mine.get(edition.pk)  # type: ignore[attr-defined]  # for the template
    undated = []
    if not any(filters.get(k) for k in ("month", "municipality", "free")):
        undated = list(
            access.catalogue_modules(request.user)
            .exclude(
                Exists(
                    Edition.objects.filter(
                        module=OuterRef("pk"), status=EditionStatus.PUBLISHED, starts_at__gte=timezone.now()
                    )
                )
            )
            .filter(**_module_filters(filters))
            .order_by("title")[:20]
        )
    interested = (
        set(
            Interest.objects.filter(user=request.user, module__in=[m.pk for m in undated]).values_list(
                "module_id", flat=True
            )
        )
        if undated
        else set()
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "courses/catalogue.html",
        {
            "form": form,
            "page": page,
            "undated": undated,
            "interested": interested,
            "query_string": query.urlencode(),
            "can_enrol": scoping.can(request.user, Capability.ENROL),
        },
    )


def _module_filters(filters: dict) -> dict:
    out = {}
    if filters.get("q"):
        out["title__icontains"] = filters["q"]
    if filters.get("theme"):
        out["themes__contains"] = f",{filters['theme']},"
    if filters.get("format"):
        out["format"] = filters["format"]
    return out


@login_required
def module_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _browse_or_404(request)
    module = get_object_or_404(access.catalogue_modules(request.user).select_related("organiser"), pk=pk)
    editions = queries.annotate_seats(
        access.catalogue_editions(request.user).filter(module=module).exclude(status=EditionStatus.DRAFT)
    ).prefetch_related("meetings")
    return render(
        request,
        "courses/module_detail.html",
        {
            "module": module,
            "editions": editions.order_by("starts_at"),
            "interested": Interest.objects.filter(user=request.user, module=module).exists(),
            "can_organise": access.can_organise(request.user, module),
        },
    )


@login_required
@require_POST
def interest(request: AuthedRequest, pk: int) -> HttpResponse:
    module = get_object_or_404(access.catalogue_modules(request.user), pk=pk)
    try:
        services.register_interest(request.user, module)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("We will let you know when this module gets a date."))
    return redirect("courses:module_detail", pk=module.pk)


def _edition_context(request: AuthedRequest, edition_id: int, **extra: object) -> dict[str, object]:
    edition = get_object_or_404(
        queries.annotate_seats(access.catalogue_editions(request.user)).select_related(
            "module__organiser", "module__visible_in"
        ),
        pk=edition_id,
    )
    mine = (
        services.with_waitlist_position(
            Enrolment.objects.filter(edition=edition, teacher=request.user).order_by("-created_at")
        )
        .select_related("certificate", "evaluation")
        .first()
    )
    reserve_form = extra.pop("reserve_form", None)
    if reserve_form is None and scoping.can(request.user, Capability.RESERVE_SEATS):
        reserve_form = ReserveForm(user=request.user)
    return {
        "edition": edition,
        "module": edition.module,
        "meetings": list(edition.meetings.all()),
        "mine": mine,
        "position": services.waitlist_position(mine) if mine else None,
        "reserve_form": reserve_form,
        "can_enrol": scoping.can(request.user, Capability.ENROL) and edition.is_open_for_enrolment,
        "can_organise": access.can_organise(request.user, edition.module),
        "errors": extra.pop("errors", []),
        **extra,
    }


@login_required
def edition_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return render(request, "courses/edition_detail.html", _edition_context(request, pk))


@login_required
@require_POST
def enrol(request: AuthedRequest, pk: int) -> HttpResponse:
    edition = get_object_or_404(access.catalogue_editions(request.user), pk=pk)
    try:
        enrolment = services.enrol(request.user, edition)
    except ServiceError as exc:
        context = _edition_context(request, pk, errors=[exc.message])
        return render(request, "courses/edition_detail.html", context, status=exc.status)
    if enrolment.status == EnrolmentStatus.CONFIRMED:
        messages.success(request, _("You are enrolled. A confirmation is on its way."))
    elif enrolment.status == EnrolmentStatus.WAITLISTED:
        messages.info(
            request,
            _("This edition is full: you are number %(n)d on the waitlist.")
            % {"n": services.waitlist_position(enrolment)},
        )
    else:
        messages.info(request, _("Your school has been asked to approve your enrolment."))
    return redirect("courses:edition_detail", pk=pk)


@login_required
@require_POST
def cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(access.visible_enrolments(request.user), pk=pk)
    try:
        services.cancel_enrolment(request.user, enrolment)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The enrolment has been cancelled."))
    return redirect_next(request, "courses:my_courses")


@login_required
@require_POST
def offer(request: AuthedRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(Enrolment.objects.filter(teacher=request.user), pk=pk)
    try:
        if request.POST.get("decision") == "accept":
            services.accept_offer(request.user, enrolment)
            messages.success(request, _("Your place is confirmed."))
        else:
            services.cancel_enrolment(request.user, enrolment)
            messages.success(request, _("You declined the place; it passes to the next person."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("courses:my_courses")


@login_required
@require_POST
def reserve(request: AuthedRequest, pk: int) -> HttpResponse:
    if not scoping.can(request.user, Capability.RESERVE_SEATS):
        raise Http404
    edition = get_object_or_404(access.catalogue_editions(request.user), pk=pk)
    form = ReserveForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.reserve_seats(
                request.user, edition, form.cleaned_data["school"], form.cleaned_data["seats"]
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Seats reserved. Name the teachers before the deadline."))
            return redirect("courses:school_enrolments")
    context = _edition_context(request, pk, reserve_form=form)
    return render(request, "courses/edition_detail.html", context, status=400)
