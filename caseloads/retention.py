"""Anonymise closed cases after the retention period (DESIGN.md, "Pupil data").

After ``PUPIL_DATA_RETENTION_MONTHS`` a closed case keeps only what the region report needs (school,
supporter, topic, dates and minutes of visits); goals, closing summary, visit notes, next steps, transfer
messages, the request's description and every link to a pupil are wiped. The pupil records themselves
belong to the pupils app and have their own retention.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from caseloads.models import Case, CaseStatus, NextStep, SupportRequest, Transfer, Visit
from core.dates import add_months
from pupils import access
from pupils.models import AccessAction

BATCH = 200  # cases per transaction: a few hundred small updates, well under a second


def months_before(moment: datetime, months: int) -> datetime:
    """The retention cutoff: ``months`` back on the same day of the month, capped at the 28th (see
    ``core.dates.add_months``; matching's cutoff clamps to the month's end)."""
    return add_months(moment, -months, last_day=28)


def anonymise_closed_cases(now: datetime | None = None) -> int:
    now = now or timezone.now()
    cutoff = months_before(now, settings.PUPIL_DATA_RETENTION_MONTHS)
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                Case.objects.select_for_update(skip_locked=True)
                .filter(status=CaseStatus.CLOSED, closed_at__lt=cutoff, anonymised_at__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                return total
            pupil_ids = list(
                Case.pupils.through.objects.filter(case_id__in=ids).values_list("pupil_id", flat=True)
            )
            request_ids = list(
                Case.objects.filter(pk__in=ids, request__isnull=False).values_list("request_id", flat=True)
            )
            Visit.objects.filter(case_id__in=ids).update(notes="")
            NextStep.objects.filter(case_id__in=ids).update(description="—")
            Transfer.objects.filter(case_id__in=ids).update(message="")
            SupportRequest.objects.filter(pk__in=request_ids).update(description="—", decline_reason="")
            SupportRequest.pupils.through.objects.filter(supportrequest_id__in=request_ids).delete()
            Case.pupils.through.objects.filter(case_id__in=ids).delete()
            Case.objects.filter(pk__in=ids).update(goals="", closing_summary="—", anonymised_at=now)
            access.record(None, pupil_ids, AccessAction.ANONYMISE, context="caseloads.retention")
            total += len(ids)
