"""Progress and outflow: the location's staff record the Dutch level and plan the move to a regular school;
the officer confirms it. Confirming creates or updates the pupil record through the pupils app's verb (so
buddy matching picks the child up) and files the aftercare request through caseloads' verb, in one
transaction with freeing the place."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, SchoolStage, User
from accounts.roles import Capability, OrganisationKind
from caseloads import services as caseloads
from caseloads.models import Subject, Topic, Urgency
from core.errors import Conflict, ServiceError
from placement.models import Placement, PlacementStatus, ProgressLevel, Report, ReportStatus
from placement.services.common import region_of, require
from placement.services.review import may_teach_or_keep, release_place
from pupils import services as pupils
from pupils.models import Pupil


def _locked(user: User, placement: Placement) -> Placement:
    if not may_teach_or_keep(user, placement):
        require(user, Capability.TEACH_NEWCOMERS, None)
    return (
        Placement.objects.select_for_update().select_related("report__school", "group").get(pk=placement.pk)
    )


@transaction.atomic
def record_progress(user: User, placement: Placement, level: str, on: date) -> Placement:
    placement = _locked(user, placement)
    if placement.status != PlacementStatus.STARTED:
        raise Conflict(_("Progress is recorded for a child who started."), code="not_started")
    if level not in ProgressLevel.values:
        raise ServiceError(_("Choose one of the options."), field="progress")
    placement.progress, placement.progress_at = level, on
    placement.save(update_fields=["progress", "progress_at"])
    return placement


@transaction.atomic
def plan_outflow(
    user: User,
    placement: Placement,
    *,
    outflow_date: date,
    advised_grade: int,
    receiving_school: Organisation | None = None,
) -> Placement:
    """Plan the move; the receiving school defaults to the registering school."""
    placement = _locked(user, placement)
    if placement.status != PlacementStatus.STARTED:
        raise Conflict(_("Only a child who started can have an outflow planned."), code="not_started")
    if placement.start_date and outflow_date < placement.start_date:
        raise ServiceError(_("The outflow date lies before the start."), field="outflow_date")
    school = receiving_school or placement.report.school
    if school.kind != OrganisationKind.SCHOOL or region_of(school) != region_of(placement.report.school):
        raise ServiceError(_("Choose a regular school in the region."), field="receiving_school")
    pupils.check_grade(school.stage or SchoolStage.PRIMARY, advised_grade)
    placement.outflow_date, placement.advised_grade, placement.receiving_school = (
        outflow_date,
        advised_grade,
        school,
    )
    placement.save(update_fields=["outflow_date", "advised_grade", "receiving_school"])
    Report.objects.filter(pk=placement.report_id).update(status=ReportStatus.OUTFLOW_PLANNED)
    return placement


@transaction.atomic
def confirm_outflow(user: User, placement: Placement) -> Placement:
    require(user, Capability.KEEP_REGISTER, placement.report.school)
    placement = _locked(user, placement)
    report = Report.objects.select_for_update().get(pk=placement.report_id)
    if placement.status != PlacementStatus.STARTED or report.status != ReportStatus.OUTFLOW_PLANNED:
        raise Conflict(_("Plan the outflow before confirming it."), code="not_planned")
    school = placement.receiving_school
    if school is None or placement.outflow_date is None or placement.advised_grade is None:
        raise Conflict(_("Plan the outflow before confirming it."), code="not_planned")
    data = {
        "first_name": report.first_name,
        "last_initial": report.last_initial,
        "birth_year": report.birth_year,
        "grade": placement.advised_grade,
        "transition_date": placement.outflow_date,
        "home_languages": report.home_languages,
    }
    existing = Pupil.objects.filter(pk=report.pupil_id).first() if report.pupil_id else None
    if existing is not None:
        pupil = pupils.update_pupil(
            user, existing, school=school, capability=Capability.KEEP_REGISTER, **data
        )
    else:
        pupil = pupils.create_pupil(user, school, capability=Capability.KEEP_REGISTER, **data)
    aftercare = caseloads.file_request(
        user,
        school=school,
        subject=Subject.PUPIL,
        topic=Topic.LANGUAGE_DEVELOPMENT,
        description=_("Aftercare for a pupil leaving the newcomer class on %(date)s.")
        % {"date": placement.outflow_date.isoformat()},
        urgency=Urgency.NORMAL,
        languages=report.home_languages,
        pupils=[pupil],
    )
    placement.status = PlacementStatus.ENDED
    placement.outflow_confirmed_at = timezone.now()
    placement.save(update_fields=["status", "outflow_confirmed_at"])
    release_place(placement.group_id)
    report.status = ReportStatus.LEFT
    report.left_at = placement.outflow_date
    report.pupil_id = pupil.pk
    report.aftercare_request_id = aftercare.pk
    report.save(update_fields=["status", "left_at", "pupil_id", "aftercare_request_id"])
    return placement
