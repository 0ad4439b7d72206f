"""Buddy matching: decomposition by group, exact solve per component, batching and parallelism.

Pairs are only possible inside a group, so the problem falls apart into independent components (one
per group) and the optimum of the whole is the union of the component optima. Components are solved
in batches (consecutive groups, ~``batch_size`` pupils each): a batch is the unit of progress
reporting, of parallel work (``workers > 1`` forks a process pool) and of Celery tasks
(:func:`iter_batches` + :func:`solve_batch`, then :func:`merge_results`). Because every component's
solve depends only on that component, all of these give exactly the same Result as one :func:`solve`.

Objective per component, lexicographic: (1) as many matched pupils as possible, (2) minimal total cost
(soft costs + load spread), solved exactly by the core of :mod:`matching.engine.assign`.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any

import numpy as np

from .component import BatchArrays, solve_arrays
from .explain import build_pairs, build_unmatched
from .prepare import Prepared, prepare
from .problem import Problem, Result, Stats

#: Pupils per batch. ~25 batches on a national run: enough for an even load over two workers and a
#: moving progress bar, few enough that small components of equal width share pricing stacks (1,000
#: pupils per batch cost ~15 % more CPU than 4,000 on the national benchmark). A component is never
#: split, so a 2,000-pupil municipality is one batch whatever the size.
DEFAULT_BATCH_SIZE = 4000

Progress = Callable[[int, int, int], None]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a run builds its output.

    The output is ~10 small acyclic containers per pupil. With the collector on, collections of the
    older generations walk all of them again and again while the list grows (and any earlier Result
    still alive), which made building 100,000 pairs take 0.8-1.6 s instead of ~0.35 s. Paused, the
    first young collection after the run walks the new objects once (~0.2 s for 100,000 pairs).
    Reference counting frees everything as usual; the collector is restored if it was on.

    That first young collection (~0.5 s for a national run, paid by whoever allocates next) is skipped
    too: ``gc.freeze()`` + ``gc.unfreeze()`` moves every tracked object straight into the oldest
    generation (two list splices, no traversal; see the :mod:`gc` docs). The objects stay tracked, so
    any cycle among them is still found, by the next full collection, which walks long-lived objects
    anyway. Only done when nothing was frozen before (unfreezing would thaw a caller's frozen heap,
    e.g. a pre-fork server's).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def _materialise(problem: Problem, arr: BatchArrays) -> Result:
    """Build one batch's Result objects from its arrays (the only per-pair Python work of a run)."""
    t0 = time.perf_counter()
    pairs = build_pairs(
        problem, arr.pupil, arr.buddy, arr.soft, arr.load_k, arr.locked, arr.alt_buddy, arr.alt_cost
    )
    unmatched = build_unmatched(problem, arr.un_pupil, arr.un_code, arr.un_count)
    home = (problem.pupils.home_langs[arr.pupil] & problem.buddies.langs[arr.buddy]) != 0
    stats = Stats(
        components=arr.components,
        pupils=arr.pupils,
        matched=len(pairs),
        locked=int(arr.locked.sum()),
        unmatched=len(unmatched),
        # fsum is exactly rounded, hence independent of summation order and of how batches are cut.
        total_cost=math.fsum([p.cost for p in pairs]),
        shared_home_language=int(home.any(axis=1).sum()),
        timings={**arr.timings, "explain": time.perf_counter() - t0},
    )
    return Result(pairs=pairs, unmatched=unmatched, stats=stats)


def _by_pupil_id(items: list[Any]) -> list[Any]:
    """Stable sort of Pair/Unmatched objects by pupil id (numpy argsort: ~20 ms for 100,000)."""
    if not items:
        return []
    order = np.argsort(np.array([x.pupil_id for x in items], dtype=np.int64), kind="stable")
    return [items[i] for i in order.tolist()]


def merge_results(results: Iterable[Result]) -> Result:
    """Combine batch results (any order) into one Result, identical to solving all groups at once."""
    results = list(results)
    pairs = _by_pupil_id([p for r in results for p in r.pairs])
    unmatched = _by_pupil_id([u for r in results for u in r.unmatched])
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
        total_cost=math.fsum([p.cost for p in pairs]),
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
    positions = prep.positions_of(np.fromiter(groups, dtype=np.int64))
    arrays = solve_arrays(prep, positions)
    with _gc_paused():
        return _materialise(problem, arrays)


_WORKER_PREP: Prepared | None = None


def _init_worker(prep: Prepared) -> None:
    # With the fork start method this object is inherited, not pickled: no copy of the input per task.
    global _WORKER_PREP
    _WORKER_PREP = prep


def _run_batch(positions: np.ndarray) -> BatchArrays:
    assert _WORKER_PREP is not None, "worker not initialised"
    return solve_arrays(_WORKER_PREP, positions)


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

    ``workers > 1`` solves batches in up to that many forked processes, as many as the machine has idle
    cores for (:func:`usable_workers`; ignored inside daemonic processes such as Celery prefork workers,
    which may not have children: use :func:`solve_batch` per task there). ``progress(components_done, components_total, matched_so_far)`` is called after every
    batch. The result does not depend on ``workers`` or ``batch_size``.
    """
    t0 = time.perf_counter()
    prep = prepare(problem)
    batches = prep.batches(batch_size)
    total = int(prep.groups.shape[0])
    done = matched = 0
    results: list[Result] = []

    def report(arrays: BatchArrays) -> None:
        # Objects are built as batches arrive, so with workers the parent's share overlaps theirs.
        nonlocal done, matched
        result = _materialise(problem, arrays)
        results.append(result)
        done += result.stats.components
        matched += result.stats.matched
        if progress is not None:
            progress(done, total, matched)

    workers = usable_workers(workers, len(batches))
    with _gc_paused():
        if workers == 1:
            for positions in batches:
                report(solve_arrays(prep, positions))
        else:
            _solve_in_pool(prep, batches, workers, report)
        result = merge_results(results)
    result.stats.timings["wall"] = time.perf_counter() - t0
    return result


def usable_workers(requested: int, batches: int) -> int:
    """Worker processes worth forking: at most one per batch and per core that is idle right now.

    A worker only pays off on an idle core: forking the run's arrays and sending every batch's results
    back cost ~0.1-0.3 s on a national run, and on a busy machine (one-minute load average at or above
    the cores) the extra process only competes with this one, which builds the output meanwhile. On a
    shared 2-core machine at load 3-4 two workers took 1.50 s where one took 1.41 s. This process
    counts in the load itself, hence the ``+ 1``. The result never depends on the number of workers.
    """
    workers = max(1, min(requested, batches))
    if workers == 1 or multiprocessing.current_process().daemon:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    idle = cores - os.getloadavg()[0]
    return max(1, min(workers, round(idle) + 1))


def _solve_in_pool(
    prep: Prepared, batches: list[np.ndarray], workers: int, report: Callable[[BatchArrays], None]
) -> None:
    """Solve batches in forked worker processes, reporting each outcome as it arrives."""
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
