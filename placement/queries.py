"""Read-side assembly for placement: what each user reaches, the detail of a child with its timeline, and
the officer's summary. Views and the API read through here; every view of a record is logged."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.http import Viewer
from accounts.models import Organisation
from accounts.roles import Capability, OrganisationKind
from core.errors import NotFound
from placement.models import Group, Placement, PlacementRun, PlacementStatus, Report, ReportStatus
from pupils import access
from pupils.models import AccessAction, AccessSubject


def _within(user: Viewer, capability: Capability, field: str) -> Q | None:
    return scoping.q(user, capability, field)


def reports_for(user: Viewer) -> QuerySet[Report]:
    """Officers: their region's reports; school staff: their school's; location staff: their children."""
    parts = [
        q
        for q in (
            _within(user, Capability.KEEP_REGISTER, "school"),
            _within(user, Capability.REPORT_NEWCOMERS, "school"),
            _within(user, Capability.TEACH_NEWCOMERS, "location"),
        )
        if q is not None
    ]
    if not parts:
        return Report.objects.none()
    return Report.objects.filter(reduce(or_, parts)).select_related("school", "location")


def sees_parents(user: Viewer, report: Report) -> bool:
    """Parents' contact: the officer and the staff of the child's own location, nobody else."""
    return scoping.can(user, Capability.KEEP_REGISTER, report.school) or (
        report.location is not None and scoping.can(user, Capability.TEACH_NEWCOMERS, report.location)
    )


def keeps(user: Viewer, report: Report) -> bool:
    return scoping.can(user, Capability.KEEP_REGISTER, report.school)


def report_or_404(user: Viewer, pk: int | str, context: str) -> Report:
    try:
        report = reports_for(user).get(pk=int(pk))
    except (Report.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    access.record(user, [report.pk], AccessAction.VIEW, context=context, subject=AccessSubject.REPORT)
    return report


def groups_for(user: Viewer) -> QuerySet[Group]:
    q = [
        x
        for x in (
            _within(user, Capability.KEEP_REGISTER, "location"),
            _within(user, Capability.TEACH_NEWCOMERS, "location"),
        )
        if x is not None
    ]
    if not q:
        return Group.objects.none()
    return Group.objects.filter(reduce(or_, q)).select_related("location")


def locations_for(user: Viewer) -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.NEWCOMER_CLASS).filter(
        pk__in=groups_for(user).values("location")
    ) | scoping.organisations_of_kind(user, Capability.KEEP_REGISTER, [OrganisationKind.NEWCOMER_CLASS])


def placements_for(user: Viewer) -> QuerySet[Placement]:
    return Placement.objects.filter(report__in=reports_for(user).values("pk")).select_related(
        "report__school", "group__location", "receiving_school"
    )


def runs_for(user: Viewer) -> QuerySet[PlacementRun]:
    return scoping.scope(
        PlacementRun.objects.select_related("region"), user, Capability.KEEP_REGISTER, "region"
    )


def placement_or_404(user: Viewer, pk: int | str) -> Placement:
    try:
        return placements_for(user).get(pk=int(pk))
    except (Placement.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def regions_for(user: Viewer) -> QuerySet[Organisation]:
    return scoping.organisations_of_kind(user, Capability.KEEP_REGISTER, [OrganisationKind.REGION])


@dataclass(frozen=True)
class Event:
    at: date
    label: str


def _day(value: datetime | date | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def timeline(report: Report) -> list[Event]:
    """One path per child: reported, eligibility, placed, started, outflow, then buddy and aftercare."""
    events = [Event(report.reported_at.date(), _("Reported by %(school)s") % {"school": report.school.name})]
    events.append(Event(report.reported_at.date(), report.eligibility_reason))
    for p in report.placements.select_related("group__location").order_by("created_at", "pk"):
        if p.status == PlacementStatus.PROPOSED:
            events.append(Event(p.created_at.date(), _("Proposed: %(group)s") % {"group": p.group}))
        if p.decided_at and p.status != PlacementStatus.PROPOSED:
            label = (
                _("Rejected: %(group)s") if p.status == PlacementStatus.REJECTED else _("Placed: %(group)s")
            )
            events.append(Event(p.decided_at.date(), label % {"group": p.group}))
        if p.start_date:
            events.append(Event(p.start_date, _("Started")))
        if p.outflow_date:
            events.append(Event(p.outflow_date, _("Outflow to %(school)s") % {"school": p.receiving_school}))
    events += _downstream(report)
    from placement import parent_offer

    events += [Event(timezone.localtime(e.at).date(), e.label) for e in parent_offer.events(report)]
    return sorted(events, key=lambda e: e.at)


def _downstream(report: Report) -> list[Event]:
    """What happened after the outflow: buddy proposals and matches, aftercare visits (read only)."""
    from caseloads.models import Visit
    from matching.models import Match, MatchStatus

    events: list[Event] = []
    if report.pupil_id:
        for m in Match.objects.filter(pupil_id=report.pupil_id).order_by("created_at"):
            events.append(Event(_day(m.created_at) or date.min, _("Buddy proposed")))
            if m.decided_at and m.status != MatchStatus.PROPOSED:
                label = _("Buddy: %(status)s") % {"status": m.get_status_display()}
                events.append(Event(_day(m.decided_at) or date.min, label))
    if report.aftercare_request_id:
        for v in Visit.objects.filter(case__request_id=report.aftercare_request_id).order_by("pk"):
            events.append(Event(v.date, _("Aftercare visit")))
    return events


def officer_summary(user: Viewer) -> dict[str, object] | None:
    if not scoping.can(user, Capability.KEEP_REGISTER):
        return None
    reports = scoping.scope(Report.objects.all(), user, Capability.KEEP_REGISTER, "school")
    return {
        "waiting": reports.filter(status=ReportStatus.WAITING).count(),
        "placed": reports.filter(status=ReportStatus.PLACED).count(),
        "free": sum(g.free for g in groups_for(user).filter(active=True)),
    }
