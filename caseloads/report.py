"""Hours per municipality and per school per quarter: the basis on which municipalities and schools share
the cost of the support team. Counts done visits only (duration + preparation + travel), by visit date."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Sum
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.http import Viewer
from accounts.roles import Capability
from caseloads.models import Visit
from caseloads.workload import quarter_bounds, quarter_of
from core.charts import BarChart, bar_chart


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class SchoolRow:
    school_id: int
    school: str
    visit_minutes: int
    preparation_minutes: int
    travel_minutes: int
    visits: int

    @property
    def total_minutes(self) -> int:
        return self.visit_minutes + self.preparation_minutes + self.travel_minutes

    @property
    def total_hours(self) -> Decimal:
        return hours(self.total_minutes)


@dataclass
class MunicipalityRow:
    municipality_id: int | None
    municipality: str
    schools: list[SchoolRow] = field(default_factory=list)

    @property
    def total_minutes(self) -> int:
        return sum(s.total_minutes for s in self.schools)

    @property
    def total_hours(self) -> Decimal:
        return hours(self.total_minutes)

    @property
    def visits(self) -> int:
        return sum(s.visits for s in self.schools)


@dataclass
class QuarterReport:
    quarter: str
    start: date
    end: date  # exclusive
    municipalities: list[MunicipalityRow]

    @property
    def total_minutes(self) -> int:
        return sum(m.total_minutes for m in self.municipalities)

    @property
    def total_hours(self) -> Decimal:
        return hours(self.total_minutes)

    @property
    def visits(self) -> int:
        return sum(m.visits for m in self.municipalities)


def valid_quarter(label: str | None, today: date) -> str:
    if label and len(label) == 7 and label[4:6] == "-Q" and label[:4].isdigit() and label[6] in "1234":
        return label
    return quarter_of(today)


def quarters_around(today: date, count: int = 6) -> list[str]:
    out, year, q = [], today.year, (today.month - 1) // 3 + 1
    for _i in range(count):
        out.append(f"{year}-Q{q}")
        q -= 1
        if q == 0:
            year, q = year - 1, 4
    return out


def quarter_report(user: Viewer, quarter: str) -> QuarterReport:
    """One grouped query over the visits of schools in the coordinator's reach."""
    start, end = quarter_bounds(quarter)
    visits = scoping.scope(
        Visit.objects.filter(done=True, date__gte=start, date__lt=end),
        user,
        Capability.ALLOCATE_SUPPORT,
        field="case__school",
    )
    rows = (
        visits.values(
            school_id=F("case__school_id"),
            school=F("case__school__name"),
            municipality_id=F("case__school__parent_id"),
            municipality=F("case__school__parent__name"),
        )
        .annotate(
            v=Sum("duration_minutes"),
            p=Sum("preparation_minutes"),
            t=Sum("travel_minutes"),
            n=Count("pk"),
        )
        .order_by("municipality", "school")
    )
    by_municipality: dict[int | None, MunicipalityRow] = {}
    for r in rows:
        m = by_municipality.setdefault(
            r["municipality_id"], MunicipalityRow(r["municipality_id"], r["municipality"] or "—")
        )
        m.schools.append(
            SchoolRow(r["school_id"], r["school"], r["v"] or 0, r["p"] or 0, r["t"] or 0, r["n"])
        )
    return QuarterReport(quarter, start, end, list(by_municipality.values()))


def report_rows(report: QuarterReport) -> list[list[object]]:
    """The quarter as spreadsheet rows (header first); ``core.csvexport`` writes them."""
    header: list[object] = [
        _("Quarter"),
        _("Municipality"),
        _("School"),
        _("Visits"),
        _("Visit hours"),
        _("Preparation hours"),
        _("Travel hours"),
        _("Total hours"),
    ]
    rows: list[list[object]] = [header]
    for m in report.municipalities:
        for s in m.schools:
            rows.append(
                [
                    report.quarter,
                    m.municipality,
                    s.school,
                    s.visits,
                    hours(s.visit_minutes),
                    hours(s.preparation_minutes),
                    hours(s.travel_minutes),
                    s.total_hours,
                ]
            )
        rows.append(
            [report.quarter, m.municipality, _("Municipality total"), m.visits, "", "", "", m.total_hours]
        )
    rows.append([report.quarter, _("Region total"), "", report.visits, "", "", "", report.total_hours])
    return rows


def hours_chart(report: QuarterReport) -> BarChart:
    """Hours per municipality in the quarter: the numbers the municipalities share the team's cost by."""
    return bar_chart(
        _("Support hours per municipality, %(quarter)s") % {"quarter": report.quarter},
        [(m.municipality, float(m.total_hours)) for m in report.municipalities],
        decimals=1,
    )
