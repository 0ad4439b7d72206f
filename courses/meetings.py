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
from core.urls import absolute_url
from courses import access, ical
from courses.models import Edition, EditionStatus, Enrolment, EnrolmentStatus, Meeting


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
    """The organiser moves a meeting; when time or place changed, everyone confirmed gets the new event."""
    edition = Edition.objects.select_for_update().select_related("module").get(pk=meeting.edition_id)
    check(actor, edition, starts_at=starts_at, ends_at=ends_at, venue=venue, online_url=online_url)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    before = meeting.sequence
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.venue, meeting.online_url = venue.strip(), online_url
    meeting.save()  # raises ``sequence`` when time or place changed
    times = edition.meetings.values_list("starts_at", "ends_at")
    edition.starts_at = min(start for start, _end in times)
    edition.ends_at = max(end for _start, end in times)
    edition.save(update_fields=["starts_at", "ends_at"])
    if meeting.sequence > before:
        outbox.enqueue("courses.send_meeting_changed", meeting.pk, meeting.sequence)
    return meeting


def send_changed(meeting_id: int, sequence: int) -> int:
    """Mail every confirmed teacher the changed event; returns how many. Claims the revision with a
    conditional update, so a second run (or an older revision's late task) sends nothing; an SMTP error
    rolls the claim back and the retry sends again."""
    with transaction.atomic():
        claimed = Meeting.objects.filter(
            pk=meeting_id, sequence=sequence, notified_sequence__lt=sequence
        ).update(notified_sequence=sequence)
        if not claimed:
            return 0
        meeting = Meeting.objects.select_related("edition__module").get(pk=meeting_id)
        enrolments = Enrolment.objects.filter(
            edition_id=meeting.edition_id, status=EnrolmentStatus.CONFIRMED
        ).select_related("teacher")
        for enrolment in enrolments:
            _send(meeting, enrolment.teacher)
        return len(enrolments)


def _send(meeting: Meeting, user: User) -> None:
    edition = meeting.edition
    with translation.override(user.language):
        subject = _("Changed: %(title)s") % {"title": edition}
        body = render_to_string(
            "courses/email/meeting_changed.txt",
            {
                "user": user,
                "edition": edition,
                "meeting": meeting,
                "url": absolute_url(reverse("courses:edition_detail", args=[edition.pk])),
            },
        )
    message = EmailMessage(subject, body, None, [user.email])
    ical.attach(message, [meeting], name=str(edition), method=ical.PUBLISH)
    message.send()
