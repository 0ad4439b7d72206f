"""The generic exact core ``assign`` against exhaustive enumeration, plus its edge cases."""

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from matching.engine import assign

EXAMPLES = int(os.environ.get("ENGINE_EXAMPLES", "150"))
INF = np.inf


def evaluate(cost, capacity, slot_cost, cols):
    """(matched rows, total cost) of an assignment; slot costs: the t cheapest places of a column."""
    total = 0.0
    for c in range(cost.shape[1]):
        t = int((cols == c).sum())
        assert t <= capacity[c]
        if slot_cost is not None:
            total += sum(sorted(slot_cost[c, : capacity[c]])[:t])
    for r, c in enumerate(cols):
        if c >= 0:
            assert np.isfinite(cost[r, c])
            total += cost[r, c]
    return int((cols >= 0).sum()), total


def brute_force(cost, capacity, slot_cost):
    """Lexicographic optimum over all (m + 1) ** n choices, vectorised with numpy."""
    n, m = cost.shape
    choices = np.indices((m + 1,) * n).reshape(n, -1).T - 1 if n else np.zeros((1, 0), dtype=np.int64)
    ext = np.c_[cost, np.zeros(n)]  # column m stands for "unmatched" (index -1)
    picked = ext[np.arange(n)[None, :], np.where(choices < 0, m, choices)] if n else np.zeros((1, 0))
    ok = np.isfinite(picked).all(axis=1)
    counts = (choices[:, :, None] == np.arange(m)[None, None, :]).sum(axis=1)
    ok &= (counts <= capacity[None, :]).all(axis=1)
    total = np.where(np.isfinite(picked), picked, 0).sum(axis=1)
    if slot_cost is not None:
        for c in range(m):
            prefix = np.r_[0.0, np.cumsum(np.sort(slot_cost[c, : capacity[c]]))]
            total += prefix[np.minimum(counts[:, c], capacity[c])]
    matched = (choices >= 0).sum(axis=1)
    best = matched[ok].max()
    return int(best), float(total[ok & (matched == best)].min())


@st.composite
def assignment_problems(draw):
    n = draw(st.integers(0, 6))
    m = draw(st.integers(0, 5))
    values = st.one_of(st.just(INF), st.integers(-3, 9).map(float), st.sampled_from([0.5, 2.5, 7.25]))
    cost = draw(hnp.arrays(np.float64, (n, m), elements=values))
    capacity = draw(hnp.arrays(np.int64, (m,), elements=st.integers(0, 3)))
    slot_cost = None
    if draw(st.booleans()):
        slot_cost = draw(hnp.arrays(np.float64, (m, 3), elements=st.integers(0, 5).map(float)))
    return cost, capacity, slot_cost


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(assignment_problems())
def test_it_assigns_the_brute_force_lexicographic_optimum(case):
    cost, capacity, slot_cost = case
    cols = assign(cost, capacity, slot_cost)
    assert cols.shape == (cost.shape[0],)
    assert cols.dtype == np.int64
    assert evaluate(cost, capacity, slot_cost, cols) == pytest.approx(brute_force(cost, capacity, slot_cost))
    assert np.array_equal(assign(cost, capacity, slot_cost), cols)  # deterministic


def test_it_prefers_more_matches_over_lower_cost():
    # Row 0 alone would take column 0 for free; matching both rows forces it onto the 100-cost column.
    cost = np.array([[0.0, 100.0], [0.0, INF]])
    assert assign(cost, np.array([1, 1])).tolist() == [1, 0]


def test_it_keeps_big_m_dominance_with_wide_cost_ranges():
    # Finite costs spanning 10^6 and 0 still must not trade a match for a saving.
    cost = np.array([[0.0, 1e6, INF], [0.0, INF, INF], [INF, 0.0, 5.0]])
    assert assign(cost, np.array([1, 1, 1])).tolist() == [1, 0, 2]


def test_it_fills_cheapest_slots_first_and_spreads_with_convex_slot_costs():
    cost = np.zeros((3, 2))
    slot = np.array([[0.0, 10.0, 20.0], [1.0, 11.0, 21.0]])
    cols = assign(cost, np.array([3, 3]), slot)
    # Cheapest three places are 0 and 10 of column 0 and 1 of column 1.
    assert sorted(cols.tolist()) == [0, 0, 1]


def test_it_never_exceeds_capacity_and_leaves_rows_unassigned_when_full():
    cost = np.ones((4, 2))
    cols = assign(cost, np.array([1, 2]))
    assert sorted(cols.tolist()) == [-1, 0, 1, 1]


def test_it_ignores_zero_capacity_and_all_infinite_rows_and_columns():
    cost = np.array([[1.0, INF, 2.0], [INF, INF, INF], [3.0, INF, INF]])
    assert assign(cost, np.array([0, 5, 1])).tolist() == [2, -1, -1]


def test_it_handles_empty_inputs():
    assert assign(np.zeros((0, 3)), np.array([1, 1, 1])).tolist() == []
    assert assign(np.zeros((2, 0)), np.zeros(0, dtype=np.int64)).tolist() == [-1, -1]


def test_it_handles_more_rows_than_places():
    cost = np.array([[5.0], [1.0], [3.0]])
    assert assign(cost, np.array([2])).tolist() == [-1, 0, 0]


@pytest.mark.parametrize(
    ("cost", "capacity", "slot_cost", "message"),
    [
        (np.zeros(3), np.array([1]), None, "2-dimensional"),
        (np.zeros((2, 2)), np.array([1]), None, "capacity has 1 entries"),
        (np.array([[np.nan]]), np.array([1]), None, "finite values and \\+inf"),
        (np.array([[-INF]]), np.array([1]), None, "finite values and \\+inf"),
        (np.zeros((1, 1)), np.array([2]), np.zeros((1, 1)), "fewer places"),
        (np.zeros((1, 1)), np.array([1]), np.array([[INF]]), "finite for every place"),
        (np.zeros((1, 1)), np.array([1]), np.zeros((2, 1)), "shape \\(m, max_capacity\\)"),
    ],
)
def test_it_rejects_malformed_input(cost, capacity, slot_cost, message):
    with pytest.raises(ValueError, match=message):
        assign(cost, capacity, slot_cost)


def test_it_solves_a_dense_instance_exactly_like_plain_linear_sum_assignment():
    # Unit capacities and no infeasible entries: the answer must equal scipy's on the raw matrix.
    from scipy.optimize import linear_sum_assignment

    rng = np.random.default_rng(3)
    cost = rng.integers(0, 50, size=(300, 500)).astype(float)
    cols = assign(cost, np.ones(500, dtype=np.int64))
    r, c = linear_sum_assignment(cost)
    assert (cols >= 0).all()
    assert cost[np.arange(300), cols].sum() == cost[r, c].sum()
