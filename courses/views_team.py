"""The school staff's pages: approve their teachers' enrolments, name teachers on reserved seats,
release what the school does not need."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scoping
from accounts.http import AuthedRequest
from accounts.roles import Capability
from core.errors import ServiceError
from courses import services
from courses.forms import NameTeacherForm
from courses.models import (
    ACTIVE_STATUSES,
    Enrolment,
    EnrolmentStatus,
    SeatReservation,
)


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
