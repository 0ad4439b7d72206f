"""Approvals of sign-ups (school leaders, their deputies, organisers), and approvers' absences with
their deputies."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scoping
from accounts.http import AuthedRequest
from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind
from core.errors import ServiceError
from core.forms import apply_service_error
from courses import approval
from courses.forms_flow import (
    AbsenceForm,
)
from courses.models import (
    ApproverAbsence,
    EnrolmentStatus,
)


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
