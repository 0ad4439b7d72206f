from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from accounts import services
from accounts.roles import Role
from core import outbox
from core.models import OutboxMessage
from tests.factories import make_membership


def test_it_keeps_a_message_when_the_broker_is_down_and_sends_it_on_the_sweep(tree, settings, mailoutbox):
    admin = make_membership(Role.SCHOOL_ADMIN, tree.school_a)
    invitation = services.invite(admin, email="x@example.test", organisation=tree.school_a, role=Role.TEACHER)
    message = OutboxMessage.objects.get()

    from config.celery import app

    app.conf.task_always_eager = False
    try:
        with mock.patch("celery.app.task.Task.apply_async", side_effect=ConnectionError("broker down")):
            assert outbox.dispatch(message.pk) is False
    finally:
        app.conf.task_always_eager = True
    message.refresh_from_db()
    assert (message.dispatched_at, message.attempts, message.last_error) == (
        None,
        1,
        "ConnectionError: broker down",
    )
    assert mailoutbox == []

    sent = outbox.flush(now=timezone.now() + timezone.timedelta(minutes=5))

    assert sent == 1
    assert len(mailoutbox) == 1
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert outbox.flush(now=timezone.now() + timezone.timedelta(minutes=5)) == 0


def test_it_leaves_fresh_messages_to_their_commit_hook(tree):
    admin = make_membership(Role.SCHOOL_ADMIN, tree.school_a)
    services.invite(admin, email="x@example.test", organisation=tree.school_a, role=Role.TEACHER)

    assert outbox.flush() == 0
    assert OutboxMessage.objects.get().dispatched_at is None


def test_it_finds_tasks_from_a_thread_that_never_imported_them(db):
    """Celery's ``current_app`` is thread-local; the outbox asks the project's app, which loads task modules."""
    import threading

    message = OutboxMessage.objects.create(task="accounts.send_invitation_email", args=[0])
    results: list[bool] = []
    thread = threading.Thread(target=lambda: results.append(outbox._task(message.task).name == message.task))
    thread.start()
    thread.join()

    assert results == [True]


# --- Done when the task succeeded, not when it was handed to the broker --------------------------------


def _invite(tree, email: str = "x@example.test"):  # type: ignore[no-untyped-def]
    admin = make_membership(Role.SCHOOL_ADMIN, tree.school_a)
    return services.invite(admin, email=email, organisation=tree.school_a, role=Role.TEACHER)


def test_it_marks_a_message_done_when_its_task_succeeded(
    tree, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(tree)

    message = OutboxMessage.objects.get()
    assert message.dispatched_at is not None
    assert message.done_at is not None
    assert len(mailoutbox) == 1


def test_it_leaves_a_message_not_done_when_its_task_failed(
    tree, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        mock.patch("accounts.tasks.send_mail", side_effect=ValueError("a bug")),
        pytest.raises(ValueError, match="a bug"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _invite(tree)

    message = OutboxMessage.objects.get()
    assert (message.attempts, message.done_at) == (0, None)
    assert mailoutbox == []


def test_it_sends_again_a_message_that_was_sent_but_never_done(tree, mailoutbox):
    """The broker took it and the task never finished (worker died, retries ran out): the sweep resends it
    after ``REDELIVER_AFTER``, and not before."""
    invitation = _invite(tree)
    sent_at = timezone.now()
    OutboxMessage.objects.update(dispatched_at=sent_at, attempts=1)

    assert outbox.flush(now=sent_at + outbox.REDELIVER_AFTER - timezone.timedelta(seconds=1)) == 0
    assert mailoutbox == []
    assert outbox.flush(now=sent_at + outbox.REDELIVER_AFTER) == 1

    message = OutboxMessage.objects.get()
    assert (message.attempts, message.done_at is not None) == (2, True)
    assert [m.to for m in mailoutbox] == [["x@example.test"]]
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert outbox.flush(now=timezone.now() + outbox.REDELIVER_AFTER * 2) == 0


def test_it_stops_sending_a_message_after_the_attempts_cap(tree, mailoutbox):
    _invite(tree)
    OutboxMessage.objects.update(attempts=outbox.MAX_ATTEMPTS)

    assert outbox.flush(now=timezone.now() + outbox.REDELIVER_AFTER) == 0
    assert mailoutbox == []


def test_it_sweeps_with_one_query_when_nothing_is_due(tree, django_assert_num_queries):
    for i in range(3):
        _invite(tree, email=f"x{i}@example.test")
    OutboxMessage.objects.update(dispatched_at=timezone.now(), done_at=timezone.now())

    # 1. SELECT the ids of not-done messages that are due (partial index on not-done rows)
    with django_assert_num_queries(1):
        assert outbox.flush(now=timezone.now() + outbox.REDELIVER_AFTER * 2) == 0


def test_it_never_raises_into_the_response_when_the_dispatch_after_commit_fails(tree, caplog):
    """The change is committed; a dropped connection in the commit hook must not answer an error for it."""
    _invite(tree)
    message = OutboxMessage.objects.get()
    from config.celery import app

    app.conf.task_always_eager = False
    outbox._broker["skip_until"] = 0.0
    try:
        with mock.patch("core.outbox.dispatch", side_effect=OperationalError("server closed the connection")):
            assert outbox.dispatch_after_commit(message.pk) is None
    finally:
        app.conf.task_always_eager = True

    assert caplog.messages == [f"outbox message {message.pk} left for the sweep: OperationalError"]
    message.refresh_from_db()
    assert (message.dispatched_at, message.done_at) == (None, None)


def test_it_reads_the_message_id_from_the_task_headers():
    task = mock.Mock()
    task.request.headers = {outbox.HEADER: 7}
    assert outbox.message_id_of(task) == 7
    task.request = mock.Mock(spec=["headers", "outbox_id"], headers=None, outbox_id="8")
    assert outbox.message_id_of(task) == 8


def test_it_leaves_messages_to_the_sweep_for_a_moment_after_the_broker_failed(tree):
    """With the broker down, one request pays kombu's publish retries; the next ones in this process skip
    the publish for ``BROKER_RETRY_AFTER`` seconds instead of each waiting on it."""
    _invite(tree, email="a@example.test")
    _invite(tree, email="b@example.test")
    first, second = OutboxMessage.objects.order_by("pk")
    from config.celery import app

    app.conf.task_always_eager = False
    outbox._broker["skip_until"] = 0.0
    try:
        with mock.patch(
            "celery.app.task.Task.apply_async", side_effect=ConnectionError("broker down")
        ) as send:
            outbox.dispatch_after_commit(first.pk)
            outbox.dispatch_after_commit(second.pk)
    finally:
        app.conf.task_always_eager = True
        outbox._broker["skip_until"] = 0.0

    assert send.call_count == 1
    assert list(OutboxMessage.objects.order_by("pk").values_list("attempts", "dispatched_at")) == [
        (1, None),
        (0, None),
    ]


# --- With a broker: claimed in the insert, published by the commit hook without a query (issue 14) -----


@pytest.fixture
def broker():  # type: ignore[no-untyped-def]
    """Not eager, as in production; apply_async is recorded instead of reaching a broker."""
    from config.celery import app

    app.conf.task_always_eager = False
    outbox._broker["skip_until"] = 0.0
    try:
        with mock.patch("celery.app.task.Task.apply_async") as send:
            yield send
    finally:
        app.conf.task_always_eager = True
        outbox._broker["skip_until"] = 0.0


def test_it_claims_the_message_in_its_insert_and_publishes_after_commit_without_a_query(
    tree, broker, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks() as hooks:
        _invite(tree)
    message = OutboxMessage.objects.get()
    assert (message.dispatched_at is not None, message.attempts, message.done_at) == (True, 1, None)

    with django_assert_num_queries(0):
        for hook in hooks:
            hook()

    assert broker.call_count == 1
    assert broker.call_args.kwargs == {"args": message.args, "headers": {outbox.HEADER: message.pk}}
    # Claimed by its hook: the sweep leaves it alone until REDELIVER_AFTER.
    assert outbox.flush(now=timezone.now() + timezone.timedelta(minutes=5)) == 0


def test_it_gives_a_message_back_to_the_sweep_when_the_publish_after_commit_fails(
    tree, broker, django_capture_on_commit_callbacks, caplog
):
    broker.side_effect = ConnectionError("broker down")
    with django_capture_on_commit_callbacks(execute=True):
        _invite(tree, email="a@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        _invite(tree, email="b@example.test")  # within BROKER_RETRY_AFTER: not even tried

    assert broker.call_count == 1
    rows = list(OutboxMessage.objects.order_by("pk").values_list("dispatched_at", "last_error"))
    assert rows == [
        (None, "ConnectionError: broker down"),
        (None, "broker failed a moment ago in this process"),
    ]
    broker.side_effect = None
    assert outbox.flush(now=timezone.now() + timezone.timedelta(minutes=5)) == 2
    assert broker.call_count == 3
    assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()


def test_it_never_raises_into_the_response_when_broker_and_database_both_fail(tree, broker, caplog):
    _invite(tree)
    message = OutboxMessage.objects.get()
    broker.side_effect = ConnectionError("broker down")

    with mock.patch.object(OutboxMessage.objects, "filter", side_effect=OperationalError("gone")):
        assert outbox.publish_after_commit(message) is None

    assert caplog.messages == [f"outbox message {message.pk} left claimed: OperationalError"]
