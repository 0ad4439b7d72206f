"""In Dutch, in Chromium, on a 375 px phone: a regional coordinator allocates all open requests. A large
queue is calculated in the background: the page shows the run's progress, reloads itself when the run is
done and shows the proposal, which she confirms. When the time limit stopped the solver, the page says how
far from the optimum the proposal can be. Nothing scrolls sideways (the table scrolls in its own box)."""

from typing import Any

import numpy as np
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.roles import Role
from caseloads import allocation
from caseloads.models import AllocationRun, Case
from caseloads.services import runs
from core import outbox
from core.models import OutboxMessage
from matching.engine import gap
from tests.caseloads.factories import make_request, make_supporter
from tests.e2e.helpers import login
from tests.factories import OrgTree, make_membership

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def held(monkeypatch) -> list[int]:
    """Allocation runs wait for the test to play the worker (tasks otherwise run on commit)."""
    held_ids: list[int] = []
    dispatch = outbox.dispatch

    def hold(message_id: int) -> bool:
        message = OutboxMessage.objects.get(pk=message_id)
        if message.task == "caseloads.run_allocation":
            held_ids.append(int(message.args[0]))
            return False
        return dispatch(message_id)

    monkeypatch.setattr(outbox, "dispatch", hold)
    return held_ids


def fits_the_phone(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"


def rows_are_cards(page: Any) -> None:
    """On a phone each proposed pair is a card: cells the full width with their column's name, so no word
    breaks in the middle (in five narrow columns "Voorgestelde taalondersteuner" did)."""
    widths = page.evaluate(
        "[...document.querySelectorAll('tbody td')].map(td => td.getBoundingClientRect().width)"
    )
    assert widths
    assert min(widths) > PHONE["width"] * 0.8, widths
    label = page.evaluate(
        """getComputedStyle(document.querySelector('td[data-label]'), '::before').content"""
    )
    assert label == '"School: "', label


def queue(tree: OrgTree) -> tuple[Any, list[Any]]:
    coordinator = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    make_supporter(tree.support_a)
    make_supporter(tree.support_a, hours=8)
    requests = [make_request(tree.school_a), make_request(tree.school_a2), make_request(tree.school_a)]
    return coordinator, requests


def test_it_calculates_a_large_queue_in_the_background_and_confirms_it_in_dutch_on_a_phone(
    open_page: Any, tree: OrgTree, held: list[int], monkeypatch
) -> None:
    monkeypatch.setattr(allocation, "INLINE_PAIRS", 0)  # every queue counts as large
    coordinator, requests = queue(tree)
    page = open_page()
    page.set_viewport_size(PHONE)
    login(page, coordinator.email)

    page.goto(reverse("caseloads:allocate_open"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Alle open vragen toewijzen")
    expect(page.get_by_text("kost elke volgende nieuwe aanvraag")).to_be_visible()  # the spreading term
    fits_the_phone(page)
    page.get_by_role("button", name="Bereken het voorstel").click()
    expect(page.get_by_role("status")).to_have_text("Wachten op een verwerker…")
    expect(page.locator("progress")).to_be_visible()
    fits_the_phone(page)

    (run_id,) = held
    assert runs.execute(run_id)  # the worker; the page polls, sees it done and reloads
    confirm = page.get_by_role("button", name="3 toewijzingen bevestigen")
    expect(confirm).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Totale kosten van dit voorstel")).to_be_visible()
    fits_the_phone(page)
    rows_are_cards(page)
    confirm.click()
    expect(page.get_by_text("3 ondersteuningsvragen toegewezen.")).to_be_visible()

    assert AllocationRun.objects.get().status == "done"
    assert sorted(Case.objects.values_list("request_id", flat=True)) == sorted(r.pk for r in requests)


def test_it_shows_the_proven_gap_in_dutch_on_a_phone_when_the_time_limit_stopped_the_solver(
    open_page: Any, tree: OrgTree, monkeypatch
) -> None:
    coordinator, _requests = queue(tree)
    # Stopped by the time limit with all three placed and a cost at most 2 above the proven bound.
    columns = np.array([0, 1, 0])
    stopped = gap.Solution(columns, 3, 9.0, False, 3, 7.0, 5.0)
    monkeypatch.setattr(allocation, "solve_exact", lambda *args, **kwargs: stopped)
    page = open_page()
    page.set_viewport_size(PHONE)
    login(page, coordinator.email)

    page.goto(reverse("caseloads:allocate_open"))

    expect(page.get_by_role("status")).to_have_text(
        "De berekening bereikte haar tijdslimiet: geen toewijzing heeft meer aanvragen, en de beste kost "
        "hooguit 2 minder dan deze."
    )
    expect(page.get_by_text("Totale kosten van dit voorstel: 9.")).to_be_visible()
    expect(page.get_by_role("button", name="3 toewijzingen bevestigen")).to_be_visible()
    fits_the_phone(page)
    rows_are_cards(page)
