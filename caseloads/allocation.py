"""Ranking supporters for a request, and the optimal proposal for the whole open queue.

Cost of giving request i to supporter c (whole numbers, lower is better; documented for coordinators):

* ``EXPERTISE`` (8) when the request's topic is not among the supporter's expertise;
* ``LANGUAGE`` (4) when the request names languages (preferred, or the pupils' home languages, i.e. the
  language of pupil or parents) and the supporter speaks none of them;
* ``MUNICIPALITY`` (2) when the supporter's home municipality is not the school's (travel time);
* ``LOAD`` (0-4): ``round(4 x committed / contract)``, so lightly loaded supporters come first.

Bulk allocation ("allocate all open requests") solves the queue exactly with
:func:`matching.engine.assign` (most requests allocated first, then the lowest total cost).

Slots and hours. The engine gives each supporter a number of interchangeable places. Requests differ in
size (planned hours by topic and urgency), and packing different sizes into hours exactly is a bin-packing
problem, not an assignment. We therefore size every place at the largest request in the queue:
``places = floor(free hours / largest size)``. That is conservative - a supporter never receives more hours
than they have free - and exact when all requests have the same size (the usual queue). Hours left over
because real requests are smaller are then filled by a deterministic top-up pass (remaining requests in
queue order, each to the cheapest supporter it still fits), which only ever adds allocations. Places after
the first cost one more each (``slot_cost``), to spread requests over the team.
"""

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.utils.translation import gettext as _

from caseloads.models import SupportRequest
from caseloads.workload import Load
from core import numbers
from pupils.languages import language_name

EXPERTISE = 8
LANGUAGE = 4
MUNICIPALITY = 2
LOAD = 4


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


def fingerprint(requests: Sequence[SupportRequest], loads: Sequence[Load]) -> str:
    """Changes when any open request or any supporter's free hours change: a stale proposal is refused."""
    parts = [f"r{r.pk}:{r.status}:{r.updated_at.isoformat()}" for r in sorted(requests, key=lambda r: r.pk)]
    parts += [
        f"s{ld.user_id}:{ld.free}:{int(ld.profile.active)}:{ld.profile.expertise}:{ld.profile.languages}"
        for ld in sorted(loads, key=lambda ld: ld.user_id)
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def solve(requests: Sequence[RequestFacts], loads: Sequence[Load]) -> np.ndarray:
    """Column per request (-1: none). Never more hours per supporter than they have free."""
    # Imported here: the engine is a separate, pure package; importing it lazily keeps Django start-up
    # independent of it.
    from matching.engine import assign

    n, m = len(requests), len(loads)
    out = np.full(n, -1, dtype=np.int64)
    if n == 0 or m == 0:
        return out
    cost = cost_matrix(requests, loads)
    sizes = np.array([r.hours for r in requests], dtype=np.int64)
    free = np.array([max(Decimal(0), ld.free) for ld in loads], dtype=object)
    largest = int(sizes.max())
    capacity = np.array([math.floor(f / largest) for f in free], dtype=np.int64)
    width = max(1, int(capacity.max(initial=0)))
    slot_cost = np.tile(np.arange(width, dtype=np.float64), (m, 1))
    out = assign(cost, capacity, slot_cost)
    # Top-up: hours left over because real requests are smaller than the largest one.
    left = [Decimal(f) for f in free]
    for i, c in enumerate(out):
        if c >= 0:
            left[c] -= int(sizes[i])
    for i in range(n):
        if out[i] >= 0:
            continue
        options = [c for c in range(m) if np.isfinite(cost[i, c]) and left[c] >= int(sizes[i])]
        if options:
            best = min(options, key=lambda c: (cost[i, c], c))
            out[i] = best
            left[best] -= int(sizes[i])
    return out


def propose(requests: Sequence[SupportRequest], loads: Sequence[Load]) -> Proposal:
    ordered = sorted(requests, key=lambda r: r.pk)
    facts = request_facts(ordered)
    columns = solve(facts, loads)
    pairs, unassigned, hours, why = [], [], {}, {}
    for f, c in zip(facts, columns, strict=True):
        if c < 0:
            unassigned.append(f.id)
        else:
            uid = loads[c].user_id
            pairs.append((f.id, uid))
            hours[uid] = hours.get(uid, 0) + f.hours
            why[f.id] = reasons(f, loads[c])
    return Proposal(pairs, unassigned, fingerprint(ordered, loads), hours, why)
