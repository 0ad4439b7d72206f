"""The placement engine against an independent brute force on small instances, and its hard rules."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from placement.engine import Child, Group, fits, haversine_m, objective, solve

LOCATIONS = [(52.38, 4.63), (52.30, 4.70), (52.35, 4.50)]


def _brute_force(children: list[Child], groups: list[Group]) -> tuple[int, int, int]:
    best = (0, 0, 0)
    choices = [[None] + [g for g in groups if fits(c, g)] for c in children]
    for combo in itertools.product(*choices):
        used: dict[int, int] = {}
        family_loc: dict[int, int] = {}
        ok = True
        for child, group in zip(children, combo, strict=True):
            if group is None:
                continue
            used[group.id] = used.get(group.id, 0) + 1
            if used[group.id] > group.free:
                ok = False
            family = child.sibling_group
            if family is not None and family_loc.setdefault(family, group.location) != group.location:
                ok = False
        if ok:
            assignment = {c.id: g.id for c, g in zip(children, combo, strict=True) if g is not None}
            best = max(best, objective(children, groups, assignment))
    return best


@st.composite
def instances(draw):  # type: ignore[no-untyped-def]
    n_groups = draw(st.integers(1, 3))
    groups = []
    for k in range(n_groups):
        loc = draw(st.integers(0, len(LOCATIONS) - 1))
        low = draw(st.integers(5, 8))
        groups.append(
            Group(
                100 + k,
                loc,
                f"L{loc}",
                low,
                low + draw(st.integers(0, 2)),
                draw(st.integers(0, 2)),
                *LOCATIONS[loc],
            )
        )
    children = []
    for i in range(draw(st.integers(1, 5))):
        school = draw(st.sampled_from([(52.37, 4.62), (52.31, 4.69), (52.36, 4.55)]))
        children.append(
            Child(
                i + 1,
                draw(st.integers(5, 10)),
                draw(st.integers(0, 60)),
                *school,
                sibling_group=draw(st.sampled_from([None, None, 1, 2])),
            )
        )
    return children, groups


@settings(max_examples=150, deadline=None)
@given(instances())
def test_it_finds_the_brute_force_optimum_on_small_instances(instance):  # type: ignore[no-untyped-def]
    children, groups = instance
    result = solve(children, groups)
    assert objective(children, groups, result.assignment) == _brute_force(children, groups)
    assert (result.placed, result.waiting_days, -result.travel_m) == _brute_force(children, groups)


def test_it_keeps_siblings_at_one_location_even_at_the_cost_of_travel():
    near, far = LOCATIONS[0], LOCATIONS[1]
    groups = [
        Group(1, 0, "Noord", 6, 8, 1, *near),
        Group(2, 1, "Zuid", 6, 8, 2, *far),
        Group(3, 0, "Noord", 9, 11, 0, *near),
    ]
    groups.append(Group(4, 1, "Zuid", 9, 11, 1, *far))
    children = [Child(1, 7, 10, *near, sibling_group=5), Child(2, 10, 10, *near, sibling_group=5)]
    result = solve(children, groups)
    assert result.assignment == {1: 2, 2: 4}
    assert [r.code for r in result.reasons[1]] == ["distance", "nearer_taken", "with_siblings"]


def test_it_gives_the_last_place_to_the_child_waiting_longest():
    groups = [Group(1, 0, "Noord", 6, 8, 1, *LOCATIONS[0])]
    children = [Child(1, 7, 5, *LOCATIONS[0]), Child(2, 7, 40, *LOCATIONS[2]), Child(3, 7, 39, *LOCATIONS[0])]
    result = solve(children, groups)
    assert result.assignment == {2: 1}
    assert result.reasons[1][0].code == "places_taken"
    assert [r.code for r in result.reasons[2]] == ["distance", "only_location"]


def test_it_explains_a_child_for_whom_no_group_exists():
    groups = [Group(1, 0, "Noord", 6, 8, 0, *LOCATIONS[0])]
    result = solve([Child(1, 14, 5, *LOCATIONS[0]), Child(2, 7, 5, *LOCATIONS[0])], groups)
    assert result.assignment == {}
    assert result.reasons[1][0].code == "no_group_for_age"
    assert result.reasons[2][0].code == "band_full"


def test_it_measures_haversine_in_metres():
    # Haarlem station to Amsterdam Centraal: about 15.6 km as the crow flies.
    assert 15_000 < haversine_m(52.3874, 4.6383, 52.3791, 4.9003) < 18_000


@settings(max_examples=150, deadline=None)
@given(instances())
def test_it_finds_the_optimum_when_it_starts_from_each_childs_nearest_location_only(instance):  # type: ignore[no-untyped-def]
    # Column generation and reduced-cost fixing must bring in every pair an optimum needs.
    from placement import engine

    children, groups = instance
    before = engine.NEAREST_LOCATIONS
    engine.NEAREST_LOCATIONS = 1
    try:
        result = solve(children, groups)
    finally:
        engine.NEAREST_LOCATIONS = before
    assert (result.placed, result.waiting_days, -result.travel_m) == _brute_force(children, groups)


def _without(*paths):  # type: ignore[no-untyped-def]
    """Switch off the engine's faster paths, so that the one behind them answers."""
    import contextlib

    from placement import engine

    @contextlib.contextmanager
    def switched_off():  # type: ignore[no-untyped-def]
        before = {name: getattr(engine._Model, name) for name in paths}
        for name in paths:
            setattr(engine._Model, name, lambda self, *args: None)
        try:
            yield
        finally:
            for name, method in before.items():
                setattr(engine._Model, name, method)

    return switched_off()


@settings(max_examples=100, deadline=None)
@given(instances())
def test_the_two_stages_in_full_are_exact_when_the_transportation_face_does_not_apply(instance):  # type: ignore[no-untyped-def]
    # Stage 1 as an integer program, then stage 2 on stage 1's LP optimal face (or with the kept rows).
    children, groups = instance
    with _without("transport_face_stage"):
        result = solve(children, groups)
    assert (result.placed, result.waiting_days, -result.travel_m) == _brute_force(children, groups)


@settings(max_examples=100, deadline=None)
@given(instances())
def test_the_fallback_with_the_stage_one_optimum_kept_as_rows_is_exact_too(instance):  # type: ignore[no-untyped-def]
    children, groups = instance
    with _without("transport_face_stage", "face_stage"):
        result = solve(children, groups)
    assert (result.placed, result.waiting_days, -result.travel_m) == _brute_force(children, groups)


def test_a_region_like_instance_is_solved_on_the_transportation_face_with_the_fallbacks_optimum():
    # The fast path must apply to the benchmark's kind of region (siblings in different age bands), and
    # agree with the slowest, most direct path.
    import random

    from benchmarks.placement import instance
    from placement import engine

    children, groups = instance(random.Random(3), 150, 12)
    answered = []
    before = engine._Model.transport_face_stage

    def spy(self, columns):  # type: ignore[no-untyped-def]
        chosen = before(self, columns)
        answered.append(chosen is not None)
        return chosen

    engine._Model.transport_face_stage = spy
    try:
        fast = solve(children, groups)
    finally:
        engine._Model.transport_face_stage = before
    with _without("transport_face_stage", "face_stage"):
        slow = solve(children, groups)
    assert answered == [True]
    assert (fast.placed, fast.waiting_days, fast.travel_m) == (slow.placed, slow.waiting_days, slow.travel_m)
    assert objective(children, groups, fast.assignment) == (fast.placed, fast.waiting_days, -fast.travel_m)
    kids = {c.id: c for c in children}
    at = {g.id: g.location for g in groups}
    families: dict[int, set[int]] = {}
    for cid, gid in fast.assignment.items():
        if kids[cid].sibling_group is not None:
            families.setdefault(kids[cid].sibling_group, set()).add(at[gid])
    assert families
    assert all(len(locations) == 1 for locations in families.values())
