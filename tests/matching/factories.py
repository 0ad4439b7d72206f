"""Small factories for pupils, buddies and matches, built per test."""

import itertools
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from accounts.models import Organisation
from matching.models import Buddy, BuddyKind, Match, MatchRun, MatchStatus, RunStatus
from pupils.models import Pupil
from tests.pupils.factories import interest, make_pupil

_seq = itertools.count(1)

__all__ = [
    "IMPORT_DAY",
    "brin_coordinator",
    "interest",
    "make_buddy",
    "make_match",
    "make_pupil",
    "make_run",
    "typed_day",
]


def make_buddy(school: Organisation, **extra: object) -> Buddy:
    n = next(_seq)
    interests = extra.pop("interests", [])
    values = {
        "kind": BuddyKind.PEER,
        "first_name": f"Buddy{n}",
        "last_initial": "B",
        "grade": 5,
        "languages": ["ar", "nl"],
        "capacity": 1,
        "consent_by": "parent",
        "consent_at": timezone.now(),
    }
    values.update(extra)
    if values["kind"] != BuddyKind.PEER:
        values.setdefault("grade", None)
    buddy = Buddy.objects.create(school=school, **values)
    if interests:
        buddy.interests.set([interest(c) for c in interests])
    return buddy


def make_run(scope: Organisation, **extra: object) -> MatchRun:
    extra.setdefault("buddy_kind", BuddyKind.PEER)
    extra.setdefault("status", RunStatus.DONE)
    return MatchRun.objects.create(scope=scope, **extra)


def make_match(pupil: Pupil, buddy: Buddy, run: MatchRun | None = None, **extra: object) -> Match:
    extra.setdefault("status", MatchStatus.PROPOSED)
    extra.setdefault("kind", buddy.kind)
    extra.setdefault("reasons", [["shared_home_language", {"languages": ["ar"]}], ["same_grade", {}]])
    if run is None and extra["status"] == MatchStatus.PROPOSED:
        run = make_run(pupil.school, buddy_kind=buddy.kind)
    return Match.objects.create(pupil=pupil, buddy=buddy, run=run, school=pupil.school, **extra)


def typed_day(days: int) -> str:
    """A date ``days`` from today as a Dutch person types it in a spreadsheet: 25-01-2027."""
    return (timezone.localdate() + timedelta(days=days)).strftime("%d-%m-%Y")


def brin_coordinator(school: Organisation, brin: str = "01AA") -> object:
    """A buddy coordinator of ``school``, which gets a BRIN code to name in files."""
    from accounts.roles import Role
    from tests.factories import make_membership

    school.brin = brin
    school.save(update_fields=["brin"])
    return make_membership(Role.BUDDY_COORDINATOR, school)


#: The day the import tests run on (``import_day`` fixture in tests/matching/conftest.py): the import takes
#: birth years of the last 20 years only, so the files' birth years (2013-2016) hold on this day, whatever
#: the calendar says when the suite runs.
IMPORT_DAY = datetime(2026, 12, 1, 10, tzinfo=UTC)
