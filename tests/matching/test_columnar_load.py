"""The PostgreSQL loader (binary COPY into numpy columns, ``matching/columnar.py``) gives the same engine
Problem as the record path, column by column, on a batch with every kind of value (issue 14)."""

from datetime import date, timedelta
from unittest import mock

import numpy as np
import pytest
from django.db import connection

from accounts.roles import Role
from matching.models import BuddyKind, EndReason, MatchStatus
from matching.problem_builder import load_batch
from matching.services import runs
from tests.factories import make_membership
from tests.matching.factories import make_buddy, make_match, make_pupil, make_run
from tests.support import require_postgres


def _batch(tree):  # type: ignore[no-untyped-def]
    school = tree.school_a
    pupils = [
        make_pupil(school, home_languages=["ar"], other_languages=["en"], interests=["chess", "music"]),
        make_pupil(school, home_languages=[], other_languages=[], gender="f", buddy_gender_preference="f"),
        make_pupil(
            school,
            stage="secondary",
            grade=2,
            home_languages=["uk", "ru"],
            transition_date=date.today() + timedelta(days=3),
        ),
        make_pupil(school, home_languages=["ti"], gender="x", interests=["football"]),
    ]
    buddies = [
        make_buddy(school, languages=["ar", "nl"], interests=["chess"], capacity=2, gender="m"),
        make_buddy(school, languages=["uk"], grade=None, consent_at=None, capacity=3),
        make_buddy(
            school,
            languages=[],
            available_from=date.today() - timedelta(days=3),
            available_until=date.today() + timedelta(days=40),
        ),
        make_buddy(school, languages=["en", "so"], interests=["music", "football"], grade=7),
    ]
    make_match(pupils[0], buddies[1], status=MatchStatus.APPROVED)  # a load of 1
    make_match(pupils[1], buddies[0], status=MatchStatus.REJECTED, run=None)
    make_match(pupils[3], buddies[3], status=MatchStatus.ENDED, end_reason=EndReason.NOT_A_FIT, run=None)
    make_match(pupils[2], buddies[2], status=MatchStatus.PROPOSED, locked=True, run=make_run(school))
    return pupils, buddies


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [BuddyKind.PEER, BuddyKind.STAFF])
def test_it_loads_the_same_problem_through_copy_as_through_records(tree, kind):
    require_postgres()
    _batch(tree)
    if kind == BuddyKind.STAFF:
        make_buddy(tree.school_a, kind=BuddyKind.STAFF, languages=["ar"], grade=None, consent_at=None)
    coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.school_a)
    with mock.patch("core.outbox.transaction.on_commit"):
        run = runs.start_run(coordinator, tree.school_a, kind)

    fast = load_batch(run, [tree.school_a.pk])
    with mock.patch("matching.problem_builder.connection") as other:
        other.vendor = "sqlite"
        slow = load_batch(run, [tree.school_a.pk])

    assert connection.vendor == "postgresql"
    assert fast.school_of_pupil == slow.school_of_pupil
    for side in ("pupils", "buddies"):
        a, b = getattr(fast.problem, side), getattr(slow.problem, side)
        for name in vars(b):
            assert np.array_equal(getattr(a, name), getattr(b, name)), f"{side}.{name}"
    assert np.array_equal(fast.problem.exclusions, slow.problem.exclusions)
    assert np.array_equal(fast.problem.locked, slow.problem.locked)
    assert fast.problem.language_names == slow.problem.language_names


@pytest.mark.django_db
def test_it_loads_a_batch_in_six_queries_on_postgresql(tree, django_assert_num_queries):
    require_postgres()
    _batch(tree)
    coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.school_a)
    with mock.patch("core.outbox.transaction.on_commit"):
        run = runs.start_run(coordinator, tree.school_a, BuddyKind.PEER)
    # schools of the groups, languages used, interest vocabulary, COPY pupils, COPY buddies,
    # locked/rejected pairs: 6, whatever the number of pupils.
    with django_assert_num_queries(6):
        load_batch(run, [tree.school_a.pk])
