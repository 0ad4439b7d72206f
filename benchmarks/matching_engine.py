"""Benchmark of the buddy matching engine against a plain exact reference and a greedy baseline.

Usage: ``python benchmarks/matching_engine.py [--quick] [--workers 2] [--repeat 1]``

Instances (fixed seed, generated with numpy in a few seconds):

* national: 100,000 pupils, 300,000 buddies (capacity 1-3) over 7,000 schools with log-normal school
  sizes, ~40 languages with Zipf-like frequencies and ~30 interests;
* dense regional: 2,000 pupils x 6,000 buddies in one group (a municipality that pairs across schools);
* capacity-tight: 2,000 pupils, 1,000 buddies in one group (fewer places than pupils).

Methods: the engine (``solve`` with and without worker processes, including reasons, alternatives and
unmatched reasons); a plain reference (vectorised costs + ``linear_sum_assignment`` per group with slot
columns, single process, written independently of the engine); a greedy baseline (pupils in id order
take their cheapest feasible free place). The engine must match the reference exactly (same matched
count, same objective up to 1e-6) and, on the national instance, be no slower than it.

Times are wall-clock and CPU (summed over the worker processes too), medians of ``--repeat``
round-robin runs (reference, engine, reference, engine, ...; 3 by default, 1 with ``--quick``), printed
with the machine's load average before and after, and as a ratio to the reference measured in the same
run: on a shared machine absolute times drift, the ratio much less. Target: the engine with reasons and
alternatives within 1.2x of the plain reference on the national instance. Peak memory is measured in a separate,
untimed run with ``tracemalloc`` (numpy buffers and Python objects allocated by the method; the
instance itself is not counted), single process, so for the engine it is the ``workers=1`` figure;
each worker process of a parallel run peaks at most at that.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # import matching.engine without Django

from matching.engine import DAY_MAX, DAY_MIN, Buddies, Problem, Pupils, Weights, solve

SEED = 20240901
TARGET_RATIO = 1.2  # engine wall time / plain reference wall time, national instance (issue 14)
LANGUAGES = [
    "nl",
    "ar",
    "uk",
    "pl",
    "tr",
    "ti",
    "en",
    "es",
    "pt",
    "zh",
    "hi",
    "fa",
    "so",
    "ru",
    "ro",
    "bg",
    "fr",
    "de",
    "it",
    "ku",
    "ps",
    "prs",
    "am",
    "ur",
    "bn",
    "vi",
    "th",
    "id",
    "ta",
    "sq",
    "sr",
    "hr",
    "hu",
    "lt",
    "lv",
    "sk",
    "cs",
    "el",
    "he",
    "ja",
]
INTERESTS = [f"interest_{i:02d}" for i in range(30)]
BASE_DAY = 19_900  # mid-2024 in days since epoch


def _zipf(n: int, s: float = 1.1) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** s
    return w / w.sum()


def _pick_bits(rng: np.random.Generator, n: int, weights: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Per row, k[row] distinct tags drawn with the given weights (Gumbel top-k), as a 1-word bitset."""
    keys = np.log(weights)[None, :] - np.log(-np.log(rng.random((n, weights.shape[0]))))
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    chosen = rank < k[:, None]
    return (chosen.astype(np.uint64) << np.arange(weights.shape[0], dtype=np.uint64)).sum(
        axis=1, dtype=np.uint64
    )


def make_instance(seed: int, n_pupils: int, n_buddies: int, n_groups: int) -> Problem:
    """A synthetic but realistic instance; group sizes are log-normal (a few big schools, many small)."""
    rng = np.random.default_rng(seed)
    size = rng.lognormal(0.0, 1.0, n_groups)
    p_group = rng.choice(n_groups, n_pupils, p=size / size.sum())
    b_weight = size * rng.lognormal(0.0, 0.5, n_groups)
    b_group = rng.choice(n_groups, n_buddies, p=b_weight / b_weight.sum())
    n_lang = len(LANGUAGES)
    nl, en = 1 << 0, 1 << LANGUAGES.index("en")
    # Pupils: 1-2 home languages (Zipf over non-Dutch), plus some Dutch and English.
    home_w = _zipf(n_lang - 1)
    home = _pick_bits(rng, n_pupils, np.r_[1e-12, home_w], 1 + (rng.random(n_pupils) < 0.15))
    other = np.where(rng.random(n_pupils) < 0.6, nl, 0) | np.where(rng.random(n_pupils) < 0.4, en, 0)
    p_interests = _pick_bits(rng, n_pupils, _zipf(len(INTERESTS), 0.6), rng.integers(0, 5, n_pupils))
    p_gender = rng.integers(1, 3, n_pupils)
    p_pref = np.where(rng.random(n_pupils) < 0.12, p_gender, 0)
    pupils = Pupils(
        ids=rng.permutation(n_pupils) + 1_000_000,
        group=p_group,
        grade=rng.integers(0, 6, n_pupils),
        home_langs=home[:, None],
        langs=(home | other.astype(np.uint64))[:, None],
        interests=p_interests[:, None],
        gender=p_gender,
        gender_pref=p_pref,
        transition_day=BASE_DAY + rng.integers(0, 120, n_pupils),
    )
    # Buddies: 70% peers (with a grade), 10% staff, 20% volunteers (more heritage languages).
    kind = rng.choice(3, n_buddies, p=[0.7, 0.1, 0.2])
    heritage_p = np.array([0.25, 0.1, 0.6])[kind]
    heritage = _pick_bits(
        rng, n_buddies, np.r_[1e-12, home_w], (rng.random(n_buddies) < heritage_p).astype(int)
    )
    b_langs = (
        nl
        | np.where(rng.random(n_buddies) < np.array([0.7, 0.9, 0.6])[kind], en, 0)
        | heritage.astype(np.int64)
    )
    capacity = np.where(kind == 0, rng.integers(1, 3, n_buddies), rng.integers(1, 4, n_buddies))
    load = np.where(rng.random(n_buddies) < 0.4, rng.integers(0, 4, n_buddies) % (capacity + 1), 0)
    r = rng.random(n_buddies)
    available_from = np.where(r < 0.1, BASE_DAY + rng.integers(0, 120, n_buddies), DAY_MIN)
    available_until = np.where(r > 0.9, BASE_DAY + rng.integers(0, 120, n_buddies), DAY_MAX)
    buddies = Buddies(
        ids=rng.permutation(n_buddies) + 5_000_000,
        group=b_group,
        grade=np.where(kind == 0, rng.integers(0, 6, n_buddies), -1),
        langs=b_langs.astype(np.uint64)[:, None],
        interests=_pick_bits(rng, n_buddies, _zipf(len(INTERESTS), 0.6), rng.integers(1, 5, n_buddies))[
            :, None
        ],
        gender=rng.integers(1, 3, n_buddies),
        capacity=capacity,
        load=load,
        consent=rng.random(n_buddies) < 0.92,
        available_from=available_from,
        available_until=available_until,
    )
    # ~2% of pupils rejected one random buddy of their own group earlier.
    b_sorted = np.argsort(b_group, kind="stable")
    lo = np.searchsorted(b_group[b_sorted], np.arange(n_groups))
    hi = np.searchsorted(b_group[b_sorted], np.arange(n_groups), side="right")
    who = rng.choice(n_pupils, n_pupils // 50, replace=False)
    who = who[hi[p_group[who]] > lo[p_group[who]]]
    g = p_group[who]
    pick = b_sorted[lo[g] + (rng.random(who.shape[0]) * (hi[g] - lo[g])).astype(int)]
    exclusions = np.c_[pupils.ids[who], buddies.ids[pick]]
    return Problem(
        pupils,
        buddies,
        exclusions=exclusions,
        weights=Weights(),
        language_names=LANGUAGES,
        interest_names=INTERESTS,
    )


# --- plain reference and greedy baseline (independent of the engine's code) -------------------------


def _group_slices(problem: Problem):
    """Yield (pupil indices, buddy indices, excluded local pairs) per group that has pupils."""
    p, b = problem.pupils, problem.buddies
    po = np.lexsort((p.ids, p.group))
    bo = np.lexsort((b.ids, b.group))
    pg, bg = p.group[po], b.group[bo]
    groups, p_lo = np.unique(pg, return_index=True)
    p_hi = np.r_[p_lo[1:], pg.shape[0]]
    b_lo = np.searchsorted(bg, groups)
    b_hi = np.searchsorted(bg, groups, side="right")
    # Exclusions as (pupil index, buddy index), sorted by pupil position in po.
    pid_sort, bid_sort = np.argsort(p.ids), np.argsort(b.ids)
    ep = pid_sort[np.searchsorted(p.ids, problem.exclusions[:, 0], sorter=pid_sort)]
    eb = bid_sort[np.searchsorted(b.ids, problem.exclusions[:, 1], sorter=bid_sort)]
    p_pos = np.empty_like(po)
    p_pos[po] = np.arange(po.shape[0])
    b_pos = np.empty_like(bo)
    b_pos[bo] = np.arange(bo.shape[0])
    e_order = np.argsort(p_pos[ep])
    ep_pos, eb_pos = p_pos[ep][e_order], b_pos[eb][e_order]
    for k in range(groups.shape[0]):
        e0, e1 = np.searchsorted(ep_pos, [p_lo[k], p_hi[k]])
        er, ec = ep_pos[e0:e1] - p_lo[k], eb_pos[e0:e1] - b_lo[k]
        inside = (ec >= 0) & (ec < b_hi[k] - b_lo[k])
        yield po[p_lo[k] : p_hi[k]], bo[b_lo[k] : b_hi[k]], (er[inside], ec[inside])


def _group_costs(problem: Problem, pi: np.ndarray, bi: np.ndarray, excl) -> np.ndarray:
    """(pupils x buddies) soft cost with inf where a hard rule fails (capacity handled by callers)."""
    p, b, w = problem.pupils, problem.buddies, problem.weights
    home = (p.home_langs[pi, 0][:, None] & b.langs[bi, 0][None, :]) != 0
    any_l = (p.langs[pi, 0][:, None] & b.langs[bi, 0][None, :]) != 0
    cost = np.where(home, 0.0, np.where(any_l, w.bridge_language, w.no_language))
    bg = b.grade[bi].astype(int)[None, :]
    gd = np.minimum(np.abs(p.grade[pi].astype(int)[:, None] - bg), w.grade_cap)
    cost += np.where(bg >= 0, w.grade * gd, 0.0)
    shared = np.bitwise_count(p.interests[pi, 0][:, None] & b.interests[bi, 0][None, :]).astype(int)
    cost += w.interest * np.maximum(0, w.interest_cap - shared)
    day, pref = p.transition_day[pi][:, None], p.gender_pref[pi][:, None]
    ok = (b.available_from[bi][None, :] <= day) & (day <= b.available_until[bi][None, :])
    ok &= (pref == 0) | (b.gender[bi][None, :] == pref)
    ok &= b.consent[bi][None, :]
    cost[~ok] = np.inf
    cost[excl] = np.inf
    return cost


def reference(problem: Problem) -> tuple[int, float]:
    """Per group: slot columns (free places), big-M for infeasible, one linear_sum_assignment."""
    b, w = problem.buddies, problem.weights
    free = np.maximum(b.capacity.astype(int) - b.load, 0)
    matched, total = 0, 0.0
    for pi, bi, excl in _group_slices(problem):
        if bi.size == 0:
            continue
        cost = _group_costs(problem, pi, bi, excl)
        f = free[bi]
        slot_col = np.repeat(np.arange(bi.shape[0]), f)
        slot_j = np.arange(slot_col.shape[0]) - np.repeat(np.cumsum(f) - f, f)
        if slot_col.size == 0:
            continue
        mat = cost[:, slot_col] + w.load * (b.load[bi][slot_col] + slot_j)[None, :]
        bad = ~np.isfinite(mat)
        mat[bad] = 1e7  # > pupils x max cost for every instance here: cardinality first
        r, c = linear_sum_assignment(mat)
        good = ~bad[r, c]
        matched += int(good.sum())
        total += float(mat[r[good], c[good]].sum())
    return matched, total


def greedy(problem: Problem) -> tuple[int, float]:
    """Pupils in id order take the cheapest feasible free place (current load priced in)."""
    b, w = problem.buddies, problem.weights
    matched, total = 0, 0.0
    for pi, bi, excl in _group_slices(problem):
        if bi.size == 0:
            continue
        cost = _group_costs(problem, pi, bi, excl)
        free = np.maximum(b.capacity[bi].astype(int) - b.load[bi], 0)
        load = b.load[bi].astype(float)
        for row in cost:  # pupils are in id order within the group
            offer = np.where(free > 0, row + w.load * load, np.inf)
            j = int(np.argmin(offer))
            if np.isfinite(offer[j]):
                matched += 1
                total += float(offer[j])
                free[j] -= 1
                load[j] += 1
    return matched, total


# --- harness -----------------------------------------------------------------------------------------


@dataclass
class Row:
    instance: str
    method: str
    seconds: float
    cpu: float
    peak_mb: float
    matched: int
    objective: float


def _cpu() -> float:
    """CPU seconds of this process plus its finished children (the engine's worker processes)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _engine(problem: Problem, workers: int) -> Callable[[], object]:
    return lambda: solve(problem, workers=workers)


def _summary(out: object) -> tuple[int, float]:
    if isinstance(out, tuple):
        return out
    stats = out.stats  # an engine Result
    return stats.matched, stats.total_cost


def bench(name: str, problem: Problem, workers: int, repeat: int, with_greedy: bool = True) -> list[Row]:
    methods: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
        (f"engine workers={workers}", _engine(problem, workers), _engine(problem, 1)),
        ("engine workers=1", _engine(problem, 1), _engine(problem, 1)),
        ("reference (LSA/group)", lambda: reference(problem), lambda: reference(problem)),
    ]
    if with_greedy:
        methods.append(("greedy baseline", lambda: greedy(problem), lambda: greedy(problem)))
    # Round-robin repeats (A B C A B C ...) so a change in background load hits every method alike;
    # each method reports its median.
    times: list[list[float]] = [[] for _ in methods]
    cpus: list[list[float]] = [[] for _ in methods]
    outcome: list[tuple[int, float]] = [(0, 0.0)] * len(methods)
    for _ in range(repeat):
        for i, (_, fn, _) in enumerate(methods):
            c = _cpu()
            t = time.perf_counter()
            out = fn()
            times[i].append(time.perf_counter() - t)
            cpus[i].append(_cpu() - c)
            # Freeing the engine's ~100,000 Pair objects (a caller stores them first) and collecting
            # happen outside every timing, so each run starts from the same heap state.
            outcome[i] = _summary(out)
            del out
            gc.collect()
    rows = []
    for i, (label, _, mem_fn) in enumerate(methods):
        matched, objective = outcome[i]
        seconds, cpu = statistics.median(times[i]), statistics.median(cpus[i])
        rows.append(Row(name, label, seconds, cpu, _peak_mb(mem_fn), matched, objective))
        runs = " ".join(f"{t:.2f}" for t in times[i])
        print(f"  {label:<24} {seconds:8.2f} s  (cpu {cpu:.2f} s; runs {runs})", flush=True)
    eng, ref = rows[0], rows[2]
    assert eng.matched == ref.matched, f"{name}: engine matched {eng.matched} != reference {ref.matched}"
    assert abs(eng.objective - ref.objective) <= 1e-6, f"{name}: objective {eng.objective} != {ref.objective}"
    assert (rows[1].matched, rows[1].objective) == (eng.matched, eng.objective)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes for a CI smoke run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--repeat", type=int, default=None, help="median of N timed runs (default 3, quick 1)"
    )
    args = parser.parse_args()
    repeat = args.repeat or (1 if args.quick else 3)
    scale = 20 if args.quick else 1
    instances = [
        ("national", SEED, 100_000 // scale, 300_000 // scale, 7_000 // scale),
        ("dense regional", SEED + 1, 2_000 // scale, 6_000 // scale, 1),
        ("capacity-tight", SEED + 2, 2_000 // scale, 1_000 // scale, 1),
    ]
    # The machine may be shared (CI, other jobs): print what the timings were taken under.
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load}; times are medians of {repeat}", flush=True)
    rows: list[Row] = []
    for name, seed, n_p, n_b, n_g in instances:
        t = time.perf_counter()
        problem = make_instance(seed, n_p, n_b, n_g)
        print(
            f"{name}: {n_p:,} pupils, {n_b:,} buddies, {n_g:,} groups (generated in "
            f"{time.perf_counter() - t:.1f} s)",
            flush=True,
        )
        rows += bench(name, problem, args.workers, repeat)
    print()
    head = (
        f"{'instance':<16} {'method':<24} {'time s':>8} {'cpu s':>6} {'peak MB*':>8} {'matched':>8} {'objective':>13} "
        f"{'vs ref':>9} {'x ref':>6}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        ref = next(x for x in rows if x.instance == r.instance and x.method.startswith("reference"))
        # The objective only compares at equal matched counts (fewer matches can look "cheaper"), so
        # otherwise the difference in matched pupils is shown ("m").
        gap = (
            f"{r.objective - ref.objective:+9.1f}"
            if r.matched == ref.matched
            else f"{r.matched - ref.matched:+8d}m"
        )
        print(
            f"{r.instance:<16} {r.method:<24} {r.seconds:8.2f} {r.cpu:6.2f} {r.peak_mb:8.1f} {r.matched:8,d} "
            f"{r.objective:13,.1f} {gap:>9} {r.seconds / ref.seconds:6.2f}"
        )
    print(
        "\ncpu s: CPU seconds of the run summed over its processes (the workers too): unlike wall time it "
        "hardly\n  depends on other load on the machine. Both columns are medians of the repeats; x ref is the\n"
        "  wall-time ratio to the reference measured in the same run."
    )
    print(
        "* tracemalloc peak of one single-process run (the engine's workers=N row shows its workers=1 "
        "peak;\n  each worker of a parallel run peaks at most at that)."
    )
    print("engine == reference on every instance (matched, and objective within 1e-6).")
    eng = rows[0]
    ref = next(r for r in rows if r.instance == "national" and r.method.startswith("reference"))
    ratio = eng.seconds / ref.seconds
    after = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    print(
        f"national: engine {eng.seconds:.2f} s vs reference {ref.seconds:.2f} s: {ratio:.2f}x the reference "
        f"({verdict} the {TARGET_RATIO}x target); load average now {after}"
    )
    return 0 if args.quick or ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
