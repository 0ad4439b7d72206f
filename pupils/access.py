"""Write the access log. Every view, export and change of a pupil record by a person goes through here."""

from collections.abc import Iterable

from pupils.models import AccessAction, AccessLog


def record(
    user: object, pupil_ids: Iterable[int], action: str, *, context: str = "", reason: str = ""
) -> None:
    """Append one entry per pupil. ``context`` names the page or endpoint ("matching.pupil_detail"), never
    pupil data; ``reason`` is what the person gave when a reason was asked."""
    if action not in AccessAction.values:
        raise ValueError(f"unknown access action {action!r}")
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    AccessLog.objects.bulk_create(
        [
            AccessLog(user_id=user_id, pupil_id=pid, action=action, context=context[:60], reason=reason[:200])
            for pid in dict.fromkeys(pupil_ids)
        ]
    )
