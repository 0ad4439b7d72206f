"""Vectorised pair costs and hard-rule masks for one component (pupils x buddies of one group).

Everything is computed by broadcasting a block of pupil rows against all buddy columns; no Python loop
runs per pair. Blocks are limited to ~4 million pairs so that the temporaries of the dense regional
case (2,000 x 6,000 pairs, several float64/bool arrays each) stay around 100 MB instead of 500 MB.

The soft-cost formula lives in :func:`soft_cost` and works on any broadcastable shapes, so the same
code prices a full matrix, a list of locked pairs and the reasons shown to coordinators.
"""

from __future__ import annotations

import numpy as np

from .problem import Buddies, Pupils, Weights

BLOCK_PAIRS = 4_000_000


def _any_shared(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Do the bitsets share a bit? Operands are ``(..., words)``; the word axis is reduced."""
    if a.shape[-1] == 1:  # common case (<= 64 tags): skip the reduction over a length-1 axis
        return (a[..., 0] & b[..., 0]) != 0
    return ((a & b) != 0).any(axis=-1)


def _shared_count(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Number of shared bits (numpy >= 2 popcount); operands are ``(..., words)``."""
    if a.shape[-1] == 1:
        return np.bitwise_count(a[..., 0] & b[..., 0])
    return np.bitwise_count(a & b).sum(axis=-1, dtype=np.int64)


def soft_cost(
    p_home: np.ndarray,
    p_langs: np.ndarray,
    p_interests: np.ndarray,
    p_grade: np.ndarray,
    b_langs: np.ndarray,
    b_interests: np.ndarray,
    b_grade: np.ndarray,
    w: Weights,
) -> np.ndarray:
    """Soft cost (language + grade + interests, without load) for broadcastable pupil/buddy arrays.

    Bitset arguments carry a trailing word axis; the others are broadcast as given. See
    :class:`~matching.engine.problem.Weights` for the terms.
    """
    home = _any_shared(p_home, b_langs)
    bridge = _any_shared(p_langs, b_langs)
    cost = np.where(home, 0.0, np.where(bridge, w.bridge_language, w.no_language))
    # Buddies without a grade (staff, volunteers) have grade < 0 and no grade term.
    distance = np.abs(p_grade.astype(np.int32) - b_grade.astype(np.int32))
    cost += np.where(b_grade >= 0, w.grade * np.minimum(distance, w.grade_cap), 0.0)
    shared = _shared_count(p_interests, b_interests).astype(np.int32)
    cost += w.interest * np.maximum(0, w.interest_cap - shared)
    return cost


def cost_matrix(
    pupils: Pupils,
    buddies: Buddies,
    rows: np.ndarray,
    cols: np.ndarray,
    w: Weights,
    excluded: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """``(len(rows), len(cols))`` soft costs with ``inf`` where a pair-level hard rule fails.

    ``rows``/``cols`` index into ``pupils``/``buddies``; the caller has already kept only buddies of
    the same group with consent and free capacity (buddy-level rules), so the pair-level rules checked
    here are availability on the transition day, the gender preference and the exclusions, given as
    local ``(row, col)`` positions.
    """
    p, b = rows.shape[0], cols.shape[0]
    out = np.empty((p, b), dtype=np.float64)
    if p == 0 or b == 0:
        return out
    b_langs = buddies.langs[cols][None, :, :]
    b_interests = buddies.interests[cols][None, :, :]
    b_grade = buddies.grade[cols][None, :]
    b_from = buddies.available_from[cols][None, :]
    b_until = buddies.available_until[cols][None, :]
    b_gender = buddies.gender[cols][None, :]
    step = max(1, BLOCK_PAIRS // b)
    for start in range(0, p, step):
        r = rows[start : start + step]
        block = soft_cost(
            pupils.home_langs[r][:, None, :],
            pupils.langs[r][:, None, :],
            pupils.interests[r][:, None, :],
            pupils.grade[r][:, None],
            b_langs,
            b_interests,
            b_grade,
            w,
        )
        day = pupils.transition_day[r][:, None]
        pref = pupils.gender_pref[r][:, None]
        ok = (b_from <= day) & (day <= b_until) & ((pref == 0) | (b_gender == pref))
        block[~ok] = np.inf
        out[start : start + r.shape[0]] = block
    if excluded is not None and excluded[0].size:
        out[excluded] = np.inf
    return out


def pair_costs(pupils: Pupils, buddies: Buddies, pi: np.ndarray, bi: np.ndarray, w: Weights) -> np.ndarray:
    """Soft cost of explicit (pupil index, buddy index) pairs, elementwise (no hard rules)."""
    return soft_cost(
        pupils.home_langs[pi],
        pupils.langs[pi],
        pupils.interests[pi],
        pupils.grade[pi],
        buddies.langs[bi],
        buddies.interests[bi],
        buddies.grade[bi],
        w,
    ).reshape(-1)


def rule_stages(
    pupils: Pupils,
    buddies: Buddies,
    rows: np.ndarray,
    cols: np.ndarray,
    free: np.ndarray,
    excluded: tuple[np.ndarray, np.ndarray] | None,
) -> np.ndarray:
    """How many buddies survive each hard rule, applied in order, per pupil row: ``(len(rows), 6)``.

    Columns: in group, + consent, + available, + gender preference, + not excluded, + free capacity.
    Only called for the (usually few) unmatched pupils of a component, to explain them.
    """
    day = pupils.transition_day[rows][:, None]
    pref = pupils.gender_pref[rows][:, None]
    alive = np.ones((rows.shape[0], cols.shape[0]), dtype=bool)
    counts = np.empty((rows.shape[0], 6), dtype=np.int64)
    counts[:, 0] = cols.shape[0]
    alive &= buddies.consent[cols][None, :]
    counts[:, 1] = alive.sum(axis=1)
    alive &= (buddies.available_from[cols][None, :] <= day) & (day <= buddies.available_until[cols][None, :])
    counts[:, 2] = alive.sum(axis=1)
    alive &= (pref == 0) | (buddies.gender[cols][None, :] == pref)
    counts[:, 3] = alive.sum(axis=1)
    if excluded is not None and excluded[0].size:
        alive[excluded] = False
    counts[:, 4] = alive.sum(axis=1)
    alive &= (free > 0)[None, :]
    counts[:, 5] = alive.sum(axis=1)
    return counts
