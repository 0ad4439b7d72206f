"""Why a pair was proposed, what else was close, and why a pupil stayed unmatched.

Coordinators must be able to check and overrule every proposal, so each pair carries reason codes with
parameters (the Django layer turns them into translated sentences) and the two next-best buddies.
The heavy lifting is vectorised: top-2 searches per component (:mod:`matching.engine.component`),
bit intersections and popcounts over a whole batch here; the only per-pair Python work is assembling
the small output objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from .costs import pair_parts
from .problem import UNMATCHED_REASONS, Pair, Problem, Reason, Unmatched
from .tags import decode_patterns

N_ALTERNATIVES = 2


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
    problem: Problem, pupil_idx: np.ndarray, code: np.ndarray, count: np.ndarray
) -> list[Unmatched]:
    """Unmatched output objects (params are empty for "no_buddy_in_group": there is nothing to count)."""
    ids = problem.pupils.ids[pupil_idx].tolist()
    return [
        Unmatched(pid, UNMATCHED_REASONS[c], {} if c == 0 else {"buddies": n})
        for pid, c, n in zip(ids, code.tolist(), count.tolist(), strict=True)
    ]


def build_pairs(
    problem: Problem,
    pupil_idx: np.ndarray,
    buddy_idx: np.ndarray,
    soft: np.ndarray,
    load_k: np.ndarray,
    locked: np.ndarray,
    alt_buddy: np.ndarray,
    alt_cost: np.ndarray,
) -> list[Pair]:
    """Pair objects with reasons, in the given order.

    Reason order is fixed: locked, language, grade (peer buddies only), interests (if any shared),
    buddy load. ``cost`` is the soft cost plus ``weights.load * load_k``. Tag names are decoded once
    per distinct bit pattern; every pair still gets its own lists and dicts, so callers may mutate them.
    """
    pupils, buddies, w = problem.pupils, problem.buddies, problem.weights
    parts = pair_parts(pupils, buddies, pupil_idx, buddy_idx)
    home_names, home_of = decode_patterns(parts["home_bits"], problem.language_names)
    bridge_names, bridge_of = decode_patterns(parts["bridge_bits"], problem.language_names)
    int_names, int_of = decode_patterns(parts["interest_bits"], problem.interest_names)
    cost = soft + w.load * load_k
    rows = zip(
        pupils.ids[pupil_idx].tolist(),
        buddies.ids[buddy_idx].tolist(),
        cost.tolist(),
        locked.tolist(),
        parts["home"].tolist(),
        parts["bridge"].tolist(),
        home_of.tolist(),
        bridge_of.tolist(),
        parts["peer"].tolist(),
        parts["distance"].tolist(),
        parts["interests"].tolist(),
        int_of.tolist(),
        load_k.tolist(),
        buddies.ids[np.maximum(alt_buddy, 0)].tolist(),
        alt_cost.tolist(),
        np.isfinite(alt_cost).sum(axis=1).tolist(),
        strict=True,
    )
    return _assemble(rows, home_names, bridge_names, int_names)


def _assemble(
    rows: Iterator[tuple[Any, ...]],
    home_names: list[tuple[str | int, ...]],
    bridge_names: list[tuple[str | int, ...]],
    int_names: list[tuple[str | int, ...]],
) -> list[Pair]:
    """The output objects from the batch's rows of plain values (see :func:`build_pairs`); the name lists
    are the tag names of each distinct pattern the rows point into."""
    pairs: list[Pair] = []
    append = pairs.append
    for pid, bid, c, is_locked, home, bridge, h, b, peer, dist, n_int, i, k, a_ids, a_costs, n_a in rows:
        # One list literal per shape instead of appends, and no call per pair: this loop is the run's
        # only per-pair Python.
        if home:
            lang: Reason = ("shared_home_language", {"languages": [*home_names[h]]})
        elif bridge:
            lang = ("shared_language", {"languages": [*bridge_names[b]]})
        else:
            lang = ("no_shared_language", {})
        if peer:
            grade: Reason = ("grade_distance", {"distance": dist}) if dist else ("same_grade", {})
            if n_int:
                reasons = [
                    lang,
                    grade,
                    ("shared_interests", {"count": n_int, "interests": [*int_names[i]]}),
                    ("buddy_load", {"load": k}),
                ]
            else:
                reasons = [lang, grade, ("buddy_load", {"load": k})]
        elif n_int:
            reasons = [
                lang,
                ("shared_interests", {"count": n_int, "interests": [*int_names[i]]}),
                ("buddy_load", {"load": k}),
            ]
        else:
            reasons = [lang, ("buddy_load", {"load": k})]
        if is_locked:
            reasons.insert(0, ("locked", {}))
        # Missing alternatives have cost inf and come last (buddy ids may be any int, so no -1 marker).
        if n_a == 2:
            alternatives = [(a_ids[0], a_costs[0]), (a_ids[1], a_costs[1])]
        elif n_a:
            alternatives = [(a_ids[0], a_costs[0])]
        else:
            alternatives = []
        append(Pair(pid, bid, c, reasons, is_locked, alternatives))
    return pairs
