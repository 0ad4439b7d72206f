"""The open-queue proposal is optimal: most requests, then least cost including the spreading term.

Checked against an independent exact formulation: depth-first enumeration of every allocation of a small
queue (up to 7 requests x 3 supporters) that fits free hours, scored by the documented objective."""

from decimal import Decimal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseloads import allocation
from caseloads.models import SupporterProfile, Topic
from caseloads.workload import Load
from matching.engine import gap

TOPICS = list(Topic.values)
LANGS = ["ar", "uk", "tr", "pl"]
SIZES = [4, 6, 8]  # TOPIC_HOURS (4, 6) plus the urgency extra (2)


@st.composite
def queues(draw: st.DrawFn, *, tight: bool) -> tuple[list[allocation.RequestFacts], list[Load]]:
    n, m = draw(st.integers(1, 7)), draw(st.integers(1, 3))
    requests = [
        allocation.RequestFacts(
            id=i + 1,
            topic=draw(st.sampled_from(TOPICS)),
            languages=frozenset(draw(st.lists(st.sampled_from(LANGS), max_size=2))),
            municipality_id=draw(st.sampled_from([1, 2])),
            hours=draw(st.sampled_from(SIZES)),
        )
        for i in range(n)
    ]
    asked = sum(r.hours for r in requests)
    loads = []
    for c in range(m):
        profile = SupporterProfile(
            user_id=100 + c,
            expertise=draw(st.lists(st.sampled_from(TOPICS), max_size=3, unique=True)),
            languages=draw(st.lists(st.sampled_from(LANGS), max_size=2, unique=True)),
            home_municipality_id=draw(st.sampled_from([1, 2, None])),
            active=draw(st.booleans()) or c == 0,
        )
        # Tight: together less than asked; ample: every supporter alone could take the whole queue.
        free = draw(st.integers(0, max(0, asked // m - 1))) if tight else asked + draw(st.integers(0, 9))
        committed = draw(st.integers(0, 12))
        contract = Decimal(free + committed) + Decimal(draw(st.sampled_from(["0", "0.3", "0.7"])))
        loads.append(Load(profile, contract, committed))
    return requests, loads


def _brute_force(cost: np.ndarray, sizes: list[int], free: list[float]) -> tuple[int, float]:
    """Best (count, cost incl. 0 + 1 + ... + (t - 1) per supporter with t) over every allocation that fits."""
    n, m = cost.shape
    best = (0, 0.0)

    def visit(i: int, left: list[float], counts: list[int], count: int, total: float) -> None:
        nonlocal best
        if i == n:
            if count > best[0] or (count == best[0] and total < best[1]):
                best = (count, total)
            return
        visit(i + 1, left, counts, count, total)
        for c in range(m):
            if np.isfinite(cost[i, c]) and left[c] >= sizes[i]:
                left[c] -= sizes[i]
                counts[c] += 1
                visit(i + 1, left, counts, count + 1, total + cost[i, c] + counts[c] - 1)
                counts[c] -= 1
                left[c] += sizes[i]

    visit(0, list(free), [0] * m, 0, 0.0)
    return best


def _check_optimal(requests: list[allocation.RequestFacts], loads: list[Load]) -> None:
    cost = allocation.cost_matrix(requests, loads)
    free = [float(max(Decimal(0), ld.free)) for ld in loads]

    columns = allocation.solve(requests, loads)

    used = np.zeros(len(loads))
    for r, c in zip(requests, columns, strict=True):
        if c >= 0:
            used[c] += r.hours
    assert (used <= np.array(free)).all()
    found = (int((columns >= 0).sum()), gap.total_cost(columns, cost))
    assert found == _brute_force(cost, [r.hours for r in requests], free)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queues(tight=True))
def test_it_is_optimal_on_tight_mixed_size_queues(queue):
    _check_optimal(*queue)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queues(tight=False))
def test_it_is_optimal_on_ample_mixed_size_queues(queue):
    _check_optimal(*queue)


def _facts(hours: list[int]) -> list[allocation.RequestFacts]:
    return [allocation.RequestFacts(i + 1, Topic.PLACEMENT, frozenset(), 1, h) for i, h in enumerate(hours)]


def _load(user_id: int, free: str) -> Load:
    profile = SupporterProfile(user_id=user_id, expertise=[Topic.PLACEMENT], home_municipality_id=1)
    return Load(profile, Decimal(free), 0)


def test_it_packs_two_small_requests_where_the_slot_method_fitted_one_large():
    # 13 h free: places of the largest size (8 h) allowed one; 6 + 6 fits two.
    columns = allocation.solve(_facts([8, 6, 6]), [_load(100, "13.0")])

    assert columns.tolist() == [-1, 0, 0]


def test_it_spreads_requests_when_pair_costs_are_equal():
    # Three 4-hour requests, two supporters alike: 2 + 1 costs 0 + 1 + 0, 3 + 0 would cost 0 + 1 + 2.
    columns = allocation.solve(_facts([4, 4, 4]), [_load(100, "20.0"), _load(101, "20.0")])

    assert sorted(np.bincount(columns, minlength=2).tolist()) == [1, 2]


def test_it_returns_a_feasible_allocation_with_a_proven_gap_when_the_time_limit_stops_it():
    rng = np.random.default_rng(7)
    n, m = 500, 60
    cost = rng.integers(0, 19, size=(n, m)).astype(np.float64)
    cost[rng.random((n, m)) < 0.3] = np.inf
    sizes = rng.choice(SIZES, size=n)
    capacity = rng.integers(0, 40, size=m)

    solution = gap.solve(cost, sizes, capacity, time_limit=0.2)

    placed = solution.columns >= 0
    used = np.bincount(solution.columns[placed], weights=sizes[placed], minlength=m)
    assert (used <= capacity).all()
    assert solution.placed == int(placed.sum())
    assert solution.cost == gap.total_cost(solution.columns, cost)
    assert not solution.optimal
    assert solution.missing_at_most > 0 or solution.cost_gap > 0
    assert solution.max_placed >= solution.placed
    assert solution.cost_bound <= solution.cost


def test_it_proves_optimality_with_a_zero_gap_when_it_finishes():
    solution = gap.solve(np.array([[1.0, 3.0], [2.0, np.inf]]), np.array([4, 6]), np.array([10, 4]))

    assert solution.columns.tolist() == [0, 0]  # 1 + 2 + spreading 1 beats 3 + 2
    assert (solution.optimal, solution.missing_at_most, solution.cost_gap) == (True, 0, 0.0)
    assert solution.cost == 4.0
