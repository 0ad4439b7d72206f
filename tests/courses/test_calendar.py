"""Calendars as teachers' apps read them: the feed and the mails, parsed by three iCalendar parsers
(icalendar, ics, vobject). One meeting has one UID everywhere; a cancellation is the same event with
STATUS:CANCELLED and a higher SEQUENCE (METHOD:CANCEL by mail), so it removes the event."""

from datetime import timedelta

import icalendar
import ics
import vobject
from django.core import mail
from django.utils import timezone

from core.models import OutboxMessage
from courses import ical, meetings, services, tasks
from courses.models import CalendarFeed, EnrolmentStatus, Meeting
from tests.courses.factories import make_edition, make_enrolment, make_teacher


def _ics_sequence(event: ics.Event) -> int:
    return next(int(str(line).split(":")[1]) for line in event.extra if str(line).startswith("SEQUENCE:"))


def _parsed(text: str) -> dict[str, tuple[str, list[tuple[str, int, str]]]]:
    """METHOD and (UID, SEQUENCE, STATUS) per event, as each parser reads them."""
    by_icalendar = icalendar.Calendar.from_ical(text)
    by_ics = ics.Calendar(text)
    by_vobject = vobject.readOne(text)
    return {
        "icalendar": (
            str(by_icalendar["METHOD"]),
            sorted(
                (str(e["UID"]), int(e["SEQUENCE"]), str(e["STATUS"])) for e in by_icalendar.walk("VEVENT")
            ),
        ),
        "ics": (
            by_ics.method,
            sorted((e.uid, _ics_sequence(e), e.status) for e in by_ics.events),
        ),
        "vobject": (
            by_vobject.method.value,
            sorted(
                (e.uid.value, int(e.sequence.value), e.status.value)
                for e in by_vobject.contents.get("vevent", [])
            ),
        ),
    }


def _agreed(text: str) -> tuple[str, list[tuple[str, int, str]]]:
    readings = _parsed(text)
    assert readings["icalendar"] == readings["ics"] == readings["vobject"], readings
    return readings["icalendar"]


def _apply(store: dict[str, int], text: str) -> None:
    """A calendar app's store: PUBLISH adds or updates an event, CANCEL (or STATUS:CANCELLED) with a
    SEQUENCE not lower than the held one removes it."""
    method, events = _agreed(text)
    for uid, sequence, status in events:
        if sequence < store.get(uid, -1):
            continue
        if method == "CANCEL" or status == "CANCELLED":
            store.pop(uid, None)
        else:
            store[uid] = sequence


def _feed(client, teacher, host: str = "testserver") -> str:  # type: ignore[no-untyped-def]
    feed = CalendarFeed.objects.get_or_create(user=teacher)[0]
    return client.get(f"/courses/feed/{feed.token}.ics", HTTP_HOST=host).content.decode()


def _attachment(message) -> str:  # type: ignore[no-untyped-def]
    (name, content, mimetype), *_rest = message.attachments
    assert (name, mimetype) == ("course.ics", "text/calendar")
    return content


def test_it_sends_the_cancellation_as_the_same_event_cancelled_and_it_removes_the_event(
    tree, edition_a, django_capture_on_commit_callbacks
):
    teacher = make_teacher(tree.school_a)
    meeting = edition_a.meetings.get()
    store: dict[str, int] = {}

    with django_capture_on_commit_callbacks(execute=True):
        enrolment = services.enrol(teacher, edition_a)
    _apply(store, _attachment(mail.outbox[0]))
    assert store == {f"meeting-{meeting.pk}@overstap.nl": 0}
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_enrolment(teacher, enrolment)
    cancellation = _attachment(mail.outbox[1])
    _apply(store, cancellation)

    assert _agreed(cancellation) == ("CANCEL", [(f"meeting-{meeting.pk}@overstap.nl", 1, "CANCELLED")])
    assert "ORGANIZER;CN=Overstap:mailto:noreply@overstap.local\r\n" in cancellation
    assert store == {}


def test_it_cancels_the_event_of_everyone_on_a_cancelled_edition(
    tree, edition_a, organiser_a, django_capture_on_commit_callbacks
):
    teacher = make_teacher(tree.school_a)
    make_enrolment(edition_a, teacher)
    meeting = edition_a.meetings.get()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_edition(organiser_a, edition_a, "Te weinig aanmeldingen")
    meeting.refresh_from_db()

    assert meeting.sequence == 1
    assert _agreed(_attachment(mail.outbox[0])) == (
        "CANCEL",
        [(f"meeting-{meeting.pk}@overstap.nl", 2, "CANCELLED")],
    )


def test_it_gives_a_meeting_one_uid_in_the_feed_and_the_mail_whatever_host_or_site_url(
    client, tree, edition_a, settings
):
    settings.SITE_URL = "https://overstap.example.nl:8443"
    teacher = make_teacher(tree.school_a)
    enrolment = make_enrolment(edition_a, teacher)
    tasks.send_enrolment_message(enrolment.pk, "confirmation")

    in_mail = _agreed(_attachment(mail.outbox[0]))[1]
    in_feed = _agreed(_feed(client, teacher, host="127.0.0.1:8000"))[1]

    assert in_mail == in_feed == [(f"meeting-{edition_a.meetings.get().pk}@overstap.nl", 0, "CONFIRMED")]


def test_it_keeps_cancelled_events_in_the_feed_as_cancelled_and_drops_them_later(client, tree, module_a):
    teacher = make_teacher(tree.school_a)
    confirmed, recent, old = (make_edition(module_a) for _ in range(3))
    make_enrolment(confirmed, teacher)
    make_enrolment(
        recent, teacher, EnrolmentStatus.CANCELLED, cancelled_at=timezone.now() - timedelta(days=29)
    )
    make_enrolment(old, teacher, EnrolmentStatus.CANCELLED, cancelled_at=timezone.now() - timedelta(days=31))
    uid = {e: f"meeting-{e.meetings.get().pk}@overstap.nl" for e in (confirmed, recent)}

    body = _feed(client, teacher)

    assert _agreed(body) == (
        "PUBLISH",
        sorted([(uid[confirmed], 0, "CONFIRMED"), (uid[recent], 1, "CANCELLED")]),
    )
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\nX-PUBLISHED-TTL:PT1H\r\n" in body
    assert "ORGANIZER" not in body


def test_it_lists_a_re_enrolment_as_confirmed_not_cancelled(client, tree, edition_a):
    teacher = make_teacher(tree.school_a)
    make_enrolment(edition_a, teacher, EnrolmentStatus.CANCELLED, cancelled_at=timezone.now())
    make_enrolment(edition_a, teacher)

    assert _agreed(_feed(client, teacher))[1] == [
        (f"meeting-{edition_a.meetings.get().pk}@overstap.nl", 0, "CONFIRMED")
    ]


def test_it_derives_the_uid_from_the_fixed_domain_setting(tree, edition_a, settings):
    settings.CALENDAR_UID_DOMAIN = "kalender.regio.example"
    meeting = edition_a.meetings.get()

    assert ical.uid(meeting) == f"meeting-{meeting.pk}@kalender.regio.example"


def test_it_moves_the_event_in_the_calendar_when_a_meeting_changes(
    tree, edition_a, organiser_a, django_capture_on_commit_callbacks
):
    teacher = make_teacher(tree.school_a)
    meeting = edition_a.meetings.get()
    store: dict[str, int] = {}
    with django_capture_on_commit_callbacks(execute=True):
        services.enrol(teacher, edition_a)
    _apply(store, _attachment(mail.outbox[0]))
    later = meeting.starts_at + timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        meetings.change_meeting(
            organiser_a, meeting, starts_at=later, ends_at=later + timedelta(hours=3), venue="Bibliotheek"
        )
    changed = _attachment(mail.outbox[1])
    _apply(store, changed)

    assert mail.outbox[1].subject == "Gewijzigd: Multilingual classrooms"
    assert _agreed(changed) == ("PUBLISH", [(f"meeting-{meeting.pk}@overstap.nl", 1, "CONFIRMED")])
    assert "LOCATION:Bibliotheek\r\n" in changed
    assert store == {f"meeting-{meeting.pk}@overstap.nl": 1}


def test_it_sends_a_change_once_and_not_for_an_unchanged_meeting(tree, edition_a, organiser_a):
    make_enrolment(edition_a, make_teacher(tree.school_a))
    meeting = edition_a.meetings.get()
    same = {"starts_at": meeting.starts_at, "ends_at": meeting.ends_at, "venue": meeting.venue}

    meetings.change_meeting(organiser_a, meeting, **same)
    meeting.refresh_from_db()
    assert (meeting.sequence, OutboxMessage.objects.filter(task="courses.send_meeting_changed").count()) == (
        0,
        0,
    )

    meetings.change_meeting(organiser_a, meeting, **{**same, "venue": "Bibliotheek"})

    assert tasks.send_meeting_changed(meeting.pk, 1) == 1
    assert tasks.send_meeting_changed(meeting.pk, 1) == 0
    assert tasks.send_meeting_changed(meeting.pk, 0) == 0
    assert len(mail.outbox) == 1


def test_it_raises_the_sequence_when_the_admin_moves_a_meeting(tree, edition_a):
    meeting = edition_a.meetings.get()

    meeting.venue = "Elders"
    meeting.save()
    meeting.save()

    assert Meeting.objects.get(pk=meeting.pk).sequence == 1
