"""Write the access log. Every view, export and change of a pupil record by a person goes through here."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts import scoping
from accounts.http import Viewer
from accounts.models import Membership
from accounts.roles import Capability
from pupils.models import AccessAction, AccessLog, AccessSubject, Pupil


def record(
    user: Viewer | None,
    pupil_ids: Iterable[int],
    action: str,
    *,
    context: str = "",
    reason: str = "",
    subject: str = AccessSubject.PUPIL,
) -> None:
    """Append one entry per pupil. ``context`` names the page or endpoint ("matching.pupil_detail"), never
    pupil data; ``reason`` is what the person gave when a reason was asked; ``subject`` says whether the ids
    are pupils or newcomer-register records."""
    if action not in AccessAction.values:
        raise ValueError(f"unknown access action {action!r}")
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                user_id=user_id,
                pupil_id=pid,
                subject=subject,
                action=action,
                context=context[:60],
                reason=reason[:200],
            )
            for pid in dict.fromkeys(pupil_ids)
        ]
    )


def visible_entries(user: Viewer) -> QuerySet[AccessLog]:
    """Access log entries a privacy officer may read: those about pupils of schools in their reach, and
    those about pupils no longer held (erased) written by people who work there. Ids only, by design."""
    reach = scoping.reach(user, Capability.VIEW_ACCESS_LOG)
    if reach.everything:
        return AccessLog.objects.all()
    if reach.empty:
        return AccessLog.objects.none()
    organisations = reach.organisations()
    here = Pupil.objects.filter(school__in=organisations).values("pk")
    gone = ~Exists(Pupil.objects.filter(pk=OuterRef("pupil_id")))
    by_someone_here = Exists(
        Membership.objects.filter(user_id=OuterRef("user_id"), organisation__in=organisations)
    )
    pupil = Q(subject=AccessSubject.PUPIL)
    return AccessLog.objects.filter(pupil & (Q(pupil_id__in=here) | (gone & by_someone_here)))
