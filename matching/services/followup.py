"""Follow-up of approved matches: check-ins on a schedule, the fit check, ending a match.

Schedule: week 1, week 2, week 6, then monthly until the term ends. A check-in past its due date and
not done is overdue; pages highlight it and reports count it.
"""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Capability
from core import outbox
from core.dates import add_months
from core.errors import Conflict, ServiceError
from matching.models import (
    MATCH_TRANSITIONS,
    Buddy,
    CheckIn,
    CheckInOutcome,
    EndReason,
    Fit,
    Match,
    MatchStatus,
)
from matching.reach import in_reach
from pupils import access
from pupils import services as pupils
from pupils.models import AccessAction

FIRST_CHECK_INS = (timedelta(weeks=1), timedelta(weeks=2), timedelta(weeks=6))


def check_in_dates(starts_on: date, ends_on: date) -> list[date]:
    dates = [starts_on + delta for delta in FIRST_CHECK_INS]
    months = 2
    while (day := add_months(starts_on, months)) <= ends_on:
        if day > dates[-1]:
            dates.append(day)
        months += 1
    return [d for d in dates if d <= ends_on]


def schedule_check_ins(match: Match) -> None:
    assert match.starts_on is not None
    assert match.ends_on is not None
    CheckIn.objects.bulk_create(
        [CheckIn(match=match, due_on=d) for d in check_in_dates(match.starts_on, match.ends_on)],
        ignore_conflicts=True,
    )


def _active_for_update(user: User, match_id: int) -> Match:
    qs = Match.objects.select_for_update()
    match = in_reach(qs, user, Capability.RUN_MATCHING, match_id)
    if match.status == MatchStatus.ENDED:
        raise ServiceError(_("This match has ended; it takes no more check-ins."), code="match_ended")
    if match.status != MatchStatus.APPROVED:
        raise ServiceError(_("Only an approved match can be followed up."), code="not_approved")
    return match


def record_check_in(
    user: User, match_id: int, outcome: str, held_on: date | None = None, note: str = ""
) -> CheckIn:
    """Mark the earliest open check-in done, held on ``held_on`` (today when not given) with a note; when
    none is open, add one for that day."""
    if outcome not in CheckInOutcome.values:
        raise ServiceError(_("Choose how it is going."), field="outcome")
    today = timezone.localdate()
    held_on = held_on or today
    if held_on > today:
        raise ServiceError(_("A check-in cannot be in the future."), field="held_on")
    with transaction.atomic():
        match = _active_for_update(user, match_id)
        if match.starts_on and held_on < match.starts_on:
            raise ServiceError(_("The match started after that day."), field="held_on")
        check_in = match.check_ins.filter(done_at__isnull=True).order_by("due_on").first()
        if check_in is None:
            check_in, _created = CheckIn.objects.get_or_create(match=match, due_on=held_on)
        check_in.done_at = timezone.now()
        check_in.done_by = user
        check_in.outcome = outcome
        check_in.held_on = held_on
        check_in.note = note.strip()
        check_in.save(update_fields=["done_at", "done_by", "outcome", "held_on", "note"])
        access.record(user, [match.pupil_id], AccessAction.CHANGE, context="matching.check_in")
    return check_in


def record_fit(user: User, match_id: int, fit: str) -> Match:
    """The fit check after the first meeting; "not a fit" ends the match and puts the pupil back in the
    pool with priority (and the pair is never proposed again)."""
    if fit not in Fit.values:
        raise ServiceError(_("Choose how the first meeting went."), field="fit")
    with transaction.atomic():
        match = _active_for_update(user, match_id)
        match.fit = fit
        match.fit_at = timezone.now()
        match.save(update_fields=["fit", "fit_at"])
        if fit == Fit.NOT_A_FIT:
            _end(match, EndReason.NOT_A_FIT)
            pupils.set_priority(match.pupil_id, timezone.now())
        access.record(user, [match.pupil_id], AccessAction.CHANGE, context="matching.fit")
    return match


def _end(match: Match, reason: str, note: str = "") -> None:
    """End the match; the contact moments still ahead are dropped (an ended match has none)."""
    MATCH_TRANSITIONS.move(match, MatchStatus.ENDED)
    match.ended_at = timezone.now()
    match.end_reason = reason
    match.end_note = note.strip()
    match.save(update_fields=["status", "ended_at", "end_reason", "end_note"])
    match.check_ins.filter(done_at__isnull=True, due_on__gte=timezone.localdate()).delete()


def end_for_revoked_consent(buddy: Buddy) -> list[int]:
    """The parent withdrew a peer buddy's consent: every approved match of the buddy ends with that reason
    (open proposals stay, but cannot be approved without consent). Runs inside the parents' transaction;
    the coordinators are told after it commits."""
    ended = []
    for match in (
        Match.objects.select_for_update().filter(buddy=buddy, status=MatchStatus.APPROVED).order_by("pk")
    ):
        _end(match, EndReason.CONSENT_REVOKED)
        outbox.enqueue("matching.notify_match_ended", match.pk)
        ended.append(match.pk)
    return ended


def end_match(user: User, match_id: int, reason: str, note: str = "") -> Match:
    if reason not in EndReason.values:
        raise ServiceError(_("Choose a reason."), field="reason")
    with transaction.atomic():
        match = _active_for_update(user, match_id)
        _end(match, reason, note)
        if reason == EndReason.NOT_A_FIT:
            pupils.set_priority(match.pupil_id, timezone.now())
        access.record(user, [match.pupil_id], AccessAction.CHANGE, context="matching.end")
    return match


def can_undo_end(match: Match) -> bool:
    """A coordinator's ending can be taken back on the day it was made; the end of the term cannot."""
    return (
        match.status == MatchStatus.ENDED
        and match.end_reason != EndReason.TERM_ENDED
        and match.ended_at is not None
        and timezone.localdate(match.ended_at) == timezone.localdate()
    )


def undo_end(user: User, match_id: int) -> Match:
    """Approve an ending made today again, with its check-ins ahead, unless the pupil or the buddy's last
    place has been given to another match since."""
    with transaction.atomic():
        qs = Match.objects.select_for_update(of=("self",))
        match = in_reach(qs, user, Capability.RUN_MATCHING, match_id)
        if not can_undo_end(match):
            raise ServiceError(_("Only an ending made today can be undone."), code="undo_too_late")
        # Lock the buddy before counting, as approving does: the race is two matches taking the last place.
        buddy = Buddy.objects.select_for_update().get(pk=match.buddy_id)
        taken = Match.objects.filter(buddy=buddy, status=MatchStatus.APPROVED).count()
        pupil_taken = Match.objects.filter(
            pupil_id=match.pupil_id, kind=match.kind, status=MatchStatus.APPROVED
        ).exists()
        if taken >= buddy.capacity or pupil_taken:
            raise Conflict(
                _("The pupil or the buddy has another match now; the ending stays."), code="moved_on"
            )
        MATCH_TRANSITIONS.move(match, MatchStatus.APPROVED)
        match.ended_at = None
        match.end_reason = ""
        match.end_note = ""
        if match.fit == Fit.NOT_A_FIT:
            match.fit, match.fit_at = "", None
        match.save(update_fields=["status", "ended_at", "end_reason", "end_note", "fit", "fit_at"])
        pupils.set_priority(match.pupil_id, None)
        schedule_check_ins(match)
        access.record(user, [match.pupil_id], AccessAction.CHANGE, context="matching.undo_end")
    return match


def end_expired_matches(today: date | None = None) -> int:
    """End approved matches whose term is over (beat, daily). One conditional update: safe to repeat."""
    today = today or timezone.localdate()
    return MATCH_TRANSITIONS.update(
        Match.objects.filter(ends_on__lt=today),
        MatchStatus.APPROVED,
        MatchStatus.ENDED,
        ended_at=timezone.now(),
        end_reason=EndReason.TERM_ENDED,
    )


def overdue_check_ins(today: date | None = None) -> QuerySet[CheckIn]:
    today = today or timezone.localdate()
    return CheckIn.objects.filter(match__status=MatchStatus.APPROVED, done_at__isnull=True, due_on__lt=today)
