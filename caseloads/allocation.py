"""Ranking supporters for a request, and the optimal proposal for the whole open queue.

Cost of giving request i to supporter c (whole numbers, lower is better; documented for coordinators):

* ``EXPERTISE`` (8) when the request's topic is not among the supporter's expertise;
* ``LANGUAGE`` (4) when the request names languages (preferred, or the pupils' home languages, i.e. the
  language of pupil or parents) and the supporter speaks none of them;
* ``MUNICIPALITY`` (2) when the supporter's home municipality is not the school's (travel time);
* ``LOAD`` (0-4): ``round(4 x committed / contract)``, so lightly loaded supporters come first.

Bulk allocation ("allocate all open requests") solves the whole queue as a generalized assignment with
:func:`matching.engine.gap.solve` (HiGHS through ``scipy.optimize.milp``): each request goes to at most one
active supporter, and the planned hours of the requests a supporter receives add up to at most their free
hours (whole hours, so ``floor(free)``). Among all such allocations the proposal has, lexicographically,

1. the most requests allocated, then
2. the lowest total cost: the sum of the pair costs above plus the spreading term - a supporter's k-th
   new request (k = 0, 1, 2, ...) costs k more, i.e. ``t (t - 1) / 2`` for a supporter receiving t - so
   that requests are spread over the team.

Exact: the solver proves the optimum. When a time limit (``INLINE_SECONDS`` within a page request,
``BACKGROUND_SECONDS`` in a background run) stops it first (large queues, busy machine), the
proposal is the best allocation found with a proven gap: at most ``missing_at_most`` more requests, or,
with as many requests, a cost at most ``cost_gap`` lower. Queues of more than ``INLINE_PAIRS`` requests x
supporters are solved by a background allocation run (``caseloads.services.runs``). Deterministic for the same
input: requests and supporters are ordered by id before solving and HiGHS is deterministic (a solve cut
short by the time limit depends on the machine's speed).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from django.utils.translation import gettext as _

from caseloads.models import SupportRequest
from caseloads.workload import Load
from core import numbers
from pupils.languages import language_name

if TYPE_CHECKING:
    from matching.engine import gap

EXPERTISE = 8
LANGUAGE = 4
MUNICIPALITY = 2
LOAD = 4
SPREAD = 1  # extra cost of each further new request for the same supporter
# Largest queue (requests x supporters) solved within the page request; larger ones run in the background.
# Measured with benchmarks/allocation.py (README "Bulk allocation"): 100 x 20 tight queues take at most
# 0.5 s at load 7 on two cores, 300 x 40 ones 1-6 s: too long for a page, so those run in the background.
INLINE_PAIRS = 2000
INLINE_SECONDS = 5.0  # time limit of a solve within the page request
BACKGROUND_SECONDS = 120.0  # time limit of a background allocation run


@dataclass(frozen=True)
class RequestFacts:
    id: int
    topic: str
    languages: frozenset[str]
    municipality_id: int | None
    hours: int


def request_facts(requests: Iterable[SupportRequest]) -> list[RequestFacts]:
    """Facts of requests fetched with ``school`` and ``pupils`` prefetched (no queries here)."""
    out = []
    for r in requests:
        langs = set(r.languages)
        for pupil in r.pupils.all():
            if not pupil.anonymised_at:
                langs.update(pupil.home_languages)
        out.append(RequestFacts(r.pk, r.topic, frozenset(langs), r.school.parent_id, r.estimated_hours))
    return out


def cost_matrix(requests: Sequence[RequestFacts], loads: Sequence[Load]) -> np.ndarray:
    """Vectorised cost (n requests x m supporters); ``inf`` where a supporter takes no new cases."""
    n, m = len(requests), len(loads)
    topics = sorted({r.topic for r in requests} | {t for ld in loads for t in ld.profile.expertise})
    langs = sorted(
        {x for r in requests for x in r.languages} | {x for ld in loads for x in ld.profile.languages}
    )
    t_index = {t: k for k, t in enumerate(topics)}
    l_index = {x: k for k, x in enumerate(langs)}
    req_topic = np.zeros((n, max(1, len(topics))), dtype=bool)
    sup_topic = np.zeros((m, max(1, len(topics))), dtype=bool)
    req_lang = np.zeros((n, max(1, len(langs))), dtype=bool)
    sup_lang = np.zeros((m, max(1, len(langs))), dtype=bool)
    for i, r in enumerate(requests):
        req_topic[i, t_index[r.topic]] = True
        for x in r.languages:
            req_lang[i, l_index[x]] = True
    for c, ld in enumerate(loads):
        for t in ld.profile.expertise:
            sup_topic[c, t_index[t]] = True
        for x in ld.profile.languages:
            sup_lang[c, l_index[x]] = True
    has_expertise = (req_topic.astype(np.int64) @ sup_topic.T.astype(np.int64)) > 0
    shares_language = (req_lang.astype(np.int64) @ sup_lang.T.astype(np.int64)) > 0
    wants_language = req_lang.any(axis=1)[:, None]
    req_muni = np.array([r.municipality_id or -1 for r in requests], dtype=np.int64)[:, None]
    sup_muni = np.array([ld.profile.home_municipality_id or -2 for ld in loads], dtype=np.int64)[None, :]
    load = np.array(
        [round(LOAD * float(ld.committed) / float(ld.contract)) if ld.contract > 0 else LOAD for ld in loads],
        dtype=np.float64,
    )
    cost = (
        EXPERTISE * ~has_expertise
        + LANGUAGE * (wants_language & ~shares_language)
        + MUNICIPALITY * (req_muni != sup_muni)
        + np.minimum(load, LOAD)[None, :]
    ).astype(np.float64)
    inactive = np.array([not ld.profile.active for ld in loads], dtype=bool)
    cost[:, inactive] = np.inf
    return cost.reshape(n, m)


def reasons(request: RequestFacts, ld: Load) -> list[str]:
    """Plain-language reasons, good and bad, for one pair."""
    out = []
    if request.topic in ld.profile.expertise:
        out.append(_("expertise in this topic"))
    else:
        out.append(_("no expertise in this topic"))
    shared = sorted(request.languages & set(ld.profile.languages))
    if shared:
        out.append(_("speaks %(languages)s") % {"languages": ", ".join(language_name(x) for x in shared)})
    elif request.languages:
        out.append(_("no shared language"))
    if request.municipality_id and request.municipality_id == ld.profile.home_municipality_id:
        out.append(_("lives in the same municipality"))
    out.append(_("%(free)s h free this month") % {"free": numbers.hours(ld.free)})
    return out


@dataclass
class Ranked:
    load: Load
    cost: float
    fits: bool
    reasons: list[str]


def rank(request: RequestFacts, loads: Sequence[Load]) -> list[Ranked]:
    """Supporters for one request: those with room first, then by cost, then by name."""
    if not loads:
        return []
    cost = cost_matrix([request], loads)[0]
    ranked = [
        Ranked(ld, float(cost[c]), ld.free >= request.hours, reasons(request, ld))
        for c, ld in enumerate(loads)
        if ld.profile.active
    ]
    ranked.sort(key=lambda r: (not r.fits, r.cost, str(r.load.profile.user), r.load.user_id))
    return ranked


@dataclass
class Proposal:
    pairs: list[tuple[int, int]]  # (request id, supporter user id), in request order
    unassigned: list[int]  # request ids
    fingerprint: str
    hours: dict[int, int] = field(default_factory=dict)  # supporter user id -> hours proposed
    reasons: dict[int, list[str]] = field(default_factory=dict)  # request id -> why this supporter
    cost: float = 0.0  # pair costs plus the spreading term
    optimal: bool = True
    missing_at_most: int = 0  # proven: the optimum allocates at most this many more requests
    cost_gap: float = 0.0  # proven: with as many requests, the optimum costs at most this much less
    seconds: float = 0.0


def fingerprint(requests: Sequence[SupportRequest], loads: Sequence[Load]) -> str:
    """Changes when any open request or any supporter's free hours change: a stale proposal is refused."""
    parts = [f"r{r.pk}:{r.status}:{r.updated_at.isoformat()}" for r in sorted(requests, key=lambda r: r.pk)]
    parts += [
        f"s{ld.user_id}:{ld.free}:{int(ld.profile.active)}:{ld.profile.expertise}:{ld.profile.languages}"
        for ld in sorted(loads, key=lambda ld: ld.user_id)
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def capacities(loads: Sequence[Load]) -> np.ndarray:
    """Whole free hours per supporter: requests are planned in whole hours, so ``floor(free)`` is exact."""
    return np.array([max(0, math.floor(ld.free)) for ld in loads], dtype=np.int64)


def solve_exact(
    requests: Sequence[RequestFacts], loads: Sequence[Load], *, time_limit: float | None = None
) -> gap.Solution:
    """The optimal allocation (or, when ``time_limit`` stops the solver, the best found with its gap)."""
    # Imported here: the engine is a separate, pure package; importing it lazily keeps Django start-up
    # independent of it.
    from matching.engine import gap

    cost = cost_matrix(requests, loads) if requests and loads else np.zeros((len(requests), len(loads)))
    sizes = np.array([r.hours for r in requests], dtype=np.int64)
    return gap.solve(cost, sizes, capacities(loads), spread=SPREAD, time_limit=time_limit)


def solve(requests: Sequence[RequestFacts], loads: Sequence[Load]) -> np.ndarray:
    """Column per request (-1: none), optimal. Never more hours per supporter than they have free."""
    return solve_exact(requests, loads).columns


def is_inline(n_requests: int, n_supporters: int) -> bool:
    """Small enough to solve within the page request (see ``INLINE_PAIRS``)."""
    return n_requests * n_supporters <= INLINE_PAIRS


def propose(
    requests: Sequence[SupportRequest], loads: Sequence[Load], *, time_limit: float | None = INLINE_SECONDS
) -> Proposal:
    """Solve the queue (within ``time_limit``) and explain the result."""
    ordered = sorted(requests, key=lambda r: r.pk)
    loads = sorted(loads, key=lambda ld: ld.user_id)
    solution = solve_exact(request_facts(ordered), loads, time_limit=time_limit)
    pairs = [
        (r.pk, loads[c].user_id) for r, c in zip(ordered, solution.columns.tolist(), strict=True) if c >= 0
    ]
    outcome = {
        "cost": solution.cost,
        "optimal": solution.optimal,
        "missing_at_most": solution.missing_at_most,
        "cost_gap": solution.cost_gap if solution.missing_at_most == 0 else 0.0,
        "seconds": round(solution.seconds, 3),
    }
    return explain(ordered, loads, pairs, outcome)


def explain(
    requests: Sequence[SupportRequest],
    loads: Sequence[Load],
    pairs: Sequence[tuple[int, int]],
    outcome: dict[str, Any],
) -> Proposal:
    """The proposal for ``pairs`` (computed now or by a background run): hours, reasons, fingerprint."""
    ordered = sorted(requests, key=lambda r: r.pk)
    facts = {f.id: f for f in request_facts(ordered)}
    by_user = {ld.user_id: ld for ld in loads}
    chosen = dict(pairs)
    hours: dict[int, int] = {}
    why: dict[int, list[str]] = {}
    for rid, uid in chosen.items():
        hours[uid] = hours.get(uid, 0) + facts[rid].hours
        why[rid] = reasons(facts[rid], by_user[uid])
    return Proposal(
        sorted(chosen.items()),
        [r.pk for r in ordered if r.pk not in chosen],
        fingerprint(ordered, loads),
        hours,
        why,
        cost=float(outcome.get("cost", 0.0)),
        optimal=bool(outcome.get("optimal", True)),
        missing_at_most=int(outcome.get("missing_at_most", 0)),
        cost_gap=float(outcome.get("cost_gap", 0.0)),
        seconds=float(outcome.get("seconds", 0.0)),
    )


def check_pairs(
    requests: Sequence[SupportRequest], loads: Sequence[Load], pairs: Sequence[tuple[int, int]]
) -> bool:
    """True when ``pairs`` is an allocation of these open requests that fits: each request at most once, to
    an active supporter it may go to, and no supporter past their free hours."""
    facts = {f.id: f for f in request_facts(sorted(requests, key=lambda r: r.pk))}
    by_user = {ld.user_id: c for c, ld in enumerate(loads)}
    if len({rid for rid, _uid in pairs}) != len(pairs):
        return False
    if any(rid not in facts or uid not in by_user for rid, uid in pairs):
        return False
    chosen = [facts[rid] for rid, _uid in pairs]
    if not chosen:
        return True
    cost = cost_matrix(chosen, loads)
    used = np.zeros(len(loads), dtype=np.int64)
    for k, (rid, uid) in enumerate(pairs):
        c = by_user[uid]
        if not np.isfinite(cost[k, c]):
            return False
        used[c] += facts[rid].hours
    return bool((used <= capacities(loads)).all())
