"""In Dutch, in Chromium: open the buddy, pupil and edition edit forms, press Opslaan without changing
anything, and every stored date is unchanged; a new visit offers today and saves it. A date rendered as
01-12-2026 inside <input type="date"> is empty in a real browser, which is what this test would catch."""

from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from caseloads.models import Visit
from tests.caseloads.factories import make_case, make_supporter
from tests.e2e.helpers import login
from tests.factories import OrgTree
from tests.test_form_round_trip import EditCase, _buddy, _edition, _pupil, snapshot

DATES = {
    "buddy": ["available_from", "available_until", "trained_on"],
    "pupil": ["transition_date"],
    "edition": ["enrol_opens_at", "enrol_closes_at", "cancel_deadline", "reservation_deadline"],
}


def _save_unchanged(open_page: Any, case: EditCase, dates: list[str]) -> None:
    before = snapshot(case.obj)
    page = open_page()
    login(page, case.user.email)
    page.goto(case.post_url)
    for name in dates:
        expect(page.locator(f"[name={name}]")).not_to_have_value("")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.wait_for_url(lambda url: not url.endswith(case.post_url))
    after = snapshot(case.obj)
    assert {n: after[n] for n in dates} == {n: before[n] for n in dates}
    assert after == before


def test_it_keeps_every_date_when_dutch_edit_forms_are_saved_unchanged(open_page: Any, tree: OrgTree) -> None:
    for build, dates in ((_buddy, DATES["buddy"]), (_pupil, DATES["pupil"]), (_edition, DATES["edition"])):
        _save_unchanged(open_page, build(tree), dates)


def test_it_offers_today_in_the_visit_form_and_stores_it(open_page: Any, tree: OrgTree) -> None:
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a)
    page = open_page()
    login(page, supporter.email)
    page.goto(f"/caseloads/cases/{case.pk}/visits/new/")

    expect(page.locator("input[name=date]")).to_have_value(timezone.localdate().isoformat())
    page.locator("input[name=duration_minutes]").fill("45")
    page.get_by_role("button", name="Bezoek opslaan").click()
    page.wait_for_url(f"**/caseloads/cases/{case.pk}/")

    assert list(Visit.objects.filter(case=case).values_list("date", flat=True)) == [timezone.localdate()]
