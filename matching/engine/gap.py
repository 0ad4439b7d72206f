"""Exact generalized assignment with whole-number sizes and a load-spreading term (numpy/scipy only).

Problem: ``n`` items (support requests) of whole-number ``size[i]``, ``m`` bins (supporters) with a
whole-number ``capacity[c]`` and ``cost[i, c] >= 0`` (``inf``: item i may not go to bin c). Choose for each
item at most one bin so that the sizes in every bin add up to at most its capacity, lexicographically

1. the number of items placed is maximal, then
2. the total cost is minimal: the pair costs plus the spreading term, ``spread x k`` for the k-th item
   (k = 0, 1, 2, ...) a bin receives, i.e. ``spread x t (t - 1) / 2`` for a bin with t items.

Formulation (one MILP, solved by HiGHS through :func:`scipy.optimize.milp`): binary ``x[i, c]`` for every
eligible pair (finite cost, item fits the empty bin); ``sum_c x[i, c] <= 1``; ``sum_i size[i] x[i, c] <=
capacity[c]``; the spreading term by continuous ``y[c, k] in [0, 1]`` for k = 2..K_c (K_c: most items
that fit bin c) with cost ``spread x (k - 1)`` and ``sum_i x[i, c] - sum_k y[c, k] <= 1``. The y costs
increase with k, so for any integer x the cheapest y fills k = 2..t and costs exactly the spreading term.
Sizes and capacities are divided by the gcd of the sizes (exact for whole numbers; tightens the LP).

Lexicographic objective in two stages on the same constraints: stage 1 maximises the number of items
placed (t); stage 2 adds ``sum x >= t`` and minimises the cost. (One MILP with a dominating weight
``W = U + 1``, U bounding every solution's cost, is equivalent but measured several times slower on tight
queues: the huge weight leaves the LP bound of the cost part loose.)

Time limit (shared by both stages): HiGHS returns its best solution and a proven dual bound. Stage 1's
bound is the most items any solution can place (``max_placed``); when stage 1 reached it, stage 2's bound
is the least cost possible with that many (``cost_bound``). :class:`Solution` reports both; when no limit
was hit they equal the solution (gap zero). Deterministic: HiGHS is deterministic for the same input, and callers
order items and bins by id (a solve stopped by the time limit depends on the machine's speed).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array


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
    # The last row, ``-sum x <= -t``, keeps stage 2 at stage 1's count (t = 0 in stage 1).
    upper = np.concatenate([np.ones(n), capacity, np.ones(m), [0.0]])
    return rows, cols, y_k.astype(np.float64), a, upper


def _milp(c_vec: np.ndarray, p: int, a: csr_array, upper: np.ndarray, time_limit: float | None) -> Any:
    options: dict[str, float | bool] = {"mip_rel_gap": 0.0, "presolve": True}
    if time_limit is not None:
        options["time_limit"] = max(0.1, float(time_limit))
    return milp(
        c_vec,
        integrality=np.ones(c_vec.size),
        bounds=Bounds(0.0, 1.0),
        constraints=LinearConstraint(a, -np.inf, upper),
        options=options,
    )


def _dual(res: object, fallback: float) -> float:
    dual = getattr(res, "mip_dual_bound", None)
    return fallback if dual is None or not np.isfinite(dual) else float(dual)


def _columns(x: np.ndarray, rows: np.ndarray, cols: np.ndarray, p: int, empty: np.ndarray) -> np.ndarray:
    out = empty.copy()
    chosen = np.flatnonzero(x[:p] > 0.5)
    out[rows[chosen]] = cols[chosen]
    return out


def solve(
    cost: np.ndarray,
    size: np.ndarray,
    capacity: np.ndarray,
    *,
    spread: float = 1.0,
    time_limit: float | None = None,
) -> Solution:
    """Lexicographically optimal placement (most items, then least cost); see the module docstring."""
    started = time.perf_counter()
    cost = np.asarray(cost, dtype=np.float64)
    size = np.asarray(size, dtype=np.int64).reshape(-1)
    capacity = np.maximum(np.asarray(capacity, dtype=np.int64).reshape(-1), 0)
    _validate(cost, size, capacity)
    columns = np.full(cost.shape[0], -1, dtype=np.int64)
    eligible = np.isfinite(cost) & (size[:, None] <= capacity[None, :])
    candidates = int(eligible.any(axis=1).sum())
    if candidates == 0:
        return Solution(columns, 0, 0.0, True, 0, 0.0, time.perf_counter() - started)
    g = math.gcd(*size[eligible.any(axis=1)].tolist())
    size, capacity = size // g, capacity // g
    most = _most_that_fit(size, eligible, capacity)
    rows, cols, y_k, a, upper = _model(size, capacity, eligible, most)
    p = rows.size

    # Stage 1: the most items.
    first = _milp(np.concatenate([-np.ones(p), np.zeros(y_k.size)]), p, a, upper, time_limit)
    count = 0 if first.x is None else round(-first.fun)
    max_placed = max(count, min(candidates, math.floor(-_dual(first, -candidates) + 1e-6)))
    # Stage 2: the least cost among solutions with that many items.
    upper[-1] = -count
    left = None if time_limit is None else time_limit - (time.perf_counter() - started)
    second = _milp(np.concatenate([cost[rows, cols], spread * (y_k - 1)]), p, a, upper, left)
    # Stopped by the time limit, stage 2's incumbent can be dearer than stage 1's solution: keep the better.
    found = [_columns(res.x, rows, cols, p, columns) for res in (second, first) if res.x is not None]
    if found:
        columns = min(found, key=lambda col: (-int((col >= 0).sum()), total_cost(col, cost, spread)))
    placed = int((columns >= 0).sum())
    value = total_cost(columns, cost, spread)
    seconds = time.perf_counter() - started
    if first.status == 0 and second.status == 0:
        return Solution(columns, placed, value, True, placed, value, seconds)
    cost_bound = min(value, max(0.0, _dual(second, 0.0))) if max_placed == placed else 0.0
    optimal = max_placed == placed and value - cost_bound <= 1e-6 * max(1.0, value)
    return Solution(columns, placed, value, optimal, max_placed, cost_bound, seconds)
