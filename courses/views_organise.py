"""Pages for organisers (ORGANISE_COURSES, scoped by the organiser organisation's reach): editions with
fill rates, creating modules, editions and meetings, publishing, capacity, cancelling, participants and
waitlist, CSV export, attendance sheets and completion."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts import scoping
from accounts.http import AuthedRequest
from accounts.roles import Capability
from core.charts import bar_chart
from core.csvexport import csv_response
from core.errors import ServiceError
from core.forms import apply_service_error
from core.reauth import require_recent_login
from courses import access, changes, completion, queries, services
from courses.forms import (
    AttendanceForm,
    CancelEditionForm,
    CapacityForm,
    EditionEditForm,
    EditionForm,
    ModuleForm,
    YearForm,
)
from courses.forms_changes import MeetingChangeForm
from courses.models import (
    Attendance,
    Edition,
    EditionStatus,
    Enrolment,
    EnrolmentStatus,
    Meeting,
    Participant,
)


def organiser_or_404(request: AuthedRequest) -> None:
    if not scoping.can(request.user, Capability.ORGANISE_COURSES):
        raise Http404


def _edition_or_404(request: AuthedRequest, pk: int) -> queries.SeatedEdition:
    organiser_or_404(request)
    return get_object_or_404(
        queries.annotate_seats(access.organised_editions(request.user)).select_related("module__organiser"),
        pk=pk,
    )


@login_required
def organise(request: AuthedRequest) -> HttpResponse:
    organiser_or_404(request)
    year = YearForm(request.GET).year_or(timezone.localdate().year)
    editions = list(
        queries.annotate_seats(access.organised_editions(request.user))
        .filter(Q(starts_at__year=year) | Q(starts_at__isnull=True))
        .select_related("module")
        .annotate(evaluations=Count("enrolments__evaluation"))
        .order_by("starts_at", "pk")
    )
    for edition in editions:
        edition.fill = queries.fill_rate(edition)  # type: ignore[attr-defined]  # for the template
    dated = [e for e in editions if e.starts_at and e.status != EditionStatus.CANCELLED]
    chart = bar_chart(
        _("Fill rate of editions in %(year)d") % {"year": year},
        [
            (
                f"{formats.date_format(timezone.localtime(e.starts_at), 'SHORT_DATE_FORMAT')} {e.module.title}",
                e.fill,  # type: ignore[attr-defined]
            )
            for e in dated
        ],
        unit="%",
        maximum=100,
        target=100,
    )
    return render(
        request,
        "courses/organise.html",
        {
            "editions": editions,
            "chart": chart if dated else None,
            "dated": dated,
            "year": year,
            "years": [year - 1, year, year + 1],
            "modules": access.organised_modules(request.user).order_by("title"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def module_create(request: AuthedRequest) -> HttpResponse:
    organiser_or_404(request)
    form = ModuleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            module = services.create_module(request.user, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Module created. Add an edition with dates next."))
            return redirect("courses:edition_create", pk=module.pk)
    return render(
        request,
        "courses/form_page.html",
        {"form": form, "title": _("New module")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edition_create(request: AuthedRequest, pk: int) -> HttpResponse:
    organiser_or_404(request)
    module = get_object_or_404(access.organised_modules(request.user), pk=pk)
    form = EditionForm(request.POST or None, initial={"offer_hours": 48, "promotion_mode": "immediate"})
    if request.method == "POST" and form.is_valid():
        try:
            edition = services.create_edition(request.user, module, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Edition created as a draft. Add its meetings, then publish it."))
            return redirect("courses:edition_manage", pk=edition.pk)
    return render(
        request,
        "courses/form_page.html",
        {"form": form, "title": _("New edition of %(title)s") % {"title": module.title}},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edition_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    edition = _edition_or_404(request, pk)
    form = EditionEditForm(request.POST or None, instance=edition)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_edition(request.user, edition, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The edition was saved."))
            return redirect("courses:edition_manage", pk=edition.pk)
    return render(
        request,
        "courses/form_page.html",
        {"form": form, "title": _("Edit %(edition)s") % {"edition": edition}},
        status=400 if form.errors else 200,
    )


def _manage_context(
    request: AuthedRequest, edition: queries.SeatedEdition, **forms: object
) -> dict[str, object]:
    enrolments = list(
        services.with_waitlist_position(Enrolment.objects.filter(edition=edition))
        .select_related("teacher", "school")
        .annotate(attended=Count("attendances", filter=Q(attendances__present=True)))
        .order_by("queued_at", "pk")
    )
    meetings = list(
        edition.meetings.annotate(present=Count("attendances", filter=Q(attendances__present=True)))
    )
    return {
        "edition": edition,
        "module": edition.module,
        "fill": queries.fill_rate(edition),
        "participants": [
            e for e in enrolments if e.status in (EnrolmentStatus.CONFIRMED, EnrolmentStatus.OFFERED)
        ],
        "waitlist": [e for e in enrolments if e.status == EnrolmentStatus.WAITLISTED],
        "pending": [e for e in enrolments if e.status == EnrolmentStatus.PENDING_APPROVAL],
        "meetings": meetings,
        "reservations": edition.reservations.select_related("school").order_by("created_at"),
        "summary": completion.evaluation_summary(edition),
        "capacity_form": forms.get("capacity_form") or CapacityForm(initial={"capacity": edition.capacity}),
        "meeting_form": forms.get("meeting_form") or MeetingChangeForm(),
        "cancel_form": forms.get("cancel_form") or CancelEditionForm(),
        "errors": forms.get("errors", []),
        "required": completion.required_meetings(edition, len(meetings)),
    }


@login_required
def edition_manage(request: AuthedRequest, pk: int) -> HttpResponse:
    edition = _edition_or_404(request, pk)
    return render(request, "courses/edition_manage.html", _manage_context(request, edition))


def _refused(request: AuthedRequest, edition: Edition, **forms: object) -> HttpResponse:
    edition = _edition_or_404(request, edition.pk)  # fresh counts after the refused verb
    return render(
        request, "courses/edition_manage.html", _manage_context(request, edition, **forms), status=400
    )


@login_required
@require_POST
def meeting_add(request: AuthedRequest, pk: int) -> HttpResponse:
    edition = _edition_or_404(request, pk)
    form = MeetingChangeForm(request.POST)
    if form.is_valid():
        try:
            changes.add_meeting(request.user, edition, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Meeting added."))
            return redirect("courses:edition_manage", pk=pk)
    return _refused(request, edition, meeting_form=form)


@login_required
@require_POST
def publish(request: AuthedRequest, pk: int) -> HttpResponse:
    edition = _edition_or_404(request, pk)
    try:
        services.publish_edition(request.user, edition)
    except ServiceError as exc:
        return _refused(request, edition, errors=[exc.message])
    messages.success(request, _("The edition is published; people on the interest list are invited."))
    return redirect("courses:edition_manage", pk=pk)


@login_required
@require_POST
def capacity(request: AuthedRequest, pk: int) -> HttpResponse:
    edition = _edition_or_404(request, pk)
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            promoted = services.change_capacity(request.user, edition, form.cleaned_data["capacity"])
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Capacity saved; %(n)d person moved up from the waitlist.",
                    "Capacity saved; %(n)d people moved up from the waitlist.",
                    len(promoted),
                )
                % {"n": len(promoted)},
            )
            return redirect("courses:edition_manage", pk=pk)
    return _refused(request, edition, capacity_form=form)


@login_required
@require_POST
def cancel_edition(request: AuthedRequest, pk: int) -> HttpResponse:
    edition = _edition_or_404(request, pk)
    form = CancelEditionForm(request.POST)
    if form.is_valid():
        try:
            released = changes.cancel_edition(request.user, edition, form.cleaned_data["reason"])
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Edition cancelled; %(n)d person has been told.",
                    "Edition cancelled; %(n)d people have been told.",
                    released,
                )
                % {"n": released},
            )
            return redirect("courses:edition_manage", pk=pk)
    return _refused(request, edition, cancel_form=form)


@login_required
@require_POST
def complete(request: AuthedRequest, pk: int) -> HttpResponse:
    edition = _edition_or_404(request, pk)
    try:
        certificates = completion.complete_edition(request.user, edition)
    except ServiceError as exc:
        return _refused(request, edition, errors=[exc.message])
    messages.success(request, _("Edition completed; %(n)d certificates issued.") % {"n": len(certificates)})
    return redirect("courses:edition_manage", pk=pk)


@login_required
def participants_csv(request: AuthedRequest, pk: int) -> HttpResponse:
    edition = _edition_or_404(request, pk)
    require_recent_login(request)  # names and e-mail addresses leave the site
    enrolments = (
        services.with_waitlist_position(Enrolment.objects.filter(edition=edition))
        .select_related("teacher", "school")
        .annotate(attended=Count("attendances", filter=Q(attendances__present=True)))
        .order_by("status", "queued_at", "pk")
    )
    rows: list[list[object]] = [
        [
            _("Name"),
            _("E-mail"),
            _("School"),
            _("Status"),
            _("Waitlist position"),
            _("Meetings attended"),
            _("Enrolled at"),
        ]
    ]
    for e in enrolments:
        rows.append(
            [
                e.teacher.get_full_name(),
                e.teacher.email,
                e.school.name if e.school else "",
                e.get_status_display(),
                e.waitlist_rank if e.status == EnrolmentStatus.WAITLISTED else "",
                e.attended,
                timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return csv_response(f"edition-{edition.pk}-participants.csv", rows)


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: AuthedRequest, pk: int) -> HttpResponse:
    organiser_or_404(request)
    meeting = get_object_or_404(
        Meeting.objects.filter(edition__in=access.organised_editions(request.user)).select_related(
            "edition__module"
        ),
        pk=pk,
    )
    participants = list(
        Enrolment.objects.filter(edition=meeting.edition, status=EnrolmentStatus.CONFIRMED)
        .select_related("teacher", "school")
        .order_by("teacher__last_name", "teacher__first_name")
    )
    marked = {a.enrolment_id: a for a in Attendance.objects.filter(meeting=meeting)}
    choices = [(e.pk, e.teacher.get_full_name() or e.teacher.email) for e in participants]
    form = AttendanceForm(
        request.POST or None,
        choices=choices,
        initial={"present": [pk_ for pk_, a in marked.items() if a.present]},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                count = completion.mark_attendance(request.user, meeting, set(form.cleaned_data["present"]))
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Attendance saved: %(n)d present.") % {"n": count})
                return redirect("courses:attendance", pk=meeting.pk)
        status = 400
    rows = [{"enrolment": e, "attendance": marked.get(e.pk)} for e in participants]
    return render(
        request,
        "courses/attendance.html",
        {"meeting": meeting, "edition": meeting.edition, "form": form, "rows": rows},
        status=status,
    )


@login_required
@require_POST
def complete_participant(request: AuthedRequest, pk: int) -> HttpResponse:
    organiser_or_404(request)
    participant = get_object_or_404(
        Participant.objects.filter(
            cohort__trajectory__organiser__in=scoping.reach(
                request.user, Capability.ORGANISE_COURSES
            ).organisations()
        ).select_related("cohort"),
        pk=pk,
    )
    try:
        completion.complete_participant(request.user, participant)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Trajectory completed; the certificate is issued."))
    return redirect("courses:trajectory_detail", pk=participant.cohort.trajectory_id)
