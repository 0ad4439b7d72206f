"""Verbs on pupil records: create, change, the record for an export (right of access), anonymise, erase.

Every verb by a person is written to the access log. Pupil data never goes to logs or task arguments.
"""

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import Organisation, User
from accounts.roles import Capability, OrganisationKind
from core.errors import NotFound, ServiceError
from pupils import access, languages
from pupils.models import AccessAction, AccessLog, Interest, Pupil

PUPIL_FIELDS = (
    "first_name",
    "last_initial",
    "birth_year",
    "grade",
    "transition_date",
    "home_languages",
    "other_languages",
    "gender",
    "buddy_gender_preference",
    "consent_by",
)


def check_school(
    user: User, school: Organisation | None, capability: Capability = Capability.MANAGE_PUPILS
) -> Organisation:
    if school is None or school.kind != OrganisationKind.SCHOOL or not scoping.can(user, capability, school):
        raise ServiceError(_("This school does not exist or is outside your reach."), field="school")
    return school


def clean_languages(codes: list[str], field: str) -> list[str]:
    try:
        return languages.validate_codes(list(codes or []))
    except ValueError as exc:
        raise ServiceError(
            _("Unknown language code: %(code)s.") % {"code": exc.args[0]}, field=field
        ) from None


def set_priority(pupil_id: int, since: datetime | None) -> None:
    """Put a pupil back in the matching pool ahead of the others (``since``: when; a match that was not a
    fit), or take the priority away (``None``: the pupil has a buddy again). In the caller's transaction."""
    Pupil.objects.filter(pk=pupil_id).update(priority_since=since)


def check_grade(stage: str, grade: int) -> None:
    limit = 8 if stage == "primary" else 6
    if not 1 <= int(grade) <= limit:
        raise ServiceError(
            _("Grade must be between 1 and %(n)s for this stage.") % {"n": limit}, field="grade"
        )


def _apply(pupil: Pupil, data: dict[str, Any]) -> None:
    for name in PUPIL_FIELDS:
        if name in data:
            setattr(pupil, name, data[name] if data[name] is not None else "")
    pupil.home_languages = clean_languages(pupil.home_languages, "home_languages")
    pupil.other_languages = clean_languages(pupil.other_languages, "other_languages")
    if not pupil.home_languages:
        raise ServiceError(_("Give at least one home language."), field="home_languages")
    pupil.stage = pupil.school.stage
    check_grade(pupil.stage, pupil.grade)


def create_pupil(
    user: User,
    school: Organisation,
    interests: list[Interest] | None = None,
    *,
    capability: Capability = Capability.MANAGE_PUPILS,
    **data: Any,
) -> Pupil:
    """``capability`` is what entitles ``user`` at ``school``: coordinators manage pupils; the placement
    officer creates the record of a child leaving the newcomer class (``KEEP_REGISTER``)."""
    check_school(user, school, capability)
    pupil = Pupil(school=school)
    _apply(pupil, data)
    if pupil.consent_by:
        pupil.consent_at = timezone.now()
        pupil.consent_recorded_by = user
    with transaction.atomic():
        pupil.save()
        if interests:
            pupil.interests.set(interests)
        access.record(user, [pupil.pk], AccessAction.CREATE, context="pupils.create")
    return pupil


def import_pupils(user: User, rows: list[dict[str, Any]]) -> list[Pupil]:
    """Create many validated pupil records at once (a CSV import), in the caller's transaction, and log
    them. Each row holds ``PUPIL_FIELDS``, ``school`` and ``interests``; the caller has checked them."""
    now = timezone.now()
    recorded_by = user
    pupils = []
    for row in rows:
        values = {name: row.get(name) for name in PUPIL_FIELDS}
        values = {
            k: ("" if v is None and k in {"gender", "buddy_gender_preference", "consent_by"} else v)
            for k, v in values.items()
        }
        pupil = Pupil(school=row["school"], stage=row["school"].stage, **values)
        if pupil.consent_by:
            pupil.consent_at, pupil.consent_recorded_by = now, recorded_by
        pupils.append(pupil)
    created = Pupil.objects.bulk_create(pupils)
    through = Pupil.interests.through
    through.objects.bulk_create(
        [
            through(pupil_id=pupil.pk, interest_id=i.pk)
            for pupil, row in zip(created, rows, strict=True)
            for i in row.get("interests", [])
        ]
    )
    access.record(user, [p.pk for p in created], AccessAction.CREATE, context="pupils.import")
    return created


def update_pupil(
    user: User,
    pupil: Pupil,
    school: Organisation | None = None,
    interests: list[Interest] | None = None,
    *,
    capability: Capability = Capability.MANAGE_PUPILS,
    **data: Any,
) -> Pupil:
    check_school(user, pupil.school, capability)
    if school is not None and school.pk != pupil.school_id:
        pupil.school = check_school(user, school, capability)
    had_consent = bool(pupil.consent_by)
    _apply(pupil, data)
    if pupil.consent_by and not had_consent:
        pupil.consent_at = timezone.now()
        pupil.consent_recorded_by = user
    elif not pupil.consent_by:
        pupil.consent_at = None
        pupil.consent_recorded_by = None
    with transaction.atomic():
        pupil.save()
        if interests is not None:
            pupil.interests.set(interests)
        access.record(user, [pupil.pk], AccessAction.CHANGE, context="pupils.update")
    return pupil


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def pupil_record(pupil: Pupil) -> dict[str, Any]:
    """The pupil's own fields, JSON-ready; domains add what they hold (see matching.services.retention)."""
    return {
        "id": pupil.pk,
        "first_name": pupil.first_name,
        "last_initial": pupil.last_initial,
        "birth_year": pupil.birth_year,
        "school": pupil.school.name,
        "stage": pupil.stage,
        "grade": pupil.grade,
        "transition_date": _day(pupil.transition_date),
        "home_languages": pupil.home_languages,
        "other_languages": pupil.other_languages,
        "interests": [i.code for i in pupil.interests.all()],
        "gender": pupil.gender,
        "buddy_gender_preference": pupil.buddy_gender_preference,
        "consent_by": pupil.consent_by,
        "consent_at": pupil.consent_at.isoformat() if pupil.consent_at else None,
        "consent_recorded_by": pupil.consent_recorded_by_id,
        "priority_since": pupil.priority_since.isoformat() if pupil.priority_since else None,
        "created_at": pupil.created_at.isoformat(),
        "updated_at": pupil.updated_at.isoformat(),
        "anonymised_at": pupil.anonymised_at.isoformat() if pupil.anonymised_at else None,
        "access_log": [
            {"at": a.at.isoformat(), "user": a.user_id, "action": a.action, "context": a.context}
            for a in AccessLog.objects.filter(pupil_id=pupil.pk).order_by("at", "id")
        ],
    }


def anonymise(pupil_ids: list[int]) -> int:
    """Replace personal data with placeholders; languages, grade and dates stay for aggregate reports."""
    qs = Pupil.objects.filter(pk__in=pupil_ids, anonymised_at__isnull=True)
    ids = list(qs.values_list("pk", flat=True))
    if not ids:
        return 0
    Pupil.interests.through.objects.filter(pupil_id__in=ids).delete()
    Pupil.objects.filter(pk__in=ids).update(
        first_name="-",
        last_initial="-",
        gender="",
        buddy_gender_preference="",
        consent_recorded_by=None,
        anonymised_at=timezone.now(),
    )
    access.record(None, ids, AccessAction.ANONYMISE, context="pupils.retention")
    return len(ids)


def erase_pupil(user: User, pupil_id: int, reason: str = "") -> None:
    """Erase a pupil and everything linked (matches, check-ins); the access log keeps only the id."""
    with transaction.atomic():
        try:
            pupil = scoping.scope(
                Pupil.objects.select_for_update(), user, Capability.MANAGE_PUPILS, field="school"
            ).get(pk=pupil_id)
        except Pupil.DoesNotExist:
            raise NotFound(_("Not found.")) from None  # DRF's wording and its translation, as before
        access.record(user, [pupil.pk], AccessAction.ERASE, context="pupils.erase", reason=reason)
        pupil.delete()
