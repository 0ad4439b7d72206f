"""iCalendar (RFC 5545) written by hand: one VEVENT per meeting, times in UTC, text escaped (backslash,
semicolon, comma, newline), lines folded at 75 octets, CRLF line endings."""

from collections.abc import Iterable
from datetime import UTC, datetime

from courses.models import Meeting

PRODID = "-//Overstap//Courses//EN"


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


def calendar(
    meetings: Iterable[Meeting], *, name: str, host: str, cancelled_ids: set[int] = frozenset()
) -> str:
    """A VCALENDAR with one event per meeting; ``cancelled_ids`` are sent as STATUS:CANCELLED so calendar
    clients remove them."""
    now = _utc(datetime.now(UTC))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for meeting in meetings:
        edition = meeting.edition
        location = meeting.venue or meeting.online_url
        description = edition.module.summary
        if meeting.online_url:
            description += "\n" + meeting.online_url
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.pk}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_utc(meeting.starts_at)}",
            f"DTEND:{_utc(meeting.ends_at)}",
            f"SUMMARY:{escape(str(edition))}",
            f"DESCRIPTION:{escape(description)}",
        ]
        if location:
            lines.append(f"LOCATION:{escape(location)}")
        if meeting.online_url:
            lines.append(f"URL:{meeting.online_url}")
        cancelled = meeting.pk in cancelled_ids or edition.status == "cancelled"
        lines.append("STATUS:CANCELLED" if cancelled else "STATUS:CONFIRMED")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
