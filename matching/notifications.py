"""Tell a school's contacts that a match was approved, in each contact's language, with a suggested
introduction meeting, and tell the coordinators when a match ended without them. The subject names no
pupil; the body uses first name and initial only.

Once per match: the "told at" stamp on the match itself (``notified_at``, ``end_notified_at``) is claimed
under a lock on the row whose status decides whether the message is still true, and committed before the
mails go out (``core.retry.send_after_record``, which clears it again when the send fails, so the retry
sends). Not ``core.notify.send_once``: that needs a record table of matching's own with a unique key, a
new migration, and the stamp already gives the same guarantee (see ``core.notify``).
"""

from datetime import date, timedelta

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Membership, User
from accounts.roles import Role
from core.retry import send_after_record
from matching.models import Match, MatchStatus

CONTACT_ROLES = (Role.SCHOOL_ADMIN, Role.SCHOOL_STAFF)


def suggested_meeting(approved_on: date) -> date:
    """The first school day (Mon-Fri) at least three days after approval."""
    day = approved_on + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _claim(match_id: int, status: str, stamp: str) -> Match | None:
    """The match, locked, if it is still ``status`` and nobody was told yet; ``stamp`` is set to now (in
    the caller's transaction). None when there is nothing (left) to tell."""
    match = (
        Match.objects.select_for_update(of=("self",))
        .select_related("pupil", "buddy", "school")
        .filter(pk=match_id, status=status, **{f"{stamp}__isnull": True})
        .first()
    )
    if match is not None:
        setattr(match, stamp, timezone.now())
        match.save(update_fields=[stamp])
    return match


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


def _send(match_id: int, stamp: str, mails: list[EmailMessage]) -> None:
    """Send after the stamp committed; a failed send clears the stamp again and raises, for the retry."""
    send_after_record(
        lambda: get_connection().send_messages(mails),
        lambda: Match.objects.filter(pk=match_id).update(**{stamp: None}),
    )


def notify_match_approved(match_id: int) -> bool:
    """Tell the school's contacts, once: a second delivery finds ``notified_at`` set and stops."""
    with transaction.atomic():
        match = _claim(match_id, MatchStatus.APPROVED, "notified_at")
        if match is None:
            return False
        users = _users(Membership.objects.filter(organisation=match.school, role__in=CONTACT_ROLES))
        meeting = suggested_meeting(match.starts_on or timezone.localdate())
        mails = _mails(users, "match_approved", {"match": match, "meeting": meeting})
    _send(match_id, "notified_at", mails)
    return True


def notify_match_ended(match_id: int) -> bool:
    """Tell the school's buddy coordinators (and the school's contacts) that a match ended without them,
    e.g. because the parent withdrew consent. Once: ``end_notified_at`` is claimed like ``notified_at``."""
    with transaction.atomic():
        match = _claim(match_id, MatchStatus.ENDED, "end_notified_at")
        if match is None:
            return False
        above = [int(p) for p in match.school.path.split("/") if p]
        coordinators = Membership.objects.filter(organisation_id__in=above, role=Role.BUDDY_COORDINATOR)
        contacts = Membership.objects.filter(organisation=match.school, role__in=CONTACT_ROLES)
        mails = _mails(_users(coordinators | contacts), "match_ended", {"match": match})
    _send(match_id, "end_notified_at", mails)
    return True
