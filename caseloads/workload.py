"""Workload in hours.

Two figures, deliberately different:

* **Committed** (forward-looking, used by allocation): the planned hours per month of a supporter's active
  cases. A request's planned hours come from its topic and urgency (``models.estimated_hours``). **Free
  hours** = monthly contract - committed, where the monthly contract is ``hours per week x 52 / 12``.
* **Worked** (what happened, shown on dashboards and in the region report): done visits' duration plus
  preparation plus travel, in the month (or quarter) of the visit date.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet, Sum

from caseloads.models import Case, CaseStatus, SupporterProfile, Visit

WEEKS_PER_MONTH = Decimal(52) / Decimal(12)


def monthly_contract(hours_per_week: Decimal | float | int) -> Decimal:
    return (Decimal(hours_per_week) * WEEKS_PER_MONTH).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Load:
    profile: SupporterProfile
    contract: Decimal  # hours per month
    committed: int  # planned hours per month of active cases

    @property
    def free(self) -> Decimal:
        return self.contract - self.committed

    @property
    def user_id(self) -> int:
        return self.profile.user_id


def committed_hours(user_ids: list[int]) -> dict[int, int]:
    rows = (
        Case.objects.filter(supporter_id__in=user_ids, status=CaseStatus.ACTIVE)
        .values("supporter_id")
        .annotate(total=Sum("planned_hours_per_month"))
    )
    return {row["supporter_id"]: row["total"] or 0 for row in rows}


def loads(profiles: QuerySet[SupporterProfile] | list[SupporterProfile]) -> list[Load]:
    """Load of each profile, in two queries (profiles with users, one aggregate)."""
    profiles = list(profiles)
    committed = committed_hours([p.user_id for p in profiles])
    return [
        Load(p, monthly_contract(p.contract_hours_per_week), committed.get(p.user_id, 0)) for p in profiles
    ]


def load_of(profile: SupporterProfile) -> Load:
    return loads([profile])[0]


def month_bounds(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, end


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(label: str) -> tuple[date, date]:
    year, q = label.split("-Q")
    start = date(int(year), 3 * (int(q) - 1) + 1, 1)
    end = date(int(year) + (q == "4"), (3 * int(q)) % 12 + 1, 1)
    return start, end


@dataclass
class Worked:
    visit_minutes: int = 0
    preparation_minutes: int = 0
    travel_minutes: int = 0

    @property
    def total_minutes(self) -> int:
        return self.visit_minutes + self.preparation_minutes + self.travel_minutes

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.total_minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def worked(user_ids: list[int], start: date, end: date) -> dict[int, Worked]:
    """Worked minutes per supporter in ``[start, end)``, from done visits; one query."""
    rows = (
        Visit.objects.filter(Q(supporter_id__in=user_ids), done=True, date__gte=start, date__lt=end)
        .values("supporter_id")
        .annotate(v=Sum("duration_minutes"), p=Sum("preparation_minutes"), t=Sum("travel_minutes"))
    )
    return {r["supporter_id"]: Worked(r["v"] or 0, r["p"] or 0, r["t"] or 0) for r in rows}
