"""The batch loader with vocabularies wider than one 64-bit word (issue 14): PostgreSQL's column path
(each row's language lists as an index into the side's distinct lists, interests and loads by aggregate
joins, ``matching/columnar.py``) gives the same Problem as the record path, and on every database the
bitsets say exactly which languages and interests each pupil and buddy has."""

from unittest import mock

import numpy as np
import pytest
from django.db import connection

from accounts.roles import Role
from matching import columnar
from matching.engine.tags import bit_indices
from matching.models import BuddyKind, MatchStatus
from matching.problem_builder import load_batch
from matching.services import runs
from tests.factories import make_membership
from tests.matching.factories import make_buddy, make_match, make_pupil
from tests.support import require_postgres

LANGUAGES = [f"l{n:02d}" for n in range(70)]  # two words
INTERESTS = [f"i{n:02d}" for n in range(66)]  # two words


def _wide_batch(tree):  # type: ignore[no-untyped-def]
    school = tree.school_a
    pupils = [
        make_pupil(
            school, home_languages=LANGUAGES[:40], other_languages=LANGUAGES[40:], interests=INTERESTS[:33]
        ),
        make_pupil(
            school, home_languages=["l69", "l03", "l69"], other_languages=[], interests=INTERESTS[33:]
        ),
        make_pupil(school, home_languages=["l03", "l69"], other_languages=["l64"], interests=["i65"]),
        make_pupil(school, home_languages=[], other_languages=[]),
    ]
    buddies = [
        make_buddy(school, languages=LANGUAGES[60:], interests=["i00", "i64"], capacity=1),
        make_buddy(school, languages=["l63", "l64"], interests=INTERESTS, capacity=3),
        make_buddy(school, languages=[], capacity=2),
        make_buddy(school, languages=["l63", "l64"]),
    ]
    # Loads (pupils of another school, matched before): two approved matches on a buddy of capacity 1
    # (capped at 1), one on a buddy of capacity 3.
    others = [make_pupil(tree.school_b) for _ in range(3)]
    make_match(others[0], buddies[0], status=MatchStatus.APPROVED)
    make_match(others[1], buddies[0], status=MatchStatus.APPROVED)
    make_match(others[2], buddies[1], status=MatchStatus.APPROVED)
    return pupils, buddies


def _run(tree):  # type: ignore[no-untyped-def]
    coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.school_a)
    with mock.patch("core.outbox.transaction.on_commit"):
        return runs.start_run(coordinator, tree.school_a, BuddyKind.PEER)


def _tags(bitsets: np.ndarray, names: tuple[str, ...], n: int) -> list[set[str]]:
    rows, bits = bit_indices(bitsets)
    out: list[set[str]] = [set() for _ in range(n)]
    for row, bit in zip(rows.tolist(), bits.tolist(), strict=True):
        out[row].add(names[bit])
    return out


@pytest.mark.django_db
def test_it_loads_wide_vocabularies_the_same_through_columns_as_through_records(tree):
    require_postgres()
    _wide_batch(tree)
    run = _run(tree)

    fast = load_batch(run, [tree.school_a.pk])
    with mock.patch("matching.problem_builder.connection") as other:
        other.vendor = "sqlite"
        slow = load_batch(run, [tree.school_a.pk])

    assert fast.problem.pupils.langs.shape[1] == 2
    assert fast.problem.pupils.interests.shape[1] == 2
    for side in ("pupils", "buddies"):
        a, b = getattr(fast.problem, side), getattr(slow.problem, side)
        for name in vars(b):
            assert np.array_equal(getattr(a, name), getattr(b, name)), f"{side}.{name}"
    assert fast.problem.language_names == slow.problem.language_names
    assert fast.problem.interest_names == slow.problem.interest_names
    assert fast.school_of_pupil == slow.school_of_pupil


@pytest.mark.django_db
def test_every_row_gets_exactly_its_languages_interests_and_capped_load(tree):
    """On the database the suite runs on (SQLite by default, PostgreSQL with DATABASE_URL)."""
    pupils, buddies = _wide_batch(tree)
    problem = load_batch(_run(tree), [tree.school_a.pk]).problem

    assert problem.language_names == tuple(LANGUAGES)
    assert problem.pupils.ids.tolist() == [p.pk for p in pupils]  # same transition date: by id
    n = len(pupils)
    home = _tags(problem.pupils.home_langs, problem.language_names, n)
    langs = _tags(problem.pupils.langs, problem.language_names, n)
    interests = _tags(problem.pupils.interests, problem.interest_names, n)
    assert home == [set(LANGUAGES[:40]), {"l03", "l69"}, {"l03", "l69"}, set()]
    assert langs == [set(LANGUAGES), {"l03", "l69"}, {"l03", "l64", "l69"}, set()]
    assert interests == [set(INTERESTS[:33]), set(INTERESTS[33:]), {"i65"}, set()]

    order = {b.pk: b for b in buddies}
    loaded_buddies = [order[i] for i in problem.buddies.ids.tolist()]
    langs = _tags(problem.buddies.langs, problem.language_names, len(loaded_buddies))
    assert langs == [set(b.languages) for b in loaded_buddies]
    interests = _tags(problem.buddies.interests, problem.interest_names, len(loaded_buddies))
    assert interests == [{i.code for i in b.interests.all()} for b in loaded_buddies]
    loads = dict(zip(problem.buddies.ids.tolist(), problem.buddies.load.tolist(), strict=True))
    assert loads == {buddies[0].pk: 1, buddies[1].pk: 1, buddies[2].pk: 0, buddies[3].pk: 0}


@pytest.mark.django_db
def test_the_load_runs_without_jit_or_parallel_workers(db):
    require_postgres()
    with columnar.load_settings(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('max_parallel_workers_per_gather')")
        assert cursor.fetchone() == ("off", "0")
