"""Buddy matching: decomposition by group, exact solve per component, batching and parallelism.

Pairs are only possible inside a group, so the problem falls apart into independent components (one
per group) and the optimum of the whole is the union of the component optima. Components are solved
in batches (consecutive groups, ~``batch_size`` pupils each): a batch is the unit of progress
reporting, of parallel work (``workers > 1`` forks a process pool) and of Celery tasks
(:func:`iter_batches` + :func:`solve_batch`, then :func:`merge_results`). Because every component's
solve depends only on that component, all of these give exactly the same Result as one :func:`solve`.

Objective per component, lexicographic: (1) as many matched pupils as possible, (2) minimal total cost
(soft costs + load spread), solved exactly by :func:`matching.engine.assign.assign`.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import numpy as np

from .assign import assign
from .costs import cost_matrix, pair_costs, rule_stages
from .explain import N_ALTERNATIVES, build_pairs, build_unmatched, two_best, unmatched_codes
from .prepare import Prepared, _rank_within_runs, prepare
from .problem import Problem, Result, Stats

#: Pupils per batch. Small enough for ~50 batches on a national run (even load over two workers,
#: frequent progress), large enough that per-batch overhead (process hand-off, result pickling) is
#: negligible. A single component is never split, so a 2,000-pupil municipality is one batch.
DEFAULT_BATCH_SIZE = 2000

Progress = Callable[[int, int, int], None]


@dataclass
class _Acc:
    """Per-batch accumulator of component outputs (lists of arrays, concatenated once)."""

    pair_p: list[np.ndarray] = field(default_factory=list)
    pair_b: list[np.ndarray] = field(default_factory=list)
    soft: list[np.ndarray] = field(default_factory=list)
    alt_b: list[np.ndarray] = field(default_factory=list)
    alt_c: list[np.ndarray] = field(default_factory=list)
    un_p: list[np.ndarray] = field(default_factory=list)
    un_code: list[np.ndarray] = field(default_factory=list)
    un_count: list[np.ndarray] = field(default_factory=list)
    t_costs: float = 0.0
    t_assign: float = 0.0


def _cat(parts: list[np.ndarray], dtype: type, width: int | None = None) -> np.ndarray:
    if parts:
        return np.concatenate(parts)
    return np.zeros((0,) if width is None else (0, width), dtype=dtype)


def _solve_component(prep: Prepared, k: int, acc: _Acc) -> None:
    """Solve component k (its unlocked pupils) and append pairs/unmatched to ``acc``."""
    problem = prep.problem
    pupils, buddies, w = problem.pupils, problem.buddies, problem.weights
    comp_p = prep.component_pupils(k)
    unlocked = ~prep.is_locked[comp_p]
    rows = comp_p[unlocked]
    if rows.size == 0:
        return
    t0 = time.perf_counter()
    comp_b = prep.component_buddies(k)
    ep, eb = prep.component_exclusions(k)
    row_of = np.cumsum(unlocked) - 1  # pupil offset in component -> row among unlocked pupils
    keep = unlocked[ep]
    ex_rows, ex_offs = row_of[ep[keep]], eb[keep]
    # Buddy-level rules (consent, a free place) drop whole columns before any pair is priced.
    cand = buddies.consent[comp_b] & (prep.free[comp_b] > 0)
    cols = comp_b[cand]
    col_of = np.cumsum(cand) - 1
    in_cand = cand[ex_offs]
    base = cost_matrix(pupils, buddies, rows, cols, w, (ex_rows[in_cand], col_of[ex_offs[in_cand]]))
    free = prep.free[cols]
    load = prep.eff_load[cols]
    # Place j of a buddy with load L is its (L+j)-th pupil: extra cost w.load * (L + j), convex.
    slot_cost = w.load * (load[:, None] + np.arange(int(free.max(initial=0)))[None, :])
    t1 = time.perf_counter()
    col = assign(base, free, slot_cost)
    t2 = time.perf_counter()
    acc.t_costs += t1 - t0
    acc.t_assign += t2 - t1

    mr = np.flatnonzero(col >= 0)
    mc = col[mr]
    acc.pair_p.append(rows[mr])
    acc.pair_b.append(cols[mc])
    acc.soft.append(base[mr, mc])
    # Alternatives are priced on the buddy's first free place (before this run), so a coordinator
    # sees what the pupil would cost elsewhere; the assigned buddy itself is excluded.
    alt = base[mr] + w.load * load[None, :]
    alt[np.arange(mr.shape[0]), mc] = np.inf
    idx, val = two_best(alt)
    acc.alt_b.append(np.where(idx >= 0, cols[np.maximum(idx, 0)], -1))
    acc.alt_c.append(val)

    ur = np.flatnonzero(col < 0)
    if ur.size:
        un_of = np.cumsum(col < 0) - 1  # row -> position among unmatched rows
        sel = col[ex_rows] < 0
        counts = rule_stages(
            pupils, buddies, rows[ur], comp_b, prep.free[comp_b], (un_of[ex_rows[sel]], ex_offs[sel])
        )
        code, count = unmatched_codes(counts)
        acc.un_p.append(rows[ur])
        acc.un_code.append(code)
        acc.un_count.append(count)
    acc.t_costs += time.perf_counter() - t2


def _solve_positions(prep: Prepared, positions: np.ndarray) -> Result:
    """Solve the components at ``positions`` (indices into ``prep.groups``) as one batch."""
    t_start = time.perf_counter()
    problem = prep.problem
    pupils, buddies, w = problem.pupils, problem.buddies, problem.weights
    positions = np.asarray(positions, dtype=np.int64)
    acc = _Acc()
    for k in positions.tolist():
        _solve_component(prep, k, acc)
    t_explain = time.perf_counter()

    pp, pb = _cat(acc.pair_p, np.int64), _cat(acc.pair_b, np.int64)
    soft = _cat(acc.soft, np.float64)
    alt_b = _cat(acc.alt_b, np.int64, N_ALTERNATIVES)
    alt_c = _cat(acc.alt_c, np.float64, N_ALTERNATIVES)
    # New pupils of a buddy take load ranks after its existing and locked ones, in pupil-id order.
    order = np.lexsort((pupils.ids[pp], pb))
    load_k = np.empty(pp.shape[0], dtype=np.int64)
    load_k[order] = prep.eff_load[pb[order]] + _rank_within_runs(pb[order])

    # Locked pairs of these components are reported as they are, priced like any other pair.
    lcomp = np.searchsorted(prep.groups, pupils.group[prep.locked_p])
    lsel = np.isin(lcomp, positions)
    lp, lb = prep.locked_p[lsel], prep.locked_b[lsel]
    n_pairs = pp.shape[0] + lp.shape[0]
    all_p = np.r_[pp, lp]
    all_b = np.r_[pb, lb]
    all_soft = np.r_[soft, pair_costs(pupils, buddies, lp, lb, w)]
    all_k = np.r_[load_k, prep.locked_k[lsel]]
    is_locked = np.r_[np.zeros(pp.shape[0], dtype=bool), np.ones(lp.shape[0], dtype=bool)]
    all_alt_b = np.r_[alt_b, np.full((lp.shape[0], N_ALTERNATIVES), -1, dtype=np.int64)]
    all_alt_c = np.r_[alt_c, np.full((lp.shape[0], N_ALTERNATIVES), np.inf)]
    by_id = np.argsort(pupils.ids[all_p], kind="stable")
    pairs, shared_home = build_pairs(
        prep,
        all_p[by_id],
        all_b[by_id],
        all_soft[by_id],
        all_k[by_id],
        is_locked[by_id],
        all_alt_b[by_id],
        all_alt_c[by_id],
    )
    up = _cat(acc.un_p, np.int64)
    un_order = np.argsort(pupils.ids[up], kind="stable")
    unmatched = build_unmatched(
        prep, up[un_order], _cat(acc.un_code, np.int64)[un_order], _cat(acc.un_count, np.int64)[un_order]
    )
    t_end = time.perf_counter()
    sizes = prep.p_bounds[positions + 1] - prep.p_bounds[positions]
    stats = Stats(
        components=int(positions.shape[0]),
        pupils=int(sizes.sum()),
        matched=n_pairs,
        locked=int(lp.shape[0]),
        unmatched=len(unmatched),
        # fsum is exactly rounded, hence independent of summation order and of how batches are cut.
        total_cost=math.fsum(p.cost for p in pairs),
        shared_home_language=shared_home,
        timings={
            "costs": acc.t_costs,
            "assign": acc.t_assign,
            "explain": t_end - t_explain,
            "total": t_end - t_start,
        },
    )
    return Result(pairs=pairs, unmatched=unmatched, stats=stats)


def merge_results(results: Iterable[Result]) -> Result:
    """Combine batch results (any order) into one Result, identical to solving all groups at once."""
    results = list(results)
    pairs = sorted((p for r in results for p in r.pairs), key=lambda p: p.pupil_id)
    unmatched = sorted((u for r in results for u in r.unmatched), key=lambda u: u.pupil_id)
    timings: dict[str, float] = {}
    for r in results:
        for key, value in r.stats.timings.items():
            timings[key] = timings.get(key, 0.0) + value
    stats = Stats(
        components=sum(r.stats.components for r in results),
        pupils=sum(r.stats.pupils for r in results),
        matched=len(pairs),
        locked=sum(r.stats.locked for r in results),
        unmatched=len(unmatched),
        total_cost=math.fsum(p.cost for p in pairs),
        shared_home_language=sum(r.stats.shared_home_language for r in results),
        timings=timings,
    )
    return Result(pairs=pairs, unmatched=unmatched, stats=stats)


def iter_batches(problem: Problem, batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[np.ndarray]:
    """Yield arrays of group ids, consecutive groups packed to ~``batch_size`` pupils per batch.

    Meant for queue workers: hand each batch to :func:`solve_batch` (e.g. one Celery task each) and
    write its pairs; groups never straddle batches, so batches never compete for a buddy.
    """
    prep = prepare(problem)
    for positions in prep.batches(batch_size):
        yield prep.groups[positions]


def solve_batch(problem: Problem, groups: np.ndarray | Iterable[int]) -> Result:
    """Solve only the components of ``groups`` (ids; groups without pupils are ignored).

    The pairs and unmatched pupils are exactly those :func:`solve` returns for these groups.
    """
    prep = prepare(problem)
    return _solve_positions(prep, prep.positions_of(np.fromiter(groups, dtype=np.int64)))


_WORKER_PREP: Prepared | None = None


def _init_worker(prep: Prepared) -> None:
    # With the fork start method this object is inherited, not pickled: no copy of the input per task.
    global _WORKER_PREP
    _WORKER_PREP = prep


def _run_batch(positions: np.ndarray) -> Result:
    assert _WORKER_PREP is not None, "worker not initialised"
    return _solve_positions(_WORKER_PREP, positions)


def _pool_context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def solve(
    problem: Problem,
    *,
    workers: int = 1,
    progress: Progress | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Result:
    """Propose buddy pairs for all pupils of ``problem``: max matched pupils, then min total cost.

    ``workers > 1`` solves batches in that many forked processes (ignored inside daemonic processes
    such as Celery prefork workers, which may not have children: use :func:`solve_batch` per task
    there). ``progress(components_done, components_total, matched_so_far)`` is called after every
    batch. The result does not depend on ``workers`` or ``batch_size``.
    """
    t0 = time.perf_counter()
    prep = prepare(problem)
    batches = prep.batches(batch_size)
    total = int(prep.groups.shape[0])
    done = matched = 0
    results: list[Result] = []

    def report(result: Result) -> None:
        nonlocal done, matched
        results.append(result)
        done += result.stats.components
        matched += result.stats.matched
        if progress is not None:
            progress(done, total, matched)

    workers = max(1, min(workers, len(batches)))
    if multiprocessing.current_process().daemon:
        workers = 1
    if workers == 1:
        for positions in batches:
            report(_solve_positions(prep, positions))
    else:
        # Largest batches first (by pupils x buddies) so no worker idles at the end.
        width = prep.b_hi - prep.b_lo
        sizes = np.diff(prep.p_bounds)
        work = [int((sizes[b] * np.maximum(width[b], 1)).sum()) for b in batches]
        order = sorted(range(len(batches)), key=lambda i: -work[i])
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=_pool_context(), initializer=_init_worker, initargs=(prep,)
        ) as pool:
            futures = [pool.submit(_run_batch, batches[i]) for i in order]
            for future in as_completed(futures):
                report(future.result())
    result = merge_results(results)
    result.stats.timings["wall"] = time.perf_counter() - t0
    return result
