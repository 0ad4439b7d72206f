"""Allocation: rank supporters for one request, allocate it, or carry out the optimal proposal for the whole
open queue (``caseloads.allocation`` computes it)."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import User
from accounts.roles import Capability
from caseloads import allocation, reach, workload
from caseloads.models import (
    REQUEST_TRANSITIONS,
    Case,
    RequestStatus,
    SupporterProfile,
    SupportRequest,
)
from caseloads.reach import open_requests_for, supporters_for
from caseloads.services.requests import lock_request, notify_status
from core import numbers, outbox
from core.errors import Conflict, Forbidden, ServiceError


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
    notify_status(request)
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
    request = lock_request(user, request.pk)
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
