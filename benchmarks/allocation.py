"""Benchmark of "allocate all open requests": cost matrix + exact solve + top-up, without the database.

Usage: ``python benchmarks/allocation.py [--seed 1]``

Prints, per size, the seconds for the cost matrix and for the solve, how many requests were allocated and
the largest share of any supporter's free hours used (must never exceed 100%). Sizes go from a real
region (60 open requests, 12 supporters) to a generous upper bound for one team (2,000 x 150).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from caseloads import allocation  # noqa: E402
from caseloads.models import SupporterProfile, Topic  # noqa: E402
from caseloads.workload import Load  # noqa: E402

LANGS = ["ar", "uk", "pl", "tr", "ti", "so", "ru", "fa", "en", "es"]
SIZES = [(60, 12), (300, 40), (2000, 150)]


def instance(rng: random.Random, n: int, m: int) -> tuple[list[allocation.RequestFacts], list[Load]]:
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
            rng.randint(0, 60),
        )
        for c in range(m)
    ]
    return requests, loads


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"{'requests':>8} {'supporters':>10} {'cost s':>8} {'solve s':>8} {'allocated':>9} {'max use':>8}")
    for n, m in SIZES:
        requests, loads = instance(rng, n, m)
        t0 = time.perf_counter()
        allocation.cost_matrix(requests, loads)
        t1 = time.perf_counter()
        columns = allocation.solve(requests, loads)
        t2 = time.perf_counter()
        used: dict[int, int] = {}
        for r, c in zip(requests, columns, strict=True):
            if c >= 0:
                used[int(c)] = used.get(int(c), 0) + r.hours
        max_use = max((h / float(loads[c].free) for c, h in used.items() if loads[c].free > 0), default=0.0)
        allocated = int((columns >= 0).sum())
        print(f"{n:>8} {m:>10} {t1 - t0:>8.3f} {t2 - t1:>8.3f} {allocated:>9} {max_use:>7.0%}")


if __name__ == "__main__":
    main()
