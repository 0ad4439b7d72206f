"""A buddy coordinator imports pupils and buddies from CSV, starts a matching run and watches its progress
bar reach 100%, reads why each pair was proposed, approves one and rejects one, reruns and finds the
approved pair kept and the rejected pair not proposed again. Approving also works by keyboard alone."""

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from core import outbox
from core.models import OutboxMessage
from matching.models import Match, MatchRun, MatchStatus
from matching.services import imports, runs
from tests.e2e.helpers import assert_accessible, login, member, press_until_focused
from tests.matching.factories import make_buddy, make_pupil

HELD_TASKS = ("matching.run_matching", "matching.process_import")


@pytest.fixture
def held(monkeypatch) -> dict[str, list[int]]:
    """Keep match runs and import jobs from starting when their transaction commits (tests run tasks
    eagerly), so the test can play the worker step by step while the browser shows the progress."""
    held_ids: dict[str, list[int]] = {task: [] for task in HELD_TASKS}
    dispatch = outbox.dispatch

    def hold(message_id: int) -> bool:
        message = OutboxMessage.objects.get(pk=message_id)
        if message.task in held_ids:
            held_ids[message.task].append(int(message.args[0]))
            return False
        return dispatch(message_id)

    monkeypatch.setattr(outbox, "dispatch", hold)
    return held_ids


def play_worker(run_id: int, page: Any, seen: list[int]) -> None:
    """Do what the workers do, one batch at a time, and wait for the page to show each step."""
    pending = runs.run_guarded(run_id, runs.prepare_run) or []
    assert len(pending) >= 2, "the journey needs a run of several batches to show progress"
    for index in pending[:-1]:
        runs.run_guarded(run_id, runs.run_batch, index)
        done = MatchRun.objects.get(pk=run_id).percent
        page.wait_for_function(f"document.querySelector('progress')?.value === {done}")
        seen.append(done)
    runs.run_guarded(run_id, runs.run_batch, pending[-1])


def csv_file(name: str, rows: list[str]) -> dict[str, Any]:
    return {"name": name, "mimeType": "text/csv", "buffer": ("\n".join(rows) + "\n").encode()}


def import_csv(page: Any, menu: str, upload: dict[str, Any]) -> None:
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name=menu, exact=True).click()
    page.get_by_role("link", name="CSV importeren").click()
    page.get_by_label("CSV-bestand").set_input_files(upload)
    page.get_by_role("button", name="Controleren en importeren").click()


def start_run(page: Any, scope: str) -> None:
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Koppelrondes").click()
    page.get_by_label("Voor").select_option(label=scope)
    page.get_by_label("Soort maatje").select_option(label="Leerlingmaatje")
    page.get_by_role("button", name="Ronde starten").click()


RECORD_PROGRESS = """
const fetchFirst = window.fetch;
window.fetch = async (...args) => {
  const response = await fetchFirst(...args);
  if (String(args[0]).endsWith("/progress.json")) {
    const log = JSON.parse(sessionStorage.getItem("progress-log") || "[]");
    log.push(await response.clone().json());
    sessionStorage.setItem("progress-log", JSON.stringify(log));
  }
  return response;
};
"""


def recorded_progress(page: Any) -> list[dict[str, Any]]:
    """Every progress answer the page's script received, kept in sessionStorage across its reload."""
    return page.evaluate("JSON.parse(sessionStorage.getItem('progress-log') || '[]')")


def test_it_takes_a_coordinator_from_csv_files_to_reviewed_matches_and_a_rerun(
    open_page: Callable[..., Any], tree: Any, held: dict[str, list[int]], settings: Any
) -> None:
    settings.MATCHING_BATCH_PUPILS = 1  # one batch per school: the progress moves in visible steps
    member(Role.BUDDY_COORDINATOR, tree.municipality_a1, "maatjes@example.test")
    moving = (date.today() + timedelta(days=21)).isoformat()
    pupils = csv_file(
        "nieuwkomers.csv",
        [
            "school,first_name,last_initial,birth_year,grade,transition_date,home_languages,consent_by",
            f"{tree.school_a.pk},Amira,H,2016,5,{moving},ar,parent",
            f"{tree.school_a.pk},Yusuf,K,2015,6,{moving},uk,parent",
            f"{tree.school_a2.pk},Lina,M,2016,5,{moving},ar,parent",
        ],
    )
    buddies = csv_file(
        "maatjes.csv",
        [
            "school,kind,first_name,last_initial,grade,languages,capacity,consent_by",
            f"{tree.school_a.pk},peer,Noor,B,5,ar;nl,1,parent",
            f"{tree.school_a.pk},peer,Olha,S,6,uk;nl,1,parent",
            f"{tree.school_a2.pk},peer,Sara,V,5,ar;nl,1,parent",
        ],
    )
    page = open_page()
    login(page, "maatjes@example.test")

    # Import both files.
    import_csv(page, "Leerlingen", pupils)
    expect(page.get_by_role("status")).to_contain_text("Geïmporteerd: 3 nieuw, 0 bijgewerkt, 0 ongewijzigd.")
    import_csv(page, "Maatjes", buddies)
    expect(page.get_by_role("status")).to_contain_text("Geïmporteerd: 3 nieuw, 0 bijgewerkt, 0 ongewijzigd.")

    # Start a run and watch its progress bar go from waiting to 100%.
    page.add_init_script(RECORD_PROGRESS)
    start_run(page, "Municipality A1")
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Wachten op een verwerker…")
    seen: list[int] = []
    play_worker(held["matching.run_matching"][-1], page, seen)
    proposals = page.get_by_role("table", name="Voorstellen")
    expect(proposals).to_be_visible(timeout=15_000)  # the page reloads itself once the run is done
    answers = recorded_progress(page)
    percents = [a["percent"] for a in answers]
    assert percents[0] == 0
    assert seen == [50]
    assert 50 in percents
    assert percents[-1] == 100
    assert answers[-1]["done"] is True
    assert percents == sorted(percents)

    # Every proposal says why.
    amira = proposals.get_by_role("row").filter(has_text="Amira H.")
    expect(amira).to_contain_text("Noor B.")
    expect(amira).to_contain_text("spreekt ook Arabisch")
    expect(proposals.get_by_role("row").filter(has_text="Yusuf K.")).to_contain_text("spreekt ook Oekraïens")
    assert_accessible(page)

    # Approve Amira's pair, reject Yusuf's.
    run_url = page.url
    proposals.get_by_role("link", name="Amira H.").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amira H. en Noor B.")
    expect(page.locator(".explanation")).to_contain_text("spreekt ook Arabisch")
    page.get_by_role("button", name="Goedkeuren").click()
    expect(page.locator(".facts")).to_contain_text("Goedgekeurd")
    page.goto(run_url)
    page.get_by_role("table", name="Voorstellen").get_by_role("link", name="Yusuf K.").click()
    reject = page.locator("form").filter(
        has=page.get_by_role("heading", name="Afwijzen (nooit meer voorstellen)")
    )
    reject.get_by_label("Reden").select_option(label="Ze kunnen niet met elkaar overweg")
    reject.get_by_label("Toelichting").fill("Ze zitten al in dezelfde groep en botsen vaak.")
    reject.get_by_role("button", name="Afwijzen", exact=True).click()
    expect(page.locator(".facts")).to_contain_text("Afgewezen")
    expect(page.locator(".facts")).to_contain_text("Ze kunnen niet met elkaar overweg")

    # Rerun: the approved pair stays, the rejected pair is not proposed again.
    start_run(page, "Municipality A1")
    play_worker(held["matching.run_matching"][-1], page, [])
    expect(page.get_by_role("heading", name="Leerlingen zonder maatje")).to_be_visible(timeout=15_000)
    second = page.get_by_role("table", name="Voorstellen")
    expect(second).not_to_contain_text("Olha S.")
    expect(page.get_by_role("list").filter(has_text="Yusuf K.")).to_be_visible()
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Koppelingen", exact=True
    ).click()
    approved = page.get_by_role("row").filter(has_text="Amira H.")
    expect(approved).to_contain_text("Noor B.")
    amira_match = Match.objects.get(pupil__first_name="Amira", status=MatchStatus.APPROVED)
    assert amira_match.buddy.first_name == "Noor"
    assert not Match.objects.filter(
        pupil__first_name="Yusuf", buddy__first_name="Olha", status=MatchStatus.PROPOSED
    ).exists()


def test_it_shows_the_progress_of_a_large_import_until_it_is_done(open_page, tree, held) -> None:
    member(Role.BUDDY_COORDINATOR, tree.school_a, "maatjes@example.test")
    moving = (date.today() + timedelta(days=21)).isoformat()
    rows = ["school,first_name,last_initial,birth_year,grade,transition_date,home_languages"]
    rows += [f"{tree.school_a.pk},Kind{n},A,2016,5,{moving},ar" for n in range(imports.INLINE_ROWS + 1)]
    page = open_page()
    login(page, "maatjes@example.test")
    page.add_init_script(RECORD_PROGRESS)

    import_csv(page, "Leerlingen", csv_file("groot.csv", rows))

    expect(page.get_by_role("heading", level=1)).to_have_text("Importeren: Leerlingen")
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(f"0 van {len(rows) - 1} rijen geïmporteerd")
    imports.process_job(held["matching.process_import"][-1])  # what the worker does
    expect(page.get_by_role("status")).to_have_text(f"{len(rows) - 1} records geïmporteerd.", timeout=15_000)
    answers = recorded_progress(page)
    assert answers[0]["percent"] == 0
    assert answers[-1] == {
        "status": "done",
        "percent": 100,
        "label": f"{len(rows) - 1} van {len(rows) - 1} rijen geïmporteerd",
        "done": True,
    }


def test_it_lets_a_coordinator_approve_with_the_keyboard_only(open_page, tree) -> None:
    member(Role.BUDDY_COORDINATOR, tree.school_a, "maatjes@example.test")
    pupil = make_pupil(tree.school_a, first_name="Amira", last_initial="H")
    buddy = make_buddy(tree.school_a, first_name="Noor", last_initial="B")
    from tests.matching.factories import make_match

    match = make_match(pupil, buddy)
    page = open_page()
    login(page, "maatjes@example.test")
    page.goto(f"/matching/runs/{match.run_id}/")

    press_until_focused(page, "a:text('Amira H.')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Amira H. en Noor B.")
    press_until_focused(page, "button:text-is('Goedkeuren')")
    page.keyboard.press("Enter")

    expect(page.locator(".facts")).to_contain_text("Goedgekeurd")
    match.refresh_from_db()
    assert match.status == MatchStatus.APPROVED


def test_it_has_no_serious_accessibility_violations_on_the_coordinator_pages(open_page, tree) -> None:
    member(Role.BUDDY_COORDINATOR, tree.school_a, "maatjes@example.test")
    pupil = make_pupil(tree.school_a, first_name="Amira", last_initial="H")
    from tests.matching.factories import make_match

    match = make_match(pupil, make_buddy(tree.school_a, first_name="Noor", last_initial="B"))
    page = open_page()
    login(page, "maatjes@example.test")

    for path in (
        "/dashboard/",
        "/matching/pupils/",
        f"/matching/pupils/{pupil.pk}/",
        "/matching/buddies/",
        "/matching/import/pupils/",
        "/matching/runs/",
        f"/matching/runs/{match.run_id}/",
        f"/matching/matches/{match.pk}/",
        "/matching/matches/",
        "/matching/reports/",
    ):
        page.goto(path)
        assert re.search(r"Overstap$", page.title())
        assert_accessible(page)
