"""Input and output types of the buddy matching engine.

Inputs are column-oriented numpy arrays (one entry per pupil or buddy) rather than lists of objects,
because the engine builds its costs with broadcasting over whole components and a national run holds
~100,000 pupils and ~300,000 buddies; outputs are small plain dataclasses that the Django layer can
store and translate (reasons are codes with parameters, never sentences).

Conventions shared with callers:

* ``group`` is the component a pupil or buddy belongs to: the school id, or the municipality id when a
  region allows cross-school pairs. Only pupils and buddies with the same group can be paired.
* Days are integers (days since 1970-01-01). Open-ended availability uses ``DAY_MIN`` / ``DAY_MAX``.
* Gender is a small integer chosen by the caller; ``gender_pref == 0`` means "no preference".
* Languages and interests are bitsets (``uint64`` arrays of shape ``(n, words)``), built with
  :func:`matching.engine.encode_tags`. Pupils and buddies must use the same vocabulary (same words).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

#: Sentinels for open-ended availability windows (``int32`` range, days since epoch).
DAY_MIN: int = int(np.iinfo(np.int32).min)
DAY_MAX: int = int(np.iinfo(np.int32).max)

#: Buddy grade meaning "not a pupil" (staff, volunteer): no grade-distance cost.
NO_GRADE: int = -1

#: Unmatched reason codes, in the order in which they are checked (first failing check wins).
UNMATCHED_REASONS: tuple[str, ...] = (
    "no_buddy_in_group",
    "no_consent",
    "not_available",
    "gender_preference",
    "all_excluded",
    "no_free_capacity",
    "capacity_taken",
)

Reason = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Weights:
    """Soft-cost weights; the engine minimises the weighted sum after maximising matched pupils.

    Defaults are small integers on purpose: every pair cost is then an integer, so the solver's sums are
    exact in floating point and "optimal" means optimal to the last bit. Non-integer weights work too;
    multiples of 1/64 stay exact, anything else is optimal up to float rounding (~1e-12 relative).

    * language: 0 if a home language of the pupil is spoken by the buddy, else ``bridge_language`` if
      any language of the pupil (e.g. English or some Dutch) is shared, else ``no_language``;
    * grade (peer buddies only): ``grade * min(|pupil grade - buddy grade|, grade_cap)``;
    * interests: ``interest * max(0, interest_cap - shared interests)``;
    * load spread: the k-th pupil of a buddy (k counts the buddy's existing load, starting at 0) costs
      ``load * k``. Being linear in k, the per-buddy total is convex, so "fill the emptiest buddy first"
      falls out of the optimum instead of needing a heuristic.
    """

    bridge_language: float = 3.0
    no_language: float = 8.0
    grade: float = 1.0
    grade_cap: int = 3
    interest: float = 1.0
    interest_cap: int = 3
    load: float = 2.0

    def __post_init__(self) -> None:
        # Callers pass ints for weights (``Weights(interest=2)``) and floats for caps (``grade_cap=3.0``),
        # e.g. from a settings form or JSON. Both are accepted and normalised here, once, so the pricing
        # kernels can rely on float weights and int caps (numpy refuses to mix them in place).
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"Weights.{f.name} must be a number, got {value!r}")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"Weights.{f.name} must be a finite number >= 0, got {value!r}")
            if f.name in _CAPS:
                if int(value) != value or value > 1000:
                    raise ValueError(
                        f"Weights.{f.name} must be a whole number between 0 and 1000, got {value!r}"
                    )
                object.__setattr__(self, f.name, int(value))
            else:
                object.__setattr__(self, f.name, float(value))


_CAPS = frozenset({"grade_cap", "interest_cap"})


def _column(name: str, value: Any, dtype: Any, n: int | None, ndim: int = 1) -> np.ndarray:
    """Coerce one input column, checking that it has the expected length and dimensionality."""
    arr = np.ascontiguousarray(value, dtype=dtype)
    if ndim == 2 and arr.ndim == 1 and arr.size == 0:
        arr = arr.reshape(0, 1)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} has {arr.shape[0]} rows, expected {n}")
    return arr


def _check_unique(name: str, ids: np.ndarray) -> None:
    if ids.size and np.unique(ids).size != ids.size:
        raise ValueError(f"{name} ids must be unique")


@dataclass
class Pupils:
    """Pupils to match, one array entry per pupil (see module docstring for the encodings)."""

    ids: np.ndarray
    group: np.ndarray
    grade: np.ndarray
    home_langs: np.ndarray
    langs: np.ndarray  # all languages, including the home languages
    interests: np.ndarray
    gender: np.ndarray
    gender_pref: np.ndarray
    transition_day: np.ndarray

    def __post_init__(self) -> None:
        self.ids = _column("pupils.ids", self.ids, np.int64, None)
        n = self.ids.shape[0]
        self.group = _column("pupils.group", self.group, np.int64, n)
        self.grade = _column("pupils.grade", self.grade, np.int16, n)
        self.home_langs = _column("pupils.home_langs", self.home_langs, np.uint64, n, 2)
        self.langs = _column("pupils.langs", self.langs, np.uint64, n, 2)
        self.interests = _column("pupils.interests", self.interests, np.uint64, n, 2)
        self.gender = _column("pupils.gender", self.gender, np.int8, n)
        self.gender_pref = _column("pupils.gender_pref", self.gender_pref, np.int8, n)
        self.transition_day = _column("pupils.transition_day", self.transition_day, np.int32, n)
        if self.home_langs.shape != self.langs.shape:
            raise ValueError("pupils.home_langs and pupils.langs must have the same shape")
        _check_unique("pupils", self.ids)
        # Home languages are languages too; OR-ing them in spares callers a subtle bug class.
        self.langs = self.langs | self.home_langs

    def __len__(self) -> int:
        return int(self.ids.shape[0])


@dataclass
class Buddies:
    """Candidate buddies (peer pupils, staff, volunteers), one array entry per buddy."""

    ids: np.ndarray
    group: np.ndarray
    grade: np.ndarray  # NO_GRADE (-1) for staff and volunteers
    langs: np.ndarray
    interests: np.ndarray
    gender: np.ndarray
    capacity: np.ndarray  # 1..3 pupils
    load: np.ndarray  # active matches that this run does not touch
    consent: np.ndarray
    available_from: np.ndarray
    available_until: np.ndarray

    def __post_init__(self) -> None:
        self.ids = _column("buddies.ids", self.ids, np.int64, None)
        n = self.ids.shape[0]
        self.group = _column("buddies.group", self.group, np.int64, n)
        self.grade = _column("buddies.grade", self.grade, np.int16, n)
        self.langs = _column("buddies.langs", self.langs, np.uint64, n, 2)
        self.interests = _column("buddies.interests", self.interests, np.uint64, n, 2)
        self.gender = _column("buddies.gender", self.gender, np.int8, n)
        self.capacity = _column("buddies.capacity", self.capacity, np.int8, n)
        self.load = _column("buddies.load", self.load, np.int8, n)
        self.consent = _column("buddies.consent", self.consent, np.bool_, n)
        self.available_from = _column("buddies.available_from", self.available_from, np.int32, n)
        self.available_until = _column("buddies.available_until", self.available_until, np.int32, n)
        if np.any(self.capacity < 0) or np.any(self.load < 0):
            raise ValueError("buddies.capacity and buddies.load must be >= 0")
        _check_unique("buddies", self.ids)

    def __len__(self) -> int:
        return int(self.ids.shape[0])


@dataclass
class Problem:
    """A full matching run: who, with whom, which pairs are ruled out or fixed, and how to weigh.

    ``exclusions`` are (pupil_id, buddy_id) pairs a coordinator rejected: never proposed again.
    ``locked`` are (pupil_id, buddy_id) pairs a coordinator fixed: kept verbatim (even if a hard rule no
    longer holds, because a human decided), not re-solved, and each one uses a unit of its buddy's
    capacity. Vocabularies are only used to name languages/interests in reasons; without them the bit
    index is reported.
    """

    pupils: Pupils
    buddies: Buddies
    exclusions: np.ndarray = field(default_factory=lambda: np.empty((0, 2), np.int64))
    locked: np.ndarray = field(default_factory=lambda: np.empty((0, 2), np.int64))
    weights: Weights = field(default_factory=Weights)
    language_names: Sequence[str] = ()
    interest_names: Sequence[str] = ()

    def __post_init__(self) -> None:
        self.exclusions = np.ascontiguousarray(self.exclusions, dtype=np.int64).reshape(-1, 2)
        self.locked = np.ascontiguousarray(self.locked, dtype=np.int64).reshape(-1, 2)
        if self.pupils.langs.shape[1] != self.buddies.langs.shape[1]:
            raise ValueError("pupil and buddy language bitsets must have the same number of words")
        if self.pupils.interests.shape[1] != self.buddies.interests.shape[1]:
            raise ValueError("pupil and buddy interest bitsets must have the same number of words")


@dataclass(slots=True)
class Pair:
    """One proposed (or locked) pupil-buddy pair with why it was chosen and what else was close."""

    pupil_id: int
    buddy_id: int
    cost: float
    reasons: list[Reason]
    locked: bool = False
    alternatives: list[tuple[int, float]] = field(default_factory=list)


@dataclass(slots=True)
class Unmatched:
    """A pupil that got no buddy, with the first hard rule that explains it (see UNMATCHED_REASONS)."""

    pupil_id: int
    reason: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Stats:
    """Run totals. Timings are excluded from equality so identical runs compare equal."""

    components: int = 0
    pupils: int = 0
    matched: int = 0
    locked: int = 0
    unmatched: int = 0
    total_cost: float = 0.0
    shared_home_language: int = 0
    timings: dict[str, float] = field(default_factory=dict, compare=False)


@dataclass
class Result:
    """Pairs and unmatched pupils, each sorted by pupil id, plus totals."""

    pairs: list[Pair]
    unmatched: list[Unmatched]
    stats: Stats
