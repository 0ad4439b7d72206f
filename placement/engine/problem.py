"""The placement problem as plain data: children and groups in, the result out; the hard rules of a pair,
distances, and the objective an assignment reaches."""

from collections import defaultdict
from dataclasses import dataclass, field
from math import asin, cos, radians, sin, sqrt

import numpy as np

EARTH_RADIUS_M = 6_371_000


@dataclass(frozen=True)
class Child:
    id: int
    age: int
    waiting_days: int
    lat: float
    lon: float
    sibling_group: int | None = None  # children with the same value are siblings
    only_location: int | None = None  # a sibling already holds a place there


@dataclass(frozen=True)
class Group:
    id: int
    location: int
    location_name: str
    age_min: int
    age_max: int
    free: int
    lat: float
    lon: float


@dataclass(frozen=True)
class Reason:
    """Why a child was placed where, or why they wait. ``code`` and ``params`` are translated by the caller."""

    code: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class Result:
    assignment: dict[int, int]  # child id -> group id
    placed: int
    waiting_days: int
    travel_m: int
    reasons: dict[int, list[Reason]]  # child id -> reasons (placed and waiting alike)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Great-circle distance in whole metres."""
    p1, p2 = radians(lat1), radians(lat2)
    dp, dl = p2 - p1, radians(lon2 - lon1)
    a = sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_M * asin(min(1.0, sqrt(a))))


def fits(child: Child, group: Group) -> bool:
    return group.free > 0 and group.age_min <= child.age <= group.age_max


def allowed_pairs(children: list[Child], groups: list[Group]) -> list[tuple[int, int, int]]:
    """(child index, group index, metres) for every pair the hard rules allow, in child then group order. The
    metres are those of ``haversine_m`` from the child to the first such group at the location, computed in
    numpy and recomputed by ``haversine_m`` where the rounding is too close to call."""
    by_age: dict[int, list[int]] = defaultdict(list)
    for g, group in enumerate(groups):
        if group.free > 0:
            for age in range(group.age_min, group.age_max + 1):
                by_age[age].append(g)
    options = {age: np.array(gs, dtype=np.int64) for age, gs in by_age.items()}
    location = np.array([g.location for g in groups], dtype=np.int64)
    ci_parts, gi_parts = [], []
    for i, child in enumerate(children):
        gs = options.get(child.age)
        if gs is None:
            continue
        if child.only_location is not None:
            gs = gs[location[gs] == child.only_location]
        ci_parts.append(np.full(len(gs), i, dtype=np.int64))
        gi_parts.append(gs)
    if not ci_parts:
        return []
    ci, gi = np.concatenate(ci_parts), np.concatenate(gi_parts)
    if not len(ci):
        return []
    # One distance per (child, location): that of the pair that comes first.
    _keys, first, inverse = np.unique(
        np.stack([ci, location[gi]], axis=1), axis=0, return_index=True, return_inverse=True
    )
    fi, fg = ci[first], gi[first]
    lat1 = np.radians(np.array([c.lat for c in children]))[fi]
    lon1 = np.radians(np.array([c.lon for c in children]))[fi]
    lat2 = np.radians(np.array([g.lat for g in groups]))[fg]
    lon2 = np.radians(np.array([g.lon for g in groups]))[fg]
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    exact = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    metres = np.round(exact).astype(np.int64)
    close = np.flatnonzero(np.abs(exact - np.floor(exact) - 0.5) < 1e-4)
    for k in close:
        child, group = children[fi[k]], groups[fg[k]]
        metres[k] = haversine_m(child.lat, child.lon, group.lat, group.lon)
    return list(zip(ci.tolist(), gi.tolist(), metres[inverse.ravel()].tolist(), strict=True))


def objective(children: list[Child], groups: list[Group], assignment: dict[int, int]) -> tuple[int, int, int]:
    """(placed, waiting days placed, -travel metres): larger is better, compared lexicographically."""
    by_id = {g.id: g for g in groups}
    kids = {c.id: c for c in children}
    travel = sum(
        haversine_m(kids[c].lat, kids[c].lon, by_id[g].lat, by_id[g].lon) for c, g in assignment.items()
    )
    return len(assignment), sum(kids[c].waiting_days for c in assignment), -travel
