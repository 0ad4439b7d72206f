"""Verbs on buddies. Runs, review, follow-up, the CSV import and retention have their own modules beside
this one (``matching.services``); reports are read-side, in ``matching.reports``."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organisation, User
from core.errors import ServiceError
from matching.models import Buddy, BuddyConsentBy, BuddyKind, Match, MatchStatus
from pupils.models import Interest
from pupils.services import check_grade, check_school, clean_languages

BUDDY_FIELDS = (
    "kind",
    "first_name",
    "last_initial",
    "grade",
    "languages",
    "gender",
    "capacity",
    "available_from",
    "available_until",
    "consent_by",
    "trained_on",
)


def check_buddy_consent(kind: str | None, consent_by: str | None) -> None:
    """The one consent rule for buddies, called alike by the web form, the CSV import, the API and the
    verbs below: a peer buddy is a minor, so a parent or guardian consents, never the pupil."""
    if kind == BuddyKind.PEER and consent_by == BuddyConsentBy.SELF:
        raise ServiceError(
            _("For a peer pupil, consent comes from a parent or guardian."), field="consent_by"
        )


def _apply(user: User, buddy: Buddy, data: dict[str, Any]) -> None:
    had_consent = bool(buddy.consent_by)
    for name in BUDDY_FIELDS:
        if name in data:
            value = data[name]
            setattr(buddy, name, "" if value is None and name in {"gender", "consent_by"} else value)
    if buddy.kind not in BuddyKind.values:
        raise ServiceError(_("Choose a buddy kind."), field="kind")
    buddy.languages = clean_languages(buddy.languages, "languages")
    if not buddy.languages:
        raise ServiceError(_("Give at least one language."), field="languages")
    if not 1 <= int(buddy.capacity or 0) <= 3:
        raise ServiceError(_("Capacity is 1, 2 or 3 pupils."), field="capacity")
    if buddy.kind == BuddyKind.PEER:
        if not buddy.grade:
            raise ServiceError(_("A peer buddy needs a grade."), field="grade")
        check_grade(buddy.school.stage, buddy.grade)
        check_buddy_consent(buddy.kind, buddy.consent_by)
    else:
        buddy.grade = None
    if buddy.available_from and buddy.available_until and buddy.available_until < buddy.available_from:
        raise ServiceError(_("Available until must be on or after available from."), field="available_until")
    if buddy.consent_by and not had_consent:
        buddy.consent_at = timezone.now()
        buddy.consent_recorded_by = user
    elif not buddy.consent_by:
        buddy.consent_at = None
        buddy.consent_recorded_by = None


def create_buddy(
    user: User, school: Organisation, interests: list[Interest] | None = None, **data: Any
) -> Buddy:
    buddy = Buddy(school=check_school(user, school))
    _apply(user, buddy, data)
    with transaction.atomic():
        buddy.save()
        if interests:
            buddy.interests.set(interests)
    return buddy


def update_buddy(
    user: User,
    buddy: Buddy,
    school: Organisation | None = None,
    interests: list[Interest] | None = None,
    **data: Any,
) -> Buddy:
    check_school(user, buddy.school)
    if school is not None and school.pk != buddy.school_id:
        buddy.school = check_school(user, school)
    with transaction.atomic():
        locked = Buddy.objects.select_for_update().get(pk=buddy.pk)
        active = Match.objects.filter(buddy=locked, status=MatchStatus.APPROVED).count()
        if "capacity" in data and data["capacity"] is not None and int(data["capacity"]) < active:
            raise ServiceError(
                ngettext(
                    "This buddy has %(n)s approved match; capacity cannot go below that.",
                    "This buddy has %(n)s approved matches; capacity cannot go below that.",
                    active,
                )
                % {"n": active},
                field="capacity",
            )
        _apply(user, buddy, data)
        buddy.save()
        if interests is not None:
            buddy.interests.set(interests)
    return buddy


def delete_buddy(user: User, buddy: Buddy) -> None:
    check_school(user, buddy.school)
    if Match.objects.filter(buddy=buddy, status__in=[MatchStatus.APPROVED, MatchStatus.PROPOSED]).exists():
        raise ServiceError(_("This buddy has open matches; end or reject them first."), code="buddy_in_use")
    buddy.delete()
