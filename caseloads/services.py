"""The verbs of caseloads. Each is one transaction, checks who may do it, and raises ``ServiceError`` with a
translated message and the field at fault. Pages, the API and tasks all call these."""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind
from caseloads import allocation, reach, workload
from caseloads.models import (
    CASE_TRANSITIONS,
    REQUEST_TRANSITIONS,
    Case,
    CaseStatus,
    NextStep,
    RequestStatus,
    Subject,
    SupporterProfile,
    SupportRequest,
    Topic,
    Transfer,
    TransferStatus,
    Urgency,
    Visit,
    VisitKind,
)
from caseloads.reach import open_requests_for, supporters_for
from core import numbers, outbox
from core.errors import Conflict, Forbidden, ServiceError
from pupils.models import Pupil
from pupils.services import clean_languages


def _notify_status(request: SupportRequest) -> None:
    outbox.enqueue("caseloads.notify_request_status", request.pk, request.status)


# --- Requests ------------------------------------------------------------------------------------------


@transaction.atomic
def file_request(
    user: User,
    *,
    school: Organisation,
    subject: str,
    topic: str,
    description: str,
    urgency: str,
    languages: Sequence[str] = (),
    pupils: Iterable[Pupil | int] = (),
) -> SupportRequest:
    if school.kind != OrganisationKind.SCHOOL or not scoping.can(user, Capability.REQUEST_SUPPORT, school):
        raise Forbidden(_("You cannot file requests for this school."), field="school")
    codes = clean_languages(list(languages), "languages")
    if not description.strip():
        raise ServiceError(_("Describe what you need help with."), field="description")
    for value, choices, field in (
        (subject, Subject, "subject"),
        (topic, Topic, "topic"),
        (urgency, Urgency, "urgency"),
    ):
        if value not in choices.values:
            raise ServiceError(_("Choose one of the options."), field=field)
    pupil_ids = sorted({p if isinstance(p, int) else p.pk for p in pupils})
    found = set(
        Pupil.objects.filter(pk__in=pupil_ids, school=school, anonymised_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if len(found) != len(pupil_ids):
        raise ServiceError(
            _("Only pupils of %(school)s can be named in this request.") % {"school": school.name},
            code="pupil_of_other_school",
            field="pupils",
        )
    request = SupportRequest.objects.create(
        school=school,
        filed_by=user,
        subject=subject,
        topic=topic,
        description=description.strip(),
        urgency=urgency,
        languages=codes,
    )
    request.pupils.set(pupil_ids)
    return request


def _lock_request(user: User, request_id: int) -> SupportRequest:
    request = (
        SupportRequest.objects.select_for_update(of=("self",)).select_related("school").get(pk=request_id)
    )
    if not reach.can_allocate(user, request.school):
        raise Forbidden(_("You cannot allocate requests of this school."))
    return request


@transaction.atomic
def start_triage(user: User, request: SupportRequest) -> SupportRequest:
    request = _lock_request(user, request.pk)
    REQUEST_TRANSITIONS.move(
        request,
        RequestStatus.TRIAGE,
        message=_("Only a new request can be taken into triage."),
        code="not_new",
    )
    request.save(update_fields=["status", "updated_at"])
    _notify_status(request)
    return request


@transaction.atomic
def decline_request(user: User, request: SupportRequest, reason: str) -> SupportRequest:
    request = _lock_request(user, request.pk)
    if not reason.strip():
        raise ServiceError(_("Give the school a reason for declining."), field="reason")
    REQUEST_TRANSITIONS.move(
        request, RequestStatus.DECLINED, message=_("This request has already been decided."), code="decided"
    )
    request.decline_reason = reason.strip()
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decline_reason", "decided_at", "updated_at"])
    _notify_status(request)
    return request


# --- Allocation ----------------------------------------------------------------------------------------


def ranking(user: User, request: SupportRequest) -> list[allocation.Ranked]:
    if not reach.can_allocate(user, request.school):
        raise Forbidden(_("You cannot allocate requests of this school."))
    facts = allocation.request_facts(
        SupportRequest.objects.select_related("school").prefetch_related("pupils").filter(pk=request.pk)
    )[0]
    return allocation.rank(facts, workload.loads(supporters_for(user).filter(active=True)))


def _open_case(request: SupportRequest, supporter: User, goals: str = "") -> Case:
    case = Case.objects.create(
        request=request,
        supporter=supporter,
        school=request.school,
        topic=request.topic,
        goals=goals,
        planned_hours_per_month=request.estimated_hours,
    )
    case.pupils.set(list(request.pupils.values_list("pk", flat=True)))
    REQUEST_TRANSITIONS.move(
        request, RequestStatus.ALLOCATED, message=_("This request has already been decided."), code="decided"
    )
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at", "updated_at"])
    outbox.enqueue("caseloads.notify_allocation", case.pk)
    _notify_status(request)
    return case


def _lock_profile(user: User, supporter: User) -> SupporterProfile | None:
    """Lock the supporter's profile row: two coordinators allocating to the same person at once are
    serialised here, so the second one counts the first one's case when it checks free hours."""
    return supporters_for(user).select_for_update(of=("self",)).filter(user=supporter).first()


@transaction.atomic
def allocate(
    user: User, request: SupportRequest, supporter: User, *, override: bool = False, goals: str = ""
) -> Case:
    """Allocate one request. Without free hours this is refused with a warning unless ``override``."""
    request = _lock_request(user, request.pk)
    REQUEST_TRANSITIONS.check(
        request.status,
        RequestStatus.ALLOCATED,
        message=_("This request has already been decided."),
        code="decided",
    )
    profile = _lock_profile(user, supporter)
    if profile is None or not profile.active:
        raise ServiceError(_("Choose a supporter of your support service."), field="supporter")
    load = workload.load_of(profile)
    if load.free < request.estimated_hours and not override:
        raise ServiceError(
            _(
                "%(name)s has %(free)s free hours this month and this request needs about %(need)s. "
                "Allocate anyway only if you have agreed extra hours: tick the override."
            )
            % {
                "name": supporter,
                "free": numbers.hours(load.free),
                "need": numbers.hours(request.estimated_hours),
            },
            code="no_free_hours",
            field="override",
        )
    return _open_case(request, supporter, goals)


def propose_open(user: User) -> allocation.Proposal:
    requests = list(
        open_requests_for(user).select_related("school").prefetch_related("pupils").order_by("pk")
    )
    return allocation.propose(requests, workload.loads(supporters_for(user)))


@transaction.atomic
def confirm_open(user: User, pairs: Sequence[tuple[int, int]], fingerprint: str) -> list[Case]:
    """Carry out a proposal, all or nothing. Refused when anything it was based on changed meanwhile."""
    if not scoping.can(user, Capability.ALLOCATE_SUPPORT):
        raise Forbidden(_("You cannot allocate requests."))
    # Lock in a fixed order (requests by id, then profiles by id) so two confirmations cannot deadlock.
    requests = list(
        open_requests_for(user)
        .select_for_update(of=("self",))
        .select_related("school")
        .prefetch_related("pupils")
        .order_by("pk")
    )
    profiles = list(supporters_for(user).select_for_update(of=("self",)).order_by("pk"))
    loads = workload.loads(profiles)
    # The proposal may come from a background run: check it against the locked rows, do not solve again.
    if allocation.fingerprint(requests, loads) != fingerprint or not allocation.check_pairs(
        requests, loads, pairs
    ):
        raise Conflict(
            _("Requests or supporters' hours changed since this proposal was made. Review the new proposal."),
            code="stale_proposal",
        )
    by_id = {r.pk: r for r in requests}
    users = {p.user_id: p.user for p in profiles}
    return [_open_case(by_id[rid], users[uid]) for rid, uid in sorted(pairs)]


# --- Cases ---------------------------------------------------------------------------------------------


def _lock_case(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("school").get(pk=case.pk)


def _editable(user: User, case: Case, *, owner_only: bool = False) -> Case:
    case = _lock_case(case)
    allowed = user.pk == case.supporter_id if owner_only else reach.is_case_supporter(user, case)
    if not allowed or not scoping.can(user, Capability.WORK_CASES):
        raise Forbidden(_("Only the supporter of this case can do that."))
    if case.is_closed:
        raise ServiceError(_("This case is closed and can no longer be changed."), code="case_closed")
    return case


@transaction.atomic
def update_case(user: User, case: Case, *, goals: str, planned_hours_per_month: int | None = None) -> Case:
    case = _editable(user, case, owner_only=True)
    case.goals = goals.strip()
    if planned_hours_per_month is not None:
        case.planned_hours_per_month = planned_hours_per_month
    case.save(update_fields=["goals", "planned_hours_per_month"])
    return case


@transaction.atomic
def set_case_status(user: User, case: Case, status: str, *, summary: str = "") -> Case:
    case = _editable(user, case, owner_only=True)
    if status not in CaseStatus.values:
        raise ServiceError(_("Unknown status."), field="status")
    if status != case.status:  # the same status again changes nothing (a form saved as it was)
        CASE_TRANSITIONS.check(case.status, status, field="status")
    if status == CaseStatus.CLOSED:
        if not summary.strip():
            raise ServiceError(_("Write a closing summary before closing the case."), field="summary")
        case.closing_summary = summary.strip()
        case.closed_at = timezone.now()
        Transfer.objects.filter(case=case, status=TransferStatus.PENDING).update(
            status=TransferStatus.CANCELLED, decided_at=timezone.now()
        )
    if status != case.status:
        CASE_TRANSITIONS.move(case, status, field="status")
    case.save(update_fields=["status", "closing_summary", "closed_at"])
    return case


def _profile_in_same_service(case_owner: User, other: User) -> SupporterProfile:
    mine = SupporterProfile.objects.filter(user=case_owner).first()
    theirs = SupporterProfile.objects.select_related("user").filter(user=other, active=True).first()
    if mine is None or theirs is None or mine.service_id != theirs.service_id:
        raise ServiceError(_("Choose a colleague from your support service."), field="supporter")
    return theirs


@transaction.atomic
def offer_transfer(user: User, case: Case, to: User, message: str = "") -> Transfer:
    case = _editable(user, case, owner_only=True)
    if to.pk == case.supporter_id:
        raise ServiceError(_("Choose a colleague other than yourself."), field="supporter")
    _profile_in_same_service(case.supporter, to)
    if Transfer.objects.filter(case=case, status=TransferStatus.PENDING).exists():
        raise Conflict(_("This case is already offered to a colleague."), code="transfer_pending")
    transfer = Transfer.objects.create(
        case=case, from_supporter=user, to_supporter=to, message=message.strip()
    )
    outbox.enqueue("caseloads.notify_transfer", transfer.pk)
    return transfer


@transaction.atomic
def answer_transfer(user: User, transfer: Transfer, *, accept: bool) -> Transfer:
    if transfer.to_supporter_id != user.pk:
        raise Forbidden(_("This transfer is not addressed to you."))
    case = _lock_case(transfer.case)
    # Conditional update: of two answers (or an answer and a withdrawal) only one wins.
    now = timezone.now()
    won = Transfer.objects.filter(pk=transfer.pk, status=TransferStatus.PENDING).update(
        status=TransferStatus.ACCEPTED if accept else TransferStatus.DECLINED, decided_at=now
    )
    if not won or case.is_closed:
        raise Conflict(_("This transfer has already been answered or withdrawn."), code="transfer_decided")
    if accept:
        case.supporter_id = user.pk
        if case.advisor_id == user.pk:
            case.advisor = None
        case.save(update_fields=["supporter", "advisor"])
    transfer.refresh_from_db()
    return transfer


@transaction.atomic
def share_case(user: User, case: Case, advisor: User | None) -> Case:
    """Share the case with a second supporter for advice (the owner keeps it); ``None`` stops sharing."""
    case = _editable(user, case, owner_only=True)
    if advisor is not None:
        if advisor.pk == case.supporter_id:
            raise ServiceError(_("Choose a colleague other than yourself."), field="advisor")
        try:
            _profile_in_same_service(case.supporter, advisor)
        except ServiceError as exc:
            raise ServiceError(exc.message, field="advisor") from None
    case.advisor = advisor
    case.save(update_fields=["advisor"])
    return case


# --- Visits --------------------------------------------------------------------------------------------


def _future_done_error() -> ServiceError:
    return ServiceError(
        _("A visit in the future cannot be marked as done."), code="visit_in_future", field="done"
    )


@transaction.atomic
def log_visit(
    user: User,
    case: Case,
    *,
    date: date,
    kind: str,
    duration_minutes: int,
    preparation_minutes: int = 0,
    travel_minutes: int = 0,
    notes: str = "",
    advice: str = "",
    next_visit_date: date | None = None,
    done: bool = False,
    steps: Sequence[dict[str, Any]] = (),
) -> Visit:
    case = _editable(user, case)
    today = timezone.localdate()
    if kind not in VisitKind.values:
        raise ServiceError(_("Choose one of the options."), field="kind")
    if done and date > today:
        raise _future_done_error()
    if next_visit_date is not None and next_visit_date < date:
        raise ServiceError(_("The next visit cannot be before this one."), field="next_visit_date")
    for step in steps:
        if not str(step.get("description", "")).strip():
            raise ServiceError(_("Describe each agreed next step."), field="steps")
        if not step.get("due_date"):
            raise ServiceError(_("Give each next step a due date."), field="steps")
    visit = Visit.objects.create(
        case=case,
        supporter=user,
        date=date,
        kind=kind,
        duration_minutes=duration_minutes,
        preparation_minutes=preparation_minutes,
        travel_minutes=travel_minutes,
        notes=notes.strip(),
        advice=advice.strip(),
        next_visit_date=next_visit_date,
        done=done,
    )
    NextStep.objects.bulk_create(
        [
            NextStep(
                visit=visit, case=case, description=str(s["description"]).strip(), due_date=s["due_date"]
            )
            for s in steps
        ]
    )
    return visit


@transaction.atomic
def mark_visit_done(user: User, visit: Visit) -> Visit:
    _editable(user, visit.case)
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.date > timezone.localdate():
        raise _future_done_error()
    if not visit.done:
        visit.done = True
        visit.save(update_fields=["done"])
    return visit


@transaction.atomic
def complete_step(user: User, step: NextStep) -> NextStep:
    _editable(user, step.case)
    NextStep.objects.filter(pk=step.pk, done_at__isnull=True).update(done_at=timezone.now())
    step.refresh_from_db()
    return step


# --- Profiles ------------------------------------------------------------------------------------------


@transaction.atomic
def save_profile(
    user: User,
    supporter: User,
    *,
    expertise: Sequence[str],
    languages: Sequence[str],
    home_municipality: Organisation | None,
    contract_hours_per_week: Any,
    active: bool = True,
) -> SupporterProfile:
    """Create or update a supporter's profile; by the supporter themself or a coordinator in reach."""
    services = [
        m.organisation
        for m in supporter.memberships.select_related("organisation")
        if m.organisation.kind == OrganisationKind.SUPPORT_SERVICE and m.role == "language_supporter"
    ]
    if not services:
        raise ServiceError(
            _("Only members of a support service have a supporter profile."), field="supporter"
        )
    service = services[0]
    if user.pk != supporter.pk and not scoping.can(user, Capability.ALLOCATE_SUPPORT, service):
        raise Forbidden(_("You cannot change this profile."))
    if any(t not in Topic.values for t in expertise):
        raise ServiceError(_("Unknown topic."), field="expertise")
    codes = clean_languages(list(languages), "languages")
    if home_municipality is not None and home_municipality.kind != OrganisationKind.MUNICIPALITY:
        raise ServiceError(_("Choose a municipality."), field="home_municipality")
    profile, _created = SupporterProfile.objects.update_or_create(
        user=supporter,
        defaults={
            "service": service,
            "expertise": sorted(set(expertise)),
            "languages": codes,
            "home_municipality": home_municipality,
            "contract_hours_per_week": contract_hours_per_week,
            "active": active,
        },
    )
    return profile
