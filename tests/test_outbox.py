from unittest import mock

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
