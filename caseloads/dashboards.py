"""What the supporter's and the region's dashboards show; each function runs a fixed number of queries."""

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.http import Viewer
from accounts.models import User
from accounts.roles import Capability
from caseloads import workload
from caseloads.models import (
    OPEN_REQUEST_STATUSES,
    Case,
    CaseStatus,
    NextStep,
    RequestStatus,
    SupporterProfile,
    SupportRequest,
    Transfer,
    TransferStatus,
    Visit,
)
from caseloads.reach import open_requests_for, supporters_for
from core.charts import bar_chart


@dataclass(frozen=True)
class SupporterRow:
    """One supporter on the region's dashboard: load, hours worked this month, and their share in percent."""

    load: workload.Load
    worked: workload.Worked
    percent: int


def _percent(part: Decimal, whole: Decimal) -> float:
    return float(part / whole * 100) if whole > 0 else 0.0


def supporter_dashboard(user: Viewer, today: date | None = None) -> dict[str, object] | None:
    if not isinstance(user, User) or not scoping.can(user, Capability.WORK_CASES):
        return None
    today = today or timezone.localdate()
    open_cases = list(
        Case.objects.filter(
            Q(supporter=user) | Q(advisor=user), status__in=[CaseStatus.ACTIVE, CaseStatus.PAUSED]
        )
        .select_related("school")
        .order_by("school__name", "opened_at")
    )
    by_school: OrderedDict[str, list[Case]] = OrderedDict()
    for case in open_cases:
        by_school.setdefault(case.school.name, []).append(case)
    upcoming = list(
        Visit.objects.filter(supporter=user, done=False, date__gte=today, case__status=CaseStatus.ACTIVE)
        .select_related("case__school")
        .order_by("date", "id")[:10]
    )
    steps = list(
        NextStep.objects.filter(case__supporter=user, done_at__isnull=True)
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("case__school")
        .order_by("due_date", "id")[:20]
    )
    for step in steps:
        step.overdue = step.due_date < today  # type: ignore[attr-defined]  # for the template
    offered = list(
        Transfer.objects.filter(to_supporter=user, status=TransferStatus.PENDING)
        .select_related("case__school", "from_supporter")
        .order_by("created_at")
    )
    new_cases = [c for c in open_cases if c.supporter_id == user.pk and c.status == CaseStatus.ACTIVE]
    visited = set(
        Visit.objects.filter(case__in=[c.pk for c in new_cases]).values_list("case_id", flat=True).distinct()
    )
    waiting = [c for c in new_cases if c.pk not in visited]
    start, end = workload.month_bounds(today)
    worked = workload.worked([user.pk], start, end).get(user.pk, workload.Worked())
    profile = SupporterProfile.objects.filter(user=user).first()
    contract = workload.monthly_contract(profile.contract_hours_per_week) if profile else Decimal(0)
    return {
        "today": today,
        "cases_by_school": list(by_school.items()),
        "open_count": len(open_cases),
        "upcoming": upcoming,
        "steps": steps,
        "overdue_count": sum(1 for s in steps if s.due_date < today),
        "offered": offered,
        "waiting": waiting,
        "waiting_count": len(offered) + len(waiting),
        "worked": worked,
        "contract": contract,
        "percent": round(_percent(worked.hours, contract)),
        "month": start,
        "profile": profile,
    }


def supporter_summary(user: Viewer) -> dict[str, object] | None:
    return supporter_dashboard(user)


def region_dashboard(user: Viewer, today: date | None = None) -> dict[str, object] | None:
    if not scoping.can(user, Capability.ALLOCATE_SUPPORT):
        return None
    today = today or timezone.localdate()
    loads = workload.loads(supporters_for(user))
    start, end = workload.month_bounds(today)
    worked = workload.worked([ld.user_id for ld in loads], start, end)
    rows = []
    for ld in loads:
        w = worked.get(ld.user_id, workload.Worked())
        rows.append(SupporterRow(ld, w, round(_percent(w.hours, ld.contract))))
    chart = bar_chart(
        _("Hours worked this month, as a share of the monthly contract"),
        [(str(r.load.profile.user), float(r.percent)) for r in rows],
        unit="%",
        target=100.0,
    )
    waiting = list(open_requests_for(user).select_related("school").order_by("created_at", "id"))
    now = timezone.now()
    for r in waiting:
        r.days_waiting = (now - r.created_at).days  # type: ignore[attr-defined]  # for the template
    days = sorted((now - r.created_at).days for r in waiting)
    return {
        "today": today,
        "month": start,
        "rows": rows,
        "chart": chart,
        "waiting": waiting,
        "longest_wait": days[-1] if days else None,
        "median_wait": days[len(days) // 2] if days else None,
    }


def region_summary(user: Viewer) -> dict[str, object] | None:
    open_count = open_requests_for(user).count()
    return {"open_count": open_count}


def school_summary(user: Viewer) -> dict[str, object] | None:
    if not scoping.can(user, Capability.REQUEST_SUPPORT):
        return None
    qs = scoping.scope(SupportRequest.objects.all(), user, Capability.REQUEST_SUPPORT, field="school")
    return {
        "open_count": qs.filter(status__in=OPEN_REQUEST_STATUSES).count(),
        "allocated_count": qs.filter(status=RequestStatus.ALLOCATED).count(),
    }
