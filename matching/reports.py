"""Matching reports per school and per municipality.

Figures: pupils, pupils waiting (no approved match), match rate (pupils ever matched / pupils),
shared-language rate (matches whose pair shares a language / matches), median days from transition date
to approval, overdue check-ins. People who may not see pupil records (municipal coordinators) see
aggregates only, and groups of fewer than :data:`MIN_GROUP` pupils are hidden.

Five queries whatever the number of schools; the per-match figures are folded in Python once per match.
"""

from dataclasses import dataclass, field
from statistics import median

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from accounts import scoping
from accounts.http import Viewer
from accounts.models import Organisation
from accounts.roles import Capability, OrganisationKind
from matching.models import CheckIn, Match, MatchStatus
from pupils.models import Pupil

MIN_GROUP = 5
LANGUAGE_REASONS = {"shared_home_language", "shared_language"}
COUNTED = (MatchStatus.APPROVED, MatchStatus.ENDED)


@dataclass
class ReportRow:
    organisation_id: int
    name: str
    pupils: int = 0
    waiting: int = 0
    matched: int = 0
    matches: int = 0
    shared_language: int = 0
    overdue_check_ins: int = 0
    days: list[int] = field(default_factory=list)
    hidden: bool = False

    @property
    def match_rate(self) -> float | None:
        return None if self.hidden or not self.pupils else round(100 * self.matched / self.pupils, 1)

    @property
    def language_rate(self) -> float | None:
        return (
            None if self.hidden or not self.matches else round(100 * self.shared_language / self.matches, 1)
        )

    @property
    def median_days(self) -> float | None:
        return None if self.hidden or not self.days else float(median(self.days))

    def add(self, other: "ReportRow") -> None:
        self.pupils += other.pupils
        self.waiting += other.waiting
        self.matched += other.matched
        self.matches += other.matches
        self.shared_language += other.shared_language
        self.overdue_check_ins += other.overdue_check_ins
        self.days.extend(other.days)


@dataclass
class Report:
    schools: list[ReportRow]
    municipalities: list[ReportRow]
    aggregate_only: bool


def build(user: Viewer) -> Report:
    reach = scoping.reach(user, Capability.VIEW_REPORTS)
    aggregate_only = not scoping.can(user, Capability.VIEW_PUPILS)
    schools = {
        sid: (name, parent)
        for sid, name, parent in reach.organisations()
        .filter(kind=OrganisationKind.SCHOOL)
        .values_list("id", "name", "parent_id")
    }
    rows = {sid: ReportRow(sid, name) for sid, (name, _parent) in schools.items()}
    active = Match.objects.filter(pupil=OuterRef("pk"), status=MatchStatus.APPROVED)
    ever = Match.objects.filter(pupil=OuterRef("pk"), status__in=COUNTED)
    pupils = (
        Pupil.objects.filter(school_id__in=list(rows))
        .annotate(active=Exists(active), ever=Exists(ever))
        .values("school_id")
        .annotate(
            total=Count("id"),
            waiting=Count("id", filter=Q(active=False)),
            matched=Count("id", filter=Q(ever=True)),
        )
    )
    for r in pupils:
        row = rows[r["school_id"]]
        row.pupils, row.waiting, row.matched = r["total"], r["waiting"], r["matched"]
    for school_id, reasons, transition, decided in Match.objects.filter(
        school_id__in=list(rows), status__in=COUNTED
    ).values_list("school_id", "reasons", "pupil__transition_date", "decided_at"):
        row = rows[school_id]
        row.matches += 1
        if any(code in LANGUAGE_REASONS for code, _params in reasons):
            row.shared_language += 1
        if decided is not None:
            row.days.append(max(0, (timezone.localdate(decided) - transition).days))
    overdue = (
        CheckIn.objects.filter(
            match__school_id__in=list(rows),
            match__status=MatchStatus.APPROVED,
            done_at__isnull=True,
            due_on__lt=timezone.localdate(),
        )
        .values("match__school_id")
        .annotate(n=Count("id"))
    )
    for late in overdue:
        rows[late["match__school_id"]].overdue_check_ins = late["n"]

    municipality_names = dict(
        Organisation.objects.filter(pk__in={p for _n, p in schools.values()}).values_list("id", "name")
    )
    municipalities: dict[int, ReportRow] = {}
    for sid, row in rows.items():
        parent = schools[sid][1]
        if parent is not None:
            municipalities.setdefault(parent, ReportRow(parent, municipality_names.get(parent, ""))).add(row)
    for row in [*rows.values(), *municipalities.values()]:
        row.hidden = aggregate_only and row.pupils < MIN_GROUP
    school_rows = [r for r in sorted(rows.values(), key=lambda r: r.name) if r.pupils]
    return Report(school_rows, sorted(municipalities.values(), key=lambda r: r.name), aggregate_only)
