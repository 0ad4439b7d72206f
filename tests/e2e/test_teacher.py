"""A teacher finds a study day on multilingualism, ends up on the waitlist of the full edition, is promoted
when a colleague cancels and takes the dates home as an iCalendar file; the same enrolment by keyboard only."""

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from courses.models import EnrolmentStatus, Format, Theme
from tests.courses.factories import make_edition, make_enrolment, make_module
from tests.e2e.helpers import assert_accessible, login, member, press_until_focused


@pytest.fixture
def study_day(tree):
    """A full study day on multilingualism in region A, and two editions the filters must hide: a study day
    on NT2 and a network meeting on multilingualism."""
    nt2 = make_module(tree.region_a, title="NT2 in de bovenbouw", themes=[Theme.DUTCH_SECOND_LANGUAGE])
    make_edition(nt2, capacity=20)
    network = make_module(tree.region_a, title="Netwerk meertaligheid", format=Format.NETWORK_MEETING)
    make_edition(network, capacity=20)
    module = make_module(
        tree.region_a,
        title="Meertaligheid als kracht in de klas",
        format=Format.STUDY_DAY,
        themes=[Theme.MULTILINGUALISM],
    )
    return make_edition(module, capacity=1, label="Voorjaar")


def test_it_takes_a_teacher_from_the_catalogue_to_a_promoted_place_and_a_calendar_file(
    open_page, tree, study_day
) -> None:
    teacher_a = member(Role.TEACHER, tree.school_a, "teacher_a@example.test", "Lotte")
    teacher_b = member(Role.TEACHER, tree.school_a2, "teacher_b@example.test", "Daan")
    make_enrolment(study_day, teacher_b)
    page = open_page()
    login(page, "teacher_a@example.test")

    # Find the study day through the catalogue's filters.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Nascholing", exact=True
    ).click()
    page.get_by_label("Thema").select_option(label="Meertaligheid")
    page.get_by_label("Vorm").select_option(label="Studiedag")
    page.get_by_role("button", name="Filteren").click()
    results = page.get_by_role("table", name="Komende edities")
    expect(results.get_by_role("row")).to_have_count(2)  # the header and the one study day
    expect(results).to_contain_text("Vol")
    results.get_by_role("link", name="Meertaligheid als kracht in de klas").click()

    # The edition is full: enrolling puts the teacher on the waitlist.
    page.get_by_role("button", name="Op de wachtlijst zetten").click()
    expect(page.get_by_role("status")).to_contain_text("je staat als nummer 1 op de wachtlijst")
    expect(page.get_by_text("Je staat als nummer 1 op de wachtlijst.", exact=True)).to_be_visible()

    # A colleague at another school cancels from "My courses"; the seat passes to the waitlist at once.
    colleague = open_page()
    login(colleague, "teacher_b@example.test")
    colleague.goto("/courses/mine/")
    colleague.once("dialog", lambda dialog: dialog.accept())
    colleague.get_by_role("button", name=re.compile("^Annuleren . Meertaligheid als kracht")).click()
    expect(colleague.get_by_role("status")).to_contain_text("De inschrijving is geannuleerd.")

    page.reload()
    expect(page.get_by_text("Je bent ingeschreven.", exact=True)).to_be_visible()
    assert teacher_a.enrolments.get().status == EnrolmentStatus.CONFIRMED

    # The calendar address on "My courses" serves an .ics with the study day in it.
    page.get_by_role("link", name="Mijn nascholing").click()
    upcoming = page.get_by_role("table", name="Geplande nascholing")
    expect(upcoming).to_contain_text("Meertaligheid als kracht in de klas")
    feed_url = page.get_by_label("Agenda-adres").input_value()
    response = page.request.get(feed_url)
    assert response.ok
    assert response.headers["content-type"].startswith("text/calendar")
    ics = response.text()
    assert ics.startswith("BEGIN:VCALENDAR")
    assert "Meertaligheid als kracht in de klas" in ics.replace("\r\n ", "")
    assert "DTSTART" in ics


def test_it_lets_a_teacher_enrol_with_the_keyboard_only(open_page, tree, study_day) -> None:
    study_day.capacity = 5
    study_day.save(update_fields=["capacity"])
    member(Role.TEACHER, tree.school_a, "teacher_a@example.test")
    page = open_page()
    login(page, "teacher_a@example.test")
    page.goto("/courses/")

    press_until_focused(page, "a:text('Meertaligheid als kracht in de klas')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Meertaligheid als kracht in de klas")
    press_until_focused(page, "button:text('Inschrijven')")
    page.keyboard.press("Space")

    expect(page.get_by_role("status")).to_contain_text("Je bent ingeschreven.")
    expect(page.get_by_text("Je bent ingeschreven.", exact=True)).to_be_visible()


def test_it_has_no_serious_accessibility_violations_on_the_teacher_pages(open_page, tree, study_day) -> None:
    teacher = member(Role.TEACHER, tree.school_a, "teacher_a@example.test")
    make_enrolment(study_day, teacher)
    page = open_page()
    login(page, "teacher_a@example.test")

    for path in ("/dashboard/", "/courses/", f"/courses/editions/{study_day.pk}/", "/courses/mine/"):
        page.goto(path)
        assert_accessible(page)
