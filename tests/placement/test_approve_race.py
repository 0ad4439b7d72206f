"""50 officers approve 50 proposals into one group with 3 free places at once: exactly 3 are placed.

The control shows the test catches the race when the group lock and the conditional update are taken away
(and the database constraint dropped for the control only); then the lock gives exactly 3.
Needs PostgreSQL (SQLite serialises whole transactions, so there is no race to see)."""

import threading
import time

import pytest
from django.db import connection
from django.db.models import F

from core.errors import ServiceError
from placement import services
from placement.models import Group, Placement, PlacementStatus
from placement.services import review
from tests.placement.factories import make_group, make_placement, make_report
from tests.support import require_postgres

N = 50


def _race(officer, placements) -> list[str]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(placements))
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(placement: Placement) -> None:
        try:
            barrier.wait()
            services.approve(officer, placement)
            result = "approved"
        except ServiceError as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=work, args=(p,)) for p in placements]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


@pytest.fixture
def scene(reg):  # type: ignore[no-untyped-def]
    require_postgres()
    group = make_group(reg.location, capacity=3)
    placements = [make_placement(make_report(reg.tree.school_a), group) for _ in range(N)]
    return reg.officer, group, placements


def _unlocked_take(group_id: int) -> Group:
    group = Group.objects.get(pk=group_id)  # no lock: check, then write
    if group.occupied >= group.capacity:
        from core.errors import Conflict

        raise Conflict("full", code="group_full")
    time.sleep(0.05)  # widen the window between the check and the write
    Group.objects.filter(pk=group.pk).update(occupied=F("occupied") + 1)
    return group


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_catches_the_race_without_the_lock(scene, monkeypatch):
    officer, group, placements = scene
    monkeypatch.setattr(review, "_take_place", _unlocked_take)
    with connection.cursor() as cursor:
        cursor.execute('ALTER TABLE placement_group DROP CONSTRAINT "group_not_overfull"')
    try:
        outcomes = _race(officer, placements)
    finally:
        Group.objects.filter(pk=group.pk).update(occupied=0)
        Placement.objects.filter(group=group).update(status=PlacementStatus.PROPOSED)
        with connection.cursor() as cursor:
            cursor.execute(
                'ALTER TABLE placement_group ADD CONSTRAINT "group_not_overfull" CHECK (occupied <= capacity)'
            )
    assert outcomes.count("approved") > 3  # over-placed: what the lock prevents


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_gives_exactly_the_free_places_when_50_approvals_race(scene):
    officer, group, placements = scene
    outcomes = _race(officer, placements)
    assert outcomes.count("approved") == 3
    assert outcomes.count("group_full") == N - 3
    assert Group.objects.get(pk=group.pk).occupied == 3
    assert Placement.objects.filter(group=group, status=PlacementStatus.APPROVED).count() == 3
