"""Privacy of register records: the export for a child's right of access, erasure, and anonymisation after
the retention period that follows the move to a regular school (``PLACEMENT_RETENTION_MONTHS``)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Capability
from placement.models import Placement, Report, ReportStatus
from placement.services.common import require, today
from placement.services.review import release_place
from pupils import access
from pupils.models import AccessAction, AccessLog, AccessSubject

PERSONAL = {
    "first_name": "-",
    "last_initial": "-",
    "parent_name": "",
    "parent_phone": "",
    "parent_email": "",
}


def export_record(user: User, report: Report) -> dict[str, Any]:
    require(user, Capability.KEEP_REGISTER, report.school)
    access.record(
        user, [report.pk], AccessAction.EXPORT, context="placement.export", subject=AccessSubject.REPORT
    )
    fields = [
        "id",
        "first_name",
        "last_initial",
        "birth_year",
        "birth_month",
        "home_languages",
        "prior_schooling_years",
        "parent_name",
        "parent_phone",
        "parent_email",
        "letter_language",
        "status",
        "eligibility_reason",
        "interim",
    ]
    from placement import parent_offer  # it imports the services package

    record: dict[str, Any] = {name: getattr(report, name) for name in fields}
    record["letters_to_parents"] = parent_offer.export(report)
    record.update(
        school=report.school.name,
        arrival_date=report.arrival_date.isoformat(),
        reported_at=report.reported_at.isoformat(),
        siblings=sorted(report.siblings.values_list("pk", flat=True)),
        placements=[
            {
                "group": str(p.group),
                "status": p.status,
                "reason": p.reason,
                "start_date": p.start_date.isoformat() if p.start_date else None,
                "outflow_date": p.outflow_date.isoformat() if p.outflow_date else None,
                "progress": p.progress,
            }
            for p in report.placements.select_related("group__location")
        ],
        access_log=[
            {"at": a.at.isoformat(), "user": a.user_id, "action": a.action, "context": a.context}
            for a in AccessLog.objects.filter(subject=AccessSubject.REPORT, pupil_id=report.pk).order_by(
                "at", "id"
            )
        ],
    )
    return record


@transaction.atomic
def erase_report(user: User, report: Report, reason: str = "") -> None:
    """Erase the record and its placements; a place it held is freed. The access log keeps only the id."""
    require(user, Capability.KEEP_REGISTER, report.school)
    from placement import parent_offer

    report = Report.objects.select_for_update().get(pk=report.pk)
    parent_offer.erase(report)
    for placement in Placement.objects.select_for_update().filter(
        report=report, status__in=["approved", "started"]
    ):
        release_place(placement.group_id)
    access.record(
        user,
        [report.pk],
        AccessAction.ERASE,
        context="placement.erase",
        reason=reason,
        subject=AccessSubject.REPORT,
    )
    report.delete()


def anonymise_expired() -> int:
    """Anonymise records of children who left longer ago than the retention period; run by beat."""
    cutoff = today() - timedelta(days=30 * settings.PLACEMENT_RETENTION_MONTHS)
    ids = list(
        Report.objects.filter(
            status=ReportStatus.LEFT, left_at__lt=cutoff, anonymised_at__isnull=True
        ).values_list("pk", flat=True)
    )
    if not ids:
        return 0
    from parents.services import erase_about
    from placement.parent_offer import SUBJECT

    with transaction.atomic():
        erase_about(SUBJECT, list(Placement.objects.filter(report_id__in=ids).values_list("pk", flat=True)))
        Report.siblings.through.objects.filter(from_report_id__in=ids).delete()
        Report.siblings.through.objects.filter(to_report_id__in=ids).delete()
        Report.objects.filter(pk__in=ids).update(anonymised_at=timezone.now(), **PERSONAL)
        Placement.objects.filter(report_id__in=ids).update(reason="")
        access.record(
            None, ids, AccessAction.ANONYMISE, context="placement.retention", subject=AccessSubject.REPORT
        )
    return len(ids)
