"""An organiser moves a published meeting in the browser; the teacher's subscribed calendar feed shows the
new time under the same UID with a higher SEQUENCE, and the teacher got the change by mail in Dutch."""

import re
from datetime import UTC, timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from tests.courses.factories import make_edition, make_enrolment, make_module
from tests.e2e.helpers import assert_accessible, login, member


def _event(ics: str) -> dict[str, str]:
    """The one VEVENT's properties (lines unfolded)."""
    body = ics.replace("\r\n ", "").split("BEGIN:VEVENT\r\n", 1)[1].split("END:VEVENT", 1)[0]
    return dict(line.split(":", 1) for line in body.split("\r\n") if ":" in line)


def test_it_moves_a_meeting_and_the_teachers_feed_follows_with_a_higher_sequence(open_page, tree) -> None:
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=10)
    module = make_module(tree.region_a, title="Meertaligheid als kracht in de klas")
    edition = make_edition(module, start=start, label="Voorjaar")
    meeting = edition.meetings.get()
    member(Role.REGIONAL_COORDINATOR, tree.region_a, "organiser_a@example.test", "Sanne")
    teacher = member(Role.TEACHER, tree.school_a, "teacher_a@example.test", "Lotte")
    make_enrolment(edition, teacher)
    uid = f"meeting-{meeting.pk}@overstap.nl"

    # The teacher subscribes: the feed holds the meeting at its first time, revision 0.
    page = open_page()
    login(page, "teacher_a@example.test")
    page.goto("/courses/mine/")
    feed_url = page.get_by_label("Agenda-adres").input_value()
    before = _event(page.request.get(feed_url).text())
    assert (before["UID"], before["SEQUENCE"], before["DTSTART"]) == (
        uid,
        "0",
        start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"),
    )

    # The organiser moves the meeting a day later, to the afternoon, in another venue.
    organiser = open_page()
    login(organiser, "organiser_a@example.test")
    organiser.goto(f"/courses/organise/editions/{edition.pk}/")
    organiser.get_by_role("link", name=re.compile("^Verplaatsen of schrappen")).click()
    expect(organiser.get_by_role("heading", level=1)).to_contain_text("Bijeenkomst op")
    assert_accessible(organiser)
    moved = start + timedelta(days=1, hours=5)  # 14:00 local time
    organiser.locator("input[name=starts_at]").fill(moved.strftime("%Y-%m-%dT%H:%M"))
    organiser.locator("input[name=ends_at]").fill((moved + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    organiser.locator("input[name=venue]").fill("Bibliotheek Centrum")
    organiser.get_by_role("button", name="Opslaan").click()
    expect(organiser.get_by_role("status")).to_contain_text(
        "De bijeenkomst is opgeslagen; deelnemers horen van elke wijziging."
    )

    # The feed now carries the same event at the new time with a higher SEQUENCE.
    after = _event(page.request.get(feed_url).text())
    assert (after["UID"], after["SEQUENCE"], after["STATUS"], after["DTSTART"], after["DTEND"]) == (
        uid,
        "1",
        "CONFIRMED",
        moved.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"),
        (moved + timedelta(hours=2)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"),
    )
    assert after["LOCATION"] == "Bibliotheek Centrum"
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["teacher_a@example.test"], "Gewijzigd: Meertaligheid als kracht in de klas · Voorjaar")
    ]
