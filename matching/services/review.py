"""Reviewing proposals: approve (single or bulk), reject (with a reason; undone the same day), swap to an
alternative, lock.

Approving takes a scarce thing (a buddy's place), so the buddy row is locked before its approved
matches are counted: two coordinators approving the last place of one buddy cannot both win.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import User
from accounts.roles import Capability
from core import outbox
from core.dates import add_months
from core.errors import Conflict, ServiceError
from matching.models import MATCH_TRANSITIONS, Buddy, Match, MatchStatus, RejectReason, RunStatus
from matching.problem_builder import explain_pair
from matching.reach import in_reach
from matching.services.followup import schedule_check_ins
from pupils import access
from pupils import services as pupils
from pupils.models import AccessAction, Pupil


def _proposal_for_update(user: User, match_id: int) -> Match:
    qs = Match.objects.select_for_update(of=("self",)).select_related("run")
    match = in_reach(qs, user, Capability.RUN_MATCHING, match_id)
    if match.status != MatchStatus.PROPOSED:
        raise ServiceError(
            _("This match is %(status)s; only a proposal can be changed.")
            % {"status": match.get_status_display()},
            code="not_proposed",
        )
    if match.run is not None and match.run.status != RunStatus.DONE:
        raise ServiceError(_("Wait until the run has finished."), code="run_not_done")
    return match


def approve(user: User, match_id: int) -> Match:
    from django.conf import settings

    with transaction.atomic():
        match = _proposal_for_update(user, match_id)
        # Lock the buddy before counting: the race is two approvals taking the same last place.
        buddy = Buddy.objects.select_for_update().get(pk=match.buddy_id)
        if not buddy.has_consent:
            # Whatever the channel the match came by (a run, a swap, the API): a peer buddy is a minor.
            raise ServiceError(
                _("%(buddy)s has no consent from a parent yet: ask the parent first.")
                % {"buddy": buddy.display_name},
                code="consent_missing",
                field="buddy",
            )
        taken = Match.objects.filter(buddy=buddy, status=MatchStatus.APPROVED).count()
        if taken >= buddy.capacity:
            raise ServiceError(
                _("%(buddy)s has no free place left (capacity %(capacity)s). Swap or reject this proposal.")
                % {"buddy": buddy.display_name, "capacity": buddy.capacity},
                code="buddy_full",
                field="buddy",
            )
        if Match.objects.filter(
            pupil_id=match.pupil_id, kind=match.kind, status=MatchStatus.APPROVED
        ).exists():
            raise Conflict(_("This pupil already has an approved buddy of this kind."), code="pupil_matched")
        today = timezone.localdate()
        MATCH_TRANSITIONS.move(match, MatchStatus.APPROVED)
        match.decided_at = timezone.now()
        match.decided_by = user
        match.starts_on = today
        match.ends_on = add_months(today, settings.MATCH_TERM_MONTHS)
        try:
            with transaction.atomic():
                match.save(update_fields=["status", "decided_at", "decided_by", "starts_on", "ends_on"])
        except IntegrityError:
            raise Conflict(
                _("This pupil already has an approved buddy of this kind."), code="pupil_matched"
            ) from None
        schedule_check_ins(match)
        pupils.set_priority(match.pupil_id, None)
        access.record(user, [match.pupil_id], AccessAction.CHANGE, context="matching.approve")
        outbox.enqueue("matching.notify_match_approved", match.pk)
    return match


@dataclass
class BulkResult:
    approved: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def approve_many(user: User, match_ids: list[int]) -> BulkResult:
    """Approve each proposal in its own transaction; refusals (e.g. a full buddy) are reported per id.

    Proposals are taken in buddy order so concurrent bulk approvals lock buddies in the same order."""
    result = BulkResult()
    reachable = scoping.scope(Match.objects.all(), user, Capability.RUN_MATCHING, field="school")
    order = dict(reachable.filter(pk__in=match_ids).values_list("pk", "buddy_id"))
    for match_id in sorted(dict.fromkeys(match_ids), key=lambda m: (order.get(m, 0), m)):
        if match_id not in order:
            result.refused[match_id] = _("Not found.")
            continue
        try:
            approve(user, match_id)
        except ServiceError as exc:
            result.refused[match_id] = exc.message
        else:
            result.approved.append(match_id)
    return result


def reject(user: User, match_id: int, reason: str = RejectReason.OTHER, note: str = "") -> Match:
    """The pair is never proposed again: later runs pass rejected pairs to the engine as exclusions.
    ``reason`` (a ``RejectReason``) and ``note`` say why; the rejection can be undone the same day."""
    if reason not in RejectReason.values:
        raise ServiceError(_("Choose a reason."), field="reason")
    with transaction.atomic():
        match = _proposal_for_update(user, match_id)
        MATCH_TRANSITIONS.move(match, MatchStatus.REJECTED)
        match.decided_at = timezone.now()
        match.decided_by = user
        match.reject_reason = reason
        match.reject_note = note.strip()
        match.save(update_fields=["status", "decided_at", "decided_by", "reject_reason", "reject_note"])
        access.record(user, [match.pupil_id], AccessAction.CHANGE, context="matching.reject")
    return match


def can_undo_reject(match: Match) -> bool:
    """A rejection can be taken back on the day it was made (until then no rerun relied on it)."""
    return (
        match.status == MatchStatus.REJECTED
        and match.decided_at is not None
        and timezone.localdate(match.decided_at) == timezone.localdate()
    )


def undo_reject(user: User, match_id: int) -> Match:
    """Make a rejection made today a proposal again, unless a later run has proposed this pupil since."""
    with transaction.atomic():
        qs = Match.objects.select_for_update(of=("self",))
        match = in_reach(qs, user, Capability.RUN_MATCHING, match_id)
        if not can_undo_reject(match):
            raise ServiceError(_("Only a rejection made today can be undone."), code="undo_too_late")
        if (
            Match.objects.filter(pupil_id=match.pupil_id, kind=match.kind)
            .filter(status__in=[MatchStatus.PROPOSED, MatchStatus.APPROVED])
            .exists()
        ):
            raise Conflict(
                _("This pupil has a newer proposal or match; the rejection stays."), code="pupil_moved_on"
            )
        MATCH_TRANSITIONS.move(match, MatchStatus.PROPOSED)
        match.decided_at = None
        match.decided_by = None
        match.reject_reason = ""
        match.reject_note = ""
        match.save(update_fields=["status", "decided_at", "decided_by", "reject_reason", "reject_note"])
        access.record(user, [match.pupil_id], AccessAction.CHANGE, context="matching.undo_reject")
    return match


def lock(user: User, match_id: int) -> Match:
    """A locked proposal is kept verbatim by later runs (passed to the engine as a locked pair)."""
    with transaction.atomic():
        match = _proposal_for_update(user, match_id)
        match.locked = True
        match.save(update_fields=["locked"])
    return match


def swap(user: User, match_id: int, buddy_id: int) -> Match:
    """Replace the proposed buddy with one of the two alternatives the engine gave."""
    with transaction.atomic():
        match = _proposal_for_update(user, match_id)
        alternatives = {int(b): c for b, c in match.alternatives}
        if buddy_id not in alternatives:
            raise ServiceError(_("Choose one of the suggested alternatives."), field="buddy")
        buddy = Buddy.objects.select_related("school").prefetch_related("interests").get(pk=buddy_id)
        pupil = Pupil.objects.prefetch_related("interests").get(pk=match.pupil_id)
        cost, reasons = explain_pair(pupil, buddy)
        old_buddy, old_cost = match.buddy_id, match.cost
        match.alternatives = [[b, c] for b, c in match.alternatives if int(b) != buddy_id] + [
            [old_buddy, old_cost]
        ]
        match.buddy = buddy
        match.cost = cost
        match.reasons = reasons
        match.save(update_fields=["buddy", "cost", "reasons", "alternatives"])
        access.record(user, [match.pupil_id], AccessAction.CHANGE, context="matching.swap")
    return match
