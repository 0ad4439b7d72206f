"""Generic exact capacitated assignment: rows to columns with capacities and per-slot costs.

Used for buddies (pupils -> buddies with 1-3 places) and meant to be reused by other domains (e.g.
caseloads: support requests -> language supporters whose free hours are slots).

Problem: given ``cost[i, c]`` (``inf`` = row i may not use column c), ``capacity[c]`` and an optional
``slot_cost[c, j]`` (extra cost of the j-th place of column c), choose for each row at most one column,
using at most ``capacity[c]`` places of column c, so that lexicographically

1. the number of assigned rows is maximal, then
2. the total cost (row costs plus the slot costs of the places used) is minimal.

Method: expand every column into its places ("slot columns") and solve one rectangular assignment
problem with ``scipy.optimize.linear_sum_assignment`` (shortest augmenting paths, exact). Infeasible
entries get a finite big-M value; see :func:`_big_m` for why that yields lexicographic optimality.

Exact reductions applied before solving (each keeps at least one optimal solution intact):

* rows with no finite entry and columns with no finite entry or no capacity are dropped: they can
  never be part of an assignment;
* column c gets only ``min(capacity[c], rows that may use c)`` places: it can never receive more rows
  than may use it;
* the places used are the cheapest ones of that column (``slot_cost`` sorted ascending): places of one
  column are interchangeable except for their slot cost, so any solution that uses t places of c can
  swap them for the t cheapest without getting worse. (For load spreading give non-decreasing slot
  costs; then "the t cheapest" are simply the first t.)

Not applied: the classic "a row only ever needs one of its n cheapest places" reduction (n = rows) is
exact too (if a row sat elsewhere, one of those n places is free and no dearer), but on the dense
regional benchmark (2,000 pupils x 7,541 places) the union over rows keeps 7,455 places: computing it
would cost more than the ~1 % it saves.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment


def _big_m(n_edges: int, spread: float) -> float:
    """Finite stand-in for "infeasible" that makes matching more rows always win over lower cost.

    After shifting, finite costs lie in ``[0, spread]``. Because the expanded matrix is treated as a
    complete bipartite graph, the solver always returns ``k = min(rows, places)`` edges; an optimum
    with t big-M edges corresponds to a real assignment of ``k - t`` rows (drop the big-M edges), and
    any real assignment of size ``k - t`` extends to k edges with t big-M ones. Let ``M > k * spread``.
    A solution with t big-M edges costs at least ``t * M``; one with ``t - 1`` costs at most
    ``(t - 1) * M + k * spread < t * M``. So every solution with fewer big-M edges (= more matched rows)
    is strictly cheaper, and among those with the optimal count the real costs decide: the optimum is
    lexicographically optimal. With integer (or dyadic) costs all sums stay exact in float64 as long
    as ``k * M < 2**53``, which holds by a wide margin for our sizes (k <= 10^5, spread <= 10^3).
    """
    return float(n_edges) * float(spread) + 1.0


def _expand_slots(
    capacity: np.ndarray, slot_cost: np.ndarray | None, usable: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(column index per place, extra cost per place)`` for the places worth keeping."""
    places = np.minimum(capacity, usable)
    col_of_place = np.repeat(np.arange(capacity.shape[0]), places)
    if slot_cost is None:
        return col_of_place, np.zeros(col_of_place.shape[0])
    # j-th cheapest place of each column; places beyond the capacity are pushed to the end by +inf.
    ordered = np.where(np.arange(slot_cost.shape[1])[None, :] < capacity[:, None], slot_cost, np.inf)
    ordered.sort(axis=1)
    starts = np.cumsum(places) - places
    j = np.arange(col_of_place.shape[0]) - np.repeat(starts, places)
    return col_of_place, ordered[col_of_place, j]


def assign(cost: np.ndarray, capacity: np.ndarray, slot_cost: np.ndarray | None = None) -> np.ndarray:
    """Lexicographically optimal capacitated assignment (max rows assigned, then min total cost).

    ``cost`` is ``(n, m)`` float with ``np.inf`` for forbidden pairs, ``capacity`` is ``(m,)`` int and
    ``slot_cost`` (optional, ``(m, max_capacity)``) the extra cost of each place of a column; entries at
    ``j >= capacity[c]`` are ignored. Returns an ``(n,)`` int64 array with the column of each row or -1.
    Deterministic: the same input always gives the same output.
    """
    cost = np.asarray(cost, dtype=np.float64)
    if cost.ndim != 2:
        raise ValueError(f"cost must be 2-dimensional, got shape {cost.shape}")
    n, m = cost.shape
    capacity = np.asarray(capacity).astype(np.int64).reshape(-1)
    if capacity.shape[0] != m:
        raise ValueError(f"capacity has {capacity.shape[0]} entries, cost has {m} columns")
    if np.isnan(cost).any() or np.isneginf(cost).any():
        raise ValueError("cost may contain finite values and +inf only")
    if slot_cost is not None:
        slot_cost = np.asarray(slot_cost, dtype=np.float64)
        if slot_cost.ndim != 2 or slot_cost.shape[0] != m:
            raise ValueError(f"slot_cost must have shape (m, max_capacity), got {slot_cost.shape}")
        if slot_cost.shape[1] < capacity.max(initial=0):
            raise ValueError("slot_cost has fewer places than the largest capacity")
        needed = np.arange(slot_cost.shape[1])[None, :] < capacity[:, None]
        if not np.isfinite(slot_cost[needed]).all():
            raise ValueError("slot_cost must be finite for every place within capacity")
    out = np.full(n, -1, dtype=np.int64)
    capacity = np.maximum(capacity, 0)

    finite = np.isfinite(cost)
    rows = np.flatnonzero(finite.any(axis=1))
    usable_per_col = finite[rows].sum(axis=0)
    cols = np.flatnonzero((usable_per_col > 0) & (capacity > 0))
    if rows.size == 0 or cols.size == 0:
        return out
    # Only copy when something was pruned: on dense components this avoids a second full matrix.
    sub = cost if (rows.size == n and cols.size == m) else cost[np.ix_(rows, cols)]
    sub_slots = None if slot_cost is None else slot_cost[cols]
    col_of_place, extra = _expand_slots(capacity[cols], sub_slots, usable_per_col[cols])

    values = sub[np.isfinite(sub)]  # non-empty: every kept row and column has a finite entry
    lo = float(values.min()) + float(extra.min())
    hi = float(values.max()) + float(extra.max())
    r, c = solve_places(sub, col_of_place, extra, lo, hi)
    out[rows[r]] = cols[col_of_place[c]]
    return out


def solve_places(
    base: np.ndarray, place_col: np.ndarray, place_cost: np.ndarray, lo: float, hi: float
) -> tuple[np.ndarray, np.ndarray]:
    """Exact core on places: row i on place p costs ``base[i, place_col[p]] + place_cost[p]``.

    ``lo``/``hi`` must bound every finite entry of that matrix (they need not be tight: a loose ``hi``
    only makes big-M larger, see :func:`_big_m`); ``inf`` marks forbidden pairs. Returns the real
    ``(row, place)`` edges of a lexicographic optimum (max rows, then min cost). Callers with many small
    problems pass precomputed places and bounds, so this costs six numpy calls plus the solve.
    """
    matrix = base[:, place_col]  # fancy indexing: a fresh array we may modify in place
    matrix += place_cost[None, :]
    if lo != 0.0:
        matrix -= lo  # inf stays inf
    big = _big_m(min(matrix.shape), hi - lo)
    np.minimum(matrix, big, out=matrix)  # inf -> big-M; every finite entry is <= hi - lo < big
    r, c = linear_sum_assignment(matrix)
    real = matrix[r, c] < big
    if real.all():  # the common case: every edge is a real pair
        return r, c
    return r[real], c[real]
