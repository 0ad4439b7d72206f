"""Enrolment under a storm of concurrent requests on PostgreSQL, at the scale of the issue (200 requests
at a 30-seat edition, twenty times) and with every seat-changing verb racing every other.

``tests/courses/test_concurrency.py`` proves the lock with 60 enrolments and an artificial 30 ms window.
The storm here is not slowed down: the requests race the real services as they are, and the same checker
(``_seat_problems``) that finds nothing with the lock finds overbooking without it (the control).
The racing mix does widen the window (``_wide_window``, in the test and its control alike): without the
edition lock most of the mix is still saved by row locks (``_promote`` locks the waiting rows it takes)
and by committing a cancellation with its promotion, so only two capacity changes that overlap by a few
milliseconds go wrong, and an unwidened control caught that in 0 of 5 rounds on an idle machine.

How the 200 requests arrive: as a burst at a server with ``WORKERS`` request threads, each with its own
database connection (gunicorn's threads, say). The barrier releases the workers together and they drain
the burst, so 48 transactions are always queueing on the edition row, until every request is answered.
Each worker opens its connection for the round and closes it at the end. Why not 200 threads with 200
connections: PostgreSQL's default ``max_connections`` is 100, shared with the rest of the suite, so they
would fail with "too many clients" instead of testing the lock; and a connection per request (a fork of
a PostgreSQL backend each) cost more than the requests themselves: 4,000 of them took over a minute.
"""

import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from core import outbox
from core.errors import ServiceError
from core.models import OutboxMessage
from courses import services
from courses.models import Edition, Enrolment, EnrolmentMessage, EnrolmentStatus
from courses.services import locking
from tests.courses.factories import make_edition, make_module, make_teacher
from tests.factories import OrgTree, make_membership, make_org_tree
from tests.support import require_postgres

WORKERS = 48
STORM = 200
CAPACITY = 30
ROUNDS = 20
Kind = EnrolmentMessage.Kind
SEND = "courses.send_enrolment_message"


# --- Harness -------------------------------------------------------------------------------------------


def _storm(calls: list[Callable[[], object]]) -> list[BaseException]:
    """Answer every call with ``WORKERS`` threads released together; return what the calls raised."""
    burst: queue.SimpleQueue[Callable[[], object]] = queue.SimpleQueue()
    for call in calls:
        burst.put(call)
    workers = min(WORKERS, len(calls))
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            _fast_commits()  # connects before the barrier: the race starts at the first query
            barrier.wait(timeout=60)
            while True:
                try:
                    call = burst.get_nowait()
                except queue.Empty:
                    return
                try:
                    call()
                except BaseException as exc:  # collected and asserted on in the main thread
                    errors.append(exc)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return errors


def _fast_commits() -> None:
    """Commit without waiting for the WAL flush, in this session only. Locks, visibility and isolation are
    unchanged; only a crash of the database server could lose the last commits, which no test here does.
    With a flush per commit (about 10 ms on the CI disk) 4,000 enrolments queued on one row take minutes."""
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")


def _codes(errors: list[BaseException]) -> Counter[str]:
    return Counter(exc.code if isinstance(exc, ServiceError) else repr(exc) for exc in errors)


def _no_dispatch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave messages in the outbox, where they are counted (sending 4,000 mails would only cost time)."""
    monkeypatch.setattr(outbox, "dispatch", lambda message_id: False)


def _messages(edition: Edition, kind: str) -> Counter[int]:
    """Outbox messages of ``kind`` per enrolment id of ``edition``."""
    ids = set(Enrolment.objects.filter(edition=edition).values_list("pk", flat=True))
    found = Counter[int]()
    for enrolment_id, message_kind in OutboxMessage.objects.filter(task=SEND).values_list("args", flat=True):
        if message_kind == kind and enrolment_id in ids:
            found[enrolment_id] += 1
    return found


def _seat_problems(edition: Edition) -> list[str]:
    """Every way the seats of ``edition`` can be wrong; empty when they are right."""
    edition.refresh_from_db()
    rows = list(Enrolment.objects.filter(edition=edition).order_by("queued_at", "pk"))
    status = Counter(e.status for e in rows)
    active = Counter(e.teacher_id for e in rows if e.is_active)
    confirmed = status[EnrolmentStatus.CONFIRMED]
    waiting = [e for e in rows if e.status == EnrolmentStatus.WAITLISTED]
    problems = []
    if confirmed > edition.capacity:
        problems.append(f"overbooked: {confirmed} confirmed for {edition.capacity} seats")
    if waiting and confirmed < edition.capacity:
        problems.append(f"a free seat while {len(waiting)} wait: {confirmed} of {edition.capacity}")
    if any(n > 1 for n in active.values()):
        problems.append("a teacher holds two active enrolments")
    ranks = sorted(
        e.waitlist_rank
        for e in services.with_waitlist_position(
            Enrolment.objects.filter(edition=edition, status=EnrolmentStatus.WAITLISTED)
        )
    )
    if ranks != list(range(1, len(waiting) + 1)):
        problems.append(f"waitlist positions are not 1..{len(waiting)}")
    return problems


@pytest.fixture
def postgres() -> Iterator[None]:
    require_postgres()  # before any PostgreSQL-only statement: skips on SQLite, fails under REQUIRE_SERVICES=1
    _fast_commits()  # the factories' setup commits row by row, too
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET synchronous_commit")


# --- 200 at 30 seats, twenty times ---------------------------------------------------------------------


def _enrol_storm(tree: OrgTree, teachers: list[User]) -> tuple[Edition, list[BaseException]]:
    edition = make_edition(make_module(tree.region_a), capacity=CAPACITY)
    return edition, _storm([lambda t=t: services.enrol(t, edition) for t in teachers])


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_seats_thirty_and_queues_one_hundred_seventy_in_every_storm(postgres, monkeypatch):
    _no_dispatch(monkeypatch)
    tree = make_org_tree()
    teachers = [make_teacher(tree.school_a) for _ in range(STORM)]

    for round_ in range(ROUNDS):
        edition, errors = _enrol_storm(tree, teachers)

        assert errors == [], f"round {round_}: {_codes(errors)}"
        assert _seat_problems(edition) == [], f"round {round_}"
        rows = list(Enrolment.objects.filter(edition=edition).order_by("queued_at", "pk"))
        assert Counter(e.status for e in rows) == {
            EnrolmentStatus.CONFIRMED: CAPACITY,
            EnrolmentStatus.WAITLISTED: STORM - CAPACITY,
        }, f"round {round_}"
        assert len({e.teacher_id for e in rows}) == STORM
        # First come, first served: every seat went to a request placed before every waitlisted one.
        assert {e.status for e in rows[:CAPACITY]} == {EnrolmentStatus.CONFIRMED}
        # One message per request, of the right kind.
        confirmed_ids = {e.pk for e in rows[:CAPACITY]}
        assert _messages(edition, Kind.CONFIRMATION) == dict.fromkeys(confirmed_ids, 1)
        assert _messages(edition, Kind.WAITLISTED) == {e.pk: 1 for e in rows[CAPACITY:]}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_row_when_every_teacher_submits_twice(postgres, monkeypatch):
    """A double click (or a retried request) by each of 100 teachers, all at once: one enrolment each."""
    _no_dispatch(monkeypatch)
    tree = make_org_tree()
    teachers = [make_teacher(tree.school_a) for _ in range(STORM // 2)]
    edition = make_edition(make_module(tree.region_a), capacity=CAPACITY)

    errors = _storm([lambda t=t: services.enrol(t, edition) for t in teachers for _ in range(2)])

    assert _codes(errors) == {"already_enrolled": len(teachers)}
    assert _seat_problems(edition) == []
    assert Counter(Enrolment.objects.filter(edition=edition).values_list("teacher_id", flat=True)) == {
        t.pk: 1 for t in teachers
    }
    assert Enrolment.objects.filter(edition=edition, status=EnrolmentStatus.CONFIRMED).count() == CAPACITY
    assert sum(_messages(edition, Kind.CONFIRMATION).values()) == CAPACITY
    assert sum(_messages(edition, Kind.WAITLISTED).values()) == len(teachers) - CAPACITY


# --- Cancellations, promotions and capacity changes racing each other ----------------------------------

FULL_WAITLIST = 60
CANCEL_CONFIRMED = 15
CANCEL_WAITING = 10  # every sixth in line, so some cancel while their promotion is racing towards them
NEWCOMERS = 20
CAPACITY_CHANGES = (34, 40, 36, 38)
MIX_ROUNDS = 5
MIX_TEACHERS = CAPACITY + FULL_WAITLIST + NEWCOMERS


def _mix_teachers(tree: OrgTree) -> list[User]:
    return [make_teacher(tree.school_a, language="en") for _ in range(MIX_TEACHERS)]


class Mix:
    """A full edition (30 confirmed, 60 waiting) and the teachers who will act on it."""

    def __init__(self, tree: OrgTree, organiser: User, teachers: list[User]) -> None:
        """A fresh edition each round; the same teachers (``MIX_TEACHERS``) enrol in every one."""
        self.organiser = organiser
        self.edition = make_edition(make_module(tree.region_a), capacity=CAPACITY)
        start = timezone.now() - timedelta(hours=1)
        rows = Enrolment.objects.bulk_create(
            Enrolment(
                edition=self.edition,
                teacher=teacher,
                school=tree.school_a,
                status=EnrolmentStatus.CONFIRMED if i < CAPACITY else EnrolmentStatus.WAITLISTED,
                confirmed_at=start if i < CAPACITY else None,
                queued_at=start + timedelta(milliseconds=i),
            )
            for i, teacher in enumerate(teachers[: CAPACITY + FULL_WAITLIST])
        )
        self.confirmed, self.waiting = rows[:CAPACITY], rows[CAPACITY:]
        self.newcomers = teachers[CAPACITY + FULL_WAITLIST :]

    def calls(self) -> list[Callable[[], object]]:
        calls: list[Callable[[], object]] = []
        for e in self.confirmed[:CANCEL_CONFIRMED] + self.waiting[::6][:CANCEL_WAITING]:
            calls.append(lambda e=e: services.cancel_enrolment(e.teacher, e))
        for capacity in CAPACITY_CHANGES:
            calls.append(lambda c=capacity: services.change_capacity(self.organiser, self.edition, c))
        for teacher in self.newcomers:
            calls.append(lambda t=teacher: services.enrol(t, self.edition))
        random.Random(self.edition.pk).shuffle(calls)  # every kind of request in every part of the burst
        return calls


def _order_problems(mix: Mix) -> list[str]:
    """Promotions went to the head of the line, and nobody who arrived during the storm jumped it."""
    promoted = _messages(mix.edition, Kind.PROMOTION)
    rows = list(Enrolment.objects.filter(edition=mix.edition).order_by("queued_at", "pk"))
    keys = {e.pk: (e.queued_at, e.pk) for e in rows}
    still_waiting = [keys[e.pk] for e in rows if e.status == EnrolmentStatus.WAITLISTED]
    problems = []
    if promoted and still_waiting and max(keys[pk] for pk in promoted) > min(still_waiting):
        problems.append("promoted someone behind a teacher who is still waiting")
    newcomer_ids = {t.pk for t in mix.newcomers}
    jumped = [e for e in rows if e.teacher_id in newcomer_ids and e.status != EnrolmentStatus.WAITLISTED]
    if jumped:
        problems.append(f"{len(jumped)} late arrivals took a seat while others waited")
    if any(n != 1 for n in promoted.values()):
        problems.append("a promotion was announced more than once")
    return problems


def _wide_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """10 ms between counting the seats and acting on the count (the check-then-write window)."""
    original = locking.seats_taken

    def slow(edition: Edition) -> int:
        taken = original(edition)
        time.sleep(0.01)
        return taken

    monkeypatch.setattr(locking, "seats_taken", slow)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_promotes_in_order_and_notifies_once_while_everything_races(postgres, mailoutbox, monkeypatch):
    _wide_window(monkeypatch)
    tree = make_org_tree()
    organiser = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    teachers = _mix_teachers(tree)

    for round_ in range(MIX_ROUNDS):
        mix = Mix(tree, organiser, teachers)
        mail.outbox.clear()

        errors = _storm(mix.calls())

        # Lowering the capacity below the seats already taken is refused; nothing else may fail.
        assert set(_codes(errors)) <= {"below_confirmed"}, f"round {round_}: {_codes(errors)}"
        assert _seat_problems(mix.edition) == [], f"round {round_}"
        assert _order_problems(mix) == [], f"round {round_}"
        edition = mix.edition
        assert edition.capacity in CAPACITY_CHANGES
        promoted = _messages(edition, Kind.PROMOTION)
        # Confirmed now = the confirmed who stayed + everyone promoted who did not cancel afterwards.
        by_pk = Enrolment.objects.in_bulk(list(promoted))
        still_confirmed = {pk for pk, e in by_pk.items() if e.status == EnrolmentStatus.CONFIRMED}
        assert CAPACITY - CANCEL_CONFIRMED + len(still_confirmed) == edition.capacity
        # Each promoted teacher had one mail saying so: exactly one when they still hold the seat, at most
        # one when they cancelled right after (a message whose news is stale by then is not sent).
        mails = Counter(m.to[0] for m in mailoutbox if m.subject.startswith("A place came free for you"))
        for pk, e in by_pk.items():
            expected = {1} if pk in still_confirmed else {0, 1}
            assert mails[e.teacher.email] in expected, f"round {round_}: {e.teacher.email}"
        assert set(mails) <= {e.teacher.email for e in by_pk.values()}
        assert EnrolmentMessage.objects.filter(
            enrolment__edition=edition, kind=Kind.PROMOTION
        ).count() == sum(mails.values())


# --- Controls: the same storms without the edition lock ------------------------------------------------

CONTROL_TRIES = 5


def _without_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """``_lock_edition`` becomes a plain read: every verb still runs, but nothing serialises them."""
    monkeypatch.setattr(locking, "_lock_edition", lambda pk: Edition.objects.get(pk=pk))


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_overbooks_the_storm_without_the_lock_control(postgres, monkeypatch):
    """CONTROL for the storm test: with no artificial delay the race window is a few queries wide, so a
    single storm is not guaranteed to hit it; one of five is (in practice the first one: 48 transactions
    count 0..29 taken seats at the same moment). If none of five overbooks, the checker or the harness has
    stopped exercising the race, and the storm test above no longer proves anything."""
    _no_dispatch(monkeypatch)
    _without_lock(monkeypatch)
    tree = make_org_tree()
    teachers = [make_teacher(tree.school_a) for _ in range(STORM)]

    found: list[str] = []
    for _ in range(CONTROL_TRIES):
        edition, errors = _enrol_storm(tree, teachers)
        assert errors == []
        found = _seat_problems(edition)
        if found:
            break

    assert any(p.startswith("overbooked") for p in found), found


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_misplaces_seats_in_the_racing_mix_without_the_lock_control(postgres, monkeypatch):
    """CONTROL for the racing mix: without the lock, cancellations, capacity changes and new enrolments
    count seats at the same time and the edition ends overbooked, with a free seat while people wait, or
    promoted out of order, in at least one of five rounds (in practice the first: four capacity changes
    count the same 30 taken seats inside the widened window, and any but the largest written last leaves
    more confirmed than seats)."""
    _no_dispatch(monkeypatch)
    _without_lock(monkeypatch)
    _wide_window(monkeypatch)
    tree = make_org_tree()
    organiser = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    teachers = _mix_teachers(tree)

    found: list[str] = []
    for _ in range(CONTROL_TRIES):
        mix = Mix(tree, organiser, teachers)
        _storm(mix.calls())  # errors too are possible here (e.g. the unique constraint); not the point
        found = _seat_problems(mix.edition) + _order_problems(mix)
        if found:
            break

    assert found, "the racing mix found nothing wrong without the lock"
