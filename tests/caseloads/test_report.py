"""The region report (hours per municipality and school per quarter) adds up to the logged visits."""

import csv
import io
import random
from datetime import date

from django.db.models import F, Sum
from django.urls import reverse

from accounts.roles import OrganisationKind, Role
from caseloads import report
from caseloads.models import Visit
from core.csvexport import safe_cell
from tests.caseloads.factories import make_case, make_supporter, make_visit
from tests.factories import make_membership, make_org


def test_it_adds_up_to_the_done_visits_of_the_quarter_within_reach(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a)
    rng = random.Random(7)
    cases = [make_case(supporter, school) for school in (tree.school_a, tree.school_a2, tree.school_a3)]
    for _ in range(40):
        make_visit(
            rng.choice(cases),
            on=date(2026, rng.randint(1, 6), rng.randint(1, 28)),
            done=rng.random() > 0.2,
            duration=rng.randint(15, 180),
            preparation=rng.randint(0, 60),
            travel=rng.randint(0, 90),
        )
    support_b = make_org(OrganisationKind.SUPPORT_SERVICE, "Support B", tree.region_b)
    make_visit(make_case(make_supporter(support_b), tree.school_b), on=date(2026, 2, 2), duration=600)

    result = report.quarter_report(coordinator_a, "2026-Q1")

    expected = Visit.objects.filter(
        done=True,
        date__gte=date(2026, 1, 1),
        date__lt=date(2026, 4, 1),
        case__school__path__startswith=tree.region_a.path,
    ).aggregate(m=Sum(F("duration_minutes") + F("preparation_minutes") + F("travel_minutes")))["m"]
    assert result.total_minutes == expected
    assert [m.municipality for m in result.municipalities] == ["Municipality A1", "Municipality A2"]
    assert sum(s.total_minutes for m in result.municipalities for s in m.schools) == expected
    by_school = {s.school: s.total_minutes for m in result.municipalities for s in m.schools}
    for case in cases:
        assert by_school.get(case.school.name, 0) == sum(
            v.total_minutes for v in case.visits.filter(done=True, date__lt=date(2026, 4, 1))
        )


def test_it_exports_the_report_as_csv_that_adds_up(tree, client):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a)
    make_visit(make_case(supporter, tree.school_a), on=date(2026, 4, 3), duration=90, travel=30)
    make_visit(make_case(supporter, tree.school_a3), on=date(2026, 5, 3), duration=45, preparation=15)
    client.force_login(coordinator_a)

    response = client.get(reverse("caseloads:region_report_csv") + "?quarter=2026-Q2")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1] == ["2026-Q2", "Municipality A1", "School A", "1", "1.50", "0.00", "0.50", "2.00"]
    assert rows[-1] == ["2026-Q2", "Region total", "", "2", "", "", "", "3.00"]
    school_rows = [r for r in rows[1:-1] if r[2] not in ("Municipality total", "Gemeente totaal")]
    assert sum(float(r[7]) for r in school_rows) == 3.0


def test_it_prefixes_cells_that_a_spreadsheet_would_run_as_formulas(tree):
    assert [safe_cell(v) for v in ["=SUM(A1)", "+1", "-2", "@x", "School A", 3]] == [
        "'=SUM(A1)",
        "'+1",
        "'-2",
        "'@x",
        "School A",
        "3",
    ]


def test_it_escapes_a_school_name_that_looks_like_a_formula_in_the_csv(tree, client):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    evil = make_org(OrganisationKind.SCHOOL, '=HYPERLINK("http://x")', tree.municipality_a1)
    make_visit(make_case(make_supporter(tree.support_a), evil), on=date(2026, 1, 5))
    client.force_login(coordinator_a)

    body = client.get(reverse("caseloads:region_report_csv") + "?quarter=2026-Q1").content.decode()

    assert list(csv.reader(io.StringIO(body)))[1][2] == '\'=HYPERLINK("http://x")'


def test_it_refuses_the_csv_to_school_staff(tree, client):
    client.force_login(make_membership(Role.SCHOOL_STAFF, tree.school_a))

    assert client.get(reverse("caseloads:region_report_csv")).status_code == 404


def test_it_charts_the_hours_per_municipality_from_the_report():
    from caseloads.report import MunicipalityRow, QuarterReport, SchoolRow, hours_chart

    haarlem = MunicipalityRow(1, "Haarlem", [SchoolRow(1, "A", 600, 90, 60, 2)])  # 750 minutes
    zandvoort = MunicipalityRow(2, "Zandvoort", [SchoolRow(2, "B", 120, 30, 30, 1)])  # 180 minutes
    report = QuarterReport("2026-Q2", date(2026, 4, 1), date(2026, 7, 1), [haarlem, zandvoort])

    chart = hours_chart(report)

    assert [(bar.label, bar.value) for bar in chart.bars] == [("Haarlem", 12.5), ("Zandvoort", 3.0)]
