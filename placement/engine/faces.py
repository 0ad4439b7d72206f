"""Stage 2 on stage 1's LP optimal face: the fast path over the transportation problem's face
(``transport_face_stage``) and the face of stage 1's integer optimum (``face_stage``)."""

import numpy as np

from placement.engine.columns import TOL, ColumnModel, Face
from placement.engine.highs import LP, Infeasible, solve_integer, solve_lp


class Model(ColumnModel):
    """The program with both face stages; ``placement.engine.solve`` tries them in turn."""

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
            full = solve_lp(program)
        except Infeasible:
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
            x2, value = solve_integer(self._program(self.metres, np.flatnonzero(near), [], face))
        except Infeasible:
            # The pairs near zero hold no solution with every family together: bring in every allowed pair
            # of the children in families.
            near |= allowed & (self.family >= 0)
            try:
                x2, value = solve_integer(self._program(self.metres, np.flatnonzero(near), [], face))
            except Infeasible:
                return None
        extra = allowed & ~near & (rc2 <= value - bound - 1 + TOL)
        if extra.any():
            near |= extra
            x2, value = solve_integer(self._program(self.metres, np.flatnonzero(near), [], face))
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

    def _face(self, lp: LP, rc: np.ndarray, cost: np.ndarray) -> Face:
        nc, ng = self.n_children, self.n_groups
        tol = max(1e-5, 1e-9 * float(np.abs(cost).max()))
        d = lp.duals
        return Face(
            allowed=rc <= tol,
            forced=rc < -tol,
            child_tight=np.abs(d[:nc]) > tol,
            group_tight=np.abs(d[nc : nc + ng]) > tol,
        )
