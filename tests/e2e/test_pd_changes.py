"""Issue 15 in the browser: an organiser moves a published meeting and the teacher's subscribed calendar
feed shows the new time under the same UID with a higher SEQUENCE; the evaluation invitation arrives only
after the last meeting, and the teacher's answer shows up in the organiser's chart."""

import re
from datetime import UTC, timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from courses import tasks
from tests.courses.factories import end_edition, make_edition, make_enrolment, make_module
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


def test_it_invites_the_teacher_to_evaluate_only_after_the_last_meeting(open_page, tree) -> None:
    module = make_module(tree.region_a, title="NT2 in de praktijk")
    edition = make_edition(module, meetings=2, label="Najaar")
    member(Role.REGIONAL_COORDINATOR, tree.region_a, "organiser_a@example.test", "Sanne")
    teacher = member(Role.TEACHER, tree.school_a, "teacher_a@example.test", "Lotte")
    enrolment = make_enrolment(edition, teacher)
    page = open_page()
    login(page, "teacher_a@example.test")

    # Before the last meeting: beat sends nothing, and the evaluation page says why there is no form.
    tasks.queue_followups()
    assert mail.outbox == []
    page.goto(f"/courses/enrolments/{enrolment.pk}/evaluate/")
    expect(page.locator(".notice")).to_have_text(
        "Je kunt een editie waaraan je hebt deelgenomen evalueren zodra die is afgelopen."
    )

    # The last meeting has ended: beat's next run sends the invitation, once.
    end_edition(edition)
    tasks.queue_followups()
    tasks.queue_followups()
    (invitation,) = mail.outbox
    assert (invitation.to, invitation.subject) == (
        ["teacher_a@example.test"],
        "Hoe was NT2 in de praktijk · Najaar? Graag je evaluatie",
    )
    link = next(line for line in invitation.body.splitlines() if "/evaluate/" in line)

    # The teacher follows the link from the mail and evaluates.
    page.goto(link)
    page.get_by_label("5").check()
    page.get_by_label("Opmerkingen").fill("Direct bruikbaar in groep 5.")
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_role("status")).to_contain_text("Bedankt voor je evaluatie.")

    # The organiser sees the rating in the chart and the comment beside it.
    organiser = open_page()
    login(organiser, "organiser_a@example.test")
    organiser.goto(f"/courses/organise/editions/{edition.pk}/")
    organiser.get_by_role("link", name="Evaluatieresultaten als grafiek").click()
    expect(organiser.get_by_role("img", name="Beoordelingen (1 evaluatie)")).to_be_visible()
    expect(organiser.locator("ul.comments li")).to_have_text(["Direct bruikbaar in groep 5."])
    assert_accessible(organiser)
