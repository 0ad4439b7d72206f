"""Who sees which requests, cases, pupils and notes. Built on ``accounts.scoping`` (the one place of reach).

* School staff (REQUEST_SUPPORT) see their schools' requests, never cases' notes or pupils through a case.
* The regional coordinator (ALLOCATE_SUPPORT) sees requests and cases of the schools in reach, and notes,
  but pupils as counts only (DESIGN.md: coordinators see aggregates).
* A supporter (WORK_CASES) sees the cases they own or advise on (and a case offered to them), the pupils
  and notes of those cases, and the requests behind them. Nobody else sees notes.
"""

from collections.abc import Mapping

from django.db.models import Q, QuerySet

from accounts import scoping
from accounts.http import Viewer
from accounts.models import Organisation, User
from accounts.roles import Capability
from caseloads.models import OPEN_REQUEST_STATUSES, Case, SupporterProfile, SupportRequest, TransferStatus


def _schools_q(user: Viewer, capability: Capability, field: str = "school") -> Q | None:
    r = scoping.reach(user, capability)
    if r.everything:
        return Q()
    if r.empty:
        return None
    return Q(**{f"{field}__in": r.organisations().values("pk")})


def _any(*parts: Q | None) -> Q | None:
    kept = [p for p in parts if p is not None]
    if not kept:
        return None
    combined = kept[0]
    for p in kept[1:]:
        combined |= p
    return combined


def _offered_to(user: User) -> QuerySet[Case, int]:
    """Ids of cases a colleague offered to ``user`` and ``user`` has not answered yet: they read the case
    (and the request behind it) to decide."""
    return Case.objects.filter(
        transfers__to_supporter=user, transfers__status=TransferStatus.PENDING
    ).values_list("pk", flat=True)


def requests_for(user: Viewer) -> QuerySet[SupportRequest]:
    qs = SupportRequest.objects.all()
    if not isinstance(user, User):  # anonymous: nothing
        return qs.none()
    own_cases = None
    if scoping.can(user, Capability.WORK_CASES):
        own_cases = Q(case__supporter=user) | Q(case__advisor=user) | Q(case__in=_offered_to(user))
    q = _any(
        _schools_q(user, Capability.REQUEST_SUPPORT),
        _schools_q(user, Capability.ALLOCATE_SUPPORT),
        own_cases,
    )
    return qs.none() if q is None else qs.filter(q)


def cases_for(user: Viewer) -> QuerySet[Case]:
    qs = Case.objects.all()
    if not isinstance(user, User):  # anonymous: nothing
        return qs.none()
    own = None
    if scoping.can(user, Capability.WORK_CASES):
        own = Q(supporter=user) | Q(advisor=user) | Q(pk__in=_offered_to(user))
    q = _any(own, _schools_q(user, Capability.ALLOCATE_SUPPORT))
    return qs.none() if q is None else qs.filter(q)


def is_case_supporter(user: Viewer, case: Case) -> bool:
    """Owner or advisor: the supporter(s) of the case."""
    return (
        user.pk is not None
        and user.pk in (case.supporter_id, case.advisor_id)
        and scoping.can(user, Capability.WORK_CASES)
    )


def can_allocate(user: Viewer, school: Organisation) -> bool:
    return scoping.can(user, Capability.ALLOCATE_SUPPORT, school)


def can_see_notes(user: Viewer, case: Case) -> bool:
    return is_case_supporter(user, case) or can_allocate(user, case.school)


def can_see_pupils(user: Viewer, case: Case) -> bool:
    return is_case_supporter(user, case)


def follows_request(user: Viewer, support_request: SupportRequest) -> bool:
    """The school's own staff follow what happened to their request: the case's status and the school-facing
    part of its visits (dates, advice, next steps), never the supporters' notes."""
    return scoping.can(user, Capability.REQUEST_SUPPORT, support_request.school)


def supporters_for(user: Viewer) -> QuerySet[SupporterProfile]:
    """Supporter profiles the coordinator may allocate to: support services within reach."""
    return scoping.scope(
        SupporterProfile.objects.select_related("user", "home_municipality"),
        user,
        Capability.ALLOCATE_SUPPORT,
        field="service",
    )


def open_requests_for(user: Viewer) -> QuerySet[SupportRequest]:
    """Open requests of the schools in the coordinator's reach: the allocation queue."""
    return scoping.scope(
        SupportRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES),
        user,
        Capability.ALLOCATE_SUPPORT,
        field="school",
    )


def school_report(case: Case) -> dict[str, list[Mapping[str, object]]]:
    """The school-facing part of a case: values only, so a supporter's notes are never even loaded."""
    return {
        "visits": list(
            case.visits.order_by("-date", "-pk").values("date", "kind", "done", "advice", "next_visit_date")
        ),
        "steps": list(case.steps.order_by("due_date", "pk").values("description", "due_date", "done_at")),
    }
