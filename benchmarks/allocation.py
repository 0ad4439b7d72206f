"""Benchmark of "allocate all open requests": the exact solver beside the old slot method and a greedy baseline.

Usage: ``python benchmarks/allocation.py [--seeds 3] [--repeats 3] [--quick]``

For 300 requests x 40 supporters with mixed sizes (4, 6 and 8 hours), ample (more hours free than asked)
and tight (fewer), several seeds: the seconds (median of ``--repeats`` runs, the three methods interleaved
in the same run), requests allocated and total cost (pair costs plus the spreading term 0 + 1 + ... per
supporter) of each method, and the ratios to the exact solver. Then the exact solver's time on smaller
queues, which sets ``caseloads.allocation.INLINE_PAIRS``. Prints the load average, since two cores are
shared. Every method is checked never to exceed anyone's free hours.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from caseloads import allocation  # noqa: E402
from caseloads.models import SupporterProfile, Topic  # noqa: E402
from caseloads.workload import Load  # noqa: E402
from matching.engine import assign, gap  # noqa: E402

LANGS = ["ar", "uk", "pl", "tr", "ti", "so", "ru", "fa", "en", "es"]
Method = Callable[[list[allocation.RequestFacts], list[Load]], np.ndarray]


def instance(
    rng: random.Random, n: int, m: int, *, tight: bool
) -> tuple[list[allocation.RequestFacts], list[Load]]:
    topics = list(Topic.values)
    requests = [
        allocation.RequestFacts(
            id=i,
            topic=rng.choice(topics),
            languages=frozenset(rng.sample(LANGS, rng.randint(0, 2))),
            municipality_id=rng.randint(1, 8),
            hours=rng.choice([4, 6, 6, 8]),
        )
        for i in range(n)
    ]
    loads = [
        Load(
            SupporterProfile(
                user_id=10_000 + c,
                expertise=rng.sample(topics, rng.randint(1, 3)),
                languages=rng.sample(LANGS, rng.randint(1, 3)),
                home_municipality_id=rng.randint(1, 8),
                active=True,
            ),
            Decimal(rng.choice([16, 20, 24, 32])) * Decimal(52) / Decimal(12),
            rng.randint(0, 60) + (rng.randint(20, 50) if tight else 0),
        )
        for c in range(m)
    ]
    return requests, loads


def slot_method(requests: list[allocation.RequestFacts], loads: list[Load]) -> np.ndarray:
    """The method before issue 18, kept as the reference: places sized at the largest request, then top-up."""
    n, m = len(requests), len(loads)
    cost = allocation.cost_matrix(requests, loads)
    sizes = np.array([r.hours for r in requests], dtype=np.int64)
    free = np.array([max(Decimal(0), ld.free) for ld in loads], dtype=object)
    largest = int(sizes.max())
    capacity = np.array([math.floor(f / largest) for f in free], dtype=np.int64)
    width = max(1, int(capacity.max(initial=0)))
    out = assign(cost, capacity, np.tile(np.arange(width, dtype=np.float64), (m, 1)))
    left = [Decimal(f) for f in free]
    for i, c in enumerate(out):
        if c >= 0:
            left[c] -= int(sizes[i])
    for i in range(n):
        if out[i] < 0:
            options = [c for c in range(m) if np.isfinite(cost[i, c]) and left[c] >= int(sizes[i])]
            if options:
                out[i] = min(options, key=lambda c: (cost[i, c], c))
                left[out[i]] -= int(sizes[i])
    return out


def greedy(requests: list[allocation.RequestFacts], loads: list[Load]) -> np.ndarray:
    """Baseline: requests in queue order, each to the supporter where it adds least (pair + spreading)."""
    cost = allocation.cost_matrix(requests, loads)
    left = allocation.capacities(loads).copy()
    counts = np.zeros(len(loads), dtype=np.int64)
    out = np.full(len(requests), -1, dtype=np.int64)
    for i, r in enumerate(requests):
        extra = np.where(left >= r.hours, cost[i] + counts, np.inf)
        c = int(np.argmin(extra))
        if np.isfinite(extra[c]):
            out[i], left[c], counts[c] = c, left[c] - r.hours, counts[c] + 1
    return out


PROVEN: list[bool] = []  # per exact solve: proven optimal (no gap) within the time limit


def exact(requests: list[allocation.RequestFacts], loads: list[Load]) -> np.ndarray:
    solution = allocation.solve_exact(requests, loads, time_limit=allocation.BACKGROUND_SECONDS)
    PROVEN.append(solution.optimal)
    return solution.columns


METHODS: dict[str, Method] = {"exact (HiGHS)": exact, "slot method (old)": slot_method, "greedy": greedy}


def measure(requests: list[allocation.RequestFacts], loads: list[Load], repeats: int) -> dict[str, tuple]:
    cost = allocation.cost_matrix(requests, loads)
    capacity = allocation.capacities(loads)
    sizes = np.array([r.hours for r in requests])
    times: dict[str, list[float]] = {name: [] for name in METHODS}
    results: dict[str, np.ndarray] = {}
    for _ in range(repeats):  # interleaved: every round runs each method once
        for name, method in METHODS.items():
            t0 = time.perf_counter()
            columns = method(requests, loads)
            times[name].append(time.perf_counter() - t0)
            placed = columns >= 0
            used = np.bincount(columns[placed], weights=sizes[placed], minlength=len(loads))
            assert (used <= capacity).all(), f"{name} exceeds free hours"
            results[name] = columns
    return {
        name: (statistics.median(times[name]), int((c >= 0).sum()), gap.total_cost(c, cost))
        for name, c in results.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one seed, smaller queues only")
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{'queue':<14} {'method':<18} {'median s':>9} {'allocated':>9} {'cost':>7} {'alloc/ex':>8} {'cost/ex':>7}"
    )
    n, m = (60, 12) if args.quick else (300, 40)
    for tight in (False, True):
        for seed in range(1, (1 if args.quick else args.seeds) + 1):
            requests, loads = instance(random.Random(seed), n, m, tight=tight)
            rows = measure(requests, loads, args.repeats)
            _t, best_n, best_cost = rows["exact (HiGHS)"]
            label = f"{'tight' if tight else 'ample'} seed {seed}"
            for name, (seconds, allocated, total) in rows.items():
                print(
                    f"{label:<14} {name:<18} {seconds:>9.3f} {allocated:>9} {total:>7.0f} "
                    f"{allocated / best_n:>8.3f} {total / best_cost:>7.3f}"
                )
                label = ""
    print(f"exact solves proven optimal (gap 0): {sum(PROVEN)} of {len(PROVEN)}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("exact solver on smaller tight queues (median s; requests x supporters):")
    for n, m in [(20, 5), (40, 8), (60, 12), (100, 20), (150, 25), (200, 30)]:
        seconds = []
        for seed in range(1, args.repeats + 1):
            requests, loads = instance(random.Random(seed), n, m, tight=True)
            t0 = time.perf_counter()
            allocation.solve_exact(requests, loads)
            seconds.append(time.perf_counter() - t0)
        print(
            f"  {n:>4} x {m:<3} = {n * m:>6} pairs: {statistics.median(seconds):.3f} s (max {max(seconds):.3f})"
        )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
