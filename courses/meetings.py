"""Changing a meeting's time or place: the verb, and the mail that moves the event in teachers' calendars
(the same UID with a higher SEQUENCE, so the calendar replaces the event instead of adding a second one)."""

from datetime import datetime

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from core import outbox
from core.errors import Conflict, Forbidden, ServiceError
from core.retry import send_after_record
from core.urls import absolute_url
from courses import access, ical
from courses.models import Edition, EditionStatus, Enrolment, EnrolmentStatus, Meeting, MeetingChangeMessage


def check(
    actor: User, edition: Edition, *, starts_at: datetime, ends_at: datetime, venue: str, online_url: str
) -> None:
    """What a new or changed meeting must satisfy (the edition locked by the caller)."""
    if not access.can_organise(actor, edition.module):
        raise Forbidden(_("You do not organise this module."), code="not_organiser")
    if edition.status in (EditionStatus.CANCELLED, EditionStatus.COMPLETED):
        raise Conflict(_("This edition can no longer be changed."), code="closed")
    if ends_at <= starts_at:
        raise ServiceError(_("A meeting must end after it starts."), code="invalid", field="ends_at")
    if not venue.strip() and not online_url.strip():
        raise ServiceError(_("Give a venue or an online link."), code="required", field="venue")


@transaction.atomic
def change_meeting(
    actor: User,
    meeting: Meeting,
    *,
    starts_at: datetime,
    ends_at: datetime,
    venue: str = "",
    online_url: str = "",
) -> Meeting:
    """The organiser moves a meeting; when time or place changed, everyone enrolled or waiting hears of it
    (``courses/changes.py`` adds the refusal of a move into the past)."""
    edition = Edition.objects.select_for_update().select_related("module").get(pk=meeting.edition_id)
    check(actor, edition, starts_at=starts_at, ends_at=ends_at, venue=venue, online_url=online_url)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.cancelled_at is not None:
        raise Conflict(_("This meeting has been cancelled."), code="meeting_cancelled")
    before = meeting.sequence
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.venue, meeting.online_url = venue.strip(), online_url
    meeting.save()  # raises ``sequence`` when time or place changed
    refresh_dates(edition)
    if meeting.sequence > before:
        outbox.enqueue("courses.send_meeting_changed", meeting.pk, meeting.sequence)
    return meeting


def refresh_dates(edition: Edition) -> None:
    """Keep the edition's denormalised dates to the meetings that still take place (edition locked)."""
    times = list(edition.meetings.filter(cancelled_at__isnull=True).values_list("starts_at", "ends_at"))
    edition.starts_at = min((start for start, _end in times), default=None)
    edition.ends_at = max((end for _start, end in times), default=None)
    edition.save(update_fields=["starts_at", "ends_at"])


#: Who hears of a changed or cancelled meeting: everyone holding or waiting for a place.
TOLD_STATUSES = (
    EnrolmentStatus.CONFIRMED,
    EnrolmentStatus.OFFERED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.PENDING_APPROVAL,
)


def send_changed(meeting_id: int, sequence: int) -> int:
    """Tell every enrolled and waitlisted teacher about revision ``sequence`` of a meeting, each in their
    language; returns how many were sent now. A late task for an older revision sends nothing (the newer
    revision's task tells them). Each teacher's row (``MeetingChangeMessage``) commits before their mail
    goes out, so a retry after a failed send reaches only the ones still missing, never anyone twice."""
    meeting = Meeting.objects.select_related("edition__module").filter(pk=meeting_id).first()
    if meeting is None or meeting.sequence != sequence:
        return 0
    enrolment_ids = list(
        Enrolment.objects.filter(edition_id=meeting.edition_id, status__in=TOLD_STATUSES)
        .exclude(
            pk__in=MeetingChangeMessage.objects.filter(meeting=meeting, sequence=sequence).values("enrolment")
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for enrolment_id in enrolment_ids:
        with transaction.atomic():
            enrolment = (
                Enrolment.objects.select_for_update(of=("self",))
                .select_related("teacher")
                .filter(pk=enrolment_id, status__in=TOLD_STATUSES)
                .first()
            )
            if (
                enrolment is None
                or MeetingChangeMessage.objects.filter(
                    meeting=meeting, enrolment=enrolment, sequence=sequence
                ).exists()
            ):
                continue
            record = MeetingChangeMessage.objects.create(
                meeting=meeting, enrolment=enrolment, sequence=sequence
            )
            message = _message(meeting, enrolment)
        send_after_record(message.send, MeetingChangeMessage.objects.filter(pk=record.pk).delete)
        sent += 1
    Meeting.objects.filter(pk=meeting_id, notified_sequence__lt=sequence).update(notified_sequence=sequence)
    return sent


def _message(meeting: Meeting, enrolment: Enrolment) -> EmailMessage:
    edition = meeting.edition
    user = enrolment.teacher
    cancelled = meeting.cancelled_at is not None
    with translation.override(user.language):
        subject = (_("Meeting cancelled: %(title)s") if cancelled else _("Changed: %(title)s")) % {
            "title": edition
        }
        body = render_to_string(
            "courses/email/meeting_changed.txt",
            {
                "user": user,
                "edition": edition,
                "meeting": meeting,
                "cancelled": cancelled,
                "in_calendar": enrolment.status == EnrolmentStatus.CONFIRMED,
                "url": absolute_url(reverse("courses:edition_detail", args=[edition.pk])),
            },
        )
    message = EmailMessage(subject, body, None, [user.email])
    if enrolment.status == EnrolmentStatus.CONFIRMED:  # only they have the event in their calendar
        method = ical.CANCEL if cancelled else ical.PUBLISH
        ical.attach(message, [meeting], name=str(edition), method=method)
    return message
