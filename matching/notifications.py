"""Tell a school's contacts that a match was approved, in each contact's language, with a suggested
introduction meeting, and tell the coordinators when a match ended without them. The subject names no
pupil; the body uses first name and initial only.

Once per match: the "told at" stamp on the match itself (``notified_at``, ``end_notified_at``), through
``core.notify.send_once_stamped``: claimed under a lock on the match, whose status decides whether the
message is still true, committed before the mails go out, and cleared again when the send fails, so the
retry sends.
"""

from collections.abc import Callable
from datetime import date, timedelta

from django.core.mail import EmailMessage, get_connection
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Membership, User
from accounts.roles import Role
from core.notify import send_once_stamped
from matching.models import Match, MatchStatus

CONTACT_ROLES = (Role.SCHOOL_ADMIN, Role.SCHOOL_STAFF)


def suggested_meeting(approved_on: date) -> date:
    """The first school day (Mon-Fri) at least three days after approval."""
    day = approved_on + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _users(memberships: QuerySet[Membership]) -> list[User]:
    """Each active member once, in user id order."""
    found = memberships.filter(user__is_active=True).select_related("user").order_by("user_id")
    return list({m.user_id: m.user for m in found}.values())


def _mails(users: list[User], template: str, context: dict[str, object]) -> list[EmailMessage]:
    """One mail per user from ``matching/email/<template>_subject.txt`` and ``_message.txt``, in the user's
    language."""
    mails = []
    for user in users:
        with translation.override(user.language):
            own = {**context, "user": user}
            subject = render_to_string(f"matching/email/{template}_subject.txt", own).strip()
            body = render_to_string(f"matching/email/{template}_message.txt", own)
        mails.append(EmailMessage(subject, body, None, [user.email]))
    return mails


def _send_all(mails: list[EmailMessage]) -> Callable[[], object]:
    return lambda: get_connection().send_messages(mails)


def _match(match_id: int, status: str) -> QuerySet[Match]:
    return Match.objects.select_related("pupil", "buddy", "school").filter(pk=match_id, status=status)


def notify_match_approved(match_id: int) -> bool:
    """Tell the school's contacts, once: a second delivery finds ``notified_at`` set and stops."""

    def compose(match: Match) -> Callable[[], object]:
        users = _users(Membership.objects.filter(organisation=match.school, role__in=CONTACT_ROLES))
        meeting = suggested_meeting(match.starts_on or timezone.localdate())
        return _send_all(_mails(users, "match_approved", {"match": match, "meeting": meeting}))

    return send_once_stamped(_match(match_id, MatchStatus.APPROVED), "notified_at", compose)


def notify_match_ended(match_id: int) -> bool:
    """Tell the school's buddy coordinators (and the school's contacts) that a match ended without them,
    e.g. because the parent withdrew consent. Once: ``end_notified_at`` is claimed like ``notified_at``."""

    def compose(match: Match) -> Callable[[], object]:
        above = [int(p) for p in match.school.path.split("/") if p]
        coordinators = Membership.objects.filter(organisation_id__in=above, role=Role.BUDDY_COORDINATOR)
        contacts = Membership.objects.filter(organisation=match.school, role__in=CONTACT_ROLES)
        return _send_all(_mails(_users(coordinators | contacts), "match_ended", {"match": match}))

    return send_once_stamped(_match(match_id, MatchStatus.ENDED), "end_notified_at", compose)
