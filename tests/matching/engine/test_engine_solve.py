"""Solve-level behaviour: load spread, locks, exclusions, batching, workers, progress, validation, and
an independent LP cross-check on instances too large for brute force."""

import os
import sys

import numpy as np
import pytest
from scipy.optimize import linprog

from matching.engine import (
    Weights,
    iter_batches,
    merge_results,
    problem_from_records,
    solve,
    solve_batch,
)


def pupil(pid, group=1, **kw):
    return {"id": pid, "group": group, "grade": 2, **kw}


def buddy(bid, group=1, **kw):
    return {"id": bid, "group": group, "grade": 2, "capacity": 1, **kw}


def pairs_of(result):
    return [(p.pupil_id, p.buddy_id) for p in result.pairs]


def random_records(seed, groups=3, pupils_per_group=25, buddies_per_group=15):
    rng = np.random.default_rng(seed)
    langs, interests = ["ar", "uk", "pl", "tr", "en", "nl"], ["chess", "football", "music", "art", "games"]
    pupils, buddies = [], []
    for g in range(groups):
        for _ in range(pupils_per_group):
            pupils.append(
                {
                    "id": len(pupils) * 7 + 3,
                    "group": 100 + g,
                    "grade": int(rng.integers(0, 6)),
                    "home_languages": list(rng.choice(langs[:4], int(rng.integers(0, 2)), replace=False)),
                    "languages": list(rng.choice(langs[4:], int(rng.integers(0, 3)), replace=False)),
                    "interests": list(rng.choice(interests, int(rng.integers(0, 4)), replace=False)),
                    "gender_pref": int(rng.choice([0, 0, 0, 1, 2])),
                    "transition_day": int(rng.integers(0, 10)),
                }
            )
        for _ in range(buddies_per_group):
            buddies.append(
                {
                    "id": len(buddies) * 5 + 1,
                    "group": 100 + g,
                    "grade": int(rng.integers(-1, 6)),
                    "languages": list(rng.choice(langs, int(rng.integers(1, 4)), replace=False)),
                    "interests": list(rng.choice(interests, int(rng.integers(0, 4)), replace=False)),
                    "gender": int(rng.integers(1, 3)),
                    "capacity": int(rng.integers(1, 4)),
                    "load": int(rng.integers(0, 2)),
                    "consent": bool(rng.random() < 0.9),
                    "available_from": int(rng.integers(-5, 5)),
                    "available_until": int(rng.integers(5, 15)),
                }
            )
    excl = [(p["id"], b["id"]) for p in pupils[::9] for b in buddies[::7] if p["group"] == b["group"]]
    return pupils, buddies, excl


def test_it_spreads_pupils_over_equally_good_buddies():
    result = solve(problem_from_records([pupil(1), pupil(2)], [buddy(8, capacity=2), buddy(9, capacity=2)]))
    assert pairs_of(result) == [(1, 8), (2, 9)] or pairs_of(result) == [(1, 9), (2, 8)]
    assert [p.reasons[-1] for p in result.pairs] == [("buddy_load", {"load": 0})] * 2


def test_it_makes_load_cost_convex_so_three_pupils_split_two_and_one():
    result = solve(
        problem_from_records([pupil(1), pupil(2), pupil(3)], [buddy(8, capacity=3), buddy(9, capacity=3)])
    )
    loads = sorted(p.reasons[-1][1]["load"] for p in result.pairs)
    assert loads == [0, 0, 1]
    assert result.stats.total_cost == 3 * 11.0 + 2.0


def test_it_trades_load_against_language_by_the_weights():
    pupils = [pupil(1, home_languages=["ar"])]
    buddies = [buddy(8, languages=["ar"], capacity=3, load=2), buddy(9, capacity=1)]
    assert pairs_of(solve(problem_from_records(pupils, buddies))) == [(1, 8)]  # 0 + 2*2 < 8
    heavy = Weights(load=5.0)
    assert pairs_of(solve(problem_from_records(pupils, buddies, weights=heavy))) == [(1, 9)]  # 10 > 8


def test_it_keeps_locked_pupils_and_counts_their_places():
    pupils = [pupil(1), pupil(2, home_languages=["ar"]), pupil(3)]
    buddies = [buddy(8, capacity=2), buddy(9, languages=["ar"], capacity=1)]
    # Pupil 1 is locked to 9 although 9 suits pupil 2 better; 9 is then full.
    result = solve(problem_from_records(pupils, buddies, locked=[(1, 9)]))
    assert pairs_of(result) == [(1, 9), (2, 8), (3, 8)]
    assert [p.locked for p in result.pairs] == [True, False, False]
    assert sorted(p.reasons[-1][1]["load"] for p in result.pairs[1:]) == [0, 1]


def test_it_starts_new_places_after_existing_and_locked_load():
    result = solve(
        problem_from_records([pupil(1), pupil(2)], [buddy(8, capacity=3, load=1)], locked=[(2, 8)])
    )
    assert [(p.pupil_id, p.reasons[-1]) for p in result.pairs] == [
        (1, ("buddy_load", {"load": 2})),
        (2, ("buddy_load", {"load": 1})),
    ]


def test_it_never_proposes_an_excluded_pair_and_ignores_unknown_ids():
    pupils = [pupil(1, home_languages=["ar"])]
    buddies = [buddy(8, languages=["ar"]), buddy(9)]
    result = solve(problem_from_records(pupils, buddies, exclusions=[(1, 8), (77, 9), (1, 99)]))
    assert pairs_of(result) == [(1, 9)]


def test_it_does_not_depend_on_input_order():
    pupils, buddies, excl = random_records(1)
    rng = np.random.default_rng(0)
    shuffled = problem_from_records(
        [pupils[i] for i in rng.permutation(len(pupils))],
        [buddies[i] for i in rng.permutation(len(buddies))],
        exclusions=excl[::-1],
    )
    assert solve(shuffled) == solve(problem_from_records(pupils, buddies, exclusions=excl))


def test_it_gives_identical_results_for_workers_batches_and_merged_batches():
    pupils, buddies, excl = random_records(2, groups=6)
    problem = problem_from_records(
        pupils, buddies, exclusions=excl, locked=[(pupils[0]["id"], buddies[0]["id"])]
    )
    whole = solve(problem)
    assert solve(problem, workers=2, batch_size=20) == whole
    assert merge_results(solve_batch(problem, g) for g in iter_batches(problem, 40)) == whole
    assert whole.stats.components == 6
    assert whole.stats.locked == 1


def test_it_reports_progress_after_each_batch():
    pupils, buddies, _ = random_records(3, groups=3)
    calls = []
    result = solve(problem_from_records(pupils, buddies), batch_size=1, progress=lambda *a: calls.append(a))
    assert [c[:2] for c in calls] == [(1, 3), (2, 3), (3, 3)]
    assert calls[-1][2] == result.stats.matched
    assert calls[0][2] <= calls[1][2] <= calls[2][2]


def test_it_packs_consecutive_groups_into_batches():
    pupils = [pupil(i, group=g) for i, g in enumerate([1, 1, 1, 2, 3, 3, 4])]
    problem = problem_from_records(pupils, [])
    assert [b.tolist() for b in iter_batches(problem, 3)] == [[1], [2, 3], [4]]
    assert [b.tolist() for b in iter_batches(problem, 100)] == [[1, 2, 3, 4]]
    assert solve_batch(problem, [99]).pairs == []
    assert solve_batch(problem, [99]).stats.components == 0


def test_it_counts_stats():
    pupils = [pupil(1, home_languages=["ar"]), pupil(2), pupil(3, group=2)]
    result = solve(problem_from_records(pupils, [buddy(8, languages=["ar"]), buddy(9, grade=-1)]))
    s = result.stats
    assert (s.components, s.pupils, s.matched, s.locked, s.unmatched) == (2, 3, 2, 0, 1)
    assert s.shared_home_language == 1
    assert s.total_cost == 3.0 + 11.0
    assert set(s.timings) == {"costs", "assign", "collect", "explain", "wall"}


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"locked": [(1, 404)]}, "locked pairs must name existing"),
        ({"locked": [(1, 8), (1, 9)]}, "at most one locked pair"),
    ],
)
def test_it_rejects_inconsistent_locks(kw, message):
    problem = problem_from_records([pupil(1)], [buddy(8), buddy(9)], **kw)
    with pytest.raises(ValueError, match=message):
        solve(problem)


def test_it_rejects_duplicate_ids_and_bad_weights():
    with pytest.raises(ValueError, match="pupils ids must be unique"):
        problem_from_records([pupil(1), pupil(1)], [])
    with pytest.raises(ValueError, match="buddies ids must be unique"):
        problem_from_records([], [buddy(1), buddy(1)])
    with pytest.raises(ValueError, match=r"Weights\.load must be a finite number >= 0"):
        Weights(load=-1.0)


def soft(p, b, w):
    home, langs = set(p["home_languages"]), set(p["home_languages"]) | set(p["languages"])
    cost = (
        0.0
        if home & set(b["languages"])
        else w.bridge_language
        if langs & set(b["languages"])
        else w.no_language
    )
    if b["grade"] >= 0:
        cost += w.grade * min(abs(p["grade"] - b["grade"]), w.grade_cap)
    return cost + w.interest * max(0, w.interest_cap - len(set(p["interests"]) & set(b["interests"])))


def lp_optimum(pupils, buddies, excl, w):
    """Max matched, then min cost, as two LPs over pupil x place variables (bipartite: integral)."""
    excl = set(excl)
    var_cost, var_pupil, var_place = [], [], []
    places = []
    for b in buddies:
        for j in range(max(0, b["capacity"] - b["load"])):
            places.append((b, w.load * (b["load"] + j)))
    for i, p in enumerate(pupils):
        for s, (b, extra) in enumerate(places):
            day = p["transition_day"]
            if (
                b["group"] == p["group"]
                and b["consent"]
                and b["available_from"] <= day <= b["available_until"]
                and p["gender_pref"] in (0, b["gender"])
                and (p["id"], b["id"]) not in excl
            ):
                var_cost.append(soft(p, b, w) + extra)
                var_pupil.append(i)
                var_place.append(s)
    n = len(var_cost)
    a = np.zeros((len(pupils) + len(places), n))
    a[var_pupil, np.arange(n)] = 1
    a[len(pupils) + np.array(var_place, dtype=int), np.arange(n)] = 1
    ub = np.ones(a.shape[0])
    count = -linprog(-np.ones(n), A_ub=a, b_ub=ub, bounds=(0, 1), method="highs").fun
    res = linprog(var_cost, A_ub=a, b_ub=ub, A_eq=np.ones((1, n)), b_eq=[round(count)], bounds=(0, 1))
    return round(count), res.fun


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_it_matches_an_independent_lp_optimum_on_medium_instances(seed):
    pupils, buddies, excl = random_records(seed, groups=2, pupils_per_group=40, buddies_per_group=20)
    result = solve(problem_from_records(pupils, buddies, exclusions=excl))
    count, cost = lp_optimum(pupils, buddies, excl, Weights())
    assert result.stats.matched == count
    assert result.stats.total_cost == pytest.approx(cost, abs=1e-6)


def test_it_treats_an_inverted_availability_window_as_never_available():
    result = solve(
        problem_from_records([pupil(1, transition_day=5)], [buddy(8, available_from=6, available_until=4)])
    )
    assert [(u.reason, u.params) for u in result.unmatched] == [("not_available", {"buddies": 1})]


def test_it_handles_open_windows_at_the_extreme_days():
    from matching.engine import DAY_MAX, DAY_MIN

    pupils = [pupil(1, transition_day=DAY_MIN), pupil(2, transition_day=DAY_MAX)]
    buddies = [buddy(8, capacity=2), buddy(9, available_from=DAY_MAX, available_until=DAY_MAX)]
    result = solve(problem_from_records(pupils, buddies))
    assert pairs_of(result) == [(1, 8), (2, 9)]  # pupil 1 can only use 8; 9 spares 8 a second place
    assert result.stats.total_cost == 2 * 11.0


def test_it_gives_the_same_answer_with_wider_bitsets():
    # More than 64 languages or interests means several words per bitset: same maths, other code path.
    from matching.engine import Problem

    pupils, buddies, excl = random_records(5, groups=2)
    narrow = problem_from_records(pupils, buddies, exclusions=excl)

    def widen(side, **bitsets):
        fields = {k: getattr(side, k) for k in side.__dataclass_fields__}
        fields.update({k: np.c_[getattr(side, k), np.zeros(len(side), dtype=np.uint64)] for k in bitsets})
        return type(side)(**fields)

    wide = Problem(
        widen(narrow.pupils, home_langs=1, langs=1, interests=1),
        widen(narrow.buddies, langs=1, interests=1),
        exclusions=narrow.exclusions,
        language_names=narrow.language_names,
        interest_names=narrow.interest_names,
    )
    assert wide.pupils.langs.shape[1] == 2
    assert solve(wide) == solve(narrow)


@pytest.mark.parametrize("cap", [1.5, 1001])
def test_it_rejects_caps_that_are_not_small_whole_numbers(cap):
    with pytest.raises(ValueError, match="whole number between 0 and 1000"):
        Weights(interest_cap=cap)


def _solve_in_daemon(problem, queue):
    queue.put(pairs_of(solve(problem, workers=2, batch_size=1)))


def test_it_solves_in_process_inside_daemonic_workers():
    # Celery prefork workers are daemonic and may not start children: workers>1 must degrade, not fail.
    import multiprocessing

    pupils, buddies, excl = random_records(6, groups=3)
    problem = problem_from_records(pupils, buddies, exclusions=excl)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_solve_in_daemon, args=(problem, queue), daemon=True)
    proc.start()
    got = queue.get(timeout=60)
    proc.join(timeout=60)
    assert proc.exitcode == 0
    assert got == pairs_of(solve(problem))


def test_it_prices_large_components_in_row_blocks_with_the_same_result(monkeypatch):
    import importlib

    costs = importlib.import_module("matching.engine.costs")
    pupils, buddies, excl = random_records(8, groups=1, pupils_per_group=60, buddies_per_group=40)
    problem = problem_from_records(pupils, buddies, exclusions=excl)
    whole = solve(problem)
    monkeypatch.setattr(costs, "BLOCK_PAIRS", 50)  # a block of one or two rows at a time
    assert solve(problem) == whole


def test_it_counts_a_cross_group_lock_against_the_buddy_in_its_own_group():
    # Pupil 1 (group 1) is locked to buddy 9 of group 2; pupil 2 in group 2 then finds 9 full.
    pupils = [pupil(1, group=1), pupil(2, group=2)]
    problem = problem_from_records(pupils, [buddy(9, group=2)], locked=[(1, 9)])
    assert pairs_of(solve(problem)) == [(1, 9)]
    batches = [b.tolist() for b in iter_batches(problem, 1)]
    assert batches == [[1], [2]]
    second = solve_batch(problem, batches[1])
    assert [(u.pupil_id, u.reason) for u in second.unmatched] == [(2, "no_free_capacity")]


@pytest.mark.parametrize("small_pairs", [0, 10**9])
def test_it_gives_the_same_result_priced_alone_or_in_stacks(monkeypatch, small_pairs):
    # Small components are priced in padded stacks, large ones alone: both paths must agree exactly.
    import importlib

    component = importlib.import_module("matching.engine.component")
    pupils, buddies, excl = random_records(9, groups=8, pupils_per_group=12, buddies_per_group=9)
    problem = problem_from_records(
        pupils, buddies, exclusions=excl, locked=[(pupils[3]["id"], buddies[2]["id"])]
    )
    default = solve(problem)
    monkeypatch.setattr(component, "SMALL_PAIRS", small_pairs)
    assert solve(problem) == default


@pytest.mark.parametrize(
    "weights",
    [
        Weights(grade_cap=3.0),
        Weights(interest_cap=3.0),
        Weights(bridge_language=2, no_language=6, interest=2),
        Weights(grade=1, load=2, grade_cap=2.0, interest_cap=1.0),
    ],
)
def test_it_solves_with_int_weights_and_float_caps_as_with_their_normalised_twins(weights):
    # Issue 14: these valid inputs crashed costs.price (UFuncTypeError, TypeError) before normalisation.
    twin = Weights(
        **{
            name: (int(value) if name.endswith("_cap") else float(value))
            for name, value in vars(weights).items()
        }
    )
    pupils, buddies, excl = random_records(7, groups=2)
    assert isinstance(weights.grade_cap, int)
    assert isinstance(weights.interest, float)
    solved = solve(problem_from_records(pupils, buddies, exclusions=excl, weights=weights))
    assert pairs_of(solved) == pairs_of(
        solve(problem_from_records(pupils, buddies, exclusions=excl, weights=twin))
    )


@pytest.mark.parametrize("value", ["3", None, True])
def test_it_refuses_weights_that_are_not_numbers_at_construction(value):
    with pytest.raises(ValueError, match=r"Weights\.grade must be a number"):
        Weights(grade=value)


@pytest.mark.parametrize(
    ("requested", "batches", "cores", "load", "expected"),
    [
        (2, 25, 2, 0.0, 2),  # idle machine: one worker per core
        (2, 25, 2, 1.2, 2),  # only this process runs: the second core is idle
        (2, 25, 2, 2.0, 1),  # both cores busy: no worker would get one
        (2, 25, 2, 3.5, 1),
        (4, 25, 8, 0.4, 4),  # never more than asked for
        (4, 2, 8, 0.0, 2),  # nor than there are batches
        (1, 25, 8, 0.0, 1),
        (0, 25, 8, 0.0, 1),
    ],
)
def test_it_forks_only_as_many_workers_as_there_are_idle_cores(
    monkeypatch, requested, batches, cores, load, expected
):
    from matching.engine.solve import usable_workers

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert usable_workers(requested, batches) == expected


def test_it_solves_in_process_on_a_busy_machine_with_the_same_result(monkeypatch):
    engine_solve = sys.modules["matching.engine.solve"]
    pupils, buddies, excl = random_records(7, groups=4)
    problem = problem_from_records(pupils, buddies, exclusions=excl)
    whole = solve(problem)

    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool was started on a busy machine")

    monkeypatch.setattr(engine_solve, "_solve_in_pool", no_pool)
    monkeypatch.setattr(os, "getloadavg", lambda: (float(os.cpu_count() or 1) + 2, 0.0, 0.0))
    assert solve(problem, workers=2, batch_size=1) == whole
