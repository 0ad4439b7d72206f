"""The per-school limit under concurrent requests on PostgreSQL: 100 enrolments from 3 schools released
together, and 60 final approvals racing each other. Every verb that gives a seat counts the school's
seats with the edition row locked (``services.locking._lock_edition``), so the limit is never exceeded.

Each test has its control: the same race with the lock turned into a plain read exceeds the limit, so
the test would catch the race if the lock went away. Both widen the window between counting a school's
seats and writing the seat the same way (``has_room`` sleeps 20 ms after counting). ``WORKERS`` threads
(each with its own connection) drain the burst: PostgreSQL's default 100 connections are shared with
the rest of the suite, so 100 connections at once would test "too many clients", not the lock.
"""

import queue
import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection

from accounts.models import User
from accounts.roles import Role
from courses import approval, school_limit, services, waitlist_control
from courses.models import SEAT_STATUSES, Edition, Enrolment, EnrolmentStatus
from courses.services import locking
from tests.courses.factories import make_edition, make_enrolment, make_module, make_teacher
from tests.factories import make_membership, make_org_tree
from tests.support import require_postgres

WORKERS = 24
LIMIT = 10


def _slow_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    original = school_limit.has_room

    def slow(edition: Edition, school_id: int | None, seats: int = 1) -> bool:
        room = original(edition, school_id, seats)
        time.sleep(0.02)
        return room

    monkeypatch.setattr(school_limit, "has_room", slow)


def _unlocked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(locking, "_lock_edition", lambda pk: Edition.objects.get(pk=pk))


def _burst(calls: list[Callable[[], object]]) -> list[BaseException]:
    work: queue.SimpleQueue[Callable[[], object]] = queue.SimpleQueue()
    for call in calls:
        work.put(call)
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def drain() -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            while True:
                try:
                    call = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    call()
                except BaseException as exc:  # collected and asserted on in the main thread
                    errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return errors


def _seats_per_school(edition: Edition) -> Counter[int]:
    return Counter(
        Enrolment.objects.filter(edition=edition, status__in=SEAT_STATUSES).values_list(
            "school_id", flat=True
        )
    )


def _enrolment_race() -> Edition:
    tree = make_org_tree()
    schools = [tree.school_a, tree.school_a2, tree.school_a3]
    edition = make_edition(make_module(tree.region_a), capacity=60, school_seat_limit=LIMIT)
    teachers = [make_teacher(schools[i % 3]).pk for i in range(100)]

    def enrol(teacher_id: int) -> Callable[[], object]:
        return lambda: services.enrol(User.objects.get(pk=teacher_id), edition)

    errors = _burst([enrol(pk) for pk in teachers])
    assert errors == []
    return edition


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_never_exceeds_the_school_limit_under_100_concurrent_enrolments(monkeypatch):
    require_postgres()
    _slow_counts(monkeypatch)

    edition = _enrolment_race()

    per_school = _seats_per_school(edition)
    assert sorted(per_school.values()) == [LIMIT, LIMIT, LIMIT]
    statuses = Counter(Enrolment.objects.filter(edition=edition).values_list("status", flat=True))
    assert statuses == {EnrolmentStatus.CONFIRMED: 3 * LIMIT, EnrolmentStatus.WAITLISTED: 100 - 3 * LIMIT}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_exceeds_the_school_limit_without_the_lock_control(monkeypatch):
    """CONTROL: without the edition lock the same burst gives some school more than its limit."""
    require_postgres()
    _slow_counts(monkeypatch)
    _unlocked(monkeypatch)

    edition = _enrolment_race()

    assert max(_seats_per_school(edition).values()) > LIMIT


def _approval_race() -> Edition:
    tree = make_org_tree()
    schools = [tree.school_a, tree.school_a2, tree.school_a3]
    organiser = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    edition = make_edition(
        make_module(tree.region_a), capacity=60, school_seat_limit=5, requires_organiser_approval=True
    )
    pending = [
        make_enrolment(
            edition,
            make_teacher(schools[i % 3]),
            status=EnrolmentStatus.PENDING_APPROVAL,
            approval_stage="organiser",
        ).pk
        for i in range(60)
    ]

    def approve(enrolment_id: int) -> Callable[[], object]:
        return lambda: approval.decide(
            User.objects.get(pk=organiser.pk), Enrolment.objects.get(pk=enrolment_id), approve=True
        )

    errors = _burst([approve(pk) for pk in pending])
    assert errors == []
    return edition


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_never_exceeds_the_school_limit_under_concurrent_approvals(monkeypatch):
    require_postgres()
    _slow_counts(monkeypatch)

    edition = _approval_race()

    assert sorted(_seats_per_school(edition).values()) == [5, 5, 5]
    assert Enrolment.objects.filter(edition=edition, status=EnrolmentStatus.WAITLISTED).count() == 45


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_exceeds_the_school_limit_on_approvals_without_the_lock_control(monkeypatch):
    """CONTROL: the approvals race without the edition lock gives some school more than 5 seats."""
    require_postgres()
    _slow_counts(monkeypatch)
    _unlocked(monkeypatch)

    edition = _approval_race()

    assert max(_seats_per_school(edition).values()) > 5


def _mixed_race() -> tuple[Edition, Counter[str]]:
    """45 new enrolments, 15 seats offered by hand to waitlisted teachers, and the limit set again, all
    at a 30-seat edition with at most 12 seats per school."""
    tree = make_org_tree()
    schools = [tree.school_a, tree.school_a2, tree.school_a3]
    organiser = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    edition = make_edition(make_module(tree.region_a), capacity=30, school_seat_limit=12)
    waiting = [
        make_enrolment(edition, make_teacher(schools[i % 3]), status=EnrolmentStatus.WAITLISTED).pk
        for i in range(15)
    ]
    newcomers = [make_teacher(schools[i % 3]).pk for i in range(45)]

    def enrol(teacher_id: int) -> Callable[[], object]:
        return lambda: services.enrol(User.objects.get(pk=teacher_id), edition)

    def offer(enrolment_id: int) -> Callable[[], object]:
        return lambda: waitlist_control.offer_by_hand(
            User.objects.get(pk=organiser.pk), Enrolment.objects.get(pk=enrolment_id), reason="Race"
        )

    def limit() -> object:
        return school_limit.set_school_limit(User.objects.get(pk=organiser.pk), edition, 12)

    calls: list[Callable[[], object]] = []
    for i in range(45):
        calls.append(enrol(newcomers[i]))
        if i % 3 == 0:
            calls.append(offer(waiting[i // 3]))
        if i % 15 == 0:
            calls.append(limit)
    errors = _burst(calls)
    codes = Counter(getattr(exc, "code", repr(exc)) for exc in errors)
    return edition, codes


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_keeps_capacity_and_school_limit_when_hand_offers_race_enrolments(monkeypatch):
    require_postgres()
    _slow_counts(monkeypatch)

    edition, codes = _mixed_race()

    # Refusals that are right answers: no seat or no room left, or a teacher already promoted by the
    # limit being set again (immediate mode) by the time their hand offer came.
    assert set(codes) <= {"no_free_seat", "school_limit", "not_waitlisted"}, codes
    per_school = _seats_per_school(edition)
    assert max(per_school.values()) <= 12
    assert sum(per_school.values()) == 30  # 60 people want 30 seats: every seat is taken, none twice


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_breaks_capacity_or_school_limit_without_the_lock_control(monkeypatch):
    """CONTROL: the same mix without the edition lock gives away more seats than there are, or more
    than a school may hold."""
    require_postgres()
    _slow_counts(monkeypatch)
    _unlocked(monkeypatch)

    edition, _codes = _mixed_race()

    per_school = _seats_per_school(edition)
    assert max(per_school.values()) > 12 or sum(per_school.values()) > 30
