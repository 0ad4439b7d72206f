"""The 0/1 program over every allowed pair, solved on a growing subset of its columns: the restricted
program, reduced costs, column generation, reduced-cost fixing and the lazily added sibling rows. The face
stages (``placement.engine.faces``) build on it."""

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_array

from placement.engine.highs import LP, Program, solve_integer, solve_lp
from placement.engine.problem import Child, Group

TOL = 1e-6


@dataclass
class Face:
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


class ColumnModel:
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
        face: Face | None = None,
    ) -> Program:
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
        return Program(c, a, lb, ub, var_lb, var_ub, couple_keys, y_keys)

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

    def _column_generation(
        self,
        cost: np.ndarray,
        columns: np.ndarray,
        keep: list[tuple[np.ndarray, float]],
        face: Face | None = None,
        allowed: np.ndarray | None = None,
    ) -> tuple[np.ndarray, LP, Program, np.ndarray, np.ndarray]:
        while True:
            program = self._program(cost, columns, keep, face)
            lp = solve_lp(program)
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
        face: Face | None = None,
        allowed: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, float]:
        columns, lp, program, rc, outside = self._column_generation(cost, columns, keep, face, allowed)
        bound = float(lp.fun)
        if np.all(np.abs(lp.x - np.round(lp.x)) < 1e-9):
            return columns, np.round(lp.x), bound
        x, value = solve_integer(program)
        # The objective is integral: a better solution is at least 1 lower, so it can only use a left-out
        # pair whose reduced cost is at most gap - 1.
        gap = value - bound
        extra = outside & (rc <= gap - 1 + TOL)
        if extra.any():
            columns = np.union1d(columns, np.flatnonzero(extra))
            x, value = solve_integer(self._program(cost, columns, keep, face))
        return columns, x, value
