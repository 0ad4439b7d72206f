"""Numeric solve of one batch of components, producing compact arrays (no Python objects per pair).

A batch is the unit handed to a worker process: its output is a few numpy arrays (cheap to pickle,
~1 MB per 2,000 pupils) rather than thousands of Pair objects, which would cost as much to unpickle
in the parent as to build. Objects are built once, in the caller, by :mod:`matching.engine.explain`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .assign import solve_places
from .costs import block_costs, gather_buddies, gather_pupils, pair_costs, rule_stages
from .explain import N_ALTERNATIVES, unmatched_codes
from .prepare import Prepared, rank_within_runs


@dataclass
class BatchArrays:
    """Outcome of a batch as arrays. Pairs (new and locked) and unmatched are each in pupil-id order.

    Indices are positions in the Problem's pupil and buddy arrays; ``alt_buddy``/``alt_cost`` hold up
    to two alternatives per pair, padded with -1/inf.
    """

    pupil: np.ndarray
    buddy: np.ndarray
    soft: np.ndarray
    load_k: np.ndarray
    locked: np.ndarray
    alt_buddy: np.ndarray
    alt_cost: np.ndarray
    un_pupil: np.ndarray
    un_code: np.ndarray
    un_count: np.ndarray
    components: int
    pupils: int
    timings: dict[str, float] = field(default_factory=dict)


def ragged_arange(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + n)`` for each (s, n), without a Python loop."""
    total = int(lengths.sum())
    ends = np.cumsum(lengths)
    return np.arange(total) - np.repeat(ends - lengths - starts, lengths)


def _places(
    free: np.ndarray,
    ccomp: np.ndarray,
    rows_per_comp: np.ndarray,
    c_first: np.ndarray,
    w_load: float,
    load: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Places of all candidate buddies of a batch: (local column, extra cost, offsets per component).

    Buddy c gets ``min(free, pupils in its component)`` places (exact: it can never take more), and
    place j of a buddy with load L costs ``w_load * (L + j)``: non-decreasing in j, so the cheapest
    places of a buddy are its first ones and no sorting is needed.
    """
    places = np.minimum(free, rows_per_comp[ccomp])
    col = np.repeat(np.arange(free.shape[0]), places)
    j = np.arange(col.shape[0]) - np.repeat(np.cumsum(places) - places, places)
    extra = w_load * (load[col] + j)
    local = col - c_first[ccomp[col]]
    return local, extra, np.r_[0, np.cumsum(np.bincount(ccomp[col], minlength=rows_per_comp.shape[0]))]


def solve_arrays(prep: Prepared, positions: np.ndarray) -> BatchArrays:
    """Solve the components at ``positions`` (indices into ``prep.groups``) exactly, as arrays."""
    t0 = time.perf_counter()
    problem = prep.problem
    pupils, buddies, w = problem.pupils, problem.buddies, problem.weights
    positions = np.asarray(positions, dtype=np.int64)
    k = positions.shape[0]
    # Gather the batch once: unlocked pupils, all buddies and "candidate" buddies (consent and a free
    # place) of each component, contiguous per component, in id order.
    p_len = prep.p_bounds[positions + 1] - prep.p_bounds[positions]
    pidx = prep.p_order[ragged_arange(prep.p_bounds[positions], p_len)]
    pcomp = np.repeat(np.arange(k), p_len)
    keep = ~prep.is_locked[pidx]
    rows, rcomp = pidx[keep], pcomp[keep]
    b_len = prep.b_hi[positions] - prep.b_lo[positions]
    aidx = prep.b_order[ragged_arange(prep.b_lo[positions], b_len)]
    acomp = np.repeat(np.arange(k), b_len)
    cand = buddies.consent[aidx] & (prep.free[aidx] > 0)
    cols, ccomp = aidx[cand], acomp[cand]
    n_rows = np.bincount(rcomp, minlength=k)
    r_off = np.r_[0, np.cumsum(n_rows)]
    c_off = np.r_[0, np.cumsum(np.bincount(ccomp, minlength=k))]
    a_off = np.r_[0, np.cumsum(b_len)]
    P = gather_pupils(pupils, rows)
    B = gather_buddies(buddies, cols, prep.free, prep.eff_load, w)
    A = gather_buddies(buddies, aidx, prep.free, prep.eff_load, w)
    place_col, place_cost, s_off = _places(B.free, ccomp, n_rows, c_off[:-1], w.load, B.load)
    # Upper bound of any finite cost on a place (for big-M; see assign._big_m): worst soft terms plus
    # the dearest place of the batch.
    hi = max(w.bridge_language, w.no_language) + w.grade * w.grade_cap + w.interest * w.interest_cap
    hi += float(place_cost.max(initial=0.0))

    # Exclusions as batch positions (row, candidate column or -1, any column), grouped by component.
    row_pos = np.full(len(pupils), -1, dtype=np.int64)
    row_pos[rows] = np.arange(rows.shape[0])
    a_pos = np.full(len(buddies), -1, dtype=np.int64)
    a_pos[aidx] = np.arange(aidx.shape[0])
    c_pos = np.where(cand, np.cumsum(cand) - 1, -1)
    ex_r, ex_a = row_pos[prep.excl_p], a_pos[prep.excl_b]
    inside = (ex_r >= 0) & (ex_a >= 0)
    inside[inside] = rcomp[ex_r[inside]] == acomp[ex_a[inside]]
    order = np.argsort(ex_r[inside], kind="stable")
    ex_r, ex_a = ex_r[inside][order], ex_a[inside][order]
    ex_c = c_pos[ex_a]
    e_off = np.r_[0, np.cumsum(np.bincount(rcomp[ex_r], minlength=k))].tolist()

    # Per row of the batch: assigned column and the two best alternatives (columns local to the
    # component's candidates; -1 / inf when missing).
    n = rows.shape[0]
    col = np.full(n, -1, dtype=np.int64)
    alt_i = np.full((n, N_ALTERNATIVES), -1, dtype=np.int64)
    alt_v = np.full((n, N_ALTERNATIVES), np.inf)
    arange = np.arange(int(n_rows.max(initial=0)))
    ur, ucode, ucount = [], [], []
    t_assign = 0.0
    r_list, c_list, s_list, a_list = r_off.tolist(), c_off.tolist(), s_off.tolist(), a_off.tolist()
    for j in range(k):
        r0, r1, c0, c1 = r_list[j], r_list[j + 1], c_list[j], c_list[j + 1]
        if r0 == r1:
            continue
        e0, e1 = e_off[j], e_off[j + 1]
        s0, s1 = s_list[j], s_list[j + 1]
        local = col[r0:r1]  # view: candidate column within the component, -1 = unmatched
        if s0 < s1:
            base = block_costs(P, r0, r1, B, c0, c1, w)
            if e0 < e1:
                er, ec = ex_r[e0:e1] - r0, ex_c[e0:e1]
                base[er[ec >= 0], ec[ec >= 0] - c0] = np.inf
            ta = time.perf_counter()
            rr, pp = solve_places(base, place_col[s0:s1], place_cost[s0:s1], 0.0, hi)
            t_assign += time.perf_counter() - ta
            local[rr] = place_col[s0 + pp]
            # Alternatives: each buddy priced on its first free place before this run, the assigned
            # buddy excluded (for unmatched rows this blanks an arbitrary column; they are not used).
            # In place: base is not needed any more, and on a dense component a copy is ~90 MB.
            alt = base
            alt += B.load_w[None, c0:c1]
            ar = arange[: r1 - r0]
            alt[ar, local] = np.inf
            best = alt.argmin(axis=1)
            alt_i[r0:r1, 0] = best
            alt_v[r0:r1, 0] = alt[ar, best]
            if c1 - c0 > 1:
                alt[ar, best] = np.inf
                best = alt.argmin(axis=1)
                alt_i[r0:r1, 1] = best
                alt_v[r0:r1, 1] = alt[ar, best]
            if rr.shape[0] == r1 - r0:
                continue
        un = np.flatnonzero(local < 0)
        excluded = None
        if e0 < e1:
            unmatched_rows = np.full(r1 - r0, -1, dtype=np.int64)
            unmatched_rows[un] = np.arange(un.shape[0])
            er, ea = unmatched_rows[ex_r[e0:e1] - r0], ex_a[e0:e1] - a_list[j]
            excluded = (er[er >= 0], ea[er >= 0])
        counts = rule_stages(P.take(un + r0), A.part(a_list[j], a_list[j + 1]), excluded)
        code, count = unmatched_codes(counts)
        ur.append(un + r0)
        ucode.append(code)
        ucount.append(count)
    t1 = time.perf_counter()

    def cat(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    # Component-local columns -> batch candidate positions -> buddy indices.
    c_first = np.repeat(c_off[:-1], n_rows)
    mr = np.flatnonzero(col >= 0)
    pair_p, pair_b = rows[mr], cols[col[mr] + c_first[mr]]
    found = np.isfinite(alt_v[mr])
    alt_buddy = np.where(found, cols[np.maximum(alt_i[mr], 0) + c_first[mr, None]], -1)
    # New pupils of a buddy take load ranks after its existing and locked ones, in pupil-id order.
    by_buddy = np.lexsort((pupils.ids[pair_p], pair_b))
    load_k = np.empty(pair_p.shape[0], dtype=np.int64)
    load_k[by_buddy] = prep.eff_load[pair_b[by_buddy]] + rank_within_runs(pair_b[by_buddy])

    # Locked pairs of these components are reported as they are, priced like any other pair.
    lsel = np.isin(prep.locked_comp, positions)
    lp, lb = prep.locked_p[lsel], prep.locked_b[lsel]
    n_new, n_locked = pair_p.shape[0], lp.shape[0]
    all_p, all_b = np.r_[pair_p, lp], np.r_[pair_b, lb]
    by_id = np.argsort(pupils.ids[all_p], kind="stable")
    un_pupil = rows[cat(ur)]
    un_order = np.argsort(pupils.ids[un_pupil], kind="stable")
    return BatchArrays(
        pupil=all_p[by_id],
        buddy=all_b[by_id],
        soft=pair_costs(pupils, buddies, all_p, all_b, w)[by_id],
        load_k=np.r_[load_k, prep.locked_k[lsel]][by_id],
        locked=np.r_[np.zeros(n_new, dtype=bool), np.ones(n_locked, dtype=bool)][by_id],
        alt_buddy=np.r_[alt_buddy, np.full((n_locked, N_ALTERNATIVES), -1, dtype=np.int64)][by_id],
        alt_cost=np.r_[np.where(found, alt_v[mr], np.inf), np.full((n_locked, N_ALTERNATIVES), np.inf)][
            by_id
        ],
        un_pupil=un_pupil[un_order],
        un_code=cat(ucode)[un_order],
        un_count=cat(ucount)[un_order],
        components=k,
        pupils=int(p_len.sum()),
        timings={"costs": t1 - t0 - t_assign, "assign": t_assign, "collect": time.perf_counter() - t1},
    )
