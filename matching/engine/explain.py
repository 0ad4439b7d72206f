"""Why a pair was proposed, what else was close, and why a pupil stayed unmatched.

Coordinators must be able to check and overrule every proposal, so each pair carries reason codes with
parameters (the Django layer turns them into translated sentences) and the two next-best buddies.
The heavy lifting (bit intersections, popcounts, top-2 searches) is vectorised over a whole batch;
the only per-pair Python work is assembling the small output objects.
"""

from __future__ import annotations

import math

import numpy as np

from .prepare import Prepared
from .problem import UNMATCHED_REASONS, Pair, Reason, Unmatched
from .tags import names_per_row

N_ALTERNATIVES = 2


def two_best(alt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column index and value of the two smallest finite entries per row (-1 / inf when missing).

    ``argmin`` returns the first minimum, and columns are in buddy-id order, so ties go to the lower
    buddy id: deterministic. ``alt`` is overwritten (the caller passes a scratch copy).
    """
    r = alt.shape[0]
    idx = np.full((r, N_ALTERNATIVES), -1, dtype=np.int64)
    val = np.full((r, N_ALTERNATIVES), np.inf)
    if r == 0 or alt.shape[1] == 0:
        return idx, val
    rows = np.arange(r)
    for j in range(min(N_ALTERNATIVES, alt.shape[1])):
        best = np.argmin(alt, axis=1)
        v = alt[rows, best]
        found = np.isfinite(v)
        idx[found, j] = best[found]
        val[found, j] = v[found]
        alt[rows, best] = np.inf
    return idx, val


def unmatched_codes(stage_counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First hard rule that leaves no buddy, per pupil, from :func:`costs.rule_stages` counts.

    Returns ``(code index into UNMATCHED_REASONS, buddies param)``. The param is the number of buddies
    that passed every earlier rule and fail this one; for "capacity_taken" it is the number of buddies
    that were feasible but whose places the optimum gave to other pupils.
    """
    u = stage_counts.shape[0]
    zero = np.c_[stage_counts == 0, np.ones((u, 1), dtype=bool)]  # sentinel: capacity_taken
    code = np.argmax(zero, axis=1)
    prev = np.maximum(code - 1, 0)
    prev[code == len(UNMATCHED_REASONS) - 1] = stage_counts.shape[1] - 1
    return code, stage_counts[np.arange(u), prev]


def build_unmatched(
    prep: Prepared, pupil_idx: np.ndarray, code: np.ndarray, count: np.ndarray
) -> list[Unmatched]:
    """Unmatched output objects (params are empty for "no_buddy_in_group": there is nothing to count)."""
    ids = prep.problem.pupils.ids[pupil_idx].tolist()
    out = []
    for pid, c, n in zip(ids, code.tolist(), count.tolist(), strict=True):
        out.append(Unmatched(pid, UNMATCHED_REASONS[c], {} if c == 0 else {"buddies": n}))
    return out


def build_pairs(
    prep: Prepared,
    pupil_idx: np.ndarray,
    buddy_idx: np.ndarray,
    soft: np.ndarray,
    load_k: np.ndarray,
    locked: np.ndarray,
    alt_buddy: np.ndarray,
    alt_cost: np.ndarray,
) -> tuple[list[Pair], int]:
    """Pair objects with reasons, in the given order; also returns how many share a home language.

    Reason order is fixed: locked, language, grade (peer buddies only), interests (if any shared),
    buddy load. ``cost`` is the soft cost plus ``weights.load * load_k``.
    """
    problem = prep.problem
    pupils, buddies, w = problem.pupils, problem.buddies, problem.weights
    b_langs = buddies.langs[buddy_idx]
    home_bits = pupils.home_langs[pupil_idx] & b_langs
    has_home = (home_bits != 0).any(axis=1)
    home_names = names_per_row(home_bits, problem.language_names)
    # Bridge languages only matter when no home language is shared, so decode them only there.
    bridge_names = names_per_row(pupils.langs[pupil_idx] & b_langs, problem.language_names)
    shared_int = pupils.interests[pupil_idx] & buddies.interests[buddy_idx]
    int_count = np.bitwise_count(shared_int).sum(axis=1, dtype=np.int64)
    int_names = names_per_row(shared_int, problem.interest_names)
    b_grade = buddies.grade[buddy_idx].astype(np.int64)
    distance = np.abs(pupils.grade[pupil_idx].astype(np.int64) - b_grade)
    cost = soft + w.load * load_k

    alt_ids = buddies.ids[np.maximum(alt_buddy, 0)].tolist()
    alt_costs = alt_cost.tolist()
    pairs: list[Pair] = []
    rows = zip(
        pupils.ids[pupil_idx].tolist(),
        buddies.ids[buddy_idx].tolist(),
        cost.tolist(),
        locked.tolist(),
        has_home.tolist(),
        (b_grade >= 0).tolist(),
        distance.tolist(),
        int_count.tolist(),
        load_k.tolist(),
        strict=True,
    )
    for i, (pid, bid, c, is_locked, home, peer, dist, n_int, k) in enumerate(rows):
        reasons: list[Reason] = [("locked", {})] if is_locked else []
        if home:
            reasons.append(("shared_home_language", {"languages": home_names[i]}))
        elif bridge_names[i]:
            reasons.append(("shared_language", {"languages": bridge_names[i]}))
        else:
            reasons.append(("no_shared_language", {}))
        if peer:
            reasons.append(("same_grade", {}) if dist == 0 else ("grade_distance", {"distance": dist}))
        if n_int:
            reasons.append(("shared_interests", {"count": n_int, "interests": int_names[i]}))
        reasons.append(("buddy_load", {"load": k}))
        # Missing alternatives have cost inf (buddy ids may be any int, so -1 is no marker).
        alternatives = [(a, v) for a, v in zip(alt_ids[i], alt_costs[i], strict=True) if v != math.inf]
        pairs.append(Pair(pid, bid, c, reasons, is_locked, alternatives))
    return pairs, int(has_home.sum())
