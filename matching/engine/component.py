"""Numeric solve of one batch of components, producing compact arrays (no Python objects per pair).

A batch is the unit handed to a worker process: its output is a few numpy arrays (cheap to pickle,
~1 MB per 2,000 pupils) rather than thousands of Pair objects, which would cost as much to unpickle
in the parent as to build. Objects are built once, in the caller, by :mod:`matching.engine.explain`.

Per component the work is: price every (pupil, candidate buddy) pair, solve the exact assignment on
buddy places (:func:`matching.engine.assign.solve_places`), and pick each pupil's two best other
buddies. A national batch holds ~150 components with a median of 9 x 25 pairs, where a numpy call
costs more than its arithmetic; so small components of the same padded shape are priced and given
their alternatives as one (K, P, C) stack, and only the exact solve itself runs per component.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .assign import solve_places
from .costs import Cols, block_costs, gather_buddies, gather_pupils, pair_costs, rule_stages, stacked_costs
from .explain import N_ALTERNATIVES, unmatched_codes
from .prepare import Prepared, rank_within_runs
from .problem import Problem, Weights

#: Components with at most this many pupil x candidate pairs are priced in stacks (padded to powers
#: of two). Larger ones are priced alone, where per-call overhead no longer matters.
SMALL_PAIRS = 2048


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
    ranges: np.ndarray = np.arange(total) - np.repeat(ends - lengths - starts, lengths)
    return ranges


def _offsets(counts: np.ndarray) -> np.ndarray:
    offsets: np.ndarray = np.r_[0, np.cumsum(counts)].astype(np.int64)
    return offsets


@dataclass
class _Batch:
    """A batch gathered into contiguous per-component slices, plus the solve's outputs per row.

    Rows are the unlocked pupils, ``B`` the candidate buddies (consent and a free place), ``aidx`` all
    buddies; component j owns rows ``r_off[j]:r_off[j+1]``, candidates ``c_off[j]:c_off[j+1]``, places
    ``s_off[j]:s_off[j+1]`` and exclusions ``e_off[j]:e_off[j+1]``. ``col`` is each row's assigned
    candidate (local to its component, -1 = none); ``alt_i``/``alt_v`` its two best alternatives.
    """

    P: Cols
    B: Cols
    aidx: np.ndarray  # all buddies of the batch (indices into the Problem), per component
    r_off: np.ndarray
    c_off: np.ndarray
    a_off: np.ndarray
    s_off: np.ndarray
    e_off: np.ndarray
    place_col: np.ndarray  # candidate column (local to its component) of each place
    place_cost: np.ndarray  # load-spread cost of each place
    ex_r: np.ndarray  # exclusions: batch row, candidate column (batch, -1 if not a candidate),
    ex_c: np.ndarray  # any-buddy column (batch), sorted by row
    ex_a: np.ndarray
    hi: float  # upper bound of every finite place cost, for big-M
    col: np.ndarray
    alt_i: np.ndarray
    alt_v: np.ndarray
    t_assign: float = 0.0
    s_list: list[int] = field(default_factory=list)
    r_list: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.s_list, self.r_list = self.s_off.tolist(), self.r_off.tolist()


def _places(
    free: np.ndarray, load: np.ndarray, pupils_there: np.ndarray, w: Weights
) -> tuple[np.ndarray, np.ndarray, float]:
    """The places of the batch's buddies: whose each is, what it costs, and the big-M bound ``hi``.

    Buddy c gets min(free, pupils in its component) places (exact: it can never take more); place j of a
    buddy with load L costs w.load * (L + j), non-decreasing in j, so the cheapest places of a buddy are
    its first ones and no sorting is needed."""
    places = np.minimum(free, pupils_there)
    place_of = np.repeat(np.arange(free.shape[0]), places)
    j = np.arange(place_of.shape[0]) - np.repeat(np.cumsum(places) - places, places)
    place_cost = w.load * (load[place_of] + j)
    # Upper bound of any finite cost on a place (for big-M; see assign._big_m): worst soft terms plus
    # the dearest place of the batch. Every cost is >= 0 because the weights are.
    hi = max(w.bridge_language, w.no_language) + w.grade * w.grade_cap + w.interest * w.interest_cap
    hi += float(place_cost.max(initial=0.0))
    return place_of, place_cost, hi


def _exclusions(
    prep: Prepared, rows: np.ndarray, rcomp: np.ndarray, aidx: np.ndarray, acomp: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Exclusions as batch positions (row, buddy), grouped by component (sorted by row)."""
    row_pos = np.full(len(prep.problem.pupils), -1, dtype=np.int64)
    row_pos[rows] = np.arange(rows.shape[0])
    a_pos = np.full(len(prep.problem.buddies), -1, dtype=np.int64)
    a_pos[aidx] = np.arange(aidx.shape[0])
    ex_r, ex_a = row_pos[prep.excl_p], a_pos[prep.excl_b]
    inside = (ex_r >= 0) & (ex_a >= 0)
    inside[inside] = rcomp[ex_r[inside]] == acomp[ex_a[inside]]
    order = np.argsort(ex_r[inside], kind="stable")
    return ex_r[inside][order], ex_a[inside][order]


def _gather(prep: Prepared, positions: np.ndarray) -> tuple[_Batch, np.ndarray, np.ndarray, np.ndarray]:
    """Gather the batch once; returns it with (row pupil indices, candidate buddy indices, pupils)."""
    problem = prep.problem
    pupils, buddies, w = problem.pupils, problem.buddies, problem.weights
    k = positions.shape[0]
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
    c_off = _offsets(np.bincount(ccomp, minlength=k))
    B = gather_buddies(buddies, cols, prep.free, prep.eff_load, w)
    place_of, place_cost, hi = _places(B.free, B.load, n_rows[ccomp], w)
    ex_r, ex_a = _exclusions(prep, rows, rcomp, aidx, acomp)
    n = rows.shape[0]
    batch = _Batch(
        P=gather_pupils(pupils, rows),
        B=B,
        aidx=aidx,
        r_off=_offsets(n_rows),
        c_off=c_off,
        a_off=_offsets(b_len),
        s_off=_offsets(np.bincount(ccomp[place_of], minlength=k)),
        e_off=_offsets(np.bincount(rcomp[ex_r], minlength=k)),
        place_col=place_of - c_off[ccomp[place_of]],
        place_cost=place_cost,
        ex_r=ex_r,
        ex_c=np.where(cand, np.cumsum(cand) - 1, -1)[ex_a],
        ex_a=ex_a,
        hi=hi,
        col=np.full(n, -1, dtype=np.int64),
        alt_i=np.full((n, N_ALTERNATIVES), -1, dtype=np.int64),
        alt_v=np.full((n, N_ALTERNATIVES), np.inf),
    )
    return batch, rows, cols, p_len


def _assign(bt: _Batch, j: int, base: np.ndarray) -> None:
    """Exact solve of component j on its places; writes the assigned columns of its rows."""
    s0, s1 = bt.s_list[j], bt.s_list[j + 1]  # Python ints: cheaper than numpy scalars, ~7,000 calls
    t = time.perf_counter()
    rr, pp = solve_places(base, bt.place_col[s0:s1], bt.place_cost[s0:s1], 0.0, bt.hi)
    bt.t_assign += time.perf_counter() - t
    bt.col[bt.r_list[j] + rr] = bt.place_col[s0 + pp]


def _two_best(alt: np.ndarray, assigned: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two cheapest columns per row, skipping each row's ``assigned`` column (-1: none).

    ``argmin`` returns the first minimum and columns are in buddy-id order, so ties go to the lower
    buddy id: deterministic. ``alt`` is overwritten.
    """
    ar = np.arange(alt.shape[0])
    has = assigned >= 0
    alt[ar[has], assigned[has]] = np.inf
    idx = np.empty((alt.shape[0], N_ALTERNATIVES), dtype=np.int64)
    val = np.empty((alt.shape[0], N_ALTERNATIVES))
    for i in range(N_ALTERNATIVES):
        best = alt.argmin(axis=1)
        idx[:, i] = best
        val[:, i] = alt[ar, best]
        if i + 1 < N_ALTERNATIVES:
            alt[ar, best] = np.inf
    return idx, val


def _solve_single(bt: _Batch, j: int, w: Weights) -> None:
    """A large component: priced alone (in row blocks), solved, alternatives picked."""
    r0, r1, c0, c1 = bt.r_off[j], bt.r_off[j + 1], bt.c_off[j], bt.c_off[j + 1]
    base = block_costs(bt.P, r0, r1, bt.B, c0, c1, w)
    e0, e1 = bt.e_off[j], bt.e_off[j + 1]
    if e0 < e1:
        er, ec = bt.ex_r[e0:e1] - r0, bt.ex_c[e0:e1]
        base[er[ec >= 0], ec[ec >= 0] - c0] = np.inf
    _assign(bt, j, base)
    # Alternatives: each buddy priced on its first free place before this run, the assigned buddy
    # excluded. In place: base is not needed any more, and on a dense component a copy is ~90 MB.
    base += bt.B.load_w[None, c0:c1]
    bt.alt_i[r0:r1], bt.alt_v[r0:r1] = _two_best(base, bt.col[r0:r1])


def _solve_stack(bt: _Batch, comps: np.ndarray, c_pad: int, w: Weights) -> None:
    """Small components with the same padded width: priced and given alternatives as one stack whose
    rows are all their pupils, each against its own component's candidates (padded to ``c_pad``)."""
    n_rows = bt.r_off[comps + 1] - bt.r_off[comps]
    n_cand = bt.c_off[comps + 1] - bt.c_off[comps]
    rows = ragged_arange(bt.r_off[comps], n_rows)
    # Padding repeats the component's last candidate (any valid index works) and is set to inf.
    pad = np.arange(c_pad)[None, :]
    cols = np.repeat(bt.c_off[comps, None] + np.minimum(pad, n_cand[:, None] - 1), n_rows, axis=0)
    cube = stacked_costs(bt.P, rows, bt.B, cols, w)
    np.copyto(cube, np.inf, where=np.repeat(pad >= n_cand[:, None], n_rows, axis=0))
    first = _offsets(n_rows)  # stack row of each component's first pupil
    e_cnt = bt.e_off[comps + 1] - bt.e_off[comps]
    if e_cnt.any():
        e = ragged_arange(bt.e_off[comps], e_cnt)
        of = np.repeat(np.arange(comps.shape[0]), e_cnt)
        er = bt.ex_r[e] - bt.r_off[comps][of] + first[of]
        ec = bt.ex_c[e] - bt.c_off[comps][of]
        ok = bt.ex_c[e] >= 0
        cube[er[ok], ec[ok]] = np.inf
    n_list, c_list, f_list = n_rows.tolist(), n_cand.tolist(), first.tolist()
    for i, j in enumerate(comps.tolist()):
        _assign(bt, j, cube[f_list[i] : f_list[i] + n_list[i], : c_list[i]])
    cube += bt.B.load_w[cols]
    bt.alt_i[rows], bt.alt_v[rows] = _two_best(cube, bt.col[rows])


def _explain_unmatched(
    bt: _Batch, j: int, problem: Problem, free: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batch rows, reason codes and counts for the unmatched pupils of component j."""
    r0, r1 = bt.r_off[j], bt.r_off[j + 1]
    un = np.flatnonzero(bt.col[r0:r1] < 0)
    excluded = None
    e0, e1 = bt.e_off[j], bt.e_off[j + 1]
    if e0 < e1:
        position = np.full(r1 - r0, -1, dtype=np.int64)  # row -> position among unmatched rows
        position[un] = np.arange(un.shape[0])
        er, ea = position[bt.ex_r[e0:e1] - r0], bt.ex_a[e0:e1] - bt.a_off[j]
        excluded = (er[er >= 0], ea[er >= 0])
    group = bt.aidx[bt.a_off[j] : bt.a_off[j + 1]]
    counts = rule_stages(bt.P.take(un + r0), problem.buddies, group, free[group], excluded)
    code, count = unmatched_codes(counts)
    return un + r0, code, count


def _pad(x: np.ndarray, least: int) -> np.ndarray:
    """Next power of two >= x (and >= least), elementwise."""
    padded: np.ndarray = np.maximum(least, 1 << np.ceil(np.log2(np.maximum(x, 1))).astype(np.int64))
    return padded


def _solve_components(bt: _Batch, w: Weights) -> None:
    """Solve every component with pupils and places: large ones one by one, small ones stacked by
    padded width (components in batch order within a stack)."""
    n_rows, n_cand = np.diff(bt.r_off), np.diff(bt.c_off)
    solvable = (n_rows > 0) & (np.diff(bt.s_off) > 0)
    small = solvable & (n_rows * n_cand <= SMALL_PAIRS)
    for j in np.flatnonzero(solvable & ~small).tolist():
        _solve_single(bt, j, w)
    comps = np.flatnonzero(small)
    if comps.size:
        c_pad = _pad(n_cand[comps], 4)
        order = np.lexsort((comps, c_pad))  # one stack per padded width, components in batch order
        key = c_pad[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        for a, b in zip(starts.tolist(), [*starts[1:].tolist(), order.shape[0]], strict=True):
            _solve_stack(bt, comps[order[a:b]], int(key[a]), w)


def solve_arrays(prep: Prepared, positions: np.ndarray) -> BatchArrays:
    """Solve the components at ``positions`` (indices into ``prep.groups``) exactly, as arrays."""
    t0 = time.perf_counter()
    problem = prep.problem
    pupils, buddies, w = problem.pupils, problem.buddies, problem.weights
    positions = np.asarray(positions, dtype=np.int64)
    k = positions.shape[0]
    bt, rows, cols, p_len = _gather(prep, positions)
    n_rows = np.diff(bt.r_off)
    _solve_components(bt, w)
    # Unmatched pupils, explained component by component (there are few).
    row_comp = np.repeat(np.arange(k), n_rows)
    explained = [
        _explain_unmatched(bt, j, problem, prep.free) for j in np.unique(row_comp[bt.col < 0]).tolist()
    ]
    t1 = time.perf_counter()

    def cat(i: int) -> np.ndarray:
        return np.concatenate([e[i] for e in explained]) if explained else np.zeros(0, dtype=np.int64)

    # Component-local columns -> batch candidate positions -> buddy indices.
    c_first = bt.c_off[row_comp]
    mr = np.flatnonzero(bt.col >= 0)
    pair_p, pair_b = rows[mr], cols[bt.col[mr] + c_first[mr]]
    found = np.isfinite(bt.alt_v[mr])
    alt_buddy = np.where(found, cols[np.maximum(bt.alt_i[mr], 0) + c_first[mr, None]], -1)
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
    un_pupil = rows[cat(0)]
    un_order = np.argsort(pupils.ids[un_pupil], kind="stable")
    no_alt = np.full((n_locked, N_ALTERNATIVES), np.inf)
    return BatchArrays(
        pupil=all_p[by_id],
        buddy=all_b[by_id],
        soft=pair_costs(pupils, buddies, all_p, all_b, w)[by_id],
        load_k=np.r_[load_k, prep.locked_k[lsel]][by_id],
        locked=np.r_[np.zeros(n_new, dtype=bool), np.ones(n_locked, dtype=bool)][by_id],
        alt_buddy=np.r_[alt_buddy, np.full((n_locked, N_ALTERNATIVES), -1, dtype=np.int64)][by_id],
        alt_cost=np.r_[np.where(found, bt.alt_v[mr], np.inf), no_alt][by_id],
        un_pupil=un_pupil[un_order],
        un_code=cat(1)[un_order],
        un_count=cat(2)[un_order],
        components=k,
        pupils=int(p_len.sum()),
        timings={"costs": t1 - t0 - bt.t_assign, "assign": bt.t_assign, "collect": time.perf_counter() - t1},
    )
