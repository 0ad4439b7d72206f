"""Build engine inputs from plain dicts (e.g. ``queryset.values(...)`` rows).

The engine itself is column-oriented; this is the one place that walks records in Python, once per
pupil/buddy (not per pair), so the Django layer and tests need not know the array layout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

import numpy as np

from .problem import DAY_MAX, DAY_MIN, NO_GRADE, Buddies, Problem, Pupils, Weights
from .tags import WORD_BITS, encode_tags

_EPOCH = dt.date(1970, 1, 1)


def to_day(value: int | dt.date | None, default: int) -> int:
    """Days since 1970-01-01 for an int or date (datetimes use their date); ``None`` -> default."""
    if value is None:
        return default
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return (value - _EPOCH).days
    return int(value)


def _col(values: list[Any]) -> np.ndarray:
    """For the type checker only: ``Pupils``/``Buddies`` coerce every column to an array themselves."""
    return cast(np.ndarray, values)


def _encode(rows: list[Iterable[str]], vocabulary: Sequence[str], what: str) -> np.ndarray:
    words = max(1, -(-len(vocabulary) // WORD_BITS))
    bits, vocab = encode_tags(rows, vocabulary, words=max(words, 1))
    if len(vocab) != len(vocabulary):
        raise ValueError(f"unknown {what}: {sorted(set(vocab) - set(vocabulary))}")
    return bits


def pupils_from_records(
    records: Sequence[Mapping[str, Any]], languages: Sequence[str], interests: Sequence[str]
) -> Pupils:
    """Pupils from dicts with keys ``id``, ``group`` and optionally ``grade`` (0), ``home_languages``,
    ``languages``, ``interests`` (lists of tags from the given vocabularies), ``gender`` (0),
    ``gender_pref`` (0 = none), ``transition_day`` (int or date; default: today)."""
    today = to_day(dt.date.today(), 0)
    return Pupils(
        ids=_col([r["id"] for r in records]),
        group=_col([r["group"] for r in records]),
        grade=_col([r.get("grade", 0) for r in records]),
        home_langs=_encode([r.get("home_languages", ()) for r in records], languages, "languages"),
        langs=_encode([r.get("languages", ()) for r in records], languages, "languages"),
        interests=_encode([r.get("interests", ()) for r in records], interests, "interests"),
        gender=_col([r.get("gender", 0) for r in records]),
        gender_pref=_col([r.get("gender_pref", 0) for r in records]),
        transition_day=_col([to_day(r.get("transition_day"), today) for r in records]),
    )


def buddies_from_records(
    records: Sequence[Mapping[str, Any]], languages: Sequence[str], interests: Sequence[str]
) -> Buddies:
    """Buddies from dicts with keys ``id``, ``group`` and optionally ``grade`` (NO_GRADE),
    ``languages``, ``interests``, ``gender`` (0), ``capacity`` (1), ``load`` (0), ``consent`` (True),
    ``available_from`` / ``available_until`` (int or date; default: open-ended)."""
    return Buddies(
        ids=_col([r["id"] for r in records]),
        group=_col([r["group"] for r in records]),
        grade=_col([r.get("grade", NO_GRADE) for r in records]),
        langs=_encode([r.get("languages", ()) for r in records], languages, "languages"),
        interests=_encode([r.get("interests", ()) for r in records], interests, "interests"),
        gender=_col([r.get("gender", 0) for r in records]),
        capacity=_col([r.get("capacity", 1) for r in records]),
        load=_col([r.get("load", 0) for r in records]),
        consent=_col([bool(r.get("consent", True)) for r in records]),
        available_from=_col([to_day(r.get("available_from"), DAY_MIN) for r in records]),
        available_until=_col([to_day(r.get("available_until"), DAY_MAX) for r in records]),
    )


def problem_from_records(
    pupils: Sequence[Mapping[str, Any]],
    buddies: Sequence[Mapping[str, Any]],
    *,
    exclusions: Iterable[tuple[int, int]] = (),
    locked: Iterable[tuple[int, int]] = (),
    weights: Weights | None = None,
) -> Problem:
    """A Problem whose language/interest vocabularies are all tags used (sorted), named in reasons."""
    lang_keys = (("home_languages", "languages"), ("languages",))
    languages = sorted(
        {
            t
            for recs, keys in zip((pupils, buddies), lang_keys, strict=True)
            for r in recs
            for k in keys
            for t in r.get(k, ())
        }
    )
    interests = sorted({t for recs in (pupils, buddies) for r in recs for t in r.get("interests", ())})
    return Problem(
        pupils=pupils_from_records(pupils, languages, interests),
        buddies=buddies_from_records(buddies, languages, interests),
        exclusions=np.array(list(exclusions), dtype=np.int64).reshape(-1, 2),
        locked=np.array(list(locked), dtype=np.int64).reshape(-1, 2),
        weights=weights or Weights(),
        language_names=tuple(languages),
        interest_names=tuple(interests),
    )
