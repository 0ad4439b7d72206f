"""One-off indexing of a Problem: components, id lookups, locked pairs and exclusions as positions.

Everything here is sorting and searching on whole arrays (``lexsort``/``unique``/``searchsorted``),
O(N log N) for N pupils + buddies, so even the national run (400,000 rows) prepares in tens of
milliseconds and never builds Python dicts of lists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .problem import Problem


def _index_of(ids: np.ndarray, order: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Position of each queried id in ``ids`` (unique; ``order`` sorts them), -1 where absent."""
    out = np.full(query.shape, -1, dtype=np.int64)
    if ids.shape[0] == 0 or query.shape[0] == 0:
        return out
    pos = np.minimum(np.searchsorted(ids, query, sorter=order), ids.shape[0] - 1)
    candidate = order[pos]
    hit = ids[candidate] == query
    out[hit] = candidate[hit]
    return out


def rank_within_runs(keys: np.ndarray) -> np.ndarray:
    """For a sorted key array, 0, 1, 2, ... within each run of equal keys (vectorised)."""
    n = keys.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    run_start = np.repeat(starts, np.diff(np.r_[starts, n]))
    return np.arange(n, dtype=np.int64) - run_start


@dataclass
class Prepared:
    """A Problem indexed for solving by component (group).

    Pupils and buddies are ordered by (group, id), so each component is a contiguous slice of
    ``p_order``/``b_order`` and everything inside a component is in id order (deterministic ties).
    """

    problem: Problem
    p_order: np.ndarray  # pupil indices sorted by (group, id)
    b_order: np.ndarray  # buddy indices sorted by (group, id)
    groups: np.ndarray  # distinct pupil groups, ascending: one component each
    p_bounds: np.ndarray  # component k's pupils are p_order[p_bounds[k]:p_bounds[k + 1]]
    b_lo: np.ndarray  # component k's buddies are b_order[b_lo[k]:b_hi[k]]
    b_hi: np.ndarray
    is_locked: np.ndarray  # per pupil: has a locked pair (not re-solved)
    eff_load: np.ndarray  # per buddy: existing load + locked pairs
    free: np.ndarray  # per buddy: places left for this run
    locked_p: np.ndarray  # locked pairs as (pupil index, buddy index, load rank k)
    locked_b: np.ndarray
    locked_k: np.ndarray
    locked_comp: np.ndarray  # component (position in groups) of each locked pupil
    excl_p: np.ndarray  # exclusions as (pupil index, buddy index), unknown ids dropped
    excl_b: np.ndarray

    def positions_of(self, groups: np.ndarray) -> np.ndarray:
        """Component positions of the given group ids (groups without pupils are skipped)."""
        groups = np.unique(np.asarray(groups, dtype=np.int64))
        pos = np.searchsorted(self.groups, groups)
        valid = pos < self.groups.shape[0]
        valid[valid] = self.groups[pos[valid]] == groups[valid]
        positions: np.ndarray = pos[valid]
        return positions

    def batches(self, batch_size: int) -> list[np.ndarray]:
        """Consecutive components packed until a batch holds at least ``batch_size`` pupils."""
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        sizes = np.diff(self.p_bounds)
        out: list[np.ndarray] = []
        start, total = 0, 0
        for k, size in enumerate(sizes.tolist()):  # one step per component, not per pupil
            total += size
            if total >= batch_size:
                out.append(np.arange(start, k + 1))
                start, total = k + 1, 0
        if start < sizes.shape[0]:
            out.append(np.arange(start, sizes.shape[0]))
        return out


def prepare(problem: Problem) -> Prepared:
    """Index ``problem`` for solving; raises ValueError on locked pairs naming unknown ids."""
    pupils, buddies = problem.pupils, problem.buddies
    n_p, n_b = len(pupils), len(buddies)
    p_order = np.lexsort((pupils.ids, pupils.group))
    b_order = np.lexsort((buddies.ids, buddies.group))
    p_groups = pupils.group[p_order]
    b_groups = buddies.group[b_order]
    groups, first = np.unique(p_groups, return_index=True)
    p_bounds = np.r_[first, n_p].astype(np.int64)
    b_lo = np.searchsorted(b_groups, groups, side="left")
    b_hi = np.searchsorted(b_groups, groups, side="right")

    p_by_id, b_by_id = np.argsort(pupils.ids), np.argsort(buddies.ids)
    lp = _index_of(pupils.ids, p_by_id, problem.locked[:, 0])
    lb = _index_of(buddies.ids, b_by_id, problem.locked[:, 1])
    if (lp < 0).any() or (lb < 0).any():
        raise ValueError("locked pairs must name existing pupils and buddies")
    if np.unique(lp).shape[0] != lp.shape[0]:
        raise ValueError("a pupil can have at most one locked pair")
    is_locked = np.zeros(n_p, dtype=bool)
    is_locked[lp] = True
    n_locked = np.bincount(lb, minlength=n_b)
    eff_load = buddies.load.astype(np.int64) + n_locked
    free = np.maximum(buddies.capacity.astype(np.int64) - eff_load, 0)
    # Locked pairs of a buddy take load ranks load, load+1, ... in pupil-id order.
    order = np.lexsort((pupils.ids[lp], lb))
    lp, lb = lp[order], lb[order]
    lk = buddies.load.astype(np.int64)[lb] + rank_within_runs(lb)

    # Exclusions naming unknown ids are irrelevant to this run, not errors: drop them.
    ep = _index_of(pupils.ids, p_by_id, problem.exclusions[:, 0])
    eb = _index_of(buddies.ids, b_by_id, problem.exclusions[:, 1])
    keep = (ep >= 0) & (eb >= 0)
    return Prepared(
        problem=problem,
        p_order=p_order,
        b_order=b_order,
        groups=groups,
        p_bounds=p_bounds,
        b_lo=b_lo,
        b_hi=b_hi,
        is_locked=is_locked,
        eff_load=eff_load,
        free=free,
        locked_p=lp,
        locked_b=lb,
        locked_k=lk,
        locked_comp=np.searchsorted(groups, pupils.group[lp]),
        excl_p=ep[keep],
        excl_b=eb[keep],
    )
