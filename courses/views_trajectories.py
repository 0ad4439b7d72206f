"""Trajectories: the list and a trajectory's cohorts with each participant's progress, and the
participant's personal plan (saved by the staff member, approved by the organiser)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scoping
from accounts.http import AuthedRequest
from accounts.roles import Capability
from core.errors import ServiceError
from courses import access, completion
from courses.models import (
    Participant,
    Trajectory,
)


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
