"""The steering group's numbers, read-side: occupancy per group by week (past and planned), free places now
and in the coming weeks, waiting children and days waiting, and report-to-start time per municipality (and, for the officer, per
child) against the two-week target. Municipal coordinators see aggregates only; groups of fewer than MIN_GROUP children are
hidden for them, as in matching's reports."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median

from django.db.models import QuerySet
from django.utils import timezone

from accounts import scoping
from accounts.http import Viewer
from accounts.models import Organisation
from accounts.roles import Capability, OrganisationKind
from placement.models import Group, Placement, PlacementStatus, Report, ReportStatus

MIN_GROUP = 5
TARGET_DAYS = 14
WEEKS_BACK = 8
WEEKS_AHEAD = 8


@dataclass
class GroupRow:
    group: Group
    weeks: list[int]  # occupied places at the Monday of each week in ``Figures.weeks``
    free_now: int
    free_ahead: int  # free places at the last week shown, after planned outflow


@dataclass
class MunicipalityRow:
    name: str
    children: int
    median_days: float | None
    within_target: float | None  # share started within TARGET_DAYS, 0..1
    hidden: bool = False


@dataclass
class ChildRow:
    """One started child's report-to-start time, for the officer (no name: the record is a click away)."""

    report_id: int
    municipality: str
    reported: date
    started: date
    days: int

    @property
    def within_target(self) -> bool:
        return self.days <= TARGET_DAYS


@dataclass
class Figures:
    weeks: list[date]
    groups: list[GroupRow] = field(default_factory=list)
    waiting: int = 0
    waiting_median_days: float | None = None
    waiting_max_days: int | None = None
    municipalities: list[MunicipalityRow] = field(default_factory=list)
    children: list[ChildRow] = field(default_factory=list)  # the officer's only, slowest first

    @property
    def recent_children(self) -> list[ChildRow]:
        """The children started in the weeks the page shows (the CSV has them all)."""
        return [c for c in self.children if c.started >= self.weeks[0]]


def _region_paths(user: Viewer) -> QuerySet[Organisation]:
    """The regions whose figures ``user`` may read: the officer's, or the region above a coordinator."""
    keep = scoping.organisations_of_kind(user, Capability.KEEP_REGISTER, [OrganisationKind.REGION])
    if keep.exists():
        return keep
    return scoping.organisations_of_kind(user, Capability.VIEW_REPORTS, [OrganisationKind.MUNICIPALITY])


def aggregate_only(user: Viewer) -> bool:
    return not scoping.can(user, Capability.KEEP_REGISTER)


def _holds(p: Placement, monday: date) -> bool:
    begun = p.start_date or (p.decided_at.date() if p.decided_at else None)
    if begun is None or begun > monday:
        return False
    return p.outflow_date is None or p.outflow_date > monday


def figures_for(user: Viewer) -> Figures:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    weeks = [monday + timedelta(weeks=k) for k in range(-WEEKS_BACK, WEEKS_AHEAD + 1)]
    out = Figures(weeks=weeks)
    areas = list(_region_paths(user))
    if not areas:
        return out
    paths = [a.path for a in areas]
    if aggregate_only(user):
        # Coordinators see the groups of their region: the municipality's own region path.
        paths = sorted({"/" + a.path.strip("/").split("/")[0] + "/" for a in areas})
    groups = [
        g
        for g in Group.objects.select_related("location").order_by("location__name", "age_min")
        if any(g.location.path.startswith(p) for p in paths)
    ]
    holding = list(
        Placement.objects.filter(
            group__in=groups,
            status__in=[PlacementStatus.APPROVED, PlacementStatus.STARTED, PlacementStatus.ENDED],
        )
    )
    by_group: dict[int, list[Placement]] = {}
    for p in holding:
        by_group.setdefault(p.group_id, []).append(p)
    for g in groups:
        mine = by_group.get(g.pk, [])
        occupied = [sum(_holds(p, w) for p in mine) for w in weeks]
        out.groups.append(GroupRow(g, occupied, g.free, max(g.capacity - occupied[-1], 0)))
    _waiting_and_speed(out, user, paths, today)
    return out


def _waiting_and_speed(out: Figures, user: Viewer, paths: list[str], today: date) -> None:
    reports = [
        r
        for r in Report.objects.select_related("school__parent")
        if any(r.school.path.startswith(p) for p in paths)
    ]
    waiting = [
        (today - timezone.localtime(r.reported_at).date()).days
        for r in reports
        if r.status == ReportStatus.WAITING
    ]
    out.waiting = len(waiting)
    if waiting:
        out.waiting_median_days = median(waiting)
        out.waiting_max_days = max(waiting)
    started = Placement.objects.filter(report__in=[r.pk for r in reports], start_date__isnull=False)
    starts = {rid: day for rid, day in started.values_list("report_id", "start_date") if day is not None}
    per: dict[str, list[int]] = {}
    hide = aggregate_only(user)
    for r in reports:
        if r.pk in starts:
            name = r.school.parent.name if r.school.parent else "—"
            reported = timezone.localtime(r.reported_at).date()
            per.setdefault(name, []).append((starts[r.pk] - reported).days)
            if not hide:
                out.children.append(
                    ChildRow(r.pk, name, reported, starts[r.pk], (starts[r.pk] - reported).days)
                )
    out.children.sort(key=lambda c: (-c.days, c.report_id))
    for name, days in sorted(per.items()):
        row = MunicipalityRow(name, len(days), median(days), sum(d <= TARGET_DAYS for d in days) / len(days))
        if hide and len(days) < MIN_GROUP:
            row = MunicipalityRow(name, len(days), None, None, hidden=True)
        out.municipalities.append(row)


def csv_rows(fig: Figures) -> list[list[object]]:
    rows: list[list[object]] = [
        ["location", "group", "capacity", *[w.isoformat() for w in fig.weeks], "free_now"]
    ]
    for row in fig.groups:
        rows.append([row.group.location.name, row.group.name, row.group.capacity, *row.weeks, row.free_now])
    rows.append([])
    rows.append(
        [
            "waiting_children",
            fig.waiting,
            "median_days",
            fig.waiting_median_days,
            "longest_days",
            fig.waiting_max_days,
        ]
    )
    rows.append([])
    rows.append(
        ["municipality", "children_started", "median_days_report_to_start", f"within_{TARGET_DAYS}_days"]
    )
    for m in fig.municipalities:
        if m.hidden:  # a small group: not even its size
            rows.append([m.name, f"<{MIN_GROUP}", "", ""])
        else:
            share = round(m.within_target * 100) if m.within_target is not None else ""
            rows.append([m.name, m.children, m.median_days, f"{share}%"])
    if fig.children:
        rows.append([])
        rows.append(["report", "municipality", "reported", "started", "days", f"within_{TARGET_DAYS}_days"])
        for c in fig.children:
            rows.append(
                [
                    c.report_id,
                    c.municipality,
                    c.reported.isoformat(),
                    c.started.isoformat(),
                    c.days,
                    "yes" if c.within_target else "no",
                ]
            )
    return rows
