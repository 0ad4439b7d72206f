"""An organiser creates a series of five study days across the region at once, changes it as a series and
then one edition alone; a sign-up runs through two-stage approval, the school stage decided by the deputy
of the absent school leader. In Dutch, with form errors for bad input on the way."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from courses.models import ApprovalDecision, Edition, EditionSeries, EditionStatus, Enrolment, EnrolmentStatus
from tests.courses.factories import make_edition, make_module
from tests.e2e.helpers import assert_accessible, login, member

VENUES = ["Stadhuis Haarlem", "Zaantheater Zaandam", "Schouwburg Hoorn", "Bibliotheek Alkmaar", "Purmaryn"]


def _local(moment) -> str:  # type: ignore[no-untyped-def]
    """The value a ``datetime-local`` input takes (ISO, minutes), whatever the page's language."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_it_creates_a_series_of_five_study_days_and_edits_one_alone(open_page, tree) -> None:
    member(Role.REGIONAL_COORDINATOR, tree.region_a, "regio@example.test", "Mira")
    make_module(tree.region_a, title="Studiedag NT2 in de regio")
    first = (timezone.localtime() + timedelta(days=30)).replace(hour=9, minute=0, second=0, microsecond=0)
    page = open_page()
    login(page, "regio@example.test")

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Nascholing organiseren", exact=True
    ).click()
    page.get_by_role("link", name=re.compile("^Een reeks toevoegen")).click()
    page.get_by_label("Naam van de reeks").fill("Studiedag NT2")
    page.get_by_label("Eerste editie begint").fill(_local(first))
    page.get_by_label("Eerste editie eindigt").fill(_local(first.replace(hour=16)))
    page.get_by_label("Aantal edities").fill("60")
    page.get_by_label("Weken tussen de edities").fill("3")
    page.get_by_label("Locaties").fill("\n".join(VENUES))
    page.get_by_label("Capaciteit per editie").fill("25")
    page.get_by_label("Plaatsen per school hoogstens").fill("30")
    page.get_by_label("Inschrijving opent").fill(_local(timezone.now() - timedelta(hours=1)))
    page.get_by_label("De edities meteen publiceren").check()
    page.get_by_role("button", name="Opslaan").click()

    # Bad input: form errors beside the fields, and nothing made.
    expect(page.locator("#id_count_error")).to_be_visible()
    expect(
        page.get_by_text("Het aantal plaatsen per school kan niet hoger zijn dan de capaciteit.")
    ).to_be_visible()
    assert not EditionSeries.objects.exists()

    page.get_by_label("Aantal edities").fill("5")
    page.get_by_label("Plaatsen per school hoogstens").fill("8")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Reeks gemaakt met 5 edities.")
    expect(page.get_by_role("heading", name="Studiedag NT2", level=1)).to_be_visible()
    editions = page.get_by_role("table", name="Edities van de reeks")
    expect(editions.get_by_role("row")).to_have_count(6)
    for venue in VENUES:
        expect(editions).to_contain_text(venue)
    assert_accessible(page)
    made = EditionSeries.objects.get()
    assert set(made.editions.values_list("status", flat=True)) == {EditionStatus.PUBLISHED}

    # As a series: every future edition gets the new capacity.
    page.get_by_role("link", name="De reeks bewerken").click()
    page.get_by_label("Capaciteit per editie").fill("30")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Opgeslagen voor 5 komende edities van de reeks.")

    # One alone: the fourth study day gets a bigger hall.
    editions.get_by_role("row").nth(4).get_by_role("link").click()
    page.get_by_role("spinbutton", name="Capaciteit", exact=True).fill("40")
    page.get_by_role("button", name="Capaciteit opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Capaciteit opgeslagen")
    page.get_by_role("link", name="Reeks", exact=True).click()
    capacities = [
        editions.get_by_role("row").nth(i).get_by_role("cell").nth(2).inner_text() for i in range(1, 6)
    ]
    assert capacities == ["30", "30", "30", "40", "30"]
    assert list(
        Edition.objects.filter(series=made).order_by("starts_at").values_list("capacity", flat=True)
    ) == [
        30,
        30,
        30,
        40,
        30,
    ]


def test_it_runs_a_two_stage_approval_through_the_deputy_of_an_absent_school_leader(open_page, tree) -> None:
    member(Role.SCHOOL_ADMIN, tree.school_a, "directie@example.test", "Ingrid")
    member(Role.TEACHER, tree.school_a, "adjunct@example.test", "Bas")
    teacher = member(Role.TEACHER, tree.school_a, "leerkracht@example.test", "Lotte")
    member(Role.REGIONAL_COORDINATOR, tree.region_a, "regio@example.test", "Mira")
    module = make_module(tree.region_a, title="Ouderbetrokkenheid bij nieuwkomers")
    edition = make_edition(module, requires_school_approval=True, requires_organiser_approval=True)
    today = timezone.localdate()

    # The school leader goes away and names the deputy; first by mistake herself.
    leader = open_page()
    login(leader, "directie@example.test")
    leader.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Inschrijvingen team").click()
    leader.get_by_role("link", name="Goedkeuringen, afwezigheid en vervangers").click()
    leader.get_by_label("Vervanger").select_option(label="Ingrid Test")
    leader.get_by_label("Afwezig vanaf").fill(today.isoformat())
    leader.get_by_label("Afwezig tot en met").fill((today + timedelta(days=7)).isoformat())
    leader.get_by_role("button", name="Afwezigheid vastleggen").click()
    expect(leader.get_by_text("De vervanger moet iemand anders zijn.")).to_be_visible()
    leader.get_by_label("Vervanger").select_option(label="Bas Test")
    leader.get_by_role("button", name="Afwezigheid vastleggen").click()
    expect(leader.get_by_role("status")).to_contain_text("De afwezigheid is vastgelegd")
    expect(leader.get_by_text(re.compile("Ingrid Test .* is afwezig van"))).to_be_visible()

    # The teacher signs up and sees where the request stands.
    page = open_page()
    login(page, "leerkracht@example.test")
    page.goto(f"/courses/editions/{edition.pk}/")
    page.get_by_role("button", name="Inschrijven").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Je school is gevraagd je inschrijving goed te keuren."
    )
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn nascholing").click()
    expect(page.get_by_text("De schoolleider: wacht op besluit")).to_be_visible()
    expect(page.get_by_text("De organisator: nog niet")).to_be_visible()

    # The deputy finds the request on their own page and approves the school stage.
    deputy = open_page()
    login(deputy, "adjunct@example.test")
    deputy.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn nascholing").click()
    deputy.get_by_role("link", name="1 aanmelding wacht op je goedkeuring").click()
    expect(deputy.get_by_text(re.compile("Je vervangt Ingrid Test"))).to_be_visible()
    assert_accessible(deputy)
    deputy.get_by_role("button", name=re.compile("^Goedkeuren")).click()
    expect(deputy.get_by_role("status")).to_contain_text("Goedgekeurd; de organisator beslist nu.")

    page.reload()
    expect(
        page.get_by_text(
            re.compile(r"De schoolleider: Goedgekeurd door Bas Test op .* \(vervanger van Ingrid Test\)")
        )
    ).to_be_visible()
    expect(page.get_by_text("De organisator: wacht op besluit")).to_be_visible()

    # The organiser decides the second stage: the teacher has a seat.
    organiser = open_page()
    login(organiser, "regio@example.test")
    organiser.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Nascholing organiseren", exact=True
    ).click()
    organiser.get_by_role("link", name="Aanmeldingen om goed te keuren").click()
    organiser.get_by_role("button", name=re.compile("^Goedkeuren")).click()
    expect(organiser.get_by_role("status")).to_contain_text("Goedgekeurd; de leerkracht heeft een plaats.")

    page.reload()
    expect(page.get_by_role("table", name="Geplande nascholing")).to_contain_text(
        "Ouderbetrokkenheid bij nieuwkomers"
    )
    enrolment = Enrolment.objects.get(teacher=teacher)
    assert enrolment.status == EnrolmentStatus.CONFIRMED
    assert list(
        ApprovalDecision.objects.values_list("stage", "decided_by__email", "on_behalf_of__email")
    ) == [
        ("school", "adjunct@example.test", "directie@example.test"),
        ("organiser", "regio@example.test", None),
    ]
