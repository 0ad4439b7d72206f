"""Enrolment under concurrent requests on PostgreSQL: 60 threads, each with its own connection, released
together by a barrier at a 10-seat edition.

Both tests widen the race window the same way (``free_seats`` sleeps 30 ms after counting, i.e. between
the check and the write); the only difference is the row lock. The control removes the lock and shows
the test would catch an overbooking; the real test keeps it and finds exactly 10 confirmed.
"""

import threading
import time

import pytest
from django.db import connection

from accounts.models import User
from courses import services
from courses.models import Edition, Enrolment, EnrolmentStatus
from courses.services import locking
from tests.courses.factories import make_edition, make_module, make_teacher
from tests.factories import make_org_tree
from tests.support import require_postgres

THREADS = 60
CAPACITY = 10


def _slow_free_seats(monkeypatch: pytest.MonkeyPatch) -> None:
    original = locking.free_seats

    def slow(edition: Edition) -> int:
        free = original(edition)
        time.sleep(0.03)
        return free

    monkeypatch.setattr(locking, "free_seats", slow)


def _race() -> tuple[Edition, list[BaseException]]:
    tree = make_org_tree()
    edition = make_edition(make_module(tree.region_a), capacity=CAPACITY)
    teacher_ids = [make_teacher(tree.school_a).pk for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def enrol(teacher_id: int) -> None:
        try:
            teacher = User.objects.get(pk=teacher_id)
            barrier.wait(timeout=30)
            services.enrol(teacher, edition)
        except BaseException as exc:  # collected and asserted on in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(pk,)) for pk in teacher_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return edition, errors


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_never_overbooks_under_concurrent_enrolments(monkeypatch):
    require_postgres()
    _slow_free_seats(monkeypatch)

    edition, errors = _race()

    assert errors == []
    statuses = list(Enrolment.objects.filter(edition=edition).values_list("status", flat=True))
    assert statuses.count(EnrolmentStatus.CONFIRMED) == CAPACITY
    assert statuses.count(EnrolmentStatus.WAITLISTED) == THREADS - CAPACITY
    waiting = services.with_waitlist_position(
        Enrolment.objects.filter(edition=edition, status=EnrolmentStatus.WAITLISTED)
    )
    assert sorted(e.waitlist_rank for e in waiting) == list(range(1, THREADS - CAPACITY + 1))


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_overbooks_without_the_lock_control(monkeypatch):
    """CONTROL: the same race with ``_lock_edition`` turned into a plain read overbooks. If this ever
    stopped failing to hold seats, the test above would no longer prove anything."""
    require_postgres()
    _slow_free_seats(monkeypatch)
    monkeypatch.setattr(locking, "_lock_edition", lambda pk: Edition.objects.get(pk=pk))

    edition, errors = _race()

    assert errors == []
    confirmed = Enrolment.objects.filter(edition=edition, status=EnrolmentStatus.CONFIRMED).count()
    assert confirmed > CAPACITY
