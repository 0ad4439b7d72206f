"""The newcomer register in Dutch, end to end: a school reports a newcomer, the child qualifies, the placement
officer runs placement in the background and watches its progress, approves the proposal, the newcomer-class
teacher records the start and plans the outflow, the officer confirms it; the child is then in the next buddy
matching run (proposed to a buddy at the receiving school) and an aftercare request is in the supporters'
queue. A tired officer's bad input gets a message on the page, never an error page."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from core import outbox
from core.models import OutboxMessage
from matching.models import Match, MatchRun
from matching.services import runs as matching_runs
from placement import engine
from placement.models import Placement, PlacementRun, Report, ReportStatus
from placement.services import runs as placement_runs
from tests.e2e.helpers import assert_accessible, login, member, press_until_focused
from tests.matching.factories import make_buddy
from tests.placement.factories import make_group, make_location


@pytest.fixture
def held(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """Keep placement runs from starting when their transaction commits, so the test plays the worker."""
    held_ids: list[int] = []
    dispatch = outbox.dispatch

    def hold(message_id: int) -> bool:
        message = OutboxMessage.objects.get(pk=message_id)
        if message.task == "placement.run_placement":
            held_ids.append(int(message.args[0]))
            return False
        return dispatch(message_id)

    monkeypatch.setattr(outbox, "dispatch", hold)
    return held_ids


def nav(page: Any) -> Any:
    return page.get_by_role("navigation", name="Nieuwkomersregister")


def test_a_reported_newcomer_is_placed_starts_leaves_and_gets_a_buddy_and_aftercare(
    open_page, tree, held, monkeypatch
) -> None:
    today = timezone.localdate()
    tree.school_a.latitude, tree.school_a.longitude = Decimal("52.37"), Decimal("4.62")
    tree.school_a.save()
    location = make_location(tree.municipality_a1, "Haarlem-Noord")
    group = make_group(location, capacity=2, age_min=6, age_max=8, name="Groep 6-8")
    member(Role.SCHOOL_STAFF, tree.school_a, "ib_a@example.test", "Fatima")
    member(Role.PLACEMENT_OFFICER, tree.region_a, "meldpunt@example.test", "Marloes")
    member(Role.NEWCOMER_CLASS_STAFF, location, "itk@example.test", "Joost")
    member(Role.REGIONAL_COORDINATOR, tree.region_a, "regio@example.test", "Renée")
    buddy_coordinator = member(Role.BUDDY_COORDINATOR, tree.school_a, "maatjes@example.test", "Sanne")
    make_buddy(tree.school_a, grade=4, languages=["uk", "nl"])

    # The school reports a newcomer; she qualifies.
    school = open_page()
    login(school, "ib_a@example.test")
    school.goto("/placement/")
    school.get_by_role("link", name="Nieuwkomer aanmelden").click()
    school.get_by_label("Voornaam").fill("Olesja")
    school.get_by_label("Voorletter achternaam").fill("K")
    school.get_by_label("Geboortemaand").select_option("1")
    school.get_by_label("Geboortejaar").fill(str(today.year - 8))
    school.get_by_label("Aankomst in Nederland").fill((today - timedelta(days=20)).isoformat())
    school.get_by_label("Thuistalen").select_option(["uk"])
    school.get_by_label("Jaren eerder onderwijs").fill("2")
    school.get_by_label("Naam ouder").fill("Iryna K.")
    school.get_by_role("button", name="Aanmelding versturen").click()
    expect(school.get_by_role("status")).to_contain_text("Het kind staat op de wachtlijst")
    report = Report.objects.get(first_name="Olesja")
    assert report.status == ReportStatus.WAITING

    # The officer starts a placement run; the page shows its progress while the worker runs.
    officer = open_page()
    login(officer, "meldpunt@example.test")
    officer.goto("/placement/")
    nav(officer).get_by_role("link", name="Plaatsingsrondes").click()
    officer.get_by_role("button", name="Plaatsing uitvoeren voor de wachtlijst").click()
    expect(officer.locator("progress")).to_have_attribute("value", "0")
    expect(officer.get_by_text("Wacht op start")).to_be_visible()
    assert len(held) == 1
    seen: list[str] = []
    solve = engine.solve

    def watched(children: list[engine.Child], groups: list[engine.Group]) -> engine.Result:
        # The worker is between reading the problem and solving it: the page (refreshing itself) shows 20%.
        officer.wait_for_function("document.querySelector('progress')?.value === 20", timeout=15_000)
        seen.append(officer.locator("progress").get_attribute("value") or "")
        return solve(children, groups)

    monkeypatch.setattr(engine, "solve", watched)
    assert placement_runs.execute_run(held[0])
    assert seen == ["20"]
    officer.wait_for_function("document.querySelector('progress')?.value === 100", timeout=15_000)
    expect(officer.get_by_role("heading", name="Voorstellen")).to_be_visible()
    row = officer.get_by_role("row").filter(has_text="Olesja K.")
    expect(row).to_contain_text("Haarlem-Noord")
    expect(row).to_contain_text("km")
    assert_accessible(officer)
    # Approve by keyboard alone.
    press_until_focused(officer, "tr:has-text('Olesja K.') button:has-text('Goedkeuren')")
    officer.keyboard.press("Enter")
    expect(officer.get_by_role("status")).to_contain_text("Opgeslagen.")
    placement = Placement.objects.get(report=report)
    assert placement.status == "approved"

    # The newcomer-class teacher records the start and plans the outflow; a date before the start is refused.
    teacher = open_page()
    login(teacher, "itk@example.test")
    teacher.goto(f"/placement/children/{report.pk}/")
    teacher.get_by_label("Startdatum").fill(today.isoformat())
    teacher.get_by_role("button", name="Start vastleggen").click()
    expect(teacher.get_by_role("status")).to_contain_text("Opgeslagen.")
    teacher.get_by_label("Uitstroomdatum").fill((today - timedelta(days=3)).isoformat())
    teacher.get_by_label("Geadviseerde groep of leerjaar").fill("4")
    teacher.get_by_role("button", name="Uitstroom plannen").click()
    expect(teacher.locator("#id_outflow_date_error")).to_have_text("De uitstroomdatum ligt voor de start.")
    expect(teacher.get_by_label("Uitstroomdatum")).to_have_attribute("aria-invalid", "true")
    assert Report.objects.get(pk=report.pk).status == ReportStatus.STARTED
    leave = today + timedelta(days=10)
    teacher.get_by_label("Uitstroomdatum").fill(leave.isoformat())
    teacher.get_by_label("Geadviseerde groep of leerjaar").fill("4")
    teacher.get_by_role("button", name="Uitstroom plannen").click()
    expect(teacher.get_by_role("status")).to_contain_text("Opgeslagen.")

    # The officer confirms the outflow: the pupil record and the aftercare request appear.
    officer.goto(f"/placement/children/{report.pk}/")
    officer.get_by_role("button", name="Uitstroom bevestigen").click()
    expect(officer.get_by_role("status")).to_contain_text("Opgeslagen.")
    expect(officer.locator(".timeline")).to_contain_text("Uitstroom naar School A")
    report.refresh_from_db()
    assert report.status == ReportStatus.LEFT
    assert report.pupil_id
    assert report.aftercare_request_id
    assert_accessible(officer)

    # The next buddy matching run picks the child up on its own.
    run = matching_runs.start_run(buddy_coordinator, tree.school_a, "peer")
    run = MatchRun.objects.get(pk=run.pk)
    assert run.status == "done", run.error
    assert list(Match.objects.filter(run=run).values_list("pupil_id", flat=True)) == [report.pupil_id]
    # ... and the aftercare request is in the supporters' queue.
    regio = open_page()
    login(regio, "regio@example.test")
    regio.goto("/caseloads/requests/")
    queue = regio.get_by_role("table", name="Ondersteuningsvragen")
    expect(queue.get_by_role("row").filter(has_text="School A")).to_contain_text("Nieuw")
    queue.get_by_role("link", name=f"#{report.aftercare_request_id} Taalontwikkeling").click()
    expect(regio.get_by_role("heading", level=1)).to_contain_text("Taalontwikkeling")
    expect(regio.locator("main")).to_contain_text("Nazorg")
    assert PlacementRun.objects.get(pk=held[0]).placed_count == 1
    assert group.pk == placement.group_id


PHONE = {"width": 375, "height": 812}


def test_the_officer_pages_fit_a_375_px_phone_and_bad_input_gets_a_field_error(open_page, tree) -> None:
    tree.school_a.latitude, tree.school_a.longitude = Decimal("52.37"), Decimal("4.62")
    tree.school_a.save()
    location = make_location(tree.municipality_a1, "Haarlem-Noord")
    full = make_group(location, capacity=1, age_min=6, age_max=8, name="Groep 6-8 vol")
    make_group(location, capacity=3, age_min=9, age_max=12, name="Groep 9-12")
    officer_user = member(Role.PLACEMENT_OFFICER, tree.region_a, "meldpunt@example.test", "Marloes")
    from placement import services
    from tests.placement.factories import make_placement, make_report

    services.approve(officer_user, make_placement(make_report(tree.school_a), full))
    waiting = make_report(tree.school_a, first_name="Yusuf", parent_phone="0612345678")
    page = open_page()
    page.set_viewport_size(PHONE)
    login(page, "meldpunt@example.test")
    for path in (
        "/placement/",
        f"/placement/children/{waiting.pk}/",
        "/placement/groups/",
        "/placement/runs/",
        "/placement/figures/",
        f"/placement/groups/{full.pk}/",
    ):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways ({width} px)"
    # A tired officer places a child into the full group, by keyboard: the error stands next to the field.
    page.goto(f"/placement/children/{waiting.pk}/")
    page.locator("#id_group").select_option(label=str(full))
    press_until_focused(page, "button:has-text('Plaatsen')")
    page.keyboard.press("Enter")
    expect(page.locator("#id_group_error")).to_have_text("Deze groep is vol.")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    assert Report.objects.get(pk=waiting.pk).status == ReportStatus.WAITING
    # ... and lowers a capacity below the places taken.
    page.goto(f"/placement/groups/{full.pk}/")
    page.locator("#id_capacity").fill("0")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("#id_capacity_error")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
