"""Property tests: the buddy engine against an independent brute force on small random instances.

The oracle below re-implements the rules with Python sets and loops (no engine code), enumerates every
assignment of the unlocked pupils, and keeps the lexicographic optimum (most matched, then cheapest).
"""

import importlib
import itertools
import os
from unittest import mock

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.engine import (
    DAY_MAX,
    DAY_MIN,
    UNMATCHED_REASONS,
    Weights,
    iter_batches,
    merge_results,
    problem_from_records,
    solve,
    solve_batch,
)

EXAMPLES = int(os.environ.get("ENGINE_EXAMPLES", "150"))
LANGS = ["ar", "en", "pl", "uk"]
INTERESTS = ["chess", "football", "music", "art"]

tag_sets = st.lists(st.sampled_from(LANGS), max_size=2, unique=True)
interest_sets = st.lists(st.sampled_from(INTERESTS), max_size=3, unique=True)


@st.composite
def instances(draw, max_pupils=6, max_buddies=5):
    n_p = draw(st.integers(0, max_pupils))
    n_b = draw(st.integers(0, max_buddies))
    groups = st.integers(1, 2)
    pupils = [
        {
            "id": 10 + i,
            "group": draw(groups),
            "grade": draw(st.integers(0, 4)),
            "home_languages": draw(tag_sets),
            "languages": draw(tag_sets),
            "interests": draw(interest_sets),
            "gender": draw(st.integers(1, 2)),
            "gender_pref": draw(st.sampled_from([0, 0, 1, 2])),
            "transition_day": draw(st.integers(0, 3)),
        }
        for i in range(n_p)
    ]
    buddies = [
        {
            "id": 50 + j,
            "group": draw(groups),
            "grade": draw(st.integers(-1, 4)),
            "languages": draw(tag_sets),
            "interests": draw(interest_sets),
            "gender": draw(st.integers(1, 2)),
            "capacity": draw(st.integers(1, 3)),
            "load": draw(st.integers(0, 2)),
            "consent": draw(st.sampled_from([True, True, True, False])),
            "available_from": draw(st.sampled_from([DAY_MIN, 0, 1, 2])),
            "available_until": draw(st.sampled_from([DAY_MAX, 1, 2, 3])),
        }
        for j in range(n_b)
    ]
    all_pairs = [(p["id"], b["id"]) for p in pupils for b in buddies]
    exclusions = draw(st.lists(st.sampled_from(all_pairs), max_size=4, unique=True)) if all_pairs else []
    locked = []
    if all_pairs and draw(st.booleans()):
        for pid, bid in draw(st.lists(st.sampled_from(all_pairs), max_size=2, unique=True)):
            if pid not in {p for p, _ in locked}:
                locked.append((pid, bid))
    halves = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 8.0])
    weights = draw(
        st.one_of(
            st.just(Weights()),
            st.builds(
                Weights,
                bridge_language=halves,
                no_language=halves,
                grade=halves,
                grade_cap=st.integers(0, 3),
                interest=halves,
                interest_cap=st.integers(0, 3),
                load=halves,
            ),
        )
    )
    return pupils, buddies, exclusions, locked, weights


def soft(p, b, w):
    home, langs = set(p["home_languages"]), set(p["home_languages"]) | set(p["languages"])
    if home & set(b["languages"]):
        cost = 0.0
    elif langs & set(b["languages"]):
        cost = w.bridge_language
    else:
        cost = w.no_language
    if b["grade"] >= 0:
        cost += w.grade * min(abs(p["grade"] - b["grade"]), w.grade_cap)
    return cost + w.interest * max(0, w.interest_cap - len(set(p["interests"]) & set(b["interests"])))


def stage_failures(p, b, exclusions, free):
    """The rules in UNMATCHED_REASONS order (after the group); yields whether each one passes."""
    day = p["transition_day"]
    return [
        b["consent"],
        b["available_from"] <= day <= b["available_until"],
        p["gender_pref"] == 0 or b["gender"] == p["gender_pref"],
        (p["id"], b["id"]) not in exclusions,
        free[b["id"]] > 0,
    ]


def oracle(pupils, buddies, exclusions, locked, w):
    excl = set(exclusions)
    locked_pupils = {p for p, _ in locked}
    eff = {b["id"]: b["load"] + sum(1 for _, lb in locked if lb == b["id"]) for b in buddies}
    free = {b["id"]: max(0, b["capacity"] - eff[b["id"]]) for b in buddies}
    todo = [p for p in pupils if p["id"] not in locked_pupils]
    options = []
    for p in todo:
        feas = [b for b in buddies if b["group"] == p["group"] and all(stage_failures(p, b, excl, free))]
        options.append([None, *feas])
    best_count, best_cost = -1, None
    for choice in itertools.product(*options):
        used = {}
        cost = 0.0
        for p, b in zip(todo, choice, strict=True):
            if b is not None:
                used[b["id"]] = used.get(b["id"], 0) + 1
                cost += soft(p, b, w)
        if any(t > free[bid] for bid, t in used.items()):
            continue
        cost += sum(w.load * (eff[bid] + j) for bid, t in used.items() for j in range(t))
        count = sum(used.values())
        if count > best_count or (count == best_count and cost < best_cost - 1e-9):
            best_count, best_cost = count, cost
    return (best_count, best_cost), eff, free, excl


def check_result(pupils, buddies, exclusions, locked, w, result):
    (best_count, best_cost), eff, free, excl = oracle(pupils, buddies, exclusions, locked, w)
    pmap = {p["id"]: p for p in pupils}
    bmap = {b["id"]: b for b in buddies}
    new = [pair for pair in result.pairs if not pair.locked]
    # Every pupil appears exactly once, in pupil-id order.
    seen = [pair.pupil_id for pair in result.pairs] + [u.pupil_id for u in result.unmatched]
    assert sorted(seen) == sorted(pmap)
    assert [pair.pupil_id for pair in result.pairs] == sorted(pair.pupil_id for pair in result.pairs)
    # Locked pairs are kept verbatim.
    assert sorted((pair.pupil_id, pair.buddy_id) for pair in result.pairs if pair.locked) == sorted(locked)
    # Optimality: the brute-force lexicographic optimum.
    assert len(new) == best_count
    assert abs(sum(pair.cost for pair in new) - best_cost) < 1e-9
    per_buddy = {}
    for pair in new:
        p, b = pmap[pair.pupil_id], bmap[pair.buddy_id]
        assert p["group"] == b["group"]
        assert all(stage_failures(p, b, excl, free)), "hard rule broken"
        per_buddy.setdefault(b["id"], []).append(pair)
    for bid, got in per_buddy.items():
        assert len(got) <= free[bid], "capacity exceeded"
        loads = [dict(pair.reasons)["buddy_load"]["load"] for pair in got]
        assert loads == list(range(eff[bid], eff[bid] + len(got)))  # pupil-id order
        for pair, k in zip(got, loads, strict=True):
            assert pair.cost == soft(pmap[pair.pupil_id], bmap[bid], w) + w.load * k
    for pair in new:
        p = pmap[pair.pupil_id]
        feas = [
            b
            for b in buddies
            if b["group"] == p["group"] and b["id"] != pair.buddy_id and all(stage_failures(p, b, excl, free))
        ]
        ranked = sorted((soft(p, b, w) + w.load * eff[b["id"]], b["id"]) for b in feas)[:2]
        assert pair.alternatives == [(bid, c) for c, bid in ranked]
    # Unmatched reasons: first failing rule, in the documented order.
    for u in result.unmatched:
        p = pmap[u.pupil_id]
        group = [b for b in buddies if b["group"] == p["group"]]
        alive = group
        code = 0 if not group else len(UNMATCHED_REASONS) - 1
        count = len(group)
        for stage in range(5):
            if not alive:
                break
            nxt = [b for b in alive if stage_failures(p, b, excl, free)[stage]]
            if not nxt:
                code, count = stage + 1, len(alive)
                break
            alive = nxt
        if code == len(UNMATCHED_REASONS) - 1:
            count = len(alive)
        assert u.reason == UNMATCHED_REASONS[code]
        assert u.params == ({} if code == 0 else {"buddies": count})
    assert result.stats.matched == len(result.pairs)
    assert result.stats.unmatched == len(result.unmatched)
    assert result.stats.pupils == len(pupils)


SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(instances())
def test_it_finds_the_brute_force_lexicographic_optimum_and_breaks_no_rule(case):
    pupils, buddies, exclusions, locked, w = case
    problem = problem_from_records(pupils, buddies, exclusions=exclusions, locked=locked, weights=w)
    result = solve(problem)
    check_result(pupils, buddies, exclusions, locked, w, result)
    # Tiny components take the stacked pricing path; the one for large components must agree.
    with mock.patch.object(importlib.import_module("matching.engine.component"), "SMALL_PAIRS", 0):
        assert solve(problem) == result


@SETTINGS
@given(instances())
def test_it_gives_the_same_result_whole_batch_wise_and_repeated(case):
    pupils, buddies, exclusions, locked, w = case
    problem = problem_from_records(pupils, buddies, exclusions=exclusions, locked=locked, weights=w)
    whole = solve(problem)
    assert solve(problem) == whole
    assert solve(problem, batch_size=1) == whole
    assert merge_results(solve_batch(problem, g) for g in iter_batches(problem, batch_size=1)) == whole


@settings(max_examples=max(5, EXAMPLES // 10), deadline=None)
@given(instances())
def test_it_gives_the_same_result_with_two_workers(case):
    pupils, buddies, exclusions, locked, w = case
    problem = problem_from_records(pupils, buddies, exclusions=exclusions, locked=locked, weights=w)
    assert solve(problem, workers=2, batch_size=1) == solve(problem)


def test_it_matches_the_oracle_on_a_fixed_dense_random_instance():
    # A deterministic larger-than-hypothesis check (6 pupils x 5 buddies in one group, tight capacity).
    rng = np.random.default_rng(7)
    pupils = [
        {
            "id": i,
            "group": 1,
            "grade": int(rng.integers(0, 4)),
            "home_languages": [LANGS[int(rng.integers(0, 4))]],
            "languages": [],
            "interests": list(rng.choice(INTERESTS, 2, replace=False)),
            "gender": 1,
            "gender_pref": 0,
            "transition_day": 0,
        }
        for i in range(6)
    ]
    buddies = [
        {
            "id": 100 + j,
            "group": 1,
            "grade": int(rng.integers(-1, 4)),
            "languages": [LANGS[int(rng.integers(0, 4))]],
            "interests": list(rng.choice(INTERESTS, 2, replace=False)),
            "capacity": int(rng.integers(1, 3)),
            "load": 0,
            "gender": 1,
            "consent": True,
            "available_from": DAY_MIN,
            "available_until": DAY_MAX,
        }
        for j in range(5)
    ]
    problem = problem_from_records(pupils, buddies)
    check_result(pupils, buddies, [], [], Weights(), solve(problem))
