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
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
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
    model = _Model(children, groups, pairs)
    columns = model.nearest(NEAREST_LOCATIONS)
    # Stage 1: the most children placed, and among those the most waiting days (one weight per child).
    columns, x, value = model.stage(-model.weight, columns, keep=[])
    # Stage 2 keeps that optimum as two rows (better conditioned than one): as many children, as many
    # waiting days; and minimises travel.
    count, waited = divmod(round(-value), round(model.big))
    keep = [(np.ones(len(pairs)), float(count)), (model.wait, float(waited))]
    columns, x, _ = model.stage(model.metres, columns, keep=keep)
    return [(int(model.ci[k]), int(model.gi[k])) for k in columns[x[: len(columns)] > 0.5]]


NEAREST_LOCATIONS = 6  # the columns a solve starts from: each child's pairs at its nearest locations
TOL = 1e-6


class _Model:
    """The 0/1 program over all allowed pairs, solved on a subset of its columns (pairs) that grows until it
    provably holds an optimum: column generation on the LP relaxation (every left-out pair has a non-negative
    reduced cost), then reduced-cost fixing for the integer program (a left-out pair whose reduced cost exceeds
    the gap between the restricted integer optimum and the LP bound cannot be in a better solution; all the
    others are added and the restricted program solved once more). Exact, and small: most children only ever
    consider their nearest locations.

    Variables: x[k] for the columns' pairs, y[f, location] for a family of two or more at a location. Rows: at
    most one group per child, at most ``free`` per group, x[i, g] summed over the location's groups <= y[f,
    location] for each family member, the y of a family summing to at most 1, and in stage 2 the stage-1
    optimum kept (weights >= best)."""

    def __init__(self, children: list[Child], groups: list[Group], pairs: list[tuple[int, int, int]]) -> None:
        n = len(pairs)
        self.n_children, self.n_groups = len(children), len(groups)
        self.ci = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=n)
        self.gi = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=n)
        self.metres = np.fromiter((p[2] for p in pairs), dtype=np.float64, count=n)
        wait = np.array([c.waiting_days for c in children], dtype=np.float64)
        self.wait = wait[self.ci]
        self.big = wait.sum() + 1
        self.weight = self.big + self.wait
        self.free = np.array([g.free for g in groups], dtype=np.float64)
        location = np.array([g.location for g in groups], dtype=np.int64)
        self.loc = location[self.gi]
        size: dict[int, int] = defaultdict(int)
        for c in children:
            if c.sibling_group is not None:
                size[c.sibling_group] += 1
        family_ids = {f: k for k, f in enumerate(f for f, s in size.items() if s > 1)}
        self.n_families = len(family_ids)
        # Families whose sibling rows are in the program; the extra last entry answers for index -1 (no family).
        self.active = np.zeros(self.n_families + 1, dtype=bool)
        fam = np.array(
            [family_ids.get(c.sibling_group, -1) if c.sibling_group is not None else -1 for c in children],
            dtype=np.int64,
        )
        self.family = fam[self.ci]  # per pair: the child's family index, or -1
        # Global keys of the coupling rows (child, location) and of the y variables (family, location).
        coupled = self.family >= 0
        self.couple_key = np.full(n, -1, dtype=np.int64)
        self.y_key = np.full(n, -1, dtype=np.int64)
        if coupled.any():
            _, inverse = np.unique(
                np.stack([self.ci[coupled], self.loc[coupled]], axis=1), axis=0, return_inverse=True
            )
            self.couple_key[coupled] = inverse.ravel()
            _, inverse = np.unique(
                np.stack([self.family[coupled], self.loc[coupled]], axis=1), axis=0, return_inverse=True
            )
            self.y_key[coupled] = inverse.ravel()

    def nearest(self, k: int) -> np.ndarray:
        """Each child's pairs at its ``k`` nearest locations (all groups there)."""
        order = np.lexsort((self.metres, self.ci))
        keep = np.zeros(len(self.ci), dtype=bool)
        ci, metres = self.ci[order], self.metres[order]
        start = np.searchsorted(ci, np.arange(self.n_children))
        end = np.searchsorted(ci, np.arange(self.n_children), side="right")
        for i in range(self.n_children):
            if end[i] > start[i]:
                distinct = np.unique(metres[start[i] : end[i]])
                limit = distinct[min(k, len(distinct)) - 1]
                keep[order[start[i] : end[i]][metres[start[i] : end[i]] <= limit]] = True
        return np.flatnonzero(keep)

    def _program(
        self, cost: np.ndarray, columns: np.ndarray, keep: list[tuple[np.ndarray, float]]
    ) -> tuple[np.ndarray, LinearConstraint, np.ndarray]:
        """The restricted program: cost vector, constraints, and the keys of its coupling rows and y."""
        m = len(columns)
        ci, gi = self.ci[columns], self.gi[columns]
        family = self.family[columns]
        coupled = self.active[family]
        couple_keys, couple_row = np.unique(self.couple_key[columns][coupled], return_inverse=True)
        y_keys, y_col = np.unique(self.y_key[columns][coupled], return_inverse=True)
        y_family = np.zeros(len(y_keys), dtype=np.int64)
        y_family[y_col] = self.family[columns][coupled]
        nc, ng, ncp, ny = self.n_children, self.n_groups, len(couple_keys), len(y_keys)
        idx = np.flatnonzero(coupled)
        # The y of each coupling row: the (family, location) of any of its columns.
        row_y = np.zeros(ncp, dtype=np.int64)
        row_y[couple_row] = y_col
        rows = [ci, nc + gi, nc + ng + couple_row, nc + ng + np.arange(ncp), nc + ng + ncp + y_family]
        cols = [np.arange(m), np.arange(m), idx, m + row_y, m + np.arange(ny)]
        vals = [np.ones(m), np.ones(m), np.ones(len(idx)), -np.ones(ncp), np.ones(ny)]
        upper = [np.ones(nc), self.free, np.zeros(ncp), np.ones(self.n_families)]
        n_rows = nc + ng + ncp + self.n_families
        for coefficients, bound in keep:  # coefficients @ x >= bound
            rows.append(np.full(m, n_rows))
            cols.append(np.arange(m))
            vals.append(-coefficients[columns])
            upper.append(np.array([-bound + 0.5]))
            n_rows += 1
        a = coo_array(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_rows, m + ny)
        ).tocsr()
        c = np.concatenate([cost[columns], np.zeros(ny)])
        return c, LinearConstraint(a, -np.inf, np.concatenate(upper)), couple_keys

    def _reduced(
        self,
        cost: np.ndarray,
        duals: np.ndarray,
        couple_keys: np.ndarray,
        keep: list[tuple[np.ndarray, float]],
    ) -> np.ndarray:
        """Reduced cost of every pair (column) under the LP's duals; a coupling row the program lacks has dual 0,
        which keeps the duals feasible (its y only appears in its family's row)."""
        nc, ng = self.n_children, self.n_groups
        rc = cost - duals[self.ci] - duals[nc + self.gi]
        couple = np.zeros(int(self.couple_key.max()) + 1 if len(self.couple_key) else 0)
        couple[couple_keys] = duals[nc + ng : nc + ng + len(couple_keys)]
        coupled = self.couple_key >= 0
        rc[coupled] -= couple[self.couple_key[coupled]]
        for j, (coefficients, _bound) in enumerate(keep):
            rc += duals[len(duals) - len(keep) + j] * coefficients
        return rc

    def stage(
        self, cost: np.ndarray, columns: np.ndarray, keep: list[tuple[np.ndarray, float]]
    ) -> tuple[np.ndarray, np.ndarray, float]:
        """The optimum of one stage. Sibling rows are added lazily: only for families that a solution split
        over locations. A solution that splits none is feasible for the full program and optimal for a
        relaxation of it, so it is optimal."""
        while True:
            columns, x, value = self._relaxed_stage(cost, columns, keep)
            chosen = columns[x[: len(columns)] > 0.5]
            family, loc = self.family[chosen], self.loc[chosen]
            pairs = np.unique(np.stack([family[family >= 0], loc[family >= 0]], axis=1), axis=0)
            families, counts = np.unique(pairs[:, 0], return_counts=True)
            split = families[counts > 1]
            if not len(split):
                return columns, x, value
            self.active[split] = True

    def _relaxed_stage(
        self, cost: np.ndarray, columns: np.ndarray, keep: list[tuple[np.ndarray, float]]
    ) -> tuple[np.ndarray, np.ndarray, float]:
        while True:
            c, constraint, couple_keys = self._program(cost, columns, keep)
            lp = linprog(c, A_ub=constraint.A, b_ub=constraint.ub, bounds=(0, 1), method="highs")
            if lp.status != 0:
                raise RuntimeError(f"placement solve failed: {lp.message}")
            rc = self._reduced(cost, lp.ineqlin.marginals, couple_keys, keep)
            outside = np.ones(len(cost), dtype=bool)
            outside[columns] = False
            entering = outside & (rc < -TOL)
            if not entering.any():
                break
            columns = np.union1d(columns, np.flatnonzero(entering))
        bound = float(lp.fun)
        if np.all(np.abs(lp.x - np.round(lp.x)) < 1e-9):
            return columns, np.round(lp.x), bound
        x, value = self._integer(c, constraint)
        # The objective is integral: a better solution is at least 1 lower, so it can only use a left-out
        # pair whose reduced cost is at most gap - 1.
        gap = value - bound
        extra = outside & (rc <= gap - 1 + TOL)
        if extra.any():
            columns = np.union1d(columns, np.flatnonzero(extra))
            c, constraint, _keys = self._program(cost, columns, keep)
            x, value = self._integer(c, constraint)
        return columns, x, value

    @staticmethod
    def _integer(c: np.ndarray, constraint: LinearConstraint) -> tuple[np.ndarray, float]:
        result = milp(
            c,
            constraints=[constraint],
            integrality=np.ones(len(c)),
            bounds=Bounds(0, 1),
            options={"mip_rel_gap": 0, "presolve": True},
        )
        if result.x is None:
            raise RuntimeError(f"placement solve failed: {result.message}")
        x = np.round(result.x)
        return x, float(c @ x)


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
