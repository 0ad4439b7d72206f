"""The restricted programs the engine solves, and the two HiGHS calls on them (``scipy.optimize``): the LP
relaxation with its duals, and the integer program solved exactly (``mip_rel_gap=0``)."""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_array


@dataclass
class Program:
    c: np.ndarray
    a: csr_array  # the constraint matrix, one row per constraint
    lb: np.ndarray
    ub: np.ndarray
    var_lb: np.ndarray
    var_ub: np.ndarray
    couple_keys: np.ndarray
    y_keys: np.ndarray


@dataclass
class LP:
    x: np.ndarray
    fun: float
    duals: np.ndarray  # per row of the program, d(objective)/d(row bound)


def solve_lp(program: Program) -> LP:
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
        raise Infeasible(result.message)
    if result.status != 0:
        raise RuntimeError(f"placement solve failed: {result.message}")
    duals = np.zeros(len(program.ub))
    duals[~eq] = result.ineqlin.marginals
    if eq.any():
        duals[eq] = result.eqlin.marginals
    return LP(result.x, float(result.fun), duals)


def solve_integer(program: Program) -> tuple[np.ndarray, float]:
    result = milp(
        program.c,
        constraints=[LinearConstraint(program.a, program.lb, program.ub)],
        integrality=np.ones(len(program.c)),
        bounds=Bounds(program.var_lb, program.var_ub),
        options={"mip_rel_gap": 0, "presolve": True},
    )
    if result.status == 2:
        raise Infeasible(result.message)
    if result.x is None:
        raise RuntimeError(f"placement solve failed: {result.message}")
    x = np.round(result.x)
    return x, float(program.c @ x)


class Infeasible(RuntimeError):
    """A restricted program (stage 2 on a face, with sibling rows) has no feasible point."""
