"""A placement offer answered by the family itself, through the parents' signed link (accept, or ask to be
called first), in the language the register keeps for the family's letters.

The register holds the parents' contact (``Report.parent_email``, ``letter_language``); the offer copies
only what its letter prints: the child's first name, the location's name and the start date. The answer
lives with the parents' app (``parents.ConsentRequest``, subject ``placement.placement``); placement reads
it for the child's page and timeline, exports it with the record and erases it with the record. Nothing
in the register changes on the answer (the officer still records the start when the child comes), so no
handler is registered with ``parents.consent``: the answer is read where the officer looks, on the child's
record and its timeline.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import User
from accounts.roles import Capability
from core.errors import Conflict
from parents import consent, languages
from parents import services as parent_services
from parents.models import ConsentChannel, ConsentPurpose, ConsentRequest, ConsentStatus
from placement.models import Placement, PlacementStatus, Report
from placement.services.common import require

SUBJECT = "placement.placement"


def language_for(report: Report) -> str:
    """The register's letter language when the parents' side offers it, else Dutch."""
    return report.letter_language if languages.get(report.letter_language) else languages.SOURCE


@transaction.atomic
def offer(user: User, placement: Placement, *, start_date: date) -> ConsentRequest:
    """Offer the approved place to the family: mailed when the register has an address, else printed."""
    placement = Placement.objects.select_related("report__school", "group__location").get(pk=placement.pk)
    report = placement.report
    require(user, Capability.KEEP_REGISTER, report.school)
    if placement.status != PlacementStatus.APPROVED:
        raise Conflict(_("Only an approved place can be offered to the family."), code="not_approved")
    # An offer of the child's earlier place (placed again since) no longer stands.
    earlier = ConsentRequest.objects.filter(
        subject=SUBJECT, subject_id__in=_placement_ids(report), status__in=consent.OPEN
    ).exclude(subject_id=placement.pk)
    for stale in earlier:
        consent.withdraw(stale, user, reason="another place was offered")
    location = placement.group.location
    return consent.request_consent(
        consent.Subject(
            SUBJECT,
            placement.pk,
            location,
            report.first_name,
            place_name=location.name,
            start_date=start_date,
        ),
        user,
        purpose=ConsentPurpose.PLACEMENT_OFFER,
        parent_email=report.parent_email,
        language=language_for(report),
    )


def suggested_start(placement: Placement, today: date | None = None) -> date:
    """The group's next intake day after today (ISO weekdays), else the next Monday."""
    day = (today or timezone.localdate()) + timedelta(days=1)
    intake = [d for d in placement.group.intake_days if isinstance(d, int) and 1 <= d <= 7] or [1]
    while day.isoweekday() not in intake:
        day += timedelta(days=1)
    return day


def offer_of(user: User, pk: int) -> ConsentRequest | None:
    """An offer the officer keeps the register for, or None."""
    asked = ConsentRequest.objects.filter(pk=pk, subject=SUBJECT).select_related("school").first()
    placement = (
        Placement.objects.filter(pk=asked.subject_id).select_related("report__school").first()
        if asked
        else None
    )
    if placement is None or not scoping.can(user, Capability.KEEP_REGISTER, placement.report.school):
        return None
    return asked


def record_on_paper(user: User, asked: ConsentRequest, *, reason: str) -> ConsentRequest:
    """The family accepted by phone or in person (after asking for a call, or without the link)."""
    return consent.answer_offer(asked, accept=True, channel=ConsentChannel.PAPER, user=user, reason=reason)


def _placement_ids(report: Report) -> list[int]:
    return list(Placement.objects.filter(report=report).values_list("pk", flat=True))


def offers_for(report: Report) -> list[ConsentRequest]:
    """The offers of every placement of the child, newest first, with their history."""
    return list(
        ConsentRequest.objects.filter(subject=SUBJECT, subject_id__in=_placement_ids(report))
        .prefetch_related("events")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class OfferEvent:
    at: datetime
    label: str


def events(report: Report) -> list[OfferEvent]:
    """The offer's steps for the child's timeline: sent, and each answer with its channel."""
    found: list[OfferEvent] = []
    for asked in offers_for(report):
        for event in asked.events.all():
            if event.status == ConsentStatus.PENDING:
                label = _("Offer to the parents: %(place)s, from %(day)s") % {
                    "place": asked.place_name,
                    "day": date_format(asked.start_date, "DATE_FORMAT") if asked.start_date else "",
                }
            else:
                label = _("Parents: %(answer)s (%(channel)s)") % {
                    "answer": event.get_status_display(),
                    "channel": event.get_channel_display() or "-",
                }
            found.append(OfferEvent(event.at, label))
    return found


def export(report: Report) -> list[dict[str, Any]]:
    """What the parents' side holds about the child's offers, for the right of access."""
    return parent_services.held_about(SUBJECT, _placement_ids(report))


def erase(report: Report) -> int:
    """Erase the offers with the record (called before the record itself goes)."""
    return parent_services.erase_about(SUBJECT, _placement_ids(report))
