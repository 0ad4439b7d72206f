"""Pages for teachers and school staff: catalogue, enrolment, my courses, PD record, feed, check-in,
certificates, team enrolments and trajectories. Thin: validate, call one service, map ServiceError."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import scoping
from accounts.http import AuthedRequest
from accounts.roles import Capability
from core.csvexport import csv_response
from core.errors import ServiceError
from core.forms import apply_service_error
from core.redirects import redirect_next
from core.urls import absolute_url
from courses import access, approval, completion, feeds, followup, ical, pdf, queries, records, services
from courses.forms import CatalogueFilterForm, CodeForm, EvaluationForm, NameTeacherForm, ReserveForm
from courses.models import (
    ACTIVE_STATUSES,
    Certificate,
    Edition,
    EditionStatus,
    Enrolment,
    EnrolmentStatus,
    Interest,
    Participant,
    SeatReservation,
    Theme,
    Trajectory,
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


@login_required
def my_courses(request: AuthedRequest) -> HttpResponse:
    enrolments = list(
        approval.with_trail(services.with_waitlist_position(Enrolment.objects.filter(teacher=request.user)))
        .select_related("edition__module", "certificate", "evaluation")
        .order_by("edition__starts_at", "pk")
    )
    now = timezone.now()
    groups: dict[str, list[Enrolment]] = {
        "upcoming": [],
        "offered": [],
        "waitlisted": [],
        "pending": [],
        "past": [],
    }
    for e in enrolments:
        e.cancel_refusal = followup.why_not_cancellable(e, now)  # type: ignore[attr-defined]  # for the template
        if e.status == EnrolmentStatus.OFFERED:
            groups["offered"].append(e)
        elif e.status == EnrolmentStatus.WAITLISTED:
            groups["waitlisted"].append(e)
        elif e.status == EnrolmentStatus.PENDING_APPROVAL:
            groups["pending"].append(e)
        elif e.status == EnrolmentStatus.CONFIRMED and not (e.edition.ends_at and e.edition.ends_at <= now):
            groups["upcoming"].append(e)
        elif e.status == EnrolmentStatus.CONFIRMED:
            groups["past"].append(e)
    groups["past"].reverse()
    return render(
        request,
        "courses/my_courses.html",
        {
            **groups,
            "certificates": Certificate.objects.filter(teacher=request.user, participant__isnull=False),
            "feed_url": absolute_url(
                reverse("courses:ical_feed", args=[feeds.token_for(request.user)]), request
            ),
        },
    )


@login_required
def pd_record(request: AuthedRequest) -> HttpResponse:
    lines, total, certificates = completion.pd_record(request.user)
    if request.GET.get("format") == "csv":
        rows = records.pd_record_rows(request.user)
        return csv_response("pd-record.csv", rows)
    return render(
        request,
        "courses/pd_record.html",
        {"lines": lines, "total": total, "certificates": certificates, "themes": dict(Theme.choices)},
    )


@login_required
@require_POST
def reset_feed(request: AuthedRequest) -> HttpResponse:
    feeds.renew(request.user)
    messages.success(request, _("Your calendar link has been renewed; the old link no longer works."))
    return redirect("courses:my_courses")


def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Public by design (calendar apps cannot log in): the token (random, or signed before a renewal) is the
    credential."""
    user = feeds.user_for(token)
    if user is None:
        raise Http404
    meetings, cancelled = queries.calendar_meetings(user)
    body = ical.calendar(meetings, name=_("My courses · Overstap"), cancelled_ids=cancelled, feed=True)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="overstap.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: AuthedRequest) -> HttpResponse:
    form = CodeForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                attendance = completion.check_in(request.user, form.cleaned_data["code"])
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("You are checked in for %(title)s.") % {"title": attendance.meeting.edition},
                )
                return redirect("courses:check_in")
        status = 400
    return render(request, "courses/check_in.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request: AuthedRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(
        Enrolment.objects.filter(teacher=request.user).select_related("edition__module"), pk=pk
    )
    if reason := completion.why_no_evaluation(enrolment):  # a future edition: say why, show no form
        return render(request, "courses/evaluate.html", {"enrolment": enrolment, "reason": reason})
    form = EvaluationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                completion.submit_evaluation(request.user, enrolment, **form.cleaned_data)
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Thank you for your evaluation."))
                return redirect("courses:my_courses")
        status = 400
    return render(request, "courses/evaluate.html", {"form": form, "enrolment": enrolment}, status=status)


@login_required
def certificate_pdf(request: AuthedRequest, code: str) -> HttpResponse:
    certificate = get_object_or_404(
        Certificate.objects.select_related("teacher"), code=code, teacher=request.user
    )
    response = HttpResponse(
        pdf.certificate_pdf(certificate, request.LANGUAGE_CODE, request), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


def verify(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Public: anyone holding a certificate's code can check it is genuine."""
    if code is None and request.GET.get("code"):
        return redirect("courses:verify", code=request.GET["code"].strip().upper()[:16])
    certificate = None
    if code is not None:
        certificate = Certificate.objects.select_related("teacher").filter(code=code.strip().upper()).first()
    form = CodeForm(initial={"code": code or ""})
    return render(
        request,
        "courses/verify.html",
        {"form": form, "certificate": certificate, "code": code},
        status=404 if code is not None and certificate is None else 200,
    )


# --- School staff: approvals and reservations --------------------------------------------------------------


@login_required
def school_enrolments(request: AuthedRequest) -> HttpResponse:
    if not scoping.can(request.user, Capability.RESERVE_SEATS):
        raise Http404
    schools = scoping.scope(Enrolment.objects.all(), request.user, Capability.RESERVE_SEATS, field="school")
    pending = schools.filter(status=EnrolmentStatus.PENDING_APPROVAL).exclude(approval_stage="organiser")
    pending = pending.select_related("teacher", "edition__module")
    team = schools.filter(status__in=ACTIVE_STATUSES).exclude(status=EnrolmentStatus.PENDING_APPROVAL)
    reservations = list(
        scoping.scope(
            SeatReservation.objects.filter(status=SeatReservation.Status.ACTIVE),
            request.user,
            Capability.RESERVE_SEATS,
            field="school",
        ).select_related("edition__module", "school")
    )
    for r in reservations:
        r.form = NameTeacherForm(  # type: ignore[attr-defined]  # for the template
            school=r.school, prefix=f"r{r.pk}"
        )
    return render(
        request,
        "courses/school_enrolments.html",
        {
            "pending": pending,
            "team": team.select_related("teacher", "edition__module", "school").order_by(
                "edition__starts_at"
            ),
            "reservations": reservations,
        },
    )


@login_required
@require_POST
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(
        scoping.scope(Enrolment.objects.all(), request.user, Capability.RESERVE_SEATS, field="school"), pk=pk
    )
    try:
        services.decide_approval(request.user, enrolment, approve=request.POST.get("decision") == "approve")
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Decision saved."))
    return redirect("courses:school_enrolments")


@login_required
@require_POST
def name_teacher(request: AuthedRequest, pk: int) -> HttpResponse:
    reservation = get_object_or_404(
        scoping.scope(SeatReservation.objects.all(), request.user, Capability.RESERVE_SEATS, field="school"),
        pk=pk,
    )
    form = NameTeacherForm(request.POST, school=reservation.school, prefix=f"r{reservation.pk}")
    if form.is_valid():
        try:
            services.name_teacher(request.user, reservation, form.cleaned_data["teacher"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The teacher has a confirmed place."))
    else:
        messages.error(request, _("Choose a teacher of your school."))
    return redirect("courses:school_enrolments")


@login_required
@require_POST
def release_reservation(request: AuthedRequest, pk: int) -> HttpResponse:
    reservation = get_object_or_404(
        scoping.scope(SeatReservation.objects.all(), request.user, Capability.RESERVE_SEATS, field="school"),
        pk=pk,
    )
    try:
        services.release_reservation(request.user, reservation)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The unnamed seats have been released."))
    return redirect("courses:school_enrolments")


# --- Trajectories ------------------------------------------------------------------------------------------


def _trajectories(request: AuthedRequest) -> QuerySet[Trajectory]:
    organised = access.organised_q(request.user)
    q = organised if organised is not None else None
    mine = Trajectory.objects.filter(cohorts__participants__staff_member=request.user)
    reserve = scoping.reach(request.user, Capability.RESERVE_SEATS)
    by_school = (
        scoping.scope(
            Trajectory.objects.all(),
            request.user,
            Capability.RESERVE_SEATS,
            field="cohorts__participants__school",
        )
        if not reserve.empty
        else Trajectory.objects.none()
    )
    qs = mine | by_school
    if q is not None:
        qs = qs | Trajectory.objects.filter(q)
    return qs.distinct()


@login_required
@require_POST
def participant_plan(request: AuthedRequest, pk: int) -> HttpResponse:
    """The staff member saves their plan (``plan`` field) or the organiser approves it (``approve``)."""
    participant = get_object_or_404(
        Participant.objects.filter(cohort__trajectory__in=_trajectories(request)).select_related("cohort"),
        pk=pk,
    )
    try:
        if "approve" in request.POST:
            completion.approve_plan(request.user, participant)
            messages.success(request, _("The personal plan is approved."))
        else:
            completion.save_plan(request.user, participant, request.POST.get("plan", ""))
            messages.success(request, _("Your personal plan is saved."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("courses:trajectory_detail", pk=participant.cohort.trajectory_id)


@login_required
def trajectory_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request, "courses/trajectory_list.html", {"trajectories": _trajectories(request).order_by("title")}
    )


@login_required
def trajectory_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    trajectory = get_object_or_404(_trajectories(request), pk=pk)
    can_organise = scoping.can(request.user, Capability.ORGANISE_COURSES, trajectory.organiser)
    cohorts = trajectory.cohorts.prefetch_related(
        Prefetch("participants", queryset=Participant.objects.select_related("school", "staff_member"))
    )
    rows = []
    for cohort in cohorts:
        participants = []
        for p in cohort.participants.all():
            if not (
                can_organise
                or p.staff_member_id == request.user.pk
                or scoping.can(request.user, Capability.RESERVE_SEATS, p.school)
            ):
                continue
            progress = completion.participant_progress(p)
            participants.append(
                {
                    "p": p,
                    "progress": progress,
                    "done": sum(s.done for s in progress),
                    "not_yet": completion.why_not_certifiable(p, progress),
                }
            )
        rows.append({"cohort": cohort, "participants": participants})
    return render(
        request,
        "courses/trajectory_detail.html",
        {
            "trajectory": trajectory,
            "steps": trajectory.steps.select_related("module"),
            "rows": rows,
            "can_organise": can_organise,
        },
    )
