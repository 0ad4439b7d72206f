"""Reasons, alternatives and unmatched reason codes, one behaviour per test with exact expectations."""

import pytest

from matching.engine import Weights, problem_from_records, solve


def pupil(pid, group=1, **kw):
    return {"id": pid, "group": group, "grade": 2, **kw}


def buddy(bid, group=1, **kw):
    return {"id": bid, "group": group, "grade": 2, "capacity": 1, **kw}


def run(pupils, buddies, **kw):
    return solve(problem_from_records(pupils, buddies, **kw))


def only_pair(result):
    assert len(result.pairs) == 1
    return result.pairs[0]


def test_it_explains_a_shared_home_language_same_grade_and_interests():
    pair = only_pair(
        run(
            [pupil(1, home_languages=["ar"], languages=["en"], interests=["chess", "music", "art"])],
            [buddy(9, languages=["ar", "en", "nl"], interests=["music", "chess"])],
        )
    )
    assert pair.reasons == [
        ("shared_home_language", {"languages": ["ar"]}),
        ("same_grade", {}),
        ("shared_interests", {"count": 2, "interests": ["chess", "music"]}),
        ("buddy_load", {"load": 0}),
    ]
    assert pair.cost == 1.0  # one interest short of the cap of 3
    assert pair.locked is False


def test_it_explains_a_bridge_language_and_grade_distance():
    pair = only_pair(
        run(
            [pupil(1, grade=1, home_languages=["ti"], languages=["en", "nl"])],
            [buddy(9, grade=3, languages=["en", "nl"])],
        )
    )
    assert pair.reasons == [
        ("shared_language", {"languages": ["en", "nl"]}),
        ("grade_distance", {"distance": 2}),
        ("buddy_load", {"load": 0}),
    ]
    assert pair.cost == 3.0 + 2.0 + 3.0


def test_it_explains_no_shared_language_and_skips_grade_for_staff():
    pair = only_pair(run([pupil(1, home_languages=["ti"])], [buddy(9, grade=-1, languages=["nl"])]))
    assert pair.reasons == [("no_shared_language", {}), ("buddy_load", {"load": 0})]
    assert pair.cost == 8.0 + 3.0


def test_it_caps_the_grade_distance_cost():
    pair = only_pair(run([pupil(1, grade=0)], [buddy(9, grade=9)], weights=Weights(grade=1.0, grade_cap=3)))
    assert ("grade_distance", {"distance": 9}) in pair.reasons
    assert pair.cost == 8.0 + 3.0 + 3.0


def test_it_reports_the_buddy_load_including_existing_matches():
    pair = only_pair(run([pupil(1)], [buddy(9, capacity=3, load=2)]))
    assert pair.reasons[-1] == ("buddy_load", {"load": 2})
    assert pair.cost == 8.0 + 3.0 + 2.0 * 2


def test_it_marks_and_prices_locked_pairs_even_against_the_rules():
    # The coordinator fixed pupil 1 with buddy 9 although 9 withdrew consent: kept as decided.
    result = run([pupil(1), pupil(2)], [buddy(9, consent=False, capacity=2)], locked=[(1, 9)])
    pair = only_pair(result)
    assert (pair.pupil_id, pair.buddy_id, pair.locked) == (1, 9, True)
    assert pair.reasons[0] == ("locked", {})
    assert pair.alternatives == []
    assert pair.cost == 8.0 + 3.0
    assert result.stats.locked == 1
    assert [(u.pupil_id, u.reason) for u in result.unmatched] == [(2, "no_consent")]


def test_it_lists_the_two_next_best_buddies_cheapest_first_with_ties_by_id():
    result = run(
        [pupil(1, home_languages=["ar"])],
        [
            buddy(10, languages=["ar"]),  # 0 + 0 + 3 = 3: chosen
            buddy(14, languages=["en"], grade=-1),  # 8 + 3 = 11
            buddy(12, languages=["nl"], grade=-1),  # 11, lower id than 14
            buddy(11, languages=["nl"], grade=5),  # 8 + 3 + 3 = 14
        ],
    )
    pair = only_pair(result)
    assert pair.buddy_id == 10
    assert pair.alternatives == [(12, 11.0), (14, 11.0)]


def test_it_prices_alternatives_on_the_buddys_first_free_place():
    result = run(
        [pupil(1, home_languages=["ar"])], [buddy(10, languages=["ar"]), buddy(11, capacity=3, load=1)]
    )
    assert only_pair(result).alternatives == [(11, 8.0 + 3.0 + 2.0 * 1)]


def test_it_leaves_out_infeasible_and_excluded_buddies_from_alternatives():
    result = run(
        [pupil(1, home_languages=["ar"], gender_pref=1)],
        [
            buddy(10, languages=["ar"], gender=1),
            buddy(11, gender=2),  # wrong gender
            buddy(12, gender=1, consent=False),
            buddy(13, gender=1),  # excluded
            buddy(14, gender=1, capacity=1, load=1),  # full
            buddy(15, gender=1, group=2),  # other group
        ],
        exclusions=[(1, 13)],
    )
    assert only_pair(result).alternatives == []


@pytest.mark.parametrize(
    ("buddies", "kw", "reason", "params"),
    [
        ([buddy(9, group=2)], {}, "no_buddy_in_group", {}),
        ([buddy(9, consent=False), buddy(8, consent=False)], {}, "no_consent", {"buddies": 2}),
        ([buddy(9, available_from=5), buddy(8, consent=False)], {}, "not_available", {"buddies": 1}),
        ([buddy(9, available_until=2), buddy(8, gender=2)], {}, "gender_preference", {"buddies": 1}),
        (
            [buddy(9, gender=1), buddy(8, gender=1)],
            {"exclusions": [(1, 9), (1, 8)]},
            "all_excluded",
            {"buddies": 2},
        ),
        (
            [buddy(9, gender=1, load=1), buddy(8, gender=1, capacity=2, load=2)],
            {},
            "no_free_capacity",
            {"buddies": 2},
        ),
        ([buddy(9, gender=1)], {"locked": [(2, 9)]}, "no_free_capacity", {"buddies": 1}),
    ],
)
def test_it_gives_the_first_failing_rule_for_unmatched_pupils(buddies, kw, reason, params):
    result = run([pupil(1, gender_pref=1, transition_day=3), pupil(2, group=3)], buddies, **kw)
    [unmatched] = [u for u in result.unmatched if u.pupil_id == 1]
    assert (unmatched.reason, unmatched.params) == (reason, params)


def test_it_says_capacity_taken_when_the_optimum_gave_the_places_to_others():
    # Pupil 2 shares a home language with the only buddy, so pupil 1 loses out (lower cost wins).
    result = run([pupil(1), pupil(2, home_languages=["uk"])], [buddy(9, languages=["uk"])])
    assert [(p.pupil_id, p.buddy_id) for p in result.pairs] == [(2, 9)]
    assert [(u.pupil_id, u.reason, u.params) for u in result.unmatched] == [
        (1, "capacity_taken", {"buddies": 1})
    ]


def test_it_reports_no_buddy_in_group_for_a_group_without_any_buddies():
    result = run([pupil(1, group=5)], [])
    assert [(u.pupil_id, u.reason, u.params) for u in result.unmatched] == [(1, "no_buddy_in_group", {})]
    assert result.stats.components == 1


def test_it_names_tags_by_bit_index_without_a_vocabulary():
    from matching.engine import Buddies, Problem, Pupils

    pupils = Pupils(
        ids=[1],
        group=[1],
        grade=[2],
        home_langs=[[0b100]],
        langs=[[0]],
        interests=[[0b11]],
        gender=[0],
        gender_pref=[0],
        transition_day=[0],
    )
    buddies = Buddies(
        ids=[9],
        group=[1],
        grade=[-1],
        langs=[[0b110]],
        interests=[[0b10]],
        gender=[0],
        capacity=[1],
        load=[0],
        consent=[True],
        available_from=[0],
        available_until=[0],
    )
    pair = only_pair(solve(Problem(pupils, buddies)))
    assert pair.reasons[0] == ("shared_home_language", {"languages": [2]})
    assert pair.reasons[1] == ("shared_interests", {"count": 1, "interests": [1]})
