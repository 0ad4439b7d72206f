"""Sign-up approval as schools organise it: one or two stages (the school leader, then the organiser), a
deputy who approves while the school's approver is away, reminders to approvers with pending requests,
and the trail the teacher reads ("approved by the school on ..., awaiting the organiser").

The seat rules are enrolment's own: the last approval places the teacher with ``services.enrolling._place`` under
the same edition row lock as ``enrol`` (a seat if one is free and the school is under its limit, else
the end of the waitlist). Every decision is a row in the append-only ``ApprovalDecision``.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import scoping
from accounts.models import Membership, Organisation, User
from accounts.roles import CAPABILITIES, Capability, OrganisationKind
from core import notify
from core.errors import Conflict, Forbidden, ServiceError
from core.urls import absolute_url
from courses import access
from courses.models import (
    ENROLMENT_TRANSITIONS,
    ApprovalDecision,
    ApprovalReminder,
    ApprovalStage,
    ApproverAbsence,
    EditionStatus,
    Enrolment,
    EnrolmentMessage,
    EnrolmentStatus,
)
from courses.services import enrolling, locking

Decision = ApprovalDecision.Decision


def _roles_with(capability: Capability) -> set[str]:
    return {role for role, caps in CAPABILITIES.items() if capability in caps}


def active_absences(today: date | None = None) -> QuerySet[ApproverAbsence]:
    today = today or timezone.localdate()
    return ApproverAbsence.objects.filter(starts_on__lte=today, ends_on__gte=today)


def _authority(actor: User, enrolment: Enrolment, stage: str) -> User | None:
    """Whether ``actor`` decides this stage; returns the absent approver when ``actor`` is a deputy."""
    if stage == ApprovalStage.ORGANISER:
        if not access.can_organise(actor, enrolment.edition.module):
            raise Forbidden(_("The organiser approves this stage."), code="not_organiser")
        return None
    if scoping.can(actor, Capability.RESERVE_SEATS, enrolment.school):
        return None
    absence = (
        active_absences().filter(school=enrolment.school, deputy=actor).select_related("approver").first()
    )
    if absence is None:
        raise Forbidden(_("You cannot approve enrolments for this school."), code="not_school_staff")
    return absence.approver


@transaction.atomic
def decide(actor: User, enrolment: Enrolment, *, approve: bool) -> Enrolment:
    """Record the decision of the stage the request awaits; the last approval takes a seat or a place on
    the waitlist exactly as ``enrol`` would, under the edition lock."""
    edition, enrolment = locking._lock_enrolment(enrolment.pk)
    if enrolment.status != EnrolmentStatus.PENDING_APPROVAL:
        raise Conflict(_("This enrolment is not awaiting approval."), code="not_pending")
    stage = enrolment.approval_stage or ApprovalStage.SCHOOL  # rows from before the stages
    enrolment.edition = edition
    on_behalf_of = _authority(actor, enrolment, stage)
    if approve and edition.status != EditionStatus.PUBLISHED:
        raise ServiceError(_("This edition is not open for enrolment."), code="not_published")
    ApprovalDecision.objects.create(
        enrolment=enrolment,
        stage=stage,
        decision=Decision.APPROVED if approve else Decision.REJECTED,
        decided_by=actor,
        on_behalf_of=on_behalf_of,
    )
    if not approve:
        ENROLMENT_TRANSITIONS.move(enrolment, EnrolmentStatus.REJECTED)
        enrolment.approval_stage = ""
        enrolment.cancelled_at = timezone.now()
        enrolment.save(update_fields=["status", "approval_stage", "cancelled_at"])
        enrolling._message(enrolment, EnrolmentMessage.Kind.CANCELLATION)
        return enrolment
    if stage == ApprovalStage.SCHOOL and edition.requires_organiser_approval:
        enrolment.approval_stage = ApprovalStage.ORGANISER
        enrolment.save(update_fields=["approval_stage"])
        return enrolment
    enrolling._place(edition, enrolment)
    enrolment.save(update_fields=["status", "approval_stage", "queued_at", "confirmed_at"])
    enrolling._message(
        enrolment,
        EnrolmentMessage.Kind.CONFIRMATION
        if enrolment.status == EnrolmentStatus.CONFIRMED
        else EnrolmentMessage.Kind.WAITLISTED,
    )
    return enrolment


def awaiting(user: User) -> QuerySet[Enrolment]:
    """The requests whose current stage this user decides: the school stage at schools where they
    approve or stand in for an absent approver, the organiser stage of editions they organise."""
    pending = Enrolment.objects.filter(status=EnrolmentStatus.PENDING_APPROVAL)
    q = Q(pk__in=[])
    reserve = scoping.reach(user, Capability.RESERVE_SEATS)
    school_stage = Q(approval_stage__in=[ApprovalStage.SCHOOL, ""])
    if reserve.everything:
        q |= school_stage
    elif reserve.paths:
        q |= school_stage & Q(school__in=reserve.organisations())
    deputy_for = list(active_absences().filter(deputy=user).values_list("school_id", flat=True))
    if deputy_for:
        q |= school_stage & Q(school_id__in=deputy_for)
    organised = access.organised_q(user, "edition__module__")
    if organised is not None:
        q |= Q(approval_stage=ApprovalStage.ORGANISER) & organised
    return pending.filter(q)


# --- What the teacher sees -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    detail: str


def with_trail(enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """``enrolments`` with what :func:`trail` reads, in one query for the whole list."""
    return enrolments.prefetch_related(
        Prefetch("decisions", queryset=ApprovalDecision.objects.select_related("decided_by", "on_behalf_of"))
    )


def _decisions(enrolment: Enrolment) -> list[ApprovalDecision]:
    prefetched = getattr(enrolment, "_prefetched_objects_cache", {}).get("decisions")
    if prefetched is not None:
        return list(prefetched)
    return list(enrolment.decisions.select_related("decided_by", "on_behalf_of"))


def trail(enrolment: Enrolment) -> list[Step]:
    """The stages of the request in order: decided ones with who and when, then the one it awaits."""
    edition = enrolment.edition
    stages: list[str] = [
        s
        for s, wanted in (
            (ApprovalStage.SCHOOL, edition.requires_school_approval),
            (ApprovalStage.ORGANISER, edition.requires_organiser_approval),
        )
        if wanted
    ]
    decisions = {d.stage: d for d in _decisions(enrolment)}
    for stage in decisions:
        if stage not in stages:
            stages.append(stage)
    steps: list[Step] = []
    for stage in stages:
        label = str(ApprovalStage(stage).label) if stage in ApprovalStage.values else stage
        decision = decisions.get(stage)
        if decision is None:
            current = (
                enrolment.status == EnrolmentStatus.PENDING_APPROVAL
                and (enrolment.approval_stage or ApprovalStage.SCHOOL) == stage
            )
            steps.append(Step(label, False, _("awaiting decision") if current else _("not yet")))
            continue
        when = timezone.localtime(decision.decided_at)
        detail = _("%(decision)s by %(name)s on %(date)s") % {
            "decision": decision.get_decision_display(),
            "name": decision.decided_by.get_full_name() or decision.decided_by.email
            if decision.decided_by
            else "-",
            "date": formats.date_format(when.date(), "SHORT_DATE_FORMAT"),
        }
        if decision.on_behalf_of is not None:
            detail += " " + _("(deputy for %(name)s)") % {
                "name": decision.on_behalf_of.get_full_name() or decision.on_behalf_of.email
            }
        steps.append(Step(label, True, detail))
    return steps


# --- Absences and deputies ----------------------------------------------------------------------------


def school_members(school: Organisation) -> QuerySet[User]:
    return User.objects.filter(memberships__organisation=school).distinct().order_by("last_name", "email")


def approvers_of(school: Organisation) -> QuerySet[User]:
    return (
        User.objects.filter(
            memberships__organisation=school, memberships__role__in=_roles_with(Capability.RESERVE_SEATS)
        )
        .distinct()
        .order_by("last_name", "email")
    )


@transaction.atomic
def record_absence(
    actor: User, school: Organisation, *, approver: User, deputy: User, starts_on: date, ends_on: date
) -> ApproverAbsence:
    """An approver (or a colleague who approves at the school) records that the approver is away and
    names the deputy who approves meanwhile."""
    if school.kind != OrganisationKind.SCHOOL or not scoping.can(actor, Capability.RESERVE_SEATS, school):
        raise Forbidden(_("You cannot manage approvals for this school."), code="not_school_staff")
    if not approvers_of(school).filter(pk=approver.pk).exists():
        raise ServiceError(_("Choose an approver of this school."), code="invalid", field="approver")
    if not school_members(school).filter(pk=deputy.pk).exists():
        raise ServiceError(_("Choose a member of this school."), code="invalid", field="deputy")
    if deputy.pk == approver.pk:
        raise ServiceError(_("The deputy must be someone else."), code="invalid", field="deputy")
    if ends_on < starts_on:
        raise ServiceError(
            _("The absence must end on or after its first day."), code="invalid", field="ends_on"
        )
    if ends_on < timezone.localdate():
        raise ServiceError(_("The absence has already ended."), code="invalid", field="ends_on")
    return ApproverAbsence.objects.create(
        school=school,
        approver=approver,
        deputy=deputy,
        starts_on=starts_on,
        ends_on=ends_on,
        recorded_by=actor,
    )


@transaction.atomic
def end_absence(actor: User, absence: ApproverAbsence) -> ApproverAbsence:
    """The approver is back: the deputy no longer decides (from today)."""
    absence = ApproverAbsence.objects.select_for_update().get(pk=absence.pk)
    if not scoping.can(actor, Capability.RESERVE_SEATS, absence.school):
        raise Forbidden(_("You cannot manage approvals for this school."), code="not_school_staff")
    today = timezone.localdate()
    if absence.starts_on >= today:
        absence.delete()
        return absence
    absence.ends_on = min(absence.ends_on, today - timedelta(days=1))
    absence.save(update_fields=["ends_on"])
    return absence


# --- Reminders to approvers ----------------------------------------------------------------------------


def pending_per_approver(today: date) -> Counter[int]:
    """How many requests await each approver today: a school's approvers (minus those away, plus their
    deputies) for the school stage, the module organiser's coordinators for the organiser stage."""
    counts: Counter[int] = Counter()
    pending = Enrolment.objects.filter(status=EnrolmentStatus.PENDING_APPROVAL)
    absences = list(active_absences(today))
    per_school = Counter(
        pending.filter(approval_stage__in=[ApprovalStage.SCHOOL, ""])
        .values_list("school_id", flat=True)
        .order_by()
    )
    reserve_roles = _roles_with(Capability.RESERVE_SEATS)
    for school_id, n in per_school.items():
        away = {a.approver_id for a in absences if a.school_id == school_id}
        approvers = set(
            Membership.objects.filter(organisation_id=school_id, role__in=reserve_roles).values_list(
                "user_id", flat=True
            )
        )
        deputies = {a.deputy_id for a in absences if a.school_id == school_id}
        for user_id in (approvers - away) | deputies:
            counts[user_id] += n
    per_organiser = Counter(
        pending.filter(approval_stage=ApprovalStage.ORGANISER)
        .values_list("edition__module__organiser_id", flat=True)
        .order_by()
    )
    organise_roles = _roles_with(Capability.ORGANISE_COURSES)
    for organiser_id, n in per_organiser.items():
        organiser = Organisation.objects.get(pk=organiser_id)
        ancestors = [int(p) for p in organiser.path.strip("/").split("/") if p]
        for user_id in set(
            Membership.objects.filter(organisation_id__in=ancestors, role__in=organise_roles).values_list(
                "user_id", flat=True
            )
        ):
            counts[user_id] += n
    return counts


def remind_approvers(now: datetime | None = None) -> int:
    """Beat: one mail per approver per day while requests await them, through ``core.notify.send_once``
    on the day's ``ApprovalReminder`` (unique per user and period), so a second run (or a second beat)
    sends nothing."""
    today = timezone.localdate(now or timezone.now())
    reminded = set(ApprovalReminder.objects.filter(period=today).values_list("user_id", flat=True))
    sent = 0
    for user_id, count in sorted(pending_per_approver(today).items()):
        if user_id in reminded:
            continue
        message = _reminder(User.objects.get(pk=user_id), count)
        if notify.send_once(ApprovalReminder, message.send, user_id=user_id, period=today, pending=count):
            sent += 1
    return sent


def _reminder(user: User, count: int) -> EmailMessage:
    with translation.override(user.language):
        subject = ngettext(
            "%(n)d sign-up awaits your approval", "%(n)d sign-ups await your approval", count
        ) % {"n": count}
        body = render_to_string(
            "courses/email/approval_reminder.txt",
            {"user": user, "count": count, "url": absolute_url(reverse("courses:approvals"))},
        )
    return EmailMessage(subject, body, None, [user.email])
