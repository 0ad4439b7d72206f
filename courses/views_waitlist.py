"""Organisers' control of an edition's waitlist: the waitlist in order, moves and hand offers (with the
log of moves), and the per-school seat limit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.http import AuthedRequest
from accounts.models import Organisation
from core.errors import ServiceError
from core.forms import apply_service_error
from courses import access, queries, school_limit, services, waitlist_control
from courses.forms_flow import (
    HandOfferForm,
    MoveForm,
    SchoolLimitForm,
)
from courses.models import (
    Edition,
    Enrolment,
    EnrolmentStatus,
    WaitlistMove,
)
from courses.views_organise import organiser_or_404


def _edition_or_404(request: AuthedRequest, pk: int) -> Edition:
    organiser_or_404(request)
    return get_object_or_404(
        queries.annotate_seats(access.organised_editions(request.user)).select_related("module"), pk=pk
    )


def _waitlist_page(
    request: AuthedRequest,
    edition: Edition,
    *,
    forms: dict[int, HandOfferForm] | None = None,
    limit_form: SchoolLimitForm | None = None,
    status: int = 200,
) -> HttpResponse:
    waiting = list(
        services.with_waitlist_position(
            Enrolment.objects.filter(edition=edition, status=EnrolmentStatus.WAITLISTED)
        )
        .select_related("teacher", "school")
        .order_by("queued_at", "pk")
    )
    counts = school_limit.seats_per_school(edition)
    forms = forms or {}
    limit = edition.school_seat_limit
    for e in waiting:  # for the template: the school's seats, whether it is at its limit, the offer form
        seats = 0 if e.school_id is None else counts.get(e.school_id, 0)
        e.school_seats = seats  # type: ignore[attr-defined]
        e.over_limit = limit is not None and seats >= limit  # type: ignore[attr-defined]
        e.offer_form = forms.get(e.pk) or HandOfferForm(prefix=f"o{e.pk}")  # type: ignore[attr-defined]
    return render(
        request,
        "courses/waitlist.html",
        {
            "edition": edition,
            "waiting": waiting,
            "free": services.free_seats(edition),
            "limit_form": limit_form
            or SchoolLimitForm(initial={"school_seat_limit": edition.school_seat_limit}),
            "moves": WaitlistMove.objects.filter(edition=edition).select_related(
                "enrolment__teacher", "moved_by"
            )[:50],
            "per_school": _per_school(counts),
        },
        status=status,
    )


def _per_school(counts: dict[int, int]) -> list[tuple[str, int]]:
    names = dict(Organisation.objects.filter(pk__in=list(counts)).values_list("pk", "name"))
    return sorted(((names.get(pk, "-"), n) for pk, n in counts.items()), key=lambda row: (-row[1], row[0]))


@login_required
def waitlist(request: AuthedRequest, pk: int) -> HttpResponse:
    return _waitlist_page(request, _edition_or_404(request, pk))


def _waitlisted_or_404(request: AuthedRequest, pk: int) -> Enrolment:
    organiser_or_404(request)
    return get_object_or_404(
        Enrolment.objects.filter(edition__in=access.organised_editions(request.user)), pk=pk
    )


@login_required
@require_POST
def waitlist_move(request: AuthedRequest, pk: int) -> HttpResponse:
    enrolment = _waitlisted_or_404(request, pk)
    form = MoveForm(request.POST, prefix=f"m{pk}")
    if form.is_valid():
        try:
            waitlist_control.move(
                request.user,
                enrolment,
                direction=form.cleaned_data["direction"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The waitlist was changed; the move is in the log."))
    else:
        messages.error(request, _("Give a reason; it is kept in the log."))
    return redirect("courses:waitlist", pk=enrolment.edition_id)


@login_required
@require_POST
def waitlist_offer(request: AuthedRequest, pk: int) -> HttpResponse:
    enrolment = _waitlisted_or_404(request, pk)
    form = HandOfferForm(request.POST, prefix=f"o{pk}")
    if form.is_valid():
        try:
            waitlist_control.offer_by_hand(
                request.user,
                enrolment,
                reason=form.cleaned_data["reason"],
                add_seat=form.cleaned_data["add_seat"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The seat was offered; the teacher has been told."))
            return redirect("courses:waitlist", pk=enrolment.edition_id)
    edition = _edition_or_404(request, enrolment.edition_id)
    return _waitlist_page(request, edition, forms={enrolment.pk: form}, status=400)


@login_required
@require_POST
def school_seat_limit(request: AuthedRequest, pk: int) -> HttpResponse:
    edition = _edition_or_404(request, pk)
    form = SchoolLimitForm(request.POST)
    if form.is_valid():
        try:
            promoted = school_limit.set_school_limit(
                request.user, edition, form.cleaned_data["school_seat_limit"]
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Limit saved; %(n)d person moved up from the waitlist.",
                    "Limit saved; %(n)d people moved up from the waitlist.",
                    len(promoted),
                )
                % {"n": len(promoted)},
            )
            return redirect("courses:waitlist", pk=pk)
    return _waitlist_page(request, _edition_or_404(request, pk), limit_form=form, status=400)
