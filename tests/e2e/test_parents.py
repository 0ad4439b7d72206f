"""A parent's journey on a phone, without an account: the information pages in Arabic (right to left)
and Ukrainian, the school path by birth month, and a consent link answered yes and revoked later."""

from playwright.sync_api import expect

from parents import consent
from parents.models import ConsentPurpose, ConsentRequest, ConsentStatus
from tests.e2e.helpers import assert_accessible
from tests.factories import make_user
from tests.parents.factories import make_page

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

    request = consent.request_consent(
        consent.Subject("tests.buddy", 1, tree.school_a, "Bram", "Hamid"),
        make_user(),
        purpose=ConsentPurpose.CHILD_AS_BUDDY,
        language="ar",
    )
    link = f"/ouders/toestemming/{consent.token_for(request)}/"
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".consent-question")).to_contain_text("Bram")
    _fits(page)
    assert_accessible(page)
    page.get_by_role("button", name="نعم، أعطي الإذن").click()
    expect(page.locator(".message")).to_have_text("شكرًا لك. لقد أعطيت الإذن.")
    assert ConsentRequest.objects.get(pk=request.pk).status == ConsentStatus.GIVEN

    page.goto(link)  # weeks later, the same link
    page.get_by_role("button", name="اسحب إذني").click()
    expect(page.locator(".message")).to_contain_text("لقد سحبت إذنك")
    assert ConsentRequest.objects.get(pk=request.pk).status == ConsentStatus.REVOKED
    response = page.goto(link)
    assert response is not None
    assert response.status == 410
