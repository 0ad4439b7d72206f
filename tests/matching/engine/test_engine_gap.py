"""matching.engine.gap is exact: most items, then least pair cost plus spreading term.

Two independent references: depth-first enumeration of every placement (small instances, any costs,
forbidden pairs, mixed sizes, tight and ample), and one plain MILP over every pair (the textbook model,
no classes, no pricing, no cut-off) on medium instances where pricing has to widen its set of pairs.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from matching.engine import gap

SIZES = [4, 6, 8]


@st.composite
def instances(draw: st.DrawFn, *, tight: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    n, m = draw(st.integers(1, 7)), draw(st.integers(1, 3))
    size = np.array(draw(st.lists(st.sampled_from(SIZES), min_size=n, max_size=n)), dtype=np.int64)
    cells = st.one_of(st.integers(0, 18).map(float), st.just(math.inf))
    cost = np.array(draw(st.lists(cells, min_size=n * m, max_size=n * m)), dtype=np.float64).reshape(n, m)
    asked = int(size.sum())
    if tight:  # together fewer hours than asked
        capacity = [draw(st.integers(0, max(0, asked // m - 1))) for _ in range(m)]
    else:  # each bin alone could take everything
        capacity = [asked + draw(st.integers(0, 5)) for _ in range(m)]
    spread = draw(st.sampled_from([0, 1, 3]))
    return cost, size, np.array(capacity, dtype=np.int64), spread


def brute_force(cost: np.ndarray, size: np.ndarray, capacity: np.ndarray, spread: float) -> tuple[int, float]:
    n, m = cost.shape
    best = (0, 0.0)

    def visit(i: int, left: list[int], counts: list[int], placed: int, total: float) -> None:
        nonlocal best
        if i == n:
            if placed > best[0] or (placed == best[0] and total < best[1]):
                best = (placed, total)
            return
        visit(i + 1, left, counts, placed, total)
        for c in range(m):
            if math.isfinite(cost[i, c]) and left[c] >= size[i]:
                left[c] -= int(size[i])
                counts[c] += 1
                visit(i + 1, left, counts, placed + 1, total + cost[i, c] + spread * (counts[c] - 1))
                counts[c] -= 1
                left[c] += int(size[i])

    visit(0, capacity.tolist(), [0] * m, 0, 0.0)
    return best


def check(cost: np.ndarray, size: np.ndarray, capacity: np.ndarray, spread: float) -> gap.Solution:
    solution = gap.solve(cost, size, capacity, spread=spread)
    placed = solution.columns >= 0
    assert np.isfinite(cost[placed, solution.columns[placed]]).all()
    used = np.bincount(solution.columns[placed], weights=size[placed], minlength=capacity.size)
    assert (used <= capacity).all()
    assert solution.cost == gap.total_cost(solution.columns, cost, spread)
    assert (solution.optimal, solution.missing_at_most, solution.cost_gap) == (True, 0, 0.0)
    return solution


@pytest.mark.parametrize("tight", [True, False], ids=["tight", "ample"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_it_is_optimal_against_brute_force(tight, data):
    cost, size, capacity, spread = data.draw(instances(tight=tight))
    solution = check(cost, size, capacity, spread)
    assert (solution.placed, solution.cost) == brute_force(cost, size, capacity, spread)


def plain_milp(cost: np.ndarray, size: np.ndarray, capacity: np.ndarray) -> tuple[int, float]:
    """One MILP over every pair, binary x and, per bin, s >= k t - k (k + 1) / 2 (spread 1); count weighted
    above any cost (``W`` larger than every placement's cost)."""
    n, m = cost.shape
    rows, cols = np.nonzero(np.isfinite(cost))
    p = rows.size
    weight = float(cost[rows, cols].sum() + n * n + 1)
    r, c, v = list(rows), list(range(p)), [1.0] * p  # each item at most once
    r += list(n + cols)  # capacity
    c += list(range(p))
    v += list(size[rows].astype(float))
    upper = [1.0] * n + capacity.astype(float).tolist()
    row = n + m
    for b in range(m):  # spreading: k t_b - s_b <= k (k + 1) / 2
        members = np.flatnonzero(cols == b)
        for k in range(1, n):
            r += [row] * members.size + [row]
            c += [*members.tolist(), p + b]
            v += [float(k)] * members.size + [-1.0]
            upper.append(k * (k + 1) / 2)
            row += 1
    a = csr_array((v, (r, c)), shape=(row, p + m))
    objective = np.concatenate([cost[rows, cols] - weight, np.ones(m)])
    res = milp(
        objective,
        integrality=np.ones(p + m),
        bounds=Bounds(0, np.concatenate([np.ones(p), np.full(m, np.inf)])),
        constraints=LinearConstraint(a, -np.inf, upper),
        options={"mip_rel_gap": 0.0},
    )
    placed = round(float(res.x[:p].sum()))
    return placed, round(res.fun + weight * placed)


@pytest.mark.parametrize("band", [gap.BAND, 0.5])
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.booleans())
def test_it_agrees_with_a_plain_milp_on_medium_instances(band, seed, tight):
    rng = np.random.default_rng(seed)
    n, m = 24, 5
    cost = rng.integers(0, 19, size=(n, m)).astype(np.float64)
    cost[rng.random((n, m)) < 0.15] = np.inf
    size = rng.choice(SIZES, size=n)
    capacity = rng.integers(4, 20 if tight else 60, size=m)
    default, gap.BAND = gap.BAND, band  # not monkeypatch: hypothesis runs the body many times per test
    try:
        solution = check(cost, size, capacity, 1)
    finally:
        gap.BAND = default

    assert (solution.placed, solution.cost) == plain_milp(cost, size, capacity)


@pytest.mark.parametrize("band", [gap.BAND, 0.5])
def test_pricing_widens_its_pairs_until_the_optimum_is_proven(monkeypatch, band):
    # Reduced costs above 1 are dropped at first; here the optimum needs pairs the first round dropped
    # (several bins, tight, spread), so at least two restricted solves run and the answer is still exact.
    calls = []
    original = gap.milp
    monkeypatch.setattr(gap, "milp", lambda *a, **k: calls.append(a[0].size) or original(*a, **k))
    monkeypatch.setattr(gap, "BAND", band)  # 0.5: many bands, each solve only for its own band
    rng = np.random.default_rng(1)
    n, m = 40, 6
    cost = rng.integers(0, 19, size=(n, m)).astype(np.float64)
    size = rng.choice(SIZES, size=n)
    capacity = rng.integers(10, 40, size=m)

    solution = check(cost, size, capacity, 1)

    assert len(calls) >= 3  # stage 1, then stage 2 at least twice
    assert calls[1] < calls[2] < n * m  # the second round kept more pairs, still not all
    if band < 1:
        assert len(calls) >= 5
    assert (solution.placed, solution.cost) == plain_milp(cost, size, capacity)


def test_it_is_deterministic():
    rng = np.random.default_rng(11)
    cost = rng.integers(0, 6, size=(60, 8)).astype(np.float64)  # many ties
    size = rng.choice(SIZES, size=60)
    capacity = rng.integers(10, 50, size=8)

    first = gap.solve(cost, size, capacity)

    assert all(np.array_equal(first.columns, gap.solve(cost, size, capacity).columns) for _ in range(3))


@pytest.mark.parametrize("limit", [0.05, 0.3])
def test_the_bounds_it_reports_when_stopped_hold_for_the_true_optimum(limit):
    rng = np.random.default_rng(5)
    n, m = 150, 25
    cost = rng.integers(0, 19, size=(n, m)).astype(np.float64)
    size = rng.choice(SIZES, size=n)
    capacity = rng.integers(10, 40, size=m)
    best = gap.solve(cost, size, capacity)

    stopped = gap.solve(cost, size, capacity, time_limit=limit)

    assert best.optimal
    assert stopped.placed <= best.placed <= stopped.max_placed
    if stopped.missing_at_most == 0:
        assert stopped.cost_bound <= best.cost <= stopped.cost
    if (
        stopped.placed == best.placed
    ):  # stage 1 pairs a class's items cheaply: a fair start, not any placement
        assert stopped.cost <= 2 * best.cost
    assert stopped.optimal == (stopped.missing_at_most == 0 and stopped.cost_gap == 0)
