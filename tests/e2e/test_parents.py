"""A parent's journey on a phone, without an account: the information pages in Arabic (right to left)
and Ukrainian, the school path by birth month, a consent link answered yes (by keyboard) and revoked later,
and the coordinator seeing both with their time and channel; a placement offer accepted in Tigrinya."""

from datetime import date, datetime

from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from accounts.roles import Role
from matching import parent_consent
from parents import consent
from parents.models import ConsentRequest, ConsentStatus
from placement import parent_offer, services
from tests.e2e.helpers import assert_accessible, login, member, press_until_focused
from tests.matching.factories import make_buddy
from tests.parents.factories import make_page
from tests.placement.factories import make_group, make_placement, make_register, make_report

PHONE = {"width": 375, "height": 812}


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_it_walks_a_family_through_the_pages_the_school_path_and_consent(open_page, tree) -> None:
    info = make_page(
        tree.municipality_a1,
        title="Het Nederlandse schoolsysteem",
        body="Kinderen gaan vanaf **4 jaar** naar school.",
        translations={
            "ar": ("النظام المدرسي الهولندي", "يذهب الأطفال إلى المدرسة من سن **4 سنوات**."),
            "uk": ("Шкільна система Нідерландів", "Діти йдуть до школи з **4 років**."),
        },
    )
    page = open_page(locale="ar")
    page.set_viewport_size(PHONE)

    page.goto("/ouders/")  # the browser's language decides the first time
    expect(page).to_have_url(f"{page.url.split('/ouders/')[0]}/ouders/ar/")
    page.get_by_role("link", name="Municipality A1").click()
    page.get_by_role("link", name="النظام المدرسي الهولندي").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert page.locator("article").evaluate("el => getComputedStyle(el).direction") == "rtl"
    expect(page.locator("article strong")).to_have_text("4 سنوات")
    _fits(page)
    assert_accessible(page)

    # Another language, chosen by keyboard, is remembered for the next visit.
    page.locator("#parent-language").select_option("uk")
    page.locator("#parent-language").press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Шкільна система Нідерландів")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.goto("/ouders/")
    expect(page).to_have_url(f"{page.url.split('/ouders/')[0]}/ouders/uk/")

    page.goto("/ouders/uk/municipality-a1/schoolpad/")
    page.locator("input[name=birth]").fill("2019-03")
    page.get_by_role("button", name="Показати").click()
    expect(page.locator(".school-path li")).to_have_count(5)
    expect(page.locator(".school-path")).to_contain_text("квітень 2024")  # compulsory from April 2024
    _fits(page)
    assert_accessible(page)
    assert info.pk

    coordinator = member(Role.BUDDY_COORDINATOR, tree.school_a, "maatjes@school-a.test")
    buddy = make_buddy(tree.school_a, first_name="Bram", consent_by="", consent_at=None)
    request = parent_consent.ask(buddy, coordinator, parent_email="", language="ar")
    link = f"/ouders/toestemming/{consent.token_for(request)}/"
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".consent-question")).to_contain_text("Bram")
    _fits(page)
    assert_accessible(page)
    press_until_focused(page, "button[value=yes]")  # by keyboard alone
    expect(page.locator(":focus")).to_have_text("نعم، أعطي الإذن")
    page.keyboard.press("Enter")
    expect(page.locator(".message")).to_have_text("شكرًا لك. لقد أعطيت الإذن.")
    assert ConsentRequest.objects.get(pk=request.pk).status == ConsentStatus.GIVEN

    page.goto(link)  # weeks later, the same link
    page.get_by_role("button", name="اسحب إذني").click()
    expect(page.locator(".message")).to_contain_text("لقد سحبت إذنك")
    assert ConsentRequest.objects.get(pk=request.pk).status == ConsentStatus.REVOKED
    response = page.goto(link)
    assert response is not None
    assert response.status == 410

    # The coordinator, on a phone too, sees both answers on the buddy's page, each with its time and channel.
    staff = open_page()
    staff.set_viewport_size(PHONE)
    login(staff, coordinator.email)
    staff.goto(f"/matching/buddies/{buddy.pk}/edit/")
    history = staff.locator(".consent-history")
    events = ConsentRequest.objects.get(pk=request.pk).events.order_by("at", "pk")
    for event, label in zip(
        events[1:],
        ["Gegeven (door de ouder, via de link)", "Ingetrokken (door de ouder, via de link)"],
        strict=True,
    ):
        expect(history).to_contain_text(f"{_dutch(event.at)}: {label}")
    expect(history.locator("> li > strong")).to_have_text("Ingetrokken")
    _fits(staff)
    assert_accessible(staff)


def _dutch(at: datetime) -> str:
    with translation.override("nl"):
        return date_format(timezone.localtime(at), "DATETIME_FORMAT")


def test_it_lets_a_family_accept_a_placement_offer_in_tigrinya_by_keyboard(open_page, tree) -> None:
    reg = make_register(tree)
    officer = member(Role.PLACEMENT_OFFICER, tree.region_a, "aanmeldpunt@regio-a.test")
    child = make_report(tree.school_a, first_name="Hamid", letter_language="ti")
    placement = services.approve(officer, make_placement(child, make_group(reg.location)))
    asked = parent_offer.offer(officer, placement, start_date=date(2027, 3, 8))

    family = open_page(locale="ti")
    family.set_viewport_size(PHONE)
    family.goto(f"/ouders/toestemming/{consent.token_for(asked)}/")
    expect(family.locator("html")).to_have_attribute("lang", "ti")
    expect(family.locator(".consent-question")).to_contain_text("Haarlem-Noord")
    _fits(family)
    assert_accessible(family)
    press_until_focused(family, "button[value=accept]")
    family.keyboard.press("Enter")
    expect(family.locator(".message")).to_have_text("የቐንየልና። ነቲ ቦታ ተቐቢልኩሞ።")

    staff = open_page()
    staff.set_viewport_size(PHONE)
    login(staff, officer.email)
    staff.goto(f"/placement/children/{child.pk}/")
    expect(staff.locator(".offer-history > li > strong")).to_have_text("Plaats aangenomen")
    expect(staff.locator(".offer-history")).to_contain_text("(door de ouder, via de link)")
    expect(staff.locator(".timeline")).to_contain_text(
        "Ouders: Plaats aangenomen (Door de ouder, via de link)"
    )
    _fits(staff)
