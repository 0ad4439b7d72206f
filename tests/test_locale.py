"""Grammar and locale as a Dutch coordinator reads the pages: plurals, spelling, numbers, dates, admin words,
the demo's texts, chart labels and report totals. Each test renders in Dutch and compares the exact text."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts import demo as accounts_demo
from accounts.roles import Role
from caseloads import demo as caseloads_demo
from caseloads.models import Case, NextStep, SupportRequest, Visit
from core import numbers
from core.charts import bar_chart
from core.errors import ServiceError
from courses import services as course_services
from matching.services.imports import ImportInvalid, RowError
from pupils import access
from pupils.models import AccessAction
from tests.caseloads.factories import make_case, make_supporter, make_visit
from tests.courses.factories import make_edition, make_enrolment, make_module, make_teacher
from tests.factories import make_membership, make_user

ENGLISH_WORDS = re.compile(r"\b(the|and|with|from|who|which|pupils?|teachers?|parents)\b", re.IGNORECASE)


def dutch(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "Het bestand bevat 1 probleem; er is niets geïmporteerd."),
        (2, "Het bestand bevat 2 problemen; er is niets geïmporteerd."),
    ],
)
def test_it_counts_import_problems_in_singular_and_plural(n, text):
    rows = [RowError(row=i + 2, field="name", message="x") for i in range(n)]

    with translation.override("nl"):
        assert str(ImportInvalid(rows).message) == text


@pytest.mark.parametrize(
    ("capacity", "text"), [(1, "Er is maar 1 plaats vrij."), (2, "Er zijn maar 2 plaatsen vrij.")]
)
def test_it_says_how_many_seats_are_free_in_singular_and_plural(tree, capacity, text):
    edition = make_edition(make_module(tree.region_a), capacity=capacity)
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)

    with translation.override("nl"), pytest.raises(ServiceError) as exc:
        course_services.reserve_seats(staff_a, edition, tree.school_a, capacity + 1)

    assert str(exc.value.message) == text


@pytest.mark.parametrize(("value", "text"), [("90.0", "90"), ("90.5", "90,5"), ("1.25", "1,3"), ("0", "0")])
def test_it_shows_hours_in_the_dutch_number_format(value, text):
    with translation.override("nl"):
        assert numbers.hours(Decimal(value)) == text
        assert numbers.hours_text(Decimal(value)) == f"{text} uur"
    with translation.override("en"):
        assert numbers.hours_text(Decimal("1.0")) == "1 hour"
        assert numbers.hours_text(Decimal("90.5")) == "90.5 hours"


def test_it_spells_agenda_adres_and_writes_months_in_dutch(tree):
    teacher_a = make_teacher(tree.school_a)
    make_enrolment(make_edition(make_module(tree.region_a, title="Meertaligheid")), teacher_a)

    html = dutch(teacher_a).get(reverse("courses:my_courses")).content.decode()

    assert '<label for="feed-url">Agenda-adres</label>' in html
    months = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    assert re.search(rf"\b\d{{1,2}} ({months}) \d{{4}} \d\d:\d\d\b", html)
    assert not re.search(r"\b(Jan|Feb|Mrt|Mar|Apr|Mei|May|Jun|Jul|Aug|Sep|Okt|Oct|Nov|Dec)\b", html)


def test_it_names_every_admin_section_and_the_access_log_columns_in_dutch(tree):
    admin = make_user(is_superuser=True, is_staff=True)
    officer = make_membership(Role.PRIVACY_OFFICER, tree.region_a)
    access.record(officer, [1], AccessAction.VIEW, context="test")

    index = dutch(admin).get("/admin/").content.decode()
    log = dutch(officer).get(reverse("matching:access_log")).content.decode()

    sections = re.findall(r"<caption>\s*<a[^>]*>([^<]*)</a>", index)
    assert {"Platform", "Tweestapsverificatie"} <= set(sections)
    assert not {"Core", "MFA"} & set(sections)
    assert re.findall(r'<th scope="col">([^<]*)</th>', log) == [
        "Op",
        "Gebruiker",
        "Handeling",
        "Leerling-id",
        "Waar",
        "Reden",
    ]


def test_it_seeds_the_demo_in_dutch(db):
    ctx = accounts_demo.seed()
    caseloads_demo.seed(ctx)

    texts = [
        *SupportRequest.objects.values_list("description", flat=True),
        *SupportRequest.objects.exclude(decline_reason="").values_list("decline_reason", flat=True),
        *Visit.objects.values_list("notes", flat=True),
        *NextStep.objects.values_list("description", flat=True),
        *Case.objects.values_list("goals", flat=True),
        *Case.objects.exclude(closing_summary="").values_list("closing_summary", flat=True),
    ]
    assert len(texts) > 20
    assert [t for t in texts if ENGLISH_WORDS.search(t)] == []


@pytest.mark.parametrize(
    ("value", "decimals", "label"),
    [(42.86, 0, "43%"), (42.86, 1, "42,9%"), (42.5, 0, "43%"), (1234.5, 0, "1.235%")],
)
def test_it_rounds_chart_labels_instead_of_cutting_them(value, decimals, label):
    with translation.override("nl"):
        chart = bar_chart("Vulgraad", [("Editie", value)], unit="%", decimals=decimals, maximum=2000)

    assert chart.bars[0].display == label


def test_it_counts_the_visits_in_the_region_total_row(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a)
    today = timezone.localdate()
    make_visit(make_case(supporter, tree.school_a), on=today, duration=60)
    make_visit(make_case(supporter, tree.school_a3), on=today, duration=30)
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"

    html = (
        dutch(coordinator_a)
        .get(reverse("caseloads:region_dashboard") + f"?quarter={quarter}")
        .content.decode()
    )

    assert (
        '<tfoot><tr><th scope="row" colspan="2">Totaal regio</th><td>2</td><td>1,50</td></tr></tfoot>' in html
    )


def test_it_keeps_date_filters_in_templates_named_or_unambiguous():
    """No hand-made month abbreviations ("M" is title-cased in every language): named formats only."""
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "templates"
    hand_made = [
        f"{path.relative_to(templates)}: {fmt}"
        for path in templates.rglob("*.*")
        for fmt in re.findall(r'date:"([^"]*)"', path.read_text())
        if "M" in fmt.replace("MONTH_DAY_FORMAT", "")
        and fmt not in {"DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT"}
    ]
    assert hand_made == []
