"""Placement runs: the officer starts one for the region's waiting list; a Celery task solves it in the
background and writes proposals with a reason per child, and a reason for every child left waiting.

Safe to repeat: the run is claimed by a conditional update (pending -> running), so a second delivery does
nothing; open proposals of earlier runs are replaced; approved and started placements hold their places and
their children are not on the waiting list any more.
"""

from django.db import DatabaseError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind
from core import outbox
from core.errors import Conflict, ServiceError
from placement import engine
from placement.models import (
    HOLDS_PLACE,
    Group,
    Placement,
    PlacementRun,
    PlacementStatus,
    Report,
    ReportStatus,
    RunStatus,
)
from placement.services.common import age_on, require, today


@transaction.atomic
def start_run(user: User, region: Organisation) -> PlacementRun:
    if region.kind != OrganisationKind.REGION:
        raise ServiceError(_("Choose a region."), field="region")
    require(user, Capability.KEEP_REGISTER, region, field="region")
    if PlacementRun.objects.filter(region=region, status__in=[RunStatus.PENDING, RunStatus.RUNNING]).exists():
        raise Conflict(_("A placement run is already in progress for this region."), code="run_in_progress")
    run = PlacementRun.objects.create(region=region, started_by=user)
    outbox.enqueue("placement.run_placement", run.pk)
    return run


def _coordinates(org: Organisation, fallback: tuple[float, float]) -> tuple[float, float]:
    if org.latitude is None or org.longitude is None:
        parent = org.parent
        if parent is not None and parent.latitude is not None and parent.longitude is not None:
            return float(parent.latitude), float(parent.longitude)
        return fallback
    return float(org.latitude), float(org.longitude)


def build_problem(region: Organisation) -> tuple[list[engine.Child], list[engine.Group]]:
    """The region's waiting children and its active groups with their free places, for the engine."""
    on = today()
    groups_qs = (
        Group.objects.filter(location__path__startswith=region.path, active=True)
        .select_related("location__parent")
        .order_by("pk")
    )
    located = [
        (float(g.location.latitude), float(g.location.longitude))
        for g in groups_qs
        if g.location.latitude is not None
        and g.location.longitude is not None  # both or neither (constraint)
    ]
    centre = (
        (sum(lat for lat, _lon in located) / len(located), sum(lon for _lat, lon in located) / len(located))
        if located
        else (52.0, 5.0)
    )
    groups = []
    for g in groups_qs:
        lat, lon = _coordinates(g.location, centre)
        groups.append(
            engine.Group(g.pk, g.location_id, g.location.name, g.age_min, g.age_max, g.free, lat, lon)
        )
    reports = (
        Report.objects.filter(
            school__path__startswith=region.path, status=ReportStatus.WAITING, anonymised_at__isnull=True
        )
        .select_related("school__parent")
        .annotate(n_siblings=Count("siblings"))
        .order_by("reported_at", "pk")
    )
    family_of = _families([r.pk for r in reports if r.n_siblings])
    held = dict(
        Placement.objects.filter(
            status__in=HOLDS_PLACE, report__siblings__in=[r.pk for r in reports]
        ).values_list("report__siblings__pk", "group__location_id")
    )
    children = []
    for r in reports:
        lat, lon = _coordinates(r.school, centre)
        waited = (on - timezone.localtime(r.reported_at).date()).days
        children.append(
            engine.Child(
                r.pk,
                age_on(r.birth_year, r.birth_month, on),
                max(waited, 0),
                lat,
                lon,
                family_of.get(r.pk),
                held.get(r.pk),
            )
        )
    return children, groups


def _families(ids: list[int]) -> dict[int, int]:
    """Report id -> the smallest id among the waiting child and their siblings (one family label), for the
    reports ``ids`` of children with siblings."""
    links = Report.siblings.through.objects.filter(from_report_id__in=ids).values_list(
        "from_report_id", "to_report_id"
    )
    family: dict[int, int] = {}
    for a, b in links:
        family[a] = min(family.get(a, a), b, a)
    return family


def _count(params: dict[str, object]) -> int:
    """A reason's ``count`` (the engine sets it as an int where the text counts something)."""
    count = params.get("count", 0)
    return count if isinstance(count, int) else 0


def _km(reasons: list[engine.Reason]) -> float | None:
    """The distance of a placement, from its first reason."""
    km = reasons[0].params.get("km") if reasons and reasons[0].code == "distance" else None
    return float(km) if isinstance(km, int | float) else None


def reason_text(reason: engine.Reason) -> str:
    p = reason.params
    texts = {
        "distance": lambda: _("%(km)s km") % p,
        "only_location": lambda: _("%(location)s has the only free place in %(band)s years") % p,
        "nearest": lambda: _("nearest location with a free place") % p,
        "nearer_taken": lambda: _("nearer places went to other children") % p,
        "with_siblings": lambda: (
            ngettext("with their sibling", "with their %(count)s siblings", _count(p)) % p
        ),
        "no_group_for_age": lambda: _("no group in the region for age %(age)s") % p,
        "band_full": lambda: _("no free place in %(band)s years") % p,
        "siblings_elsewhere": lambda: _("no free place for this age where the siblings were placed") % p,
        "places_taken": lambda: (
            ngettext(
                "the free place in %(band)s years went to a child who waited longer or to place more children",
                "the %(count)s free places in %(band)s years went to children who waited longer or to place more "
                "children",
                _count(p),
            )
            % p
        ),
    }
    return str(texts[reason.code]())


def execute_run(run_id: int) -> bool:
    """Claim, solve and write one run. Returns False when another delivery already took it."""
    if not PlacementRun.objects.filter(pk=run_id, status=RunStatus.PENDING).update(status=RunStatus.RUNNING):
        return False
    run = PlacementRun.objects.select_related("region").get(pk=run_id)
    try:
        children, groups = build_problem(run.region)
        PlacementRun.objects.filter(pk=run_id).update(progress=20)
        result = engine.solve(children, groups)
        PlacementRun.objects.filter(pk=run_id).update(progress=80)
        _write(run, result)
    except (DatabaseError, RuntimeError) as exc:
        # No child data in the message: the type of the error only.
        PlacementRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, error=type(exc).__name__, finished_at=timezone.now()
        )
        return False
    return True


@transaction.atomic
def _write(run: PlacementRun, result: engine.Result) -> None:
    Placement.objects.filter(
        status=PlacementStatus.PROPOSED, report__school__path__startswith=run.region.path
    ).filter(~Q(run=run)).delete()
    rows = []
    for child_id, group_id in sorted(result.assignment.items()):
        reasons = result.reasons[child_id]
        rows.append(
            Placement(
                report_id=child_id,
                group_id=group_id,
                run=run,
                status=PlacementStatus.PROPOSED,
                reason="; ".join(reason_text(r) for r in reasons)[:300],
                distance_km=_km(reasons),
            )
        )
    Placement.objects.bulk_create(rows)
    waiting = [
        {"report": cid, "code": rs[0].code, "text": reason_text(rs[0])}
        for cid, rs in sorted(result.reasons.items())
        if cid not in result.assignment
    ]
    PlacementRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        progress=100,
        waiting=waiting,
        placed_count=result.placed,
        total_km=round(result.travel_m / 1000, 1),
        finished_at=timezone.now(),
    )
