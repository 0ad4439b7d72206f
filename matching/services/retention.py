"""Retention and the rights of access and erasure for pupil (and buddy) data held by matching.

Pupils and buddies whose matches all ended more than PUPIL_DATA_RETENTION_MONTHS ago are anonymised by
a daily task; a coordinator can export everything about one pupil and erase it. Both are logged.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from accounts.roles import Capability
from core.dates import add_months
from matching import parent_letters
from matching.models import Buddy, Match, MatchStatus
from matching.reach import in_reach
from pupils import access, services
from pupils.models import AccessAction, Pupil

OPEN_STATUSES = (MatchStatus.PROPOSED, MatchStatus.APPROVED)


def _cutoff(now: datetime) -> datetime:
    months = settings.PUPIL_DATA_RETENTION_MONTHS
    day = add_months(timezone.localdate(now), -months)
    return timezone.make_aware(datetime(day.year, day.month, day.day))


def anonymise_expired(now: datetime | None = None) -> int:
    """Anonymise pupils and buddies with an ended match past retention and no open match. Idempotent."""
    cutoff = _cutoff(now or timezone.now())
    open_pupil = Match.objects.filter(pupil=OuterRef("pk"), status__in=OPEN_STATUSES)
    expired_pupil = Match.objects.filter(pupil=OuterRef("pk"), status=MatchStatus.ENDED, ended_at__lt=cutoff)
    recent_pupil = Match.objects.filter(pupil=OuterRef("pk"), status=MatchStatus.ENDED, ended_at__gte=cutoff)
    pupil_ids = list(
        Pupil.objects.filter(anonymised_at__isnull=True)
        .filter(Exists(expired_pupil), ~Exists(open_pupil), ~Exists(recent_pupil))
        .values_list("pk", flat=True)
    )
    open_buddy = Match.objects.filter(buddy=OuterRef("pk"), status__in=OPEN_STATUSES)
    expired_buddy = Match.objects.filter(buddy=OuterRef("pk"), status=MatchStatus.ENDED, ended_at__lt=cutoff)
    recent_buddy = Match.objects.filter(buddy=OuterRef("pk"), status=MatchStatus.ENDED, ended_at__gte=cutoff)
    with transaction.atomic():
        count = services.anonymise(pupil_ids)
        buddies = Buddy.objects.filter(anonymised_at__isnull=True).filter(
            Exists(expired_buddy), ~Exists(open_buddy), ~Exists(recent_buddy)
        )
        buddy_ids = list(buddies.values_list("pk", flat=True))
        Buddy.interests.through.objects.filter(buddy_id__in=buddy_ids).delete()
        Buddy.objects.filter(pk__in=buddy_ids).update(
            first_name="-",
            last_initial="-",
            gender="",
            consent_recorded_by=None,
            anonymised_at=timezone.now(),
        )
    return count + len(buddy_ids)


def export_pupil(user: User, pupil_id: int) -> dict[str, Any]:
    """Everything held about one pupil (right of access) as JSON-ready data; logged as an export."""
    pupil = in_reach(
        Pupil.objects.select_related("school").prefetch_related("interests"),
        user,
        Capability.MANAGE_PUPILS,
        pupil_id,
    )
    data = services.pupil_record(pupil)
    data["matches"] = [
        {
            "buddy": m.buddy.display_name,
            "kind": m.kind,
            "status": m.status,
            "reasons": m.reasons,
            "starts_on": m.starts_on.isoformat() if m.starts_on else None,
            "ends_on": m.ends_on.isoformat() if m.ends_on else None,
            "ended_at": m.ended_at.isoformat() if m.ended_at else None,
            "end_reason": m.end_reason,
            "fit": m.fit,
            "check_ins": [
                {
                    "due_on": c.due_on.isoformat(),
                    "done_at": c.done_at.isoformat() if c.done_at else None,
                    "outcome": c.outcome,
                }
                for c in m.check_ins.all()
            ],
        }
        for m in Match.objects.filter(pupil=pupil).select_related("buddy").prefetch_related("check_ins")
    ]
    data["letters_to_parents"] = parent_letters.held_about(pupil.pk)
    access.record(user, [pupil.pk], AccessAction.EXPORT, context="matching.export")
    return data


def erase_pupil(user: User, pupil_id: int, reason: str = "") -> None:
    """Erase a pupil with its matches, check-ins, run rows and letters to the parents; the access log
    keeps only the id."""
    with transaction.atomic():
        services.erase_pupil(user, pupil_id, reason)
        parent_letters.erase_about(pupil_id)
