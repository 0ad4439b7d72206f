"""Tell a school's contacts that a match was approved, in each contact's language, with a suggested
introduction meeting. The subject names no pupil; the body uses first name and initial only."""

from datetime import date, timedelta

from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Membership
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


def notify_match_approved(match_id: int) -> bool:
    """Send once: ``notified_at`` is claimed in the same transaction, so a second delivery stops."""
    with transaction.atomic():
        match = (
            Match.objects.select_for_update(of=("self",))
            .select_related("pupil", "buddy", "school")
            .filter(pk=match_id, status=MatchStatus.APPROVED, notified_at__isnull=True)
            .first()
        )
        if match is None:
            return False
        contacts = (
            Membership.objects.filter(organisation=match.school, role__in=CONTACT_ROLES, user__is_active=True)
            .select_related("user")
            .order_by("user_id")
        )
        users = list({m.user_id: m.user for m in contacts}.values())
        meeting = suggested_meeting(match.starts_on or timezone.localdate())
        for user in users:
            with translation.override(user.language):
                context = {"match": match, "user": user, "meeting": meeting}
                subject = render_to_string("matching/email/match_approved_subject.txt", context).strip()
                body = render_to_string("matching/email/match_approved_message.txt", context)
            send_mail(subject, body, None, [user.email])
        match.notified_at = timezone.now()
        match.save(update_fields=["notified_at"])
    return True


def notify_match_ended(match_id: int) -> bool:
    """Tell the school's buddy coordinators (and the school's contacts) that a match ended without them,
    e.g. because the parent withdrew consent. Once: ``end_notified_at`` is claimed in the same transaction."""
    with transaction.atomic():
        match = (
            Match.objects.select_for_update(of=("self",))
            .select_related("pupil", "buddy", "school")
            .filter(pk=match_id, status=MatchStatus.ENDED, end_notified_at__isnull=True)
            .first()
        )
        if match is None:
            return False
        paths = [p for p in match.school.path.split("/") if p]
        coordinators = Membership.objects.filter(
            organisation_id__in=[int(p) for p in paths], role=Role.BUDDY_COORDINATOR, user__is_active=True
        )
        contacts = Membership.objects.filter(
            organisation=match.school, role__in=CONTACT_ROLES, user__is_active=True
        )
        users = {
            m.user_id: m.user for m in (coordinators | contacts).select_related("user").order_by("user_id")
        }
        mails = []
        for user in users.values():
            with translation.override(user.language):
                context = {"match": match, "user": user}
                subject = render_to_string("matching/email/match_ended_subject.txt", context).strip()
                body = render_to_string("matching/email/match_ended_message.txt", context)
            mails.append(EmailMessage(subject, body, None, [user.email]))
        match.end_notified_at = timezone.now()
        match.save(update_fields=["end_notified_at"])
    send_after_record(
        lambda: get_connection().send_messages(mails),
        lambda: Match.objects.filter(pk=match_id).update(end_notified_at=None),
    )
    return True
