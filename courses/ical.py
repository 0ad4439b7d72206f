"""iCalendar (RFC 5545) written by hand: one VEVENT per meeting, times in UTC, text escaped (backslash,
semicolon, comma, newline), lines folded at 75 octets, CRLF line endings.

One meeting is one event everywhere: ``UID:meeting-<id>@<CALENDAR_UID_DOMAIN>`` (never the request's host or
SITE_URL, which differ between the feed and the mails), with ``SEQUENCE`` from ``Meeting.sequence``.
A cancellation is the same event with ``STATUS:CANCELLED`` and a higher ``SEQUENCE``; sent by mail with
``METHOD:CANCEL`` so calendar clients remove it.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage

from courses.models import EditionStatus, Meeting

PRODID = "-//Overstap//Courses//EN"
PUBLISH, CANCEL = "PUBLISH", "CANCEL"
FEED_REFRESH = "PT1H"  # calendar apps poll subscribed feeds; an hour keeps cancellations timely and load low


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, never splitting a UTF-8 character."""
    out: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode()) > limit:
            out.append(current)
            current = " " + char
            limit = 75
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{settings.CALENDAR_UID_DOMAIN}"


def _organizer() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return f"ORGANIZER;CN=Overstap:mailto:{address}"


def _event(meeting: Meeting, now: str, *, cancelled_for_you: bool, mail: bool) -> list[str]:
    edition = meeting.edition
    location = meeting.venue or meeting.online_url
    description = edition.module.summary
    if meeting.online_url:
        description += "\n" + meeting.online_url
    # A personal cancellation does not change the meeting, but must outrank the event the teacher got.
    sequence = meeting.sequence + (1 if cancelled_for_you else 0)
    cancelled = (
        cancelled_for_you or edition.status == EditionStatus.CANCELLED or meeting.cancelled_at is not None
    )
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid(meeting)}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{now}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(meeting.ends_at)}",
        f"SUMMARY:{escape(str(edition))}",
        f"DESCRIPTION:{escape(description)}",
    ]
    if mail:  # iTIP (RFC 5546) requires the organiser on objects sent by mail
        lines.append(_organizer())
    if location:
        lines.append(f"LOCATION:{escape(location)}")
    if meeting.online_url:
        lines.append(f"URL:{meeting.online_url}")
    lines += ["STATUS:CANCELLED" if cancelled else "STATUS:CONFIRMED", "END:VEVENT"]
    return lines


def calendar(
    meetings: Iterable[Meeting],
    *,
    name: str,
    cancelled_ids: Iterable[int] = (),
    method: str = PUBLISH,
    feed: bool = False,
) -> str:
    """A VCALENDAR with one event per meeting. ``cancelled_ids``: meetings cancelled for this teacher
    (STATUS:CANCELLED, SEQUENCE one higher); ``method=CANCEL`` cancels every event in it; ``feed`` adds the
    refresh interval a subscribed calendar should keep."""
    now = _utc(datetime.now(UTC))
    cancelled = set(cancelled_ids)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    if feed:
        lines += [f"REFRESH-INTERVAL;VALUE=DURATION:{FEED_REFRESH}", f"X-PUBLISHED-TTL:{FEED_REFRESH}"]
    for meeting in meetings:
        for_you = method == CANCEL or meeting.pk in cancelled
        lines += _event(meeting, now, cancelled_for_you=for_you, mail=not feed)
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"


def attach(message: EmailMessage, meetings: list[Meeting], *, name: str, method: str) -> None:
    """Attach the meetings as an iTIP object (RFC 5546): PUBLISH adds or updates, CANCEL removes."""
    message.attach("course.ics", calendar(meetings, name=name, method=method), "text/calendar")
