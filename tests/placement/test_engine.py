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
