"""Vectorised pair costs and hard-rule masks for one component (pupils x buddies of one group).

Attributes are gathered once per batch into contiguous :class:`Cols` (component by component), so a
component's inputs are plain slices (views) and its whole cost matrix is a handful of broadcast
operations; no Python loop runs per pair. A national run has ~7,000 components with a median of
9 x 25 pairs, so the number of numpy calls per component, not the arithmetic, is what costs time.
Large components are priced in row blocks of ~4 million pairs to bound temporaries (the dense
regional case would otherwise need ~0.5 GB of scratch arrays).

Bitsets with a single word (up to 64 languages/interests, the normal case) are stored squeezed to 1-D,
which saves a reduction over a length-1 axis in every operation.
"""

from __future__ import annotations

import numpy as np

from .problem import Buddies, Pupils, Weights

BLOCK_PAIRS = 4_000_000


class Cols:
    """Named column arrays of some pupils or buddies; ``part(a, b)`` gives views of rows a..b-1."""

    def __init__(self, **arrays: np.ndarray) -> None:
        self.__dict__.update(arrays)

    def part(self, a: int, b: int) -> Cols:
        return Cols(**{k: v[a:b] for k, v in self.__dict__.items()})

    def take(self, idx: np.ndarray) -> Cols:
        return Cols(**{k: v[idx] for k, v in self.__dict__.items()})


def _bits(arr: np.ndarray, idx: np.ndarray) -> np.ndarray:
    return arr[idx, 0] if arr.shape[1] == 1 else arr[idx]


def gather_pupils(pupils: Pupils, idx: np.ndarray) -> Cols:
    """Pupil attributes needed for pricing, in the order of ``idx``."""
    return Cols(
        home=_bits(pupils.home_langs, idx),
        langs=_bits(pupils.langs, idx),
        interests=_bits(pupils.interests, idx),
        grade=pupils.grade[idx].astype(np.float64),
        day=pupils.transition_day[idx],
        pref=pupils.gender_pref[idx],
        pref_idx=pupils.gender_pref[idx].astype(np.int64) + 128,  # row of GENDER_OK
    )


def gather_buddies(
    buddies: Buddies, idx: np.ndarray, free: np.ndarray, eff_load: np.ndarray, w: Weights
) -> Cols:
    """Buddy attributes needed for pricing and explaining, in the order of ``idx``."""
    grade = buddies.grade[idx]
    load = eff_load[idx]
    return Cols(
        langs=_bits(buddies.langs, idx),
        interests=_bits(buddies.interests, idx),
        grade=grade.astype(np.float64),
        grade_w=np.where(grade >= 0, w.grade, 0.0),  # staff and volunteers have no grade term
        start=buddies.available_from[idx],
        end=buddies.available_until[idx],
        gender=buddies.gender[idx],
        gender_idx=buddies.gender[idx].astype(np.int64) + 128,  # column of GENDER_OK
        consent=buddies.consent[idx],
        free=free[idx],
        load=load,
        load_w=w.load * load,  # cost of the buddy's first free place
    )


#: GENDER_OK[pref + 128, gender + 128]: does a buddy of that gender satisfy that preference (0 = none)?
_G = np.arange(-128, 128)
GENDER_OK = (_G[:, None] == 0) | (_G[:, None] == _G[None, :])


def _shared(a: np.ndarray, b: np.ndarray, multiword: bool) -> tuple[np.ndarray, np.ndarray]:
    """(any bit shared, number of shared bits) of two broadcast bitset operands."""
    count = np.bitwise_count(a & b)
    if multiword:
        return count.any(axis=-1), count.sum(axis=-1, dtype=np.int32)
    return count != 0, count


def soft_from_parts(
    home: np.ndarray,
    bridge: np.ndarray,
    shared_interests: np.ndarray,
    distance: np.ndarray,
    peer: np.ndarray,
    w: Weights,
) -> np.ndarray:
    """The soft-cost formula on precomputed parts (see :class:`~matching.engine.problem.Weights`).

    ``home``/``bridge``: a home / any language is shared; ``distance``: absolute grade difference;
    ``peer``: the buddy has a grade (staff and volunteers get no grade term). Used for explicit pairs;
    :func:`block_costs` evaluates the same formula with fewer, fused operations.
    """
    cost = np.where(home, 0.0, np.where(bridge, w.bridge_language, w.no_language))
    cost += np.where(peer, w.grade * np.minimum(distance, w.grade_cap), 0.0)
    cost += w.interest * np.maximum(0, w.interest_cap - shared_interests.astype(np.int32))
    return cost


def interest_table(words: int, w: Weights) -> np.ndarray:
    """Interest cost by number of shared interests (0..64*words), so pricing is one lookup."""
    return w.interest * np.maximum(0, w.interest_cap - np.arange(64 * words + 1)).astype(np.float64)


def _block(p: Cols, b: Cols, w: Weights, table: np.ndarray) -> np.ndarray:
    if p.home.ndim == 2:  # more than 64 tags: reduce over the word axis
        home = _shared(p.home[:, None, :], b.langs[None, :, :], True)[0]
        bridge = _shared(p.langs[:, None, :], b.langs[None, :, :], True)[0]
        shared = _shared(p.interests[:, None, :], b.interests[None, :, :], True)[1]
    else:
        bl = b.langs[None, :]
        home = (p.home[:, None] & bl) != 0
        bridge = (p.langs[:, None] & bl) != 0
        shared = np.bitwise_count(p.interests[:, None] & b.interests[None, :])
    cost = np.where(bridge, w.bridge_language, w.no_language)
    np.copyto(cost, 0.0, where=home)  # a shared home language is also a shared language
    grade = np.abs(p.grade[:, None] - b.grade[None, :])
    np.minimum(grade, w.grade_cap, out=grade)
    grade *= b.grade_w[None, :]
    cost += grade
    cost += table[shared]
    day = p.day[:, None]
    ok = (b.start[None, :] <= day) & (day <= b.end[None, :])
    ok &= GENDER_OK[p.pref_idx[:, None], b.gender_idx[None, :]]
    np.copyto(cost, np.inf, where=~ok)
    return cost


def block_costs(p: Cols, b: Cols, w: Weights, table: np.ndarray) -> np.ndarray:
    """``(pupils, buddies)`` soft costs with ``inf`` where a pair-level rule fails.

    Buddy-level rules (consent, a free place) are the caller's job (it passes only such buddies);
    the pair-level ones here are availability on the transition day and the gender preference.
    Exclusions are set by the caller, who knows their positions. ``table`` is :func:`interest_table`.
    """
    n, m = p.grade.shape[0], b.grade.shape[0]
    if n * m <= BLOCK_PAIRS:
        return _block(p, b, w, table)
    out = np.empty((n, m), dtype=np.float64)
    step = max(1, BLOCK_PAIRS // m)
    for start in range(0, n, step):
        out[start : start + step] = _block(p.part(start, start + step), b, w, table)
    return out


def pair_parts(pupils: Pupils, buddies: Buddies, pi: np.ndarray, bi: np.ndarray) -> dict[str, np.ndarray]:
    """Elementwise explanation parts of explicit (pupil index, buddy index) pairs (bitsets kept)."""
    b_langs = buddies.langs[bi]
    home_bits = pupils.home_langs[pi] & b_langs
    bridge_bits = pupils.langs[pi] & b_langs
    interest_bits = pupils.interests[pi] & buddies.interests[bi]
    b_grade = buddies.grade[bi].astype(np.int64)
    return {
        "home_bits": home_bits,
        "bridge_bits": bridge_bits,
        "interest_bits": interest_bits,
        "home": (home_bits != 0).any(axis=1),
        "bridge": (bridge_bits != 0).any(axis=1),
        "interests": np.bitwise_count(interest_bits).sum(axis=1, dtype=np.int64),
        "distance": np.abs(pupils.grade[pi].astype(np.int64) - b_grade),
        "peer": b_grade >= 0,
    }


def pair_costs(pupils: Pupils, buddies: Buddies, pi: np.ndarray, bi: np.ndarray, w: Weights) -> np.ndarray:
    """Soft cost of explicit pairs, elementwise (no hard rules: used for locked pairs)."""
    parts = pair_parts(pupils, buddies, pi, bi)
    return soft_from_parts(
        parts["home"], parts["bridge"], parts["interests"], parts["distance"], parts["peer"], w
    )


def rule_stages(p: Cols, b: Cols, excluded: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """How many buddies survive each hard rule, applied in order, per pupil row: ``(len(p), 6)``.

    Columns: in group, + consent, + available, + gender preference, + not excluded, + free place.
    ``b`` holds all buddies of the group (not only those with consent and room). Only called for the
    (usually few) unmatched pupils of a component, to explain them.
    """
    n, m = p.grade.shape[0], b.grade.shape[0]
    day, pref = p.day[:, None], p.pref[:, None]
    counts = np.empty((n, 6), dtype=np.int64)
    counts[:, 0] = m
    alive = np.broadcast_to(b.consent[None, :], (n, m)).copy()
    counts[:, 1] = alive.sum(axis=1)
    alive &= (b.start[None, :] <= day) & (day <= b.end[None, :])
    counts[:, 2] = alive.sum(axis=1)
    alive &= (pref == 0) | (b.gender[None, :] == pref)
    counts[:, 3] = alive.sum(axis=1)
    if excluded is not None and excluded[0].size:
        alive[excluded] = False
    counts[:, 4] = alive.sum(axis=1)
    alive &= (b.free > 0)[None, :]
    counts[:, 5] = alive.sum(axis=1)
    return counts
