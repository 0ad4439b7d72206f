"""Changing what was published (courses/changes.py): every change that matters reaches each enrolled and
waitlisted teacher once, in their language; the feed carries it under the same UID with a higher
SEQUENCE; a move into the past needs the explicit choice; bad input is a form error."""

from datetime import timedelta
from decimal import Decimal
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import formats, timezone, translation

from core.errors import ServiceError
from courses import changes, tasks
from courses.models import (
    CalendarFeed,
    EditionStatus,
    EnrolmentStatus,
    Meeting,
    MeetingChangeMessage,
    Module,
    Theme,
)
from tests.courses.factories import make_edition, make_enrolment, make_module, make_teacher


def _feed_events(client, teacher) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(UID, SEQUENCE, STATUS) of each event in the teacher's feed, as the text says them."""
    token = CalendarFeed.objects.get_or_create(user=teacher)[0].token
    body = client.get(f"/courses/feed/{token}.ics").content.decode()
    events = []
    for chunk in body.split("BEGIN:VEVENT")[1:]:
        fields = dict(line.split(":", 1) for line in chunk.split("\r\n") if ":" in line)
        events.append((fields["UID"], fields["SEQUENCE"], fields["STATUS"], fields["DTSTART"]))
    return events


def test_it_tells_every_enrolled_and_waitlisted_teacher_once_in_their_language(
    tree, edition_a, organiser_a, django_capture_on_commit_callbacks
):
    confirmed = make_teacher(tree.school_a, language="en")
    waiting = make_teacher(tree.school_a, language="nl")
    cancelled = make_teacher(tree.school_a)
    make_enrolment(edition_a, confirmed)
    make_enrolment(edition_a, waiting, EnrolmentStatus.WAITLISTED)
    make_enrolment(edition_a, cancelled, EnrolmentStatus.CANCELLED)
    meeting = edition_a.meetings.get()
    later = meeting.starts_at + timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        changes.move_meeting(
            organiser_a, meeting, starts_at=later, ends_at=later + timedelta(hours=2), venue="Bibliotheek"
        )

    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == sorted([confirmed.email, waiting.email])
    assert by_address[confirmed.email].subject == "Changed: Multilingual classrooms"
    assert by_address[waiting.email].subject == "Gewijzigd: Multilingual classrooms"
    assert [a[0] for a in by_address[confirmed.email].attachments] == ["course.ics"]
    assert by_address[waiting.email].attachments == []  # no event in a waitlisted teacher's calendar
    assert tasks.send_meeting_changed(meeting.pk, 1) == 0
    assert len(mail.outbox) == 2


def test_it_sends_a_retry_only_to_those_the_failed_run_did_not_reach(
    tree, edition_a, organiser_a, monkeypatch
):
    teachers = [make_teacher(tree.school_a) for _ in range(3)]
    for teacher in teachers:
        make_enrolment(edition_a, teacher)
    meeting = edition_a.meetings.get()
    changes.move_meeting(
        organiser_a,
        meeting,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        venue="Bibliotheek",
    )
    original = EmailBackend.send_messages
    failing = {teachers[1].email}

    def flaky(self, messages):  # type: ignore[no-untyped-def]
        if messages[0].to[0] in failing:
            failing.clear()
            raise SMTPException("greylisted")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)

    with pytest.raises(SMTPException):
        tasks.send_meeting_changed(meeting.pk, 1)
    assert tasks.send_meeting_changed(meeting.pk, 1) == 2
    assert tasks.send_meeting_changed(meeting.pk, 1) == 0

    assert sorted(m.to[0] for m in mail.outbox) == sorted(t.email for t in teachers)
    assert MeetingChangeMessage.objects.filter(meeting=meeting, sequence=1).count() == 3


def test_it_refuses_a_move_into_the_past_unless_attendance_is_recorded_afterwards(
    tree, edition_a, organiser_a
):
    meeting = edition_a.meetings.get()
    yesterday = timezone.now() - timedelta(days=1)
    moved = {"starts_at": yesterday, "ends_at": yesterday + timedelta(hours=2), "venue": "Stadhuis"}

    with pytest.raises(ServiceError) as refused:
        changes.move_meeting(organiser_a, meeting, **moved)
    assert (refused.value.code, refused.value.field) == ("in_past", "starts_at")
    assert Meeting.objects.get(pk=meeting.pk).sequence == 0

    changes.move_meeting(organiser_a, meeting, **moved, record_attendance_afterwards=True)
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.sequence) == (yesterday, 1)


def test_it_shows_a_past_time_and_a_bad_time_as_form_errors_and_changes_nothing(
    client, tree, edition_a, organiser_a
):
    meeting = edition_a.meetings.get()
    client.force_login(organiser_a)
    url = f"/courses/organise/meetings/{meeting.pk}/edit/"
    past = timezone.localtime() - timedelta(days=3)

    in_past = client.post(
        url,
        {
            "starts_at": f"{past:%Y-%m-%dT%H:%M}",
            "ends_at": f"{past + timedelta(hours=1):%Y-%m-%dT%H:%M}",
            "venue": "X",
        },
    )
    backwards = client.post(
        url, {"starts_at": "2030-05-01T12:00", "ends_at": "2030-05-01T11:00", "venue": "X"}
    )
    garbage = client.post(url, {"starts_at": "morgen", "ends_at": "", "venue": "X"})

    assert [r.status_code for r in (in_past, backwards, garbage)] == [400, 400, 400]
    assert list(in_past.context["form"].errors) == ["starts_at"]
    assert list(backwards.context["form"].errors) == ["ends_at"]
    assert sorted(garbage.context["form"].errors) == ["ends_at", "starts_at"]
    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.starts_at, fresh.venue, fresh.sequence) == (meeting.starts_at, meeting.venue, 0)


def test_it_moves_a_meeting_through_the_page_and_the_feed_follows(client, tree, edition_a, organiser_a):
    teacher = make_teacher(tree.school_a)
    make_enrolment(edition_a, teacher)
    meeting = edition_a.meetings.get()
    client.force_login(organiser_a)

    response = client.post(
        f"/courses/organise/meetings/{meeting.pk}/edit/",
        {"starts_at": "2030-05-01T13:30", "ends_at": "2030-05-01T16:00", "venue": "Bibliotheek"},
    )

    assert response.status_code == 302
    assert _feed_events(client, teacher) == [
        (f"meeting-{meeting.pk}@overstap.nl", "1", "CONFIRMED", "20300501T113000Z")
    ]


def test_it_removes_a_meeting_as_a_cancelled_event_and_keeps_the_edition_dates_to_the_rest(
    client, tree, module_a, organiser_a, django_capture_on_commit_callbacks
):
    edition = make_edition(module_a, meetings=3)
    teacher = make_teacher(tree.school_a, language="en")
    make_enrolment(edition, teacher)
    first, second, last = edition.meetings.order_by("starts_at")

    with django_capture_on_commit_callbacks(execute=True):
        changes.cancel_meeting(organiser_a, last, "  The trainer is ill.  ")
    edition.refresh_from_db()

    assert (edition.starts_at, edition.ends_at) == (first.starts_at, second.ends_at)
    (message,) = mail.outbox
    assert message.subject == "Meeting cancelled: Multilingual classrooms"
    assert "The trainer is ill." in message.body
    assert "METHOD:CANCEL\r\n" in message.attachments[0][1]
    statuses = {uid: (seq, status) for uid, seq, status, _start in _feed_events(client, teacher)}
    assert statuses == {
        f"meeting-{first.pk}@overstap.nl": ("0", "CONFIRMED"),
        f"meeting-{second.pk}@overstap.nl": ("0", "CONFIRMED"),
        f"meeting-{last.pk}@overstap.nl": ("1", "CANCELLED"),
    }


def test_it_refuses_to_remove_without_a_message_or_the_last_meeting(tree, module_a, organiser_a):
    edition = make_edition(module_a, meetings=2)
    first, second = edition.meetings.order_by("starts_at")

    with pytest.raises(ServiceError) as no_message:
        changes.cancel_meeting(organiser_a, first, "   ")
    changes.cancel_meeting(organiser_a, first, "Zaal niet beschikbaar")
    with pytest.raises(ServiceError) as last:
        changes.cancel_meeting(organiser_a, second, "Weg")

    assert (no_message.value.code, no_message.value.field, last.value.code) == (
        "required",
        "message",
        "last_meeting",
    )
    assert list(edition.meetings.filter(cancelled_at__isnull=True)) == [second]


def test_it_requires_a_message_to_cancel_an_edition_through_the_page(client, tree, edition_a, organiser_a):
    client.force_login(organiser_a)

    response = client.post(f"/courses/organise/editions/{edition_a.pk}/cancel/", {"reason": "  "})

    assert response.status_code == 400
    assert list(response.context["cancel_form"].errors) == ["reason"]
    edition_a.refresh_from_db()
    assert edition_a.status == EditionStatus.PUBLISHED


def test_it_edits_a_published_module_and_keeps_its_primary_theme(client, tree, organiser_a):
    module = make_module(tree.region_a, themes=[Theme.PARENT_CONTACT, Theme.MULTILINGUALISM])
    make_edition(module)
    client.force_login(organiser_a)
    data = {
        "title": "Ouders als partners",
        "summary": "Samen met ouders.",
        "description": "",
        "themes": [Theme.MULTILINGUALISM, Theme.PARENT_CONTACT],
        "format": "study_day",
        "activity_type": "study_day",
        "audience_stage": "all",
        "audience_role": "teachers",
        "pd_hours": "6.5",
        "self_study_hours": "2",
        "provider": "Hogeschool Rotterdam",
    }

    too_much = client.post(f"/courses/organise/modules/{module.pk}/edit/", {**data, "self_study_hours": "7"})
    saved = client.post(f"/courses/organise/modules/{module.pk}/edit/", data)

    assert (too_much.status_code, list(too_much.context["form"].errors)) == (400, ["self_study_hours"])
    assert saved.status_code == 302
    module = Module.objects.get(pk=module.pk)
    assert (module.title, module.themes, module.pd_hours, module.self_study_hours, module.provider) == (
        "Ouders als partners",
        ",parent_contact,multilingualism,",
        Decimal("6.5"),
        Decimal("2.0"),
        "Hogeschool Rotterdam",
    )


def test_it_adds_a_past_meeting_only_with_the_explicit_choice(client, tree, edition_a, organiser_a):
    client.force_login(organiser_a)
    past = timezone.localtime() - timedelta(days=2)
    data = {
        "starts_at": f"{past:%Y-%m-%dT%H:%M}",
        "ends_at": f"{past + timedelta(hours=1):%Y-%m-%dT%H:%M}",
        "venue": "Stadhuis",
    }

    refused = client.post(f"/courses/organise/editions/{edition_a.pk}/meetings/", data)
    added = client.post(
        f"/courses/organise/editions/{edition_a.pk}/meetings/", {**data, "record_attendance_afterwards": "on"}
    )

    assert (refused.status_code, list(refused.context["meeting_form"].errors)) == (400, ["starts_at"])
    assert added.status_code == 302
    assert edition_a.meetings.count() == 2


def test_it_marks_a_removed_meeting_on_the_edition_page_and_leaves_it_out_of_later_mails(
    client, tree, module_a, organiser_a
):
    edition = make_edition(module_a, meetings=2)
    first, second = edition.meetings.order_by("starts_at")
    changes.cancel_meeting(organiser_a, second, "Zaal niet beschikbaar")
    teacher = make_teacher(tree.school_a, language="en")
    enrolment = make_enrolment(edition, teacher)
    client.force_login(teacher)

    page = client.get(f"/courses/editions/{edition.pk}/").content.decode()
    tasks.send_enrolment_message(enrolment.pk, "confirmation")

    assert page.count("<strong>Cancelled</strong> Zaal niet beschikbaar") == 1
    (message,) = mail.outbox
    listed = [line for line in message.body.splitlines() if line.startswith("- ")]
    with translation.override("en"):
        start = formats.date_format(timezone.localtime(first.starts_at), "DATETIME_FORMAT")
        end = formats.time_format(timezone.localtime(first.ends_at), "TIME_FORMAT")
    assert listed == [f"- {start}\u2013{end}, Stadhuis, Grote Markt 2"]
