"""A school asks for language support, the regional coordinator allocates it, and the language supporter
opens the new case, logs a visit and sees the hours on their dashboard."""

from datetime import date

from playwright.sync_api import expect

from accounts.roles import Role
from caseloads.models import Visit
from tests.caseloads.factories import make_supporter
from tests.e2e.helpers import assert_accessible, login, member
from tests.factories import make_user


def test_it_takes_a_support_request_to_a_logged_visit_and_the_supporters_hours(open_page, tree) -> None:
    member(Role.SCHOOL_STAFF, tree.school_a, "ib_a@example.test", "Fatima")
    member(Role.REGIONAL_COORDINATOR, tree.region_a, "regio@example.test", "Renée")
    supporter = make_user("taal@example.test")
    supporter.first_name, supporter.last_name = "Olena", "Kovalenko"
    supporter.save(update_fields=["first_name", "last_name"])
    make_supporter(tree.support_a, municipality=tree.municipality_a1, hours=16, user=supporter)

    # The school files a request.
    school = open_page()
    login(school, "ib_a@example.test")
    school.goto("/caseloads/requests/new/")
    school.get_by_label("Betreft").select_option(label="Een klas")
    school.get_by_label("Onderwerp").select_option(label="Taalontwikkeling")
    school.get_by_label("Waarbij heb je hulp nodig?").fill(
        "Groep 5 heeft drie nieuwkomers die nog weinig lezen."
    )
    school.get_by_role("button", name="Vraag versturen").click()
    expect(school.get_by_role("status")).to_contain_text("Je vraag is naar het ondersteuningsteam gestuurd.")
    request_url = school.url

    # The regional coordinator allocates it to the supporter ranked for it.
    coordinator = open_page()
    login(coordinator, "regio@example.test")
    coordinator.goto(request_url)
    expect(coordinator.get_by_role("region", name="Taalondersteuners voor deze vraag")).to_contain_text(
        "Olena Kovalenko"
    )
    coordinator.get_by_role("combobox", name="Taalondersteuner", exact=True).select_option(
        label="Olena Kovalenko"
    )
    coordinator.get_by_role("button", name="Toewijzen", exact=True).click()
    expect(coordinator.get_by_role("status")).to_contain_text("Toegewezen aan Olena Kovalenko.")

    # The supporter opens the new case from their dashboard and logs a visit.
    page = open_page()
    login(page, "taal@example.test")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Ondersteuning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Je caseload")
    page.get_by_role("link", name="Nieuwe casus bij School A (Taalontwikkeling): nog geen bezoek").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("School A")
    page.get_by_role("link", name="Bezoek vastleggen").click()
    page.get_by_label("Datum").fill(date.today().isoformat())
    page.get_by_label("Soort").select_option(label="Observatie")
    page.get_by_label("Duur (minuten)").fill("90")
    page.get_by_label("Voorbereiding (minuten)").fill("30")
    page.get_by_label("Reistijd (minuten)").fill("30")
    page.get_by_label("Dit bezoek heeft plaatsgevonden").check()
    page.get_by_role("button", name="Bezoek opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Bezoek opgeslagen.")
    assert Visit.objects.get().duration_minutes == 90

    # The hours are on the dashboard: 2,5 hours this month (90 + 30 + 30 minutes).
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Ondersteuning").click()
    expect(page.locator(".figures")).to_contain_text("2,5 /")
    expect(page.get_by_text("Deze maand: 90 minuten bezoek, 30 voorbereiding, 30 reistijd.")).to_be_visible()
    assert_accessible(page)


def test_it_has_no_serious_accessibility_violations_on_the_support_pages(open_page, tree) -> None:
    member(Role.REGIONAL_COORDINATOR, tree.region_a, "regio@example.test")
    make_supporter(tree.support_a, municipality=tree.municipality_a1)
    member(Role.SCHOOL_STAFF, tree.school_a, "ib_a@example.test")
    page = open_page()
    login(page, "regio@example.test")
    for path in (
        "/dashboard/",
        "/caseloads/region/",
        "/caseloads/requests/",
        "/caseloads/requests/allocate-open/",
    ):
        page.goto(path)
        assert_accessible(page)

    school = open_page()
    login(school, "ib_a@example.test")
    for path in ("/dashboard/", "/caseloads/requests/new/", "/matching/pupils/"):
        school.goto(path)
        assert_accessible(school)
