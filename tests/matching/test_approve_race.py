"""Two coordinators approve the last place of one buddy at the same moment (PostgreSQL, two threads).

The control shows the test catches the race when the buddy row is not locked (both win); with the lock,
exactly one approval wins and the other is refused as "buddy full"."""

import contextlib
import threading
from unittest import mock

import pytest
from django.db import connection
from django.db.models import QuerySet

from accounts.roles import Role
from core.errors import ServiceError
from matching.models import Buddy, Match, MatchStatus
from matching.services import review
from tests.factories import make_membership, make_org_tree
from tests.matching.factories import make_buddy, make_match, make_pupil
from tests.support import require_postgres

real_exists = QuerySet.exists


def race(coordinator, match_ids):  # type: ignore[no-untyped-def]
    # Both threads meet between "count the buddy's places" and "save the approval" (the pupil check),
    # unless one is blocked on the buddy's row lock: then the barrier times out and the first goes on.
    barrier = threading.Barrier(len(match_ids))
    outcomes: dict[int, str] = {}

    def meet(self):  # type: ignore[no-untyped-def]
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=2)
        return real_exists(self)

    def approve(match_id: int) -> None:
        try:
            review.approve(coordinator, match_id)
            outcomes[match_id] = "approved"
        except ServiceError as exc:
            outcomes[match_id] = exc.code
        finally:
            connection.close()

    with mock.patch.object(QuerySet, "exists", meet), mock.patch("core.outbox.transaction.on_commit"):
        threads = [threading.Thread(target=approve, args=(m,)) for m in match_ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    return sorted(outcomes.values())


@pytest.fixture
def last_place(db):  # type: ignore[no-untyped-def]
    tree = make_org_tree()
    coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.school_a)
    buddy = make_buddy(tree.school_a, capacity=1)
    ids = [make_match(make_pupil(tree.school_a), buddy).pk for _ in range(2)]
    return coordinator, buddy, ids


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_lets_both_win_without_the_buddy_lock_control(last_place):
    require_postgres()
    coordinator, buddy, ids = last_place

    with mock.patch.object(Buddy.objects, "select_for_update", return_value=Buddy.objects.all()):
        outcomes = race(coordinator, ids)

    assert outcomes == ["approved", "approved"]
    assert Match.objects.filter(buddy=buddy, status=MatchStatus.APPROVED).count() == 2


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_gives_the_last_place_to_exactly_one_approval(last_place):
    require_postgres()
    coordinator, buddy, ids = last_place

    outcomes = race(coordinator, ids)

    assert outcomes == ["approved", "buddy_full"]
    assert Match.objects.filter(buddy=buddy, status=MatchStatus.APPROVED).count() == 1
