"""Pages of issue 15's flows: edition series (organisers), the waitlist in order with moves and hand
offers and the per-school limit (organisers), approvals with absences and deputies (school leaders,
deputies, organisers), and theme alerts (everyone who browses the catalogue). Thin: validate, call one
verb, show its refusal next to the field."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts import scoping
from accounts.http import AuthedRequest
from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind
from core.errors import ServiceError
from core.forms import apply_service_error
from courses import access, alerts, approval, queries, school_limit, series, services, waitlist_control
from courses.forms_flow import (
    AbsenceForm,
    HandOfferForm,
    MoveForm,
    SchoolLimitForm,
    SeriesForm,
    SeriesSettingsForm,
    ThemeAlertForm,
)
from courses.models import (
    ApproverAbsence,
    Edition,
    EditionSeries,
    EditionStatus,
    Enrolment,
    EnrolmentStatus,
    WaitlistMove,
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


# --- Series ----------------------------------------------------------------------------------------------


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


# --- Waitlist control and the per-school limit -----------------------------------------------------------


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


# --- Approvals, absences and deputies --------------------------------------------------------------------


def _approvals_page(
    request: AuthedRequest, absence_form: AbsenceForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    pending = list(
        approval.awaiting(user)
        .select_related("teacher", "school", "edition__module")
        .order_by("created_at", "pk")
    )
    schools = scoping.organisations_of_kind(
        user, Capability.RESERVE_SEATS, [OrganisationKind.SCHOOL]
    ).order_by("name")
    can_record = schools.exists()
    if can_record and absence_form is None:
        absence_form = _absence_form(request, None, schools)
    today = timezone.localdate()
    absences = (
        ApproverAbsence.objects.filter(ends_on__gte=today)
        .filter(Q(school__in=schools) | Q(deputy=user) | Q(approver=user))
        .select_related("school", "approver", "deputy")
        .order_by("starts_on", "pk")
    )
    deputy_for = [a for a in absences if a.deputy_id == user.pk and a.starts_on <= today]
    return render(
        request,
        "courses/approvals.html",
        {
            "pending": pending,
            "absence_form": absence_form if can_record else None,
            "absences": absences,
            "deputy_for": deputy_for,
            "today": today,
        },
        status=status,
    )


def _absence_form(request: AuthedRequest, data: object, schools: QuerySet[Organisation]) -> AbsenceForm:
    school_ids = list(schools.values_list("pk", flat=True))
    members = (
        User.objects.filter(memberships__organisation_id__in=school_ids)
        .distinct()
        .order_by("last_name", "email")
    )
    approvers = (
        User.objects.filter(
            memberships__organisation_id__in=school_ids,
            memberships__role__in=approval._roles_with(Capability.RESERVE_SEATS),
        )
        .distinct()
        .order_by("last_name", "email")
    )
    return AbsenceForm(
        data,
        schools=schools,
        members=members,
        approvers=approvers,
        initial={"school": school_ids[0] if len(school_ids) == 1 else None, "approver": request.user.pk},
    )


@login_required
def approvals(request: AuthedRequest) -> HttpResponse:
    return _approvals_page(request)


@login_required
@require_POST
def approval_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(approval.awaiting(request.user), pk=pk)
    try:
        decided = approval.decide(request.user, enrolment, approve=request.POST.get("decision") == "approve")
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if decided.status == EnrolmentStatus.PENDING_APPROVAL:
            messages.success(request, _("Approved; the organiser decides next."))
        elif decided.status == EnrolmentStatus.REJECTED:
            messages.success(request, _("Declined; the teacher has been told."))
        elif decided.status == EnrolmentStatus.WAITLISTED:
            messages.success(request, _("Approved; the edition is full, so the teacher is on the waitlist."))
        else:
            messages.success(request, _("Approved; the teacher has a seat."))
    return redirect("courses:approvals")


@login_required
@require_POST
def absence_add(request: AuthedRequest) -> HttpResponse:
    schools = scoping.organisations_of_kind(request.user, Capability.RESERVE_SEATS, [OrganisationKind.SCHOOL])
    if not schools.exists():
        raise Http404
    form = _absence_form(request, request.POST, schools)
    if form.is_valid():
        data = form.cleaned_data
        try:
            approval.record_absence(
                request.user,
                data["school"],
                approver=data["approver"],
                deputy=data["deputy"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The absence is recorded; the deputy approves meanwhile."))
            return redirect("courses:approvals")
    return _approvals_page(request, absence_form=form, status=400)


@login_required
@require_POST
def absence_end(request: AuthedRequest, pk: int) -> HttpResponse:
    schools = scoping.organisations_of_kind(request.user, Capability.RESERVE_SEATS, [OrganisationKind.SCHOOL])
    absence = get_object_or_404(ApproverAbsence.objects.filter(school__in=schools), pk=pk)
    try:
        approval.end_absence(request.user, absence)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The absence has ended."))
    return redirect("courses:approvals")


# --- Theme alerts ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def theme_alerts(request: AuthedRequest) -> HttpResponse:
    if not scoping.can(request.user, Capability.BROWSE_CATALOGUE):
        raise Http404
    form = ThemeAlertForm(request.POST or None, initial={"themes": sorted(alerts.followed(request.user))})
    if request.method == "POST" and form.is_valid():
        try:
            alerts.set_followed(request.user, form.cleaned_data["themes"])
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved. You hear of new editions of these themes in your region."))
            return redirect("courses:theme_alerts")
    return render(
        request,
        "courses/theme_alerts.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
