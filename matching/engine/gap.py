"""Exact generalized assignment with whole-number sizes and a load-spreading term (numpy/scipy only).

Problem: ``n`` items (support requests) of whole-number ``size[i]``, ``m`` bins (supporters) with a
whole-number ``capacity[c]`` and ``cost[i, c] >= 0`` (``inf``: item i may not go to bin c). Choose for each
item at most one bin so that the sizes in every bin add up to at most its capacity, lexicographically

1. the number of items placed is maximal, then
2. the total cost is minimal: the pair costs plus the spreading term, ``spread x k`` for the k-th item
   (k = 0, 1, 2, ...) a bin receives, i.e. ``spread x t (t - 1) / 2`` for a bin with t items.

Two stages, each an integer program solved to proven optimality by HiGHS (:func:`scipy.optimize.milp`).
Sizes and capacities are first divided by the gcd of the sizes (exact for whole numbers).

Stage 1, the most items. Only which bins an item may enter and its size matter here, so items alike in
both form a class, and the program has one whole-number variable per (class, bin): how many of the class
the bin takes, at most the number of items in the class in total, within each bin's capacity. A few
hundred variables where one per (item, bin) pair gave thousands (and HiGHS spent seconds on it); its
optimum is a placement of that many items (which items of a class go where: the cheapest pairing, by
:func:`scipy.optimize.linear_sum_assignment`).

Stage 2, the least cost with that many items. Binary ``x[i, c]`` for every eligible pair;
``sum_c x[i, c] <= 1``; ``sum_i size[i] x[i, c] <= capacity[c]``; ``sum x >= t`` (stage 1's count); the
spreading term by ``y[c, k] in {0, 1}`` for k = 2..K_c (K_c: most items that fit bin c) with cost ``spread
x (k - 1)`` and ``sum_i x[i, c] - sum_k y[c, k] <= 1`` (the y costs increase with k, so for any x the
cheapest y fills k = 2..t and costs exactly the spreading term). Solved by reduced-cost pricing, which is
exact: the LP relaxation gives a lower bound L and every pair's reduced cost r (a placement using pair j
costs at least L + r_j). The program is solved on the pairs with r_j <= tau only (tau = 1 at first:
about a tenth of the pairs); with its optimum U, every dropped pair has L + r_j > L + tau, so when
``L + tau >= U - 1`` (whole costs; ``>= U`` otherwise) no placement with a dropped pair is cheaper and U is
the optimum. Else tau grows by ``BAND`` (at most to ``U - 1 - L``) and the program is solved again, now
only for placements that use at least one pair of the new band (a row ``sum x >= 1`` over its pairs):
those whose pairs all lie in earlier bands were covered by the earlier solves. Each solve has a cut-off row,
cost <= U - 1 with U the best placement known (at first stage 1's), so that proving U optimal is proving
the program infeasible, which HiGHS does several times faster than re-finding U; the band row lifts the LP
bound of a band to L + its lower end, so a band near the cut-off is quick. At 300 items x 40 bins the LP
gap is 3-12: two to four solves of 1,000-8,000 pairs instead of one of 12,000 (on the hardest queue
measured, one band-less proof over 7,849 pairs took 16-31 s, the bands 4-6 s together).

Time limit (shared by both stages): the best placement found and proven bounds. ``max_placed`` is the
most items any placement can hold (stage 1's dual bound); when stage 1 reached it, ``cost_bound`` is the
least cost possible with that many (the smaller of the restricted program's dual bound and L + the least
reduced cost of a dropped pair, rounded up when all costs are whole). :class:`Solution` reports both;
when no limit was hit they equal the solution (gap zero). Deterministic: HiGHS is deterministic for the
same input, and callers order items and bins by id (a solve stopped by the time limit depends on the
machine's speed).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, linprog, milp
from scipy.sparse import csr_array, vstack

# Reduced costs come from a floating-point LP: pairs are kept with this much to spare, so rounding can only
# keep a pair too many, never drop one the optimum needs.
SLACK = 1e-6
# Stage 2 widens its pairs by reduced-cost bands this wide (see the module docstring).
BAND = 4.0


@dataclass(frozen=True)
class Solution:
    columns: np.ndarray  # (n,) int64: bin of each item, -1 for none
    placed: int
    cost: float  # pair costs plus the spreading term
    optimal: bool
    max_placed: int  # proven: no feasible solution places more items
    cost_bound: float  # proven: with ``placed`` items no solution costs less
    seconds: float

    @property
    def missing_at_most(self) -> int:
        """How many more items the optimum might place (0 when proven optimal in count)."""
        return self.max_placed - self.placed

    @property
    def cost_gap(self) -> float:
        """How much cheaper the optimum might be (meaningful when ``missing_at_most`` is 0)."""
        return max(0.0, self.cost - self.cost_bound)


def total_cost(columns: np.ndarray, cost: np.ndarray, spread: float = 1.0) -> float:
    """Pair costs plus ``spread x t (t - 1) / 2`` per bin with t items."""
    placed = np.flatnonzero(columns >= 0)
    counts = np.bincount(columns[placed], minlength=cost.shape[1])
    return float(cost[placed, columns[placed]].sum() + spread * (counts * (counts - 1) // 2).sum())


def _validate(cost: np.ndarray, size: np.ndarray, capacity: np.ndarray) -> None:
    if cost.ndim != 2 or size.shape != (cost.shape[0],) or capacity.shape != (cost.shape[1],):
        raise ValueError(
            f"shapes do not fit: cost {cost.shape}, size {size.shape}, capacity {capacity.shape}"
        )
    if np.isnan(cost).any() or (cost < 0).any():
        raise ValueError("cost must be >= 0 or +inf")
    if (size <= 0).any():
        raise ValueError("sizes must be positive whole numbers")


class _Clock:
    def __init__(self, limit: float | None) -> None:
        self.started = time.perf_counter()
        self.limit = limit

    def left(self) -> float | None:
        return None if self.limit is None else self.limit - (time.perf_counter() - self.started)

    def options(self, **extra: object) -> dict[str, object]:
        left = self.left()
        return extra if left is None else {**extra, "time_limit": max(0.05, left)}


def _dual(res: object, fallback: float) -> float:
    dual = getattr(res, "mip_dual_bound", None)
    return fallback if dual is None or not np.isfinite(dual) else float(dual)


def _most_items(
    cost: np.ndarray, size: np.ndarray, capacity: np.ndarray, eligible: np.ndarray, clock: _Clock
) -> tuple[np.ndarray, int]:
    """Stage 1 on classes of interchangeable items; the columns of a best placement and the proven most."""
    n, m = eligible.shape
    columns = np.full(n, -1, dtype=np.int64)
    keys, klass, count = np.unique(
        np.hstack([eligible.astype(np.int64), size[:, None]]), axis=0, return_inverse=True, return_counts=True
    )
    klass = klass.reshape(-1)
    k_size = keys[:, -1]
    ks, cs = np.nonzero(keys[:, :-1].astype(bool))  # class k may go to bin c
    v = ks.size
    a = csr_array(
        (
            np.concatenate([np.ones(v), k_size[ks]]),
            (np.concatenate([ks, keys.shape[0] + cs]), np.concatenate([np.arange(v)] * 2)),
        ),
        shape=(keys.shape[0] + m, v),
    )
    res = milp(
        -np.ones(v),
        integrality=np.ones(v),
        bounds=Bounds(0.0, count[ks].astype(np.float64)),
        constraints=LinearConstraint(a, -np.inf, np.concatenate([count, capacity]).astype(np.float64)),
        options=clock.options(mip_rel_gap=0.0),
    )
    if res.x is None:
        return columns, min(n, math.floor(-_dual(res, -n) + 1e-6))
    take = np.round(res.x).astype(np.int64)
    for k in range(keys.shape[0]):
        slots = np.repeat(cs[ks == k], take[ks == k])  # a bin for each item the class sends there
        if slots.size:
            # Which items of the class: the cheapest pairing (the counts fix the spreading term), so that
            # stage 2 starts from a fair placement and a solve stopped early still has one.
            items = np.flatnonzero(klass == k)
            chosen, places = linear_sum_assignment(cost[np.ix_(items, slots)])
            columns[items[chosen]] = slots[places]
    return columns, max(int(take.sum()), math.floor(-_dual(res, -take.sum()) + 1e-6))


def _most_that_fit(size: np.ndarray, eligible: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """K_c: the most eligible items bin c can hold (its smallest eligible items first)."""
    out = np.zeros(capacity.shape[0], dtype=np.int64)
    for c in range(capacity.shape[0]):
        sizes = np.sort(size[eligible[:, c]])
        out[c] = int(np.searchsorted(np.cumsum(sizes), capacity[c], side="right"))
    return out


def _model(
    size: np.ndarray, capacity: np.ndarray, eligible: np.ndarray, most: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, csr_array, np.ndarray]:
    """Pairs (rows, cols), the k of each spreading variable, and the constraints ``A v <= upper``."""
    n, m = eligible.shape
    rows, cols = np.nonzero(eligible)  # row-major: pairs ordered by item, then bin
    y_bin = np.repeat(np.arange(m), np.maximum(most - 1, 0))
    y_k = np.concatenate([np.arange(2, k + 1) for k in most if k > 1]) if y_bin.size else np.zeros(0)
    p, q = rows.size, y_bin.size
    pairs = np.arange(p)
    a_rows = np.concatenate([rows, n + cols, n + m + cols, n + m + y_bin, np.full(p, n + 2 * m)])
    a_cols = np.concatenate([pairs, pairs, pairs, p + np.arange(q), pairs])
    a_vals = np.concatenate([np.ones(p), size[rows], np.ones(p), -np.ones(q), -np.ones(p)])
    a = csr_array((a_vals, (a_rows, a_cols)), shape=(n + 2 * m + 1, p + q))
    # The last row, ``-sum x <= -t``, keeps stage 2 at stage 1's count.
    upper = np.concatenate([np.ones(n), capacity, np.ones(m), [0.0]])
    return rows, cols, y_k.astype(np.float64), a, upper


def _columns(x: np.ndarray, rows: np.ndarray, cols: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, -1, dtype=np.int64)
    chosen = np.flatnonzero(x[: rows.size] > 0.5)
    out[rows[chosen]] = cols[chosen]
    return out


def _lower_bound_and_prices(
    objective: np.ndarray, a: csr_array, upper: np.ndarray, p: int, clock: _Clock
) -> tuple[float, np.ndarray]:
    """The LP relaxation's lower bound ``low`` (less a safety margin) and every pair's reduced cost."""
    lp = linprog(objective, A_ub=a, b_ub=upper, bounds=(0.0, 1.0), method="highs-ds", options=clock.options())
    if lp.status == 0:
        low = float(lp.fun) - SLACK * max(1.0, abs(float(lp.fun)))
        return low, np.asarray(lp.lower.marginals[:p], dtype=np.float64)
    return 0.0, np.zeros(p)  # the time limit stopped even the LP: no pricing, every pair stays


def _solve_band(
    objective: np.ndarray,
    a: csr_array,
    upper: np.ndarray,
    keep: np.ndarray,
    band: np.ndarray | None,
    q: int,
    cutoff: float,
    clock: _Clock,
) -> tuple[Any, np.ndarray]:
    """The program on the kept pairs (and every spreading variable) for placements costing at most
    ``cutoff``; with ``band``, only those using at least one of its pairs. The result and the variables."""
    p = keep.size
    chosen = np.concatenate([np.flatnonzero(keep), p + np.arange(q)])
    # Only strictly better placements: the cut-off row ``cost <= target(best)`` turns proving
    # ``best`` optimal into proving infeasibility, which HiGHS does several times faster.
    extra = [csr_array(objective[chosen][None, :])]
    limits = [cutoff]
    if band is not None:
        extra.append(csr_array(-np.append(band[keep].astype(np.float64), np.zeros(q))[None, :]))
        limits.append(-1.0)
    res = milp(
        objective[chosen],
        integrality=np.ones(chosen.size),
        bounds=Bounds(0.0, 1.0),
        constraints=LinearConstraint(
            vstack([a[:, chosen], *extra], format="csr"), -np.inf, np.append(upper, limits)
        ),
        options=clock.options(mip_rel_gap=0.0, presolve=False),
    )
    return res, chosen


def _scatter(values: np.ndarray, chosen: np.ndarray, size: int) -> np.ndarray:
    """A solve's values over ``chosen`` placed into all ``size`` variables (zero elsewhere)."""
    x = np.zeros(size)
    x[chosen] = values
    return x


def _stopped_bound(res: object, low: float, best_value: float, excluded: float, whole: bool) -> float:
    """The proven lower bound when the time limit stopped a band's solve."""
    # Earlier bands: no better than ``best``; this band: at least its dual bound; the rest: excluded.
    bound = max(low, min(_dual(res, low), best_value, excluded))
    if whole:  # the optimum is a whole number too
        bound = float(math.ceil(bound - 1e-6))
    return bound


def _least_cost(
    cost: np.ndarray,
    size: np.ndarray,
    capacity: np.ndarray,
    eligible: np.ndarray,
    spread: float,
    count: int,
    start: np.ndarray,
    clock: _Clock,
) -> tuple[np.ndarray, float, bool]:
    """Stage 2: the cheapest placement of ``count`` items (``start`` is one); its columns, a proven lower
    bound of the cost and whether it is proven optimal. See the module docstring (reduced-cost pricing)."""
    n = cost.shape[0]
    rows, cols, y_k, a, upper = _model(size, capacity, eligible, _most_that_fit(size, eligible, capacity))
    p, q = rows.size, y_k.size
    upper[-1] = -count
    objective = np.concatenate([cost[rows, cols], spread * (y_k - 1)])
    whole = bool(np.array_equal(objective, np.round(objective)))  # whole costs: so is the optimum

    def target(value: float) -> float:  # what a strictly better placement costs at most
        return value - 1.0 if whole else value - 1e-6 * max(1.0, abs(value))

    best, best_value = start, total_cost(start, cost, spread)
    low, reduced = _lower_bound_and_prices(objective, a, upper, p, clock)
    tau, covered = min(1.0, target(best_value) - low), -np.inf
    while True:
        keep = reduced <= tau + SLACK
        everything = bool(keep.all())
        # A placement with a dropped pair costs more than ``low + tau`` (at least ``excluded``).
        excluded = np.inf if everything else low + float(reduced[~keep].min())
        # Placements whose pairs all have reduced costs <= ``covered`` are done with: none beats ``best``.
        # So this solve needs only those with at least one pair of the new band (covered, tau].
        band = keep & (reduced > covered + SLACK)
        res = None
        if band.any():
            res, chosen = _solve_band(
                objective,
                a,
                upper,
                keep,
                band if np.isfinite(covered) else None,
                q,
                target(best_value),
                clock,
            )
            if res.x is not None:
                found = _columns(_scatter(res.x, chosen, p + q), rows, cols, n)
                value = total_cost(found, cost, spread)
                if value < best_value:
                    best, best_value = found, value
        if res is not None and res.status not in (0, 2):  # stopped by the time limit
            bound = _stopped_bound(res, low, best_value, excluded, whole)
            return best, bound, best_value <= bound + 1e-9
        # Dropped pairs have reduced costs above tau + SLACK: with one, a placement costs over target(best).
        if everything or tau + 1e-9 >= target(best_value) - low:
            return best, best_value, True
        covered, tau = tau, min(target(best_value) - low, tau + BAND)


def solve(
    cost: np.ndarray,
    size: np.ndarray,
    capacity: np.ndarray,
    *,
    spread: float = 1.0,
    time_limit: float | None = None,
) -> Solution:
    """Lexicographically optimal placement (most items, then least cost); see the module docstring."""
    clock = _Clock(time_limit)
    cost = np.asarray(cost, dtype=np.float64)
    size = np.asarray(size, dtype=np.int64).reshape(-1)
    capacity = np.maximum(np.asarray(capacity, dtype=np.int64).reshape(-1), 0)
    _validate(cost, size, capacity)
    eligible = np.isfinite(cost) & (size[:, None] <= capacity[None, :])
    placeable = eligible.any(axis=1)
    if not placeable.any():
        columns = np.full(cost.shape[0], -1, dtype=np.int64)
        return Solution(columns, 0, 0.0, True, 0, 0.0, time.perf_counter() - clock.started)
    g = math.gcd(*size[placeable].tolist())
    size, capacity = size // g, capacity // g
    columns, max_placed = _most_items(cost, size, capacity, eligible, clock)
    placed = int((columns >= 0).sum())
    bound, proven = total_cost(columns, cost, spread), True
    if placed:
        columns, bound, proven = _least_cost(cost, size, capacity, eligible, spread, placed, columns, clock)
    value = total_cost(columns, cost, spread)
    seconds = time.perf_counter() - clock.started
    if max_placed == placed:
        return Solution(columns, placed, value, proven, placed, value if proven else bound, seconds)
    return Solution(columns, placed, value, False, max_placed, 0.0, seconds)
