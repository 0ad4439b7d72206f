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
two stages: stage 1 finds the optimum of (1), stage 2 keeps it and minimises travel.

The fast path (``_Model.transport_face_stage``): without the sibling rows, stage 1 is a transportation problem
whose LP optimum is integral and an upper bound; stage 2 runs on that LP's optimal face (complementary
slackness), so it needs no stage-1 integer program and no stage-1 row. When its result does not reach the
bound with every family together, the engine runs the two stages in full.
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
    """(child index, group index, metres) for every pair the hard rules allow, in child then group order. The
    metres are those of ``haversine_m`` from the child to the first such group at the location, computed in
    numpy and recomputed by ``haversine_m`` where the rounding is too close to call."""
    by_age: dict[int, list[int]] = defaultdict(list)
    for g, group in enumerate(groups):
        if group.free > 0:
            for age in range(group.age_min, group.age_max + 1):
                by_age[age].append(g)
    options = {age: np.array(gs, dtype=np.int64) for age, gs in by_age.items()}
    location = np.array([g.location for g in groups], dtype=np.int64)
    ci_parts, gi_parts = [], []
    for i, child in enumerate(children):
        gs = options.get(child.age)
        if gs is None:
            continue
        if child.only_location is not None:
            gs = gs[location[gs] == child.only_location]
        ci_parts.append(np.full(len(gs), i, dtype=np.int64))
        gi_parts.append(gs)
    if not ci_parts:
        return []
    ci, gi = np.concatenate(ci_parts), np.concatenate(gi_parts)
    if not len(ci):
        return []
    # One distance per (child, location): that of the pair that comes first.
    _keys, first, inverse = np.unique(
        np.stack([ci, location[gi]], axis=1), axis=0, return_index=True, return_inverse=True
    )
    fi, fg = ci[first], gi[first]
    lat1 = np.radians(np.array([c.lat for c in children]))[fi]
    lon1 = np.radians(np.array([c.lon for c in children]))[fi]
    lat2 = np.radians(np.array([g.lat for g in groups]))[fg]
    lon2 = np.radians(np.array([g.lon for g in groups]))[fg]
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    exact = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    metres = np.round(exact).astype(np.int64)
    close = np.flatnonzero(np.abs(exact - np.floor(exact) - 0.5) < 1e-4)
    for k in close:
        child, group = children[fi[k]], groups[fg[k]]
        metres[k] = haversine_m(child.lat, child.lon, group.lat, group.lon)
    return list(zip(ci.tolist(), gi.tolist(), metres[inverse.ravel()].tolist(), strict=True))


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
    chosen = model.transport_face_stage(columns)
    if chosen is not None:
        return [(int(model.ci[k]), int(model.gi[k])) for k in chosen]
    # Stage 1: the most children placed, and among those the most waiting days (one weight per child).
    columns, x, value = model.stage(-model.weight, columns)
    count, waited = divmod(round(-value), round(model.big))
    chosen = model.face_stage(columns, x, round(value))
    if chosen is not None and model.value_of(chosen) == (count, waited):
        return [(int(model.ci[k]), int(model.gi[k])) for k in chosen]
    # Fallback (the stage-1 optimum lies strictly above its LP bound): keep that optimum as two rows (as
    # many children, as many waiting days) and minimise travel.
    keep = [(np.ones(len(pairs)), float(count)), (model.wait, float(waited))]
    columns, x, _ = model.stage(model.metres, columns, keep=keep)
    return [(int(model.ci[k]), int(model.gi[k])) for k in columns[x[: len(columns)] > 0.5]]


NEAREST_LOCATIONS = 6  # the columns a solve starts from: each child's pairs at its nearest locations
TOL = 1e-6


@dataclass
class _Face:
    """Stage 1's LP optimal face, by complementary slackness with one optimal dual solution: a pair with a
    positive reduced cost stays 0, one with a negative reduced cost stays 1, a child or group row with a
    non-zero dual is tight. When stage 1's integer optimum equals its LP bound, every stage-1-optimal
    integer solution is LP-optimal, so it lies on this face: stage 2 minimises travel over the face instead
    of carrying the stage-1 objective as a (badly conditioned, knapsack-like) row. The sibling rows and y
    are left as they are (a relaxation of the face); the caller checks the result's stage-1 value in
    integers, so the face only ever narrows the search, never the answer."""

    allowed: np.ndarray  # per pair: may be non-zero
    forced: np.ndarray  # per pair: must be 1
    child_tight: np.ndarray
    group_tight: np.ndarray


class _Model:
    """The 0/1 program over all allowed pairs, solved on a subset of its columns (pairs) that grows until it
    provably holds an optimum: column generation on the LP relaxation (every left-out pair has a non-negative
    reduced cost), then reduced-cost fixing for the integer program (a left-out pair whose reduced cost exceeds
    the gap between the restricted integer optimum and the LP bound cannot be in a better solution; all the
    others are added and the restricted program solved once more). Exact, and small: most children only ever
    consider their nearest locations.

    Variables: x[k] for the columns' pairs, y[f, location] for a family of two or more at a location. Rows: at
    most one group per child, at most ``free`` per group, x[i, g] summed over the location's groups <= y[f,
    location] for each family member, the y of a family summing to at most 1, and in the fallback stage 2 the
    stage-1 optimum kept (weights >= best)."""

    def __init__(self, children: list[Child], groups: list[Group], pairs: list[tuple[int, int, int]]) -> None:
        n = len(pairs)
        self.n_children, self.n_groups = len(children), len(groups)
        self.ci = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=n)
        self.gi = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=n)
        self.metres = np.fromiter((p[2] for p in pairs), dtype=np.float64, count=n)
        wait = np.array([c.waiting_days for c in children], dtype=np.float64)
        self.wait = wait[self.ci]
        self.wait_int = np.array([c.waiting_days for c in children], dtype=np.int64)[self.ci]
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
        self.n_couple = self.n_y = 0
        if coupled.any():
            keys, inverse = np.unique(
                np.stack([self.ci[coupled], self.loc[coupled]], axis=1), axis=0, return_inverse=True
            )
            self.couple_key[coupled] = inverse.ravel()
            self.n_couple = len(keys)
            keys, inverse = np.unique(
                np.stack([self.family[coupled], self.loc[coupled]], axis=1), axis=0, return_inverse=True
            )
            self.y_key[coupled] = inverse.ravel()
            self.n_y = len(keys)
        self.couple_y = np.zeros(self.n_couple, dtype=np.int64)  # global coupling key -> global y key
        self.couple_y[self.couple_key[coupled]] = self.y_key[coupled]
        self.y_family = np.zeros(self.n_y, dtype=np.int64)  # global y key -> family index
        self.y_family[self.y_key[coupled]] = self.family[coupled]

    def value_of(self, chosen: np.ndarray) -> tuple[int, int]:
        """(children placed, their waiting days) of a set of chosen pairs, in integers."""
        return len(chosen), int(self.wait_int[chosen].sum())

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
        self,
        cost: np.ndarray,
        columns: np.ndarray,
        keep: list[tuple[np.ndarray, float]],
        face: _Face | None = None,
    ) -> "_Program":
        """The restricted program: cost vector, constraints, bounds, and the keys of its coupling rows and y."""
        m = len(columns)
        ci, gi = self.ci[columns], self.gi[columns]
        family = self.family[columns]
        coupled = self.active[family]
        couple_keys, couple_row = np.unique(self.couple_key[columns][coupled], return_inverse=True)
        y_keys = np.unique(self.y_key[columns][coupled])
        y_family = self.y_family[y_keys]
        nc, ng, ncp, ny = self.n_children, self.n_groups, len(couple_keys), len(y_keys)
        idx = np.flatnonzero(coupled)
        row_y = np.searchsorted(y_keys, self.couple_y[couple_keys])  # the y of each coupling row
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
        ub = np.concatenate(upper)
        lb = np.full(n_rows, -np.inf)
        var_lb, var_ub = np.zeros(m + ny), np.ones(m + ny)
        if face is not None:
            tight = np.concatenate([face.child_tight, face.group_tight])
            lb[: nc + ng][tight] = ub[: nc + ng][tight]
            var_lb[:m][face.forced[columns]] = 1
        c = np.concatenate([cost[columns], np.zeros(ny)])
        return _Program(c, a, lb, ub, var_lb, var_ub, couple_keys, y_keys)

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
        couple = np.zeros(self.n_couple)
        couple[couple_keys] = duals[nc + ng : nc + ng + len(couple_keys)]
        coupled = self.couple_key >= 0
        rc[coupled] -= couple[self.couple_key[coupled]]
        for j, (coefficients, _bound) in enumerate(keep):
            rc += duals[len(duals) - len(keep) + j] * coefficients
        return rc

    def stage(
        self, cost: np.ndarray, columns: np.ndarray, keep: list[tuple[np.ndarray, float]] | None = None
    ) -> tuple[np.ndarray, np.ndarray, float]:
        """The optimum of one stage. Sibling rows are added lazily: only for families that a solution split
        over locations. A solution that splits none is feasible for the full program and optimal for a
        relaxation of it, so it is optimal."""
        keep = keep or []
        while True:
            columns, x, value = self._relaxed_stage(cost, columns, keep)
            split = self._split(columns[x[: len(columns)] > 0.5])
            if not len(split):
                return columns, x, value
            self.active[split] = True

    def _split(self, chosen: np.ndarray) -> np.ndarray:
        family, loc = self.family[chosen], self.loc[chosen]
        pairs = np.unique(np.stack([family[family >= 0], loc[family >= 0]], axis=1), axis=0)
        families, counts = np.unique(pairs[:, 0], return_counts=True)
        return families[counts > 1]

    def transport_face_stage(self, columns: np.ndarray) -> np.ndarray | None:
        """Both stages without a stage-1 integer program. Without the sibling rows stage 1 is a transportation
        problem: its LP optimum U is integral and bounds the whole program's. Stage 2 minimises travel over
        that LP's optimal face (every solution of the whole program that reaches U lies on it: it is then an
        optimum of the LP, so complementary slackness with the LP's duals holds), with the sibling rows. A
        result that splits no family and reaches U (checked in integers) is optimal for both stages. None
        when it does not apply, e.g. when no solution with siblings together reaches U (the caller then runs
        the two stages in full)."""
        cost1 = -self.weight
        columns, lp, _program, rc, _outside = self._column_generation(cost1, columns, [])
        x = lp.x[: len(columns)]
        if not np.all(np.abs(x - np.round(x)) < 1e-9):
            return None
        start = columns[x > 0.5]
        target = self.value_of(start)
        face = self._face(lp, rc, cost1)
        allowed = face.allowed.copy()
        allowed[start] = True
        # Every family's sibling rows from the start: one round of integer programs instead of one per
        # batch of split families.
        self.active[:-1] = True
        try:
            # One LP over every allowed pair prices them all at once; the restricted program starts from
            # that LP's support and the pairs of zero reduced cost (column generation and reduced-cost fixing
            # below still prove the optimum over all allowed pairs).
            everything = np.flatnonzero(allowed)
            program = self._program(self.metres, everything, [], face)
            full = _lp(program)
        except _Infeasible:
            return None
        rc2 = self._reduced(self.metres, full.duals, program.couple_keys, [])
        near = allowed & (rc2 <= TOL)
        near[everything[full.x[: len(everything)] > TOL]] = True
        near[start] = True
        # That LP is the bound over every allowed pair, and its reduced costs hold for all of them: a better
        # integer solution than one of value v only uses pairs of reduced cost <= v - bound - 1 (the objective
        # is integral). So: the integer program on the pairs near zero, then once more with every pair that
        # could still improve it.
        bound = full.fun
        try:
            x2, value = _integer(self._program(self.metres, np.flatnonzero(near), [], face))
        except _Infeasible:
            # The pairs near zero hold no solution with every family together: bring in every allowed pair
            # of the children in families.
            near |= allowed & (self.family >= 0)
            try:
                x2, value = _integer(self._program(self.metres, np.flatnonzero(near), [], face))
            except _Infeasible:
                return None
        extra = allowed & ~near & (rc2 <= value - bound - 1 + TOL)
        if extra.any():
            near |= extra
            x2, value = _integer(self._program(self.metres, np.flatnonzero(near), [], face))
        stage_columns = np.flatnonzero(near)
        chosen = stage_columns[x2[: len(stage_columns)] > 0.5]
        if len(self._split(chosen)):
            return None
        return chosen if self.value_of(chosen) == target else None

    def face_stage(self, columns: np.ndarray, x: np.ndarray, value: int) -> np.ndarray | None:
        """Stage 2 over stage 1's optimal face: the chosen pairs of least travel, or None when stage 1's
        optimum lies above its LP bound (the face would then miss integer optima)."""
        cost1 = -self.weight
        start = columns[x[: len(columns)] > 0.5]  # stage 1's solution: on the face, and splits no family
        while True:
            columns, lp, _program, rc, _outside = self._column_generation(cost1, columns, [])
            if lp.fun < value - 0.5:
                return None
            face = self._face(lp, rc, cost1)
            allowed = face.allowed.copy()
            allowed[start] = True  # on the face by construction, whatever the tolerances say
            stage_columns = np.union1d(np.intersect1d(columns, np.flatnonzero(allowed)), start)
            stage_columns, x2, _v = self._relaxed_stage(self.metres, stage_columns, [], face, allowed)
            chosen = stage_columns[x2[: len(stage_columns)] > 0.5]
            split = self._split(chosen)
            if not len(split):
                return chosen
            self.active[split] = True
            columns = np.union1d(columns, stage_columns)

    def _face(self, lp: "_LP", rc: np.ndarray, cost: np.ndarray) -> _Face:
        nc, ng = self.n_children, self.n_groups
        tol = max(1e-5, 1e-9 * float(np.abs(cost).max()))
        d = lp.duals
        return _Face(
            allowed=rc <= tol,
            forced=rc < -tol,
            child_tight=np.abs(d[:nc]) > tol,
            group_tight=np.abs(d[nc : nc + ng]) > tol,
        )

    def _column_generation(
        self,
        cost: np.ndarray,
        columns: np.ndarray,
        keep: list[tuple[np.ndarray, float]],
        face: _Face | None = None,
        allowed: np.ndarray | None = None,
    ) -> tuple[np.ndarray, "_LP", "_Program", np.ndarray, np.ndarray]:
        while True:
            program = self._program(cost, columns, keep, face)
            lp = _lp(program)
            rc = self._reduced(cost, lp.duals, program.couple_keys, keep)
            outside = np.ones(len(cost), dtype=bool) if allowed is None else allowed.copy()
            outside[columns] = False
            entering = outside & (rc < -TOL)
            if not entering.any():
                return columns, lp, program, rc, outside
            columns = np.union1d(columns, np.flatnonzero(entering))

    def _relaxed_stage(
        self,
        cost: np.ndarray,
        columns: np.ndarray,
        keep: list[tuple[np.ndarray, float]],
        face: _Face | None = None,
        allowed: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, float]:
        columns, lp, program, rc, outside = self._column_generation(cost, columns, keep, face, allowed)
        bound = float(lp.fun)
        if np.all(np.abs(lp.x - np.round(lp.x)) < 1e-9):
            return columns, np.round(lp.x), bound
        x, value = _integer(program)
        # The objective is integral: a better solution is at least 1 lower, so it can only use a left-out
        # pair whose reduced cost is at most gap - 1.
        gap = value - bound
        extra = outside & (rc <= gap - 1 + TOL)
        if extra.any():
            columns = np.union1d(columns, np.flatnonzero(extra))
            x, value = _integer(self._program(cost, columns, keep, face))
        return columns, x, value


@dataclass
class _Program:
    c: np.ndarray
    a: object
    lb: np.ndarray
    ub: np.ndarray
    var_lb: np.ndarray
    var_ub: np.ndarray
    couple_keys: np.ndarray
    y_keys: np.ndarray


@dataclass
class _LP:
    x: np.ndarray
    fun: float
    duals: np.ndarray  # per row of the program, d(objective)/d(row bound)


def _lp(program: _Program) -> _LP:
    eq = program.lb == program.ub
    a = program.a
    bounds = np.stack([program.var_lb, program.var_ub], axis=1)
    if eq.any():
        result = linprog(
            program.c,
            A_ub=a[~eq],
            b_ub=program.ub[~eq],
            A_eq=a[eq],
            b_eq=program.ub[eq],
            bounds=bounds,
            method="highs",
        )
    else:
        result = linprog(program.c, A_ub=a, b_ub=program.ub, bounds=bounds, method="highs")
    if result.status == 2:
        raise _Infeasible(result.message)
    if result.status != 0:
        raise RuntimeError(f"placement solve failed: {result.message}")
    duals = np.zeros(len(program.ub))
    duals[~eq] = result.ineqlin.marginals
    if eq.any():
        duals[eq] = result.eqlin.marginals
    return _LP(result.x, float(result.fun), duals)


def _integer(program: _Program) -> tuple[np.ndarray, float]:
    result = milp(
        program.c,
        constraints=[LinearConstraint(program.a, program.lb, program.ub)],
        integrality=np.ones(len(program.c)),
        bounds=Bounds(program.var_lb, program.var_ub),
        options={"mip_rel_gap": 0, "presolve": True},
    )
    if result.status == 2:
        raise _Infeasible(result.message)
    if result.x is None:
        raise RuntimeError(f"placement solve failed: {result.message}")
    x = np.round(result.x)
    return x, float(program.c @ x)


class _Infeasible(RuntimeError):
    """A restricted program (stage 2 on a face, with sibling rows) has no feasible point."""


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
