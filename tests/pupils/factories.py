"""Pupils for every app's tests (the pupils app owns the record): one ``make_pupil``, built per test."""

import itertools
from datetime import timedelta

from django.utils import timezone

from accounts.models import Organisation
from pupils.models import Interest, Pupil

_seq = itertools.count(1)


def interest(code: str) -> Interest:
    return Interest.objects.get_or_create(code=code, defaults={"name_nl": code, "name_en": code.title()})[0]


def make_pupil(school: Organisation, **extra: object) -> Pupil:
    """A pupil of ``school`` moving there in two weeks (the region's today), speaking Arabic at home;
    ``interests`` are codes."""
    n = next(_seq)
    interests = extra.pop("interests", [])
    values = {
        "first_name": f"Pupil{n}",
        "last_initial": "P",
        "birth_year": 2015,
        "stage": school.stage or "primary",
        "grade": 5,
        "transition_date": timezone.localdate() + timedelta(days=14),
        "home_languages": ["ar"],
        "other_languages": [],
    }
    values.update(extra)
    pupil = Pupil.objects.create(school=school, **values)
    if interests:
        pupil.interests.set([interest(c) for c in interests])  # type: ignore[union-attr]
    return pupil
