"""The placement engine: pure numpy/scipy, no Django. Plain dataclasses in, plain results out.

Objective, lexicographic and exact:

1. place as many children as possible, and among the assignments that do, maximise the total waiting days of
   the children placed (so a place goes to the child who waited longest when children compete for it). Both
   are one integer objective: each placed child weighs ``W + waiting_days`` with ``W`` larger than the sum of
   all waiting days, so one more child placed always outweighs any gain in waiting days;
2. among those optimal assignments, the least total travel in whole metres (haversine, registering school
   to location).

Hard rules: a child only goes to an active group whose age band holds the child's age and which has a free
place; never more children in a group than its free places; siblings placed together are placed at one
location (a sibling may wait while another is placed, but never at two locations). The sibling coupling makes
this a mixed-integer program, solved exactly by HiGHS (``scipy.optimize.milp`` with ``mip_rel_gap=0``) in
two stages: stage 1 finds the optimum of (1), stage 2 fixes it and minimises travel.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from math import asin, cos, radians, sin, sqrt

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from placement.explain import explain

EARTH_RADIUS_M = 6_371_000


@dataclass(frozen=True)
class Child:
    id: int
    age: int
    waiting_days: int
    lat: float
    lon: float
    sibling_group: int | None = None  # children with the same value are siblings
    only_location: int | None = None  # a sibling already holds a place there


@dataclass(frozen=True)
class Group:
    id: int
    location: int
    location_name: str
    age_min: int
    age_max: int
    free: int
    lat: float
    lon: float


@dataclass(frozen=True)
class Reason:
    """Why a child was placed where, or why they wait. ``code`` and ``params`` are translated by the caller."""

    code: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class Result:
    assignment: dict[int, int]  # child id -> group id
    placed: int
    waiting_days: int
    travel_m: int
    reasons: dict[int, list[Reason]]  # child id -> reasons (placed and waiting alike)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Great-circle distance in whole metres."""
    p1, p2 = radians(lat1), radians(lat2)
    dp, dl = p2 - p1, radians(lon2 - lon1)
    a = sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_M * asin(min(1.0, sqrt(a))))


def fits(child: Child, group: Group) -> bool:
    return group.free > 0 and group.age_min <= child.age <= group.age_max


def _pairs(children: list[Child], groups: list[Group]) -> list[tuple[int, int, int]]:
    """(child index, group index, metres) for every pair the hard rules allow."""
    by_age: dict[int, list[int]] = defaultdict(list)
    for g, group in enumerate(groups):
        if group.free > 0:
            for age in range(group.age_min, group.age_max + 1):
                by_age[age].append(g)
    distance: dict[tuple[int, int], int] = {}
    pairs = []
    for i, child in enumerate(children):
        for g in by_age.get(child.age, ()):
            if child.only_location is not None and groups[g].location != child.only_location:
                continue
            key = (i, groups[g].location)
            if key not in distance:
                distance[key] = haversine_m(child.lat, child.lon, groups[g].lat, groups[g].lon)
            pairs.append((i, g, distance[key]))
    return pairs


def solve(children: list[Child], groups: list[Group]) -> Result:
    pairs = _pairs(children, groups)
    assignment: dict[int, int] = {}
    if pairs:
        chosen = _solve_milp(children, groups, pairs)
        assignment = {children[i].id: groups[g].id for i, g in chosen}
    return _result(children, groups, pairs, assignment)


def _solve_milp(
    children: list[Child], groups: list[Group], pairs: list[tuple[int, int, int]]
) -> list[tuple[int, int]]:
    n = len(pairs)
    ci = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=n)
    gi = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=n)
    metres = np.fromiter((p[2] for p in pairs), dtype=np.float64, count=n)
    wait = np.array([c.waiting_days for c in children], dtype=np.float64)
    weight = wait.sum() + 1 + wait[ci]

    rows, cols, upper = [], [], []
    # One group per child; at most ``free`` children per group.
    rows += [ci, len(children) + gi]
    cols += [np.arange(n), np.arange(n)]
    n_rows = len(children) + len(groups)
    upper += [np.ones(len(children)), np.array([g.free for g in groups], dtype=np.float64)]
    # Siblings: y[s, location] chooses one location per sibling group; a member's pairs there need it.
    families: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(children):
        if c.sibling_group is not None:
            families[c.sibling_group].append(i)
    y_of: dict[tuple[int, int], int] = {}
    coupling: dict[tuple[int, int], list[int]] = defaultdict(list)
    for k in range(n):
        family = children[ci[k]].sibling_group
        if family is not None and len(families[family]) > 1:
            loc = groups[gi[k]].location
            y_of.setdefault((family, loc), n + len(y_of))
            coupling[(int(ci[k]), loc)].append(k)
    extra_r, extra_c, extra_v, extra_u = [], [], [], []
    for (i, loc), ks in coupling.items():
        y = y_of[(children[i].sibling_group, loc)]  # type: ignore[index]
        extra_r += [n_rows] * (len(ks) + 1)
        extra_c += [*ks, y]
        extra_v += [1.0] * len(ks) + [-1.0]
        extra_u.append(0.0)
        n_rows += 1
    per_family: dict[int, list[int]] = defaultdict(list)
    for (family, _loc), y in y_of.items():
        per_family[family].append(y)
    for ys in per_family.values():
        extra_r += [n_rows] * len(ys)
        extra_c += ys
        extra_v += [1.0] * len(ys)
        extra_u.append(1.0)
        n_rows += 1
    n_vars = n + len(y_of)
    r = np.concatenate([*rows, np.array(extra_r, dtype=np.int64)])
    c = np.concatenate([*cols, np.array(extra_c, dtype=np.int64)])
    v = np.concatenate([np.ones(2 * n), np.array(extra_v)])
    a = coo_array((v, (r, c)), shape=(n_rows, n_vars)).tocsr()
    ub = np.concatenate([*upper, np.array(extra_u)])
    base = LinearConstraint(a, -np.inf, ub)
    options = {"mip_rel_gap": 0, "presolve": True}
    integrality = np.ones(n_vars)
    bounds = Bounds(0, 1)

    stage1 = np.concatenate([-weight, np.zeros(len(y_of))])
    first = _exact(stage1, [base], integrality, bounds, options)
    best = round(-float(stage1 @ first))
    keep = LinearConstraint(np.concatenate([weight, np.zeros(len(y_of))])[None, :], best - 0.5, best + 0.5)
    stage2 = np.concatenate([metres, np.zeros(len(y_of))])
    x = _exact(stage2, [base, keep], integrality, bounds, options)
    return [(int(ci[k]), int(gi[k])) for k in np.flatnonzero(x[:n] > 0.5)]


def _exact(
    cost: np.ndarray,
    constraints: list[LinearConstraint],
    integrality: np.ndarray,
    bounds: Bounds,
    options: dict,
) -> np.ndarray:
    """The optimum of the 0/1 program. The LP relaxation first: an integral LP optimum is the integer optimum
    too (its bound can only be weaker), and assignment-shaped problems are mostly integral; otherwise the MILP."""
    relaxed = milp(cost, constraints=constraints, integrality=np.zeros_like(integrality), bounds=bounds)
    if relaxed.x is not None and np.all(np.abs(relaxed.x - np.round(relaxed.x)) < 1e-9):
        return np.round(relaxed.x)
    exact = milp(cost, constraints=constraints, integrality=integrality, bounds=bounds, options=options)
    if exact.x is None:
        raise RuntimeError(f"placement solve failed: {exact.message}")
    return np.round(exact.x)


def _result(
    children: list[Child], groups: list[Group], pairs: list[tuple[int, int, int]], assignment: dict[int, int]
) -> Result:
    index = {g.id: k for k, g in enumerate(groups)}
    metres = {(children[i].id, groups[g].id): m for i, g, m in pairs}
    travel = sum(metres[(cid, gid)] for cid, gid in assignment.items())
    waited = sum(c.waiting_days for c in children if c.id in assignment)
    reasons = explain(children, groups, pairs, assignment, index)
    return Result(assignment, len(assignment), waited, travel, reasons)


def objective(children: list[Child], groups: list[Group], assignment: dict[int, int]) -> tuple[int, int, int]:
    """(placed, waiting days placed, -travel metres): larger is better, compared lexicographically."""
    by_id = {g.id: g for g in groups}
    kids = {c.id: c for c in children}
    travel = sum(
        haversine_m(kids[c].lat, kids[c].lon, by_id[g].lat, by_id[g].lon) for c, g in assignment.items()
    )
    return len(assignment), sum(kids[c].waiting_days for c in assignment), -travel
