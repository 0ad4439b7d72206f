"""Benchmark of a placement run: the exact engine against a greedy first-come-first-served baseline.

Usage: ``python benchmarks/placement.py [--children 5000] [--groups 300] [--seed 1]``

A synthetic region of 60 x 60 km: 100 newcomer-class locations with three groups each (age bands 4-7, 8-11
and 12-17), capacities of 8-16 free places, and waiting children at schools spread over the region, about a
sixth of them in families of two or three. Prints the engine's time and its lexicographic objective (places
filled, waiting days of the children placed, total travel), then the same figures for the greedy baseline
(longest waiting first, each to the nearest group with a free place, siblings ignored) with the number of
families it splits over locations. The engine never splits a family. Ends with the load average.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from placement.engine import Child, Group, fits, haversine_m, solve  # noqa: E402

BANDS = [(4, 7), (8, 11), (12, 17)]
LAT0, LON0 = 52.10, 4.40  # south-west corner of the synthetic region
DLAT, DLON = 0.54, 0.88  # about 60 x 60 km


def instance(rng: random.Random, n_children: int, n_groups: int) -> tuple[list[Child], list[Group]]:
    groups = []
    n_locations = max(1, n_groups // len(BANDS))
    for loc in range(n_locations):
        lat, lon = LAT0 + rng.random() * DLAT, LON0 + rng.random() * DLON
        for b, (low, high) in enumerate(BANDS):
            gid = loc * len(BANDS) + b
            if gid < n_groups:
                groups.append(Group(gid, loc, f"L{loc}", low, high, rng.randint(8, 16), lat, lon))
    children: list[Child] = []
    family = 0
    while len(children) < n_children:
        lat, lon = LAT0 + rng.random() * DLAT, LON0 + rng.random() * DLON
        size = rng.choices([1, 2, 3], weights=[84, 12, 4])[0]
        family += 1
        for _ in range(min(size, n_children - len(children))):
            children.append(
                Child(
                    len(children) + 1,
                    rng.randint(4, 17),
                    rng.randint(0, 120),
                    lat,
                    lon,
                    family if size > 1 else None,
                )
            )
    return children, groups


def greedy(children: list[Child], groups: list[Group]) -> dict[int, int]:
    free = {g.id: g.free for g in groups}
    out: dict[int, int] = {}
    for child in sorted(children, key=lambda c: (-c.waiting_days, c.id)):
        options = [g for g in groups if fits(child, g) and free[g.id] > 0]
        if options:
            best = min(options, key=lambda g: (haversine_m(child.lat, child.lon, g.lat, g.lon), g.id))
            free[best.id] -= 1
            out[child.id] = best.id
    return out


def figures(
    children: list[Child], groups: list[Group], assignment: dict[int, int]
) -> tuple[int, int, float, int]:
    by_id = {g.id: g for g in groups}
    kids = {c.id: c for c in children}
    travel = sum(
        haversine_m(kids[c].lat, kids[c].lon, by_id[g].lat, by_id[g].lon) for c, g in assignment.items()
    )
    waited = sum(kids[c].waiting_days for c in assignment)
    locations: dict[int, set[int]] = {}
    for c, g in assignment.items():
        if kids[c].sibling_group is not None:
            locations.setdefault(kids[c].sibling_group, set()).add(by_id[g].location)
    split = sum(1 for locs in locations.values() if len(locs) > 1)
    return len(assignment), waited, travel / 1000, split


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--groups", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline-only", action="store_true", help="skip the exact engine")
    args = parser.parse_args()
    children, groups = instance(random.Random(args.seed), args.children, args.groups)
    places = sum(g.free for g in groups)
    print(f"{len(children):,} waiting children, {len(groups)} groups, {places:,} free places")
    print(
        f"{'method':<10} {'time s':>8} {'placed':>8} {'waiting days':>13} {'travel km':>11} {'families split':>15}"
    )
    methods = [("greedy", lambda: greedy(children, groups))]
    if not args.baseline_only:
        methods.append(("engine", lambda: solve(children, groups).assignment))
    for name, run in methods:
        start = time.perf_counter()
        assignment = run()
        seconds = time.perf_counter() - start
        placed, waited, km, split = figures(children, groups, assignment)
        print(f"{name:<10} {seconds:>8.2f} {placed:>8,} {waited:>13,} {km:>11,.1f} {split:>15}", flush=True)
    print("load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
