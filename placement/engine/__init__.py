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

The fast path (``faces.Model.transport_face_stage``): without the sibling rows, stage 1 is a transportation problem
whose LP optimum is integral and an upper bound; stage 2 runs on that LP's optimal face (complementary
slackness), so it needs no stage-1 integer program and no stage-1 row. When its result does not reach the
bound with every family together, the engine runs the two stages in full.

The package, stage by stage: ``problem`` (the data, the hard rules, distances, the objective), ``columns``
(the program over the allowed pairs and column generation), ``faces`` (stage 2 on an LP optimal face, the
fast path), ``highs`` (the LP and integer solves), ``explain`` (reasons per child). This module runs the
stages in order and keeps the public names.
"""

import numpy as np

from placement.engine.explain import explain
from placement.engine.faces import Model as _Model
from placement.engine.problem import (
    EARTH_RADIUS_M,
    Child,
    Group,
    Reason,
    Result,
    allowed_pairs,
    fits,
    haversine_m,
    objective,
)

__all__ = [
    "EARTH_RADIUS_M",
    "NEAREST_LOCATIONS",
    "Child",
    "Group",
    "Reason",
    "Result",
    "fits",
    "haversine_m",
    "objective",
    "solve",
]

NEAREST_LOCATIONS = 6  # the columns a solve starts from: each child's pairs at its nearest locations


def solve(children: list[Child], groups: list[Group]) -> Result:
    pairs = allowed_pairs(children, groups)
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


def _result(
    children: list[Child], groups: list[Group], pairs: list[tuple[int, int, int]], assignment: dict[int, int]
) -> Result:
    index = {g.id: k for k, g in enumerate(groups)}
    metres = {(children[i].id, groups[g].id): m for i, g, m in pairs}
    travel = sum(metres[(cid, gid)] for cid, gid in assignment.items())
    waited = sum(c.waiting_days for c in children if c.id in assignment)
    reasons = explain(children, groups, pairs, assignment, index)
    return Result(assignment, len(assignment), waited, travel, reasons)
