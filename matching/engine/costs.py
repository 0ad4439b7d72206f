"""Vectorised pair costs and hard-rule masks (pupils x candidate buddies of one group).

Attributes are gathered once per batch into contiguous :class:`Cols` (component by component), and
:func:`price` evaluates the whole cost matrix with a handful of broadcast operations: no Python loop
runs per pair. A national run has ~7,000 components with a median of 9 x 25 pairs, so the number of
numpy calls, not the arithmetic, is what costs time: small components are therefore priced many at a
time (:func:`stacked_costs`), large ones alone (:func:`block_costs`) in row blocks of ~4 million
pairs to bound temporaries (the dense regional case would otherwise need ~0.5 GB of scratch arrays).

Bitsets with a single word (up to 64 languages/interests, the normal case) are stored squeezed to 1-D,
which saves a reduction over a length-1 axis in every operation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .problem import Buddies, Pupils, Weights

BLOCK_PAIRS = 4_000_000


class Cols:
    """Named column arrays of some pupils or buddies (one entry per row); ``take`` selects rows."""

    def __init__(self, **arrays: np.ndarray) -> None:
        self.__dict__.update(arrays)

    def take(self, idx: np.ndarray) -> Cols:
        return Cols(**{k: v[idx] for k, v in self.__dict__.items()})

    if TYPE_CHECKING:  # for the type checker only: every column is an array

        def __getattr__(self, name: str) -> np.ndarray: ...


def _bits(arr: np.ndarray, idx: np.ndarray) -> np.ndarray:
    bits: np.ndarray = arr[idx, 0] if arr.shape[1] == 1 else arr[idx]
    return bits


def gather_pupils(pupils: Pupils, idx: np.ndarray) -> Cols:
    """Pupil attributes needed for pricing, in the order of ``idx``."""
    return Cols(
        home=_bits(pupils.home_langs, idx),
        langs=_bits(pupils.langs, idx),
        interests=_bits(pupils.interests, idx),
        grade=pupils.grade[idx].astype(np.int32),
        day=pupils.transition_day[idx].astype(np.int64),
        pref=pupils.gender_pref[idx],
        has_pref=pupils.gender_pref[idx] != 0,
        pref_idx=pupils.gender_pref[idx].astype(np.int64) + 128,  # row of GENDER_BAD
    )


def gather_buddies(
    buddies: Buddies, idx: np.ndarray, free: np.ndarray, eff_load: np.ndarray, w: Weights
) -> Cols:
    """Buddy attributes needed for pricing, in the order of ``idx``."""
    grade = buddies.grade[idx]
    load = eff_load[idx]
    start = buddies.available_from[idx].astype(np.int64)
    end = buddies.available_until[idx].astype(np.int64)
    # An empty window (end < start) must reject every day: start beyond any int32 day does that.
    empty = end < start
    start[empty] = 2**31
    return Cols(
        langs=_bits(buddies.langs, idx),
        interests=_bits(buddies.interests, idx),
        grade=grade.astype(np.int32),
        peer=(grade >= 0).astype(np.int32),  # staff and volunteers (grade < 0) have no grade term
        start=start,
        span=np.where(empty, 0, end - start).astype(np.uint64),
        gender_idx=buddies.gender[idx].astype(np.int64) + 128,  # column of GENDER_BAD
        free=free[idx],
        load=load,
        load_w=w.load * load,  # cost of the buddy's first free place
    )


#: GENDER_BAD[pref + 128, gender + 128]: does a buddy of that gender violate that preference (0 = none)?
_G = np.arange(-128, 128)
GENDER_BAD = (_G[:, None] != 0) & (_G[:, None] != _G[None, :])


def _shared_words(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(any bit shared, number of shared bits) of multi-word bitsets, reducing the word axis."""
    count = np.bitwise_count(a & b)
    return count.any(axis=-1), count.sum(axis=-1, dtype=np.int32)


_INT32_MAX = 2**31 - 1


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
    ``peer``: the buddy has a grade (staff and volunteers get no grade term). The operations are the
    ones :func:`block_costs` applies, in the same order, so a pair's reported cost is bit-identical
    to the cost it was optimised with. The interest term ``interest * max(0, cap - shared)`` is
    evaluated as ``interest * cap - interest * min(shared, cap)``: one constant folded into the
    language term plus one small-integer minimum, which is what makes the block version cheap.
    """
    cost = _language(home, bridge, w)
    d = np.minimum(distance.astype(np.int32), min(w.grade_cap, _INT32_MAX))
    d *= peer.astype(np.int32)
    cost += d * w.grade
    cost -= np.minimum(shared_interests, w.interest_cap) * w.interest
    return cost


def _language(home: np.ndarray, bridge: np.ndarray, w: Weights) -> np.ndarray:
    """Language term plus the interest constant ``interest * interest_cap`` (see soft_from_parts)."""
    base = w.interest * w.interest_cap
    cost = np.where(bridge, w.bridge_language + base, w.no_language + base)
    np.copyto(cost, 0.0 + base, where=home)  # a shared home language is also a shared language
    return cost


_PUPIL_USED = ("home", "langs", "interests", "grade", "day", "has_pref", "pref_idx")
_BUDDY_USED = ("langs", "interests", "grade", "peer", "start", "span", "gender_idx")


def _pupil_operands(p: Cols, idx: slice | np.ndarray) -> Cols:
    # (R,) -> (R, 1) and (R, W) -> (R, 1, W): pupils broadcast along the buddy axis.
    return Cols(**{name: getattr(p, name)[idx][:, None] for name in _PUPIL_USED})


def _buddy_operands(b: Cols, idx: slice | np.ndarray, expand: bool) -> Cols:
    # A slice of buddies is shared by all rows: (C,) -> (1, C); per-row index arrays are used as is.
    return Cols(
        **{name: getattr(b, name)[idx][None] if expand else getattr(b, name)[idx] for name in _BUDDY_USED}
    )


def price(p: Cols, b: Cols, w: Weights, multiword: bool) -> np.ndarray:
    """Soft costs, ``inf`` where a pair-level rule fails, for operands shaped to broadcast pupils against
    buddies (see :func:`block_costs` and :func:`stacked_costs`); bitsets carry a trailing word axis
    when ``multiword``. Small integer dtypes (int32 grades, uint8 popcounts) keep the temporaries
    cheap: on a 250 x 965 block the float64 version of the grade term alone took ~20x longer.
    """
    if multiword:  # more than 64 tags: reduce over the word axis
        home = _shared_words(p.home, b.langs)[0]
        bridge = _shared_words(p.langs, b.langs)[0]
        shared = _shared_words(p.interests, b.interests)[1]
        words = p.home.shape[-1]
    else:
        home = (p.home & b.langs) != 0
        bridge = (p.langs & b.langs) != 0
        shared = np.bitwise_count(p.interests & b.interests)
        words = 1
    cost = _language(home, bridge, w)
    d = np.abs(p.grade - b.grade)
    np.minimum(d, min(w.grade_cap, _INT32_MAX), out=d)
    d *= b.peer
    cost += d if w.grade == 1.0 else d * w.grade  # x * 1.0 == x exactly: same bits, one pass less
    # Popcounts are <= 64 per word, so a larger cap never binds (and would not fit uint8).
    np.minimum(shared, min(w.interest_cap, 64 * words), out=shared)
    cost -= shared if w.interest == 1.0 else shared * w.interest
    # Not available: day - start, seen unsigned, exceeds end - start (one compare for both ends).
    bad = (p.day - b.start).view(np.uint64) > b.span
    if p.has_pref.any():  # most pupils state no gender preference: skip the lookup then
        bad |= GENDER_BAD[p.pref_idx, b.gender_idx]
    np.copyto(cost, np.inf, where=bad)
    return cost


def _block(p: Cols, r0: int, r1: int, b: Cols, c0: int, c1: int, w: Weights) -> np.ndarray:
    return price(
        _pupil_operands(p, slice(r0, r1)), _buddy_operands(b, slice(c0, c1), True), w, p.home.ndim == 2
    )


def block_costs(p: Cols, r0: int, r1: int, b: Cols, c0: int, c1: int, w: Weights) -> np.ndarray:
    """``(pupils r0..r1, buddies c0..c1)`` soft costs with ``inf`` where a pair-level rule fails.

    Buddy-level rules (consent, a free place) are the caller's job (it passes only such buddies);
    the pair-level ones here are availability on the transition day and the gender preference.
    Exclusions are set by the caller, who knows their positions.
    """
    n, m = r1 - r0, c1 - c0
    if n * m <= BLOCK_PAIRS:
        return _block(p, r0, r1, b, c0, c1, w)
    out = np.empty((n, m), dtype=np.float64)
    step = max(1, BLOCK_PAIRS // m)
    for start in range(r0, r1, step):
        stop = min(start + step, r1)
        out[start - r0 : stop - r0] = _block(p, start, stop, b, c0, c1, w)
    return out


def stacked_costs(p: Cols, rows: np.ndarray, b: Cols, cols: np.ndarray, w: Weights) -> np.ndarray:
    """Costs of the rows of several small components at once: row i of the result prices pupil
    ``rows[i]`` against buddies ``cols[i, :]`` (its own component's candidates, padded by the caller).

    A national run has ~7,000 components with a median of 9 x 25 pairs, where the ~20 numpy calls of
    pricing cost more than the arithmetic; pricing many components in one stack pays them once.
    """
    return price(_pupil_operands(p, rows), _buddy_operands(b, cols, False), w, p.home.ndim == 2)


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


def rule_stages(
    p: Cols,
    buddies: Buddies,
    idx: np.ndarray,
    free: np.ndarray,
    excluded: tuple[np.ndarray, np.ndarray] | None,
) -> np.ndarray:
    """How many buddies survive each hard rule, applied in order, per pupil row: ``(len(p), 6)``.

    Columns: in group, + consent, + available, + gender preference, + not excluded, + free place.
    ``idx`` are all buddies of the group (not only those with consent and room), ``free`` their places
    left. Only called for the (usually few) unmatched pupils of a component, to explain them, so it
    reads the Problem's arrays directly instead of gathered ones.
    """
    n, m = p.grade.shape[0], idx.shape[0]
    day, pref = p.day[:, None], p.pref[:, None]
    counts = np.empty((n, 6), dtype=np.int64)
    counts[:, 0] = m
    alive = np.broadcast_to(buddies.consent[idx][None, :], (n, m)).copy()
    counts[:, 1] = alive.sum(axis=1)
    alive &= (buddies.available_from[idx][None, :] <= day) & (day <= buddies.available_until[idx][None, :])
    counts[:, 2] = alive.sum(axis=1)
    alive &= (pref == 0) | (buddies.gender[idx][None, :] == pref)
    counts[:, 3] = alive.sum(axis=1)
    if excluded is not None and excluded[0].size:
        alive[excluded] = False
    counts[:, 4] = alive.sum(axis=1)
    alive &= (free > 0)[None, :]
    counts[:, 5] = alive.sum(axis=1)
    return counts
