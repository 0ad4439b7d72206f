"""Verbs after enrolment: attendance (sheet and check-in code), completion with a certificate and PD hours,
evaluations, and trajectory progress. One transaction each, like ``courses/services/``."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import User
from accounts.roles import Capability
from core import outbox
from core.errors import Conflict, Forbidden, ServiceError
from courses import access
from courses.models import (
    Attendance,
    Certificate,
    Edition,
    EditionStatus,
    Enrolment,
    EnrolmentMessage,
    EnrolmentStatus,
    Evaluation,
    Meeting,
    Participant,
    school_year,
)
from courses.services import locking, transition

# Teachers may check in from a quarter of an hour before the start (arriving at the venue) until two
# hours after the end (the code is still on the screen while people pack up); outside that the code is
# refused, so a code passed on to an absent colleague stops working the same day.
CHECKIN_EARLY = timedelta(minutes=15)
CHECKIN_LATE = timedelta(hours=2)


def _require_organiser(actor: User, edition: Edition) -> None:
    if not access.can_organise(actor, edition.module):
        raise Forbidden(_("You do not organise this edition."), code="not_organiser")


@transaction.atomic
def mark_attendance(actor: User, meeting: Meeting, present_ids: set[int]) -> int:
    """The organiser's sheet: every confirmed participant is marked present (id in ``present_ids``) or
    absent. Ids that are not confirmed participants are refused as a whole. Returns how many present."""
    meeting = Meeting.objects.select_related("edition__module").get(pk=meeting.pk)
    _require_organiser(actor, meeting.edition)
    if not meeting.has_started:
        raise ServiceError(
            _("Attendance can be taken once the meeting has started."), code="not_started", field="meeting"
        )
    if meeting.edition.status == EditionStatus.CANCELLED:
        raise Conflict(_("This edition has been cancelled."), code="cancelled")
    if meeting.cancelled_at is not None:
        raise Conflict(_("This meeting has been cancelled."), code="meeting_cancelled")
    participants = set(
        Enrolment.objects.filter(edition=meeting.edition, status=EnrolmentStatus.CONFIRMED).values_list(
            "pk", flat=True
        )
    )
    unknown = set(present_ids) - participants
    if unknown:
        raise ServiceError(
            _("Some of the marked people are not participants of this edition."),
            code="invalid",
            field="present",
        )
    now = timezone.now()
    existing = {a.enrolment_id: a for a in Attendance.objects.filter(meeting=meeting)}
    create, update = [], []
    for enrolment_id in sorted(participants):
        present = enrolment_id in present_ids
        row = existing.get(enrolment_id)
        if row is None:
            create.append(
                Attendance(
                    enrolment_id=enrolment_id,
                    meeting=meeting,
                    present=present,
                    method=Attendance.Method.SHEET,
                    marked_by=actor,
                    marked_at=now,
                )
            )
        elif row.present != present:
            row.present, row.method, row.marked_by, row.marked_at = (
                present,
                Attendance.Method.SHEET,
                actor,
                now,
            )
            update.append(row)
    Attendance.objects.bulk_create(create)
    Attendance.objects.bulk_update(update, ["present", "method", "marked_by", "marked_at"])
    return len(present_ids)


@transaction.atomic
def check_in(teacher: User, code: str) -> Attendance:
    """A teacher enters the meeting's short code on their phone."""
    code = (code or "").strip().upper().replace(" ", "")
    meeting = (
        Meeting.objects.select_related("edition")
        .filter(
            checkin_code=code,
            cancelled_at__isnull=True,
            edition__enrolments__teacher=teacher,
            edition__enrolments__status=EnrolmentStatus.CONFIRMED,
        )
        .first()
    )
    if meeting is None:
        raise ServiceError(
            _("This code does not match a meeting you are enrolled in."), code="wrong_code", field="code"
        )
    now = timezone.now()
    if now < meeting.starts_at - CHECKIN_EARLY:
        raise ServiceError(_("This meeting has not started yet."), code="not_started", field="code")
    if now > meeting.ends_at + CHECKIN_LATE:
        raise ServiceError(_("Check-in for this meeting has closed."), code="closed", field="code")
    enrolment = Enrolment.objects.get(
        edition=meeting.edition, teacher=teacher, status=EnrolmentStatus.CONFIRMED
    )
    attendance, _created = Attendance.objects.update_or_create(
        enrolment=enrolment,
        meeting=meeting,
        defaults={"present": True, "method": Attendance.Method.CODE, "marked_by": teacher, "marked_at": now},
    )
    return attendance


def required_meetings(edition: Edition, meeting_count: int) -> int:
    if edition.required_meetings is None:
        return meeting_count
    return min(edition.required_meetings, meeting_count)


@transaction.atomic
def complete_edition(actor: User, edition: Edition) -> list[Certificate]:
    """After the last meeting: every confirmed participant who attended the required meetings gets a
    certificate and the module's hours on their PD record; the edition becomes completed. Repeatable per
    participant (a certificate exists once per enrolment)."""
    edition = locking._lock_edition(edition.pk)
    _require_organiser(actor, edition)
    if not edition.has_ended:
        raise ServiceError(_("The edition can be completed after its last meeting."), code="not_ended")
    transition(edition, EditionStatus.COMPLETED)
    module = edition.module
    needed = required_meetings(edition, edition.meetings.filter(cancelled_at__isnull=True).count())
    enrolments = (
        Enrolment.objects.filter(edition=edition, status=EnrolmentStatus.CONFIRMED, certificate__isnull=True)
        .annotate(attended=Count("attendances", filter=Q(attendances__present=True)))
        .filter(attended__gte=needed)
    )
    completed_on = timezone.localdate(edition.ends_at)
    certificates = []
    for enrolment in enrolments:
        certificates.append(
            Certificate.objects.create(
                teacher_id=enrolment.teacher_id,
                enrolment=enrolment,
                title=str(edition),
                theme=module.primary_theme,
                hours=module.pd_hours,
                self_study_hours=module.self_study_hours,
                activity_type=module.activity_type,
                completed_on=completed_on,
                school_year=school_year(completed_on),
            )
        )
        outbox.enqueue("courses.send_enrolment_message", enrolment.pk, EnrolmentMessage.Kind.CERTIFICATE)
    return certificates


def why_no_evaluation(enrolment: Enrolment) -> str:
    """Why ``enrolment`` cannot be evaluated (yet); empty when it can. Pages show it instead of the form."""
    if enrolment.status != EnrolmentStatus.CONFIRMED or not enrolment.edition.has_ended:
        return _("You can evaluate an edition you took part in once it has ended.")
    return ""


@transaction.atomic
def submit_evaluation(teacher: User, enrolment: Enrolment, *, rating: int, comments: str = "") -> Evaluation:
    enrolment = Enrolment.objects.select_related("edition").select_for_update().get(pk=enrolment.pk)
    if enrolment.teacher_id != teacher.pk:
        raise Forbidden(_("This enrolment is not yours."), code="not_yours")
    if reason := why_no_evaluation(enrolment):
        raise ServiceError(reason, code="not_ended")
    if not 1 <= rating <= 5:
        raise ServiceError(_("Give a rating from 1 to 5."), code="invalid", field="rating")
    if Evaluation.objects.filter(enrolment=enrolment).exists():
        raise Conflict(_("You have already evaluated this edition."), code="already_evaluated")
    return Evaluation.objects.create(enrolment=enrolment, rating=rating, comments=comments.strip())


@dataclass
class EvaluationSummary:
    count: int
    average: float | None
    distribution: list[tuple[int, int]]  # (rating, count) for 5..1
    comments: list[str]


def evaluation_summary(edition: Edition) -> EvaluationSummary:
    rows = Evaluation.objects.filter(enrolment__edition=edition)
    agg = rows.aggregate(n=Count("pk"), avg=Avg("rating"))
    counts = dict(rows.values_list("rating").annotate(n=Count("pk")).values_list("rating", "n"))
    return EvaluationSummary(
        count=agg["n"],
        average=round(agg["avg"], 1) if agg["avg"] is not None else None,
        distribution=[(r, counts.get(r, 0)) for r in range(5, 0, -1)],
        comments=[c for c in rows.order_by("created_at").values_list("comments", flat=True) if c],
    )


# --- PD record -----------------------------------------------------------------------------------------


@dataclass
class RecordLine:
    school_year: str
    theme: str
    hours: Decimal


def pd_record(user: User) -> tuple[list[RecordLine], Decimal, list[Certificate]]:
    """Hours per school year per theme (newest year first), the total, and the certificates behind them."""
    certificates = list(Certificate.objects.filter(teacher=user).order_by("-completed_on", "pk"))
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for c in certificates:
        totals[(c.school_year, c.theme)] += c.hours
    lines = [
        RecordLine(year, theme, hours)
        for (year, theme), hours in sorted(totals.items(), key=lambda kv: (kv[0][0], kv[0][1]), reverse=True)
    ]
    return lines, sum((c.hours for c in certificates), Decimal("0")), certificates


# --- Trajectories --------------------------------------------------------------------------------------


@dataclass
class StepProgress:
    module_title: str
    year: int
    done: bool


def participant_progress(participant: Participant) -> list[StepProgress]:
    steps = list(participant.cohort.trajectory.steps.select_related("module"))
    done_modules = set(
        Certificate.objects.filter(
            teacher=participant.staff_member, enrolment__edition__module__in=[s.module_id for s in steps]
        ).values_list("enrolment__edition__module_id", flat=True)
    )
    return [StepProgress(s.module.title, s.year, s.module_id in done_modules) for s in steps]


def _require_trajectory_organiser(actor: User, participant: Participant) -> None:
    if not scoping.can(actor, Capability.ORGANISE_COURSES, participant.cohort.trajectory.organiser):
        raise Forbidden(_("You do not organise this trajectory."), code="not_organiser")


@transaction.atomic
def save_plan(staff_member: User, participant: Participant, text: str) -> Participant:
    """The designated staff member writes their personal plan; a changed plan needs approval again."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.staff_member_id != staff_member.pk:
        raise Forbidden(_("Only the designated staff member writes this plan."), code="not_yours")
    if participant.completed_at is not None:
        raise Conflict(_("This participant has already completed the trajectory."), code="already_done")
    text = text.strip()
    if not text:
        raise ServiceError(_("Write a plan before saving it."), code="required", field="personal_plan")
    if text != participant.personal_plan:
        participant.personal_plan = text
        participant.plan_approved_at = None
        participant.save(update_fields=["personal_plan", "plan_approved_at"])
    return participant


@transaction.atomic
def approve_plan(actor: User, participant: Participant) -> Participant:
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("cohort__trajectory__organiser")
        .get(pk=participant.pk)
    )
    _require_trajectory_organiser(actor, participant)
    if not participant.personal_plan:
        raise ServiceError(_("There is no plan to approve yet."), code="no_plan")
    participant.plan_approved_at = timezone.now()
    participant.save(update_fields=["plan_approved_at"])
    return participant


def why_not_certifiable(participant: Participant, progress: list[StepProgress]) -> str:
    """Why ``participant`` cannot be certified yet (``progress`` from ``participant_progress``); empty when
    they can. Pages show it in place of the button."""
    if not all(step.done for step in progress):
        return _("Not every step of the trajectory is done yet.")
    if participant.plan_approved_at is None:
        return _("The personal plan has not been approved yet.")
    return ""


@transaction.atomic
def complete_participant(actor: User, participant: Participant) -> Certificate:
    """Certify the designated staff member once every step is done and the personal plan approved."""
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("cohort__trajectory__organiser")
        .get(pk=participant.pk)
    )
    trajectory = participant.cohort.trajectory
    _require_trajectory_organiser(actor, participant)
    if participant.completed_at is not None:
        raise Conflict(_("This participant has already completed the trajectory."), code="already_done")
    progress = participant_progress(participant)
    if reason := why_not_certifiable(participant, progress):
        raise ServiceError(reason, code="steps_open" if not all(s.done for s in progress) else "plan_open")
    now = timezone.now()
    participant.completed_at = now
    participant.save(update_fields=["completed_at"])
    today = timezone.localdate(now)
    return Certificate.objects.create(
        teacher=participant.staff_member,
        participant=participant,
        title=trajectory.title,
        theme=trajectory.theme,
        hours=trajectory.pd_hours,
        completed_on=today,
        school_year=school_year(today),
    )
