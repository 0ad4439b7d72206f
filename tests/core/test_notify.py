"""core.notify.send_once: one idempotency record per message, the send after it commits, and a failed
send leaves no record so the retry sends it (issue 11). Shown on caseloads' Notification table, one of
the two senders that use it. core.notify.send_once_stamped does the same with a "sent at" stamp on the
row itself, shown on accounts' Invitation.sent_at."""

import pytest
from django.core import mail
from django.core.mail import send_mail

from accounts.models import Invitation
from caseloads.models import Notification
from core import notify
from tests.factories import make_org


def _mail(to: str):  # type: ignore[no-untyped-def]
    return lambda: send_mail("Subject", "Body", None, [to])


@pytest.mark.django_db
def test_it_sends_once_per_record(mailoutbox) -> None:  # type: ignore[no-untyped-def]
    assert notify.send_once(Notification, _mail("a@example.test"), key="allocation:1:7") is True
    assert notify.send_once(Notification, _mail("a@example.test"), key="allocation:1:7") is False
    assert notify.send_once(Notification, _mail("b@example.test"), key="allocation:1:8") is True

    assert [m.to for m in mailoutbox] == [["a@example.test"], ["b@example.test"]]
    assert sorted(Notification.objects.values_list("key", flat=True)) == ["allocation:1:7", "allocation:1:8"]


@pytest.mark.django_db
def test_a_failed_send_removes_the_record_so_the_retry_sends(mailoutbox) -> None:  # type: ignore[no-untyped-def]
    def down() -> None:
        raise ConnectionError("mail server down")

    with pytest.raises(ConnectionError):
        notify.send_once(Notification, down, key="transfer:3:9")
    assert not Notification.objects.filter(key="transfer:3:9").exists()

    assert notify.send_once(Notification, _mail("c@example.test"), key="transfer:3:9") is True
    assert len(mail.outbox) == 1


class _AtomicDuringSend:
    """A send that records whether it ran inside a transaction."""

    def __init__(self) -> None:
        self.seen: list[bool] = []

    def __call__(self) -> None:
        from django.db import connection

        self.seen.append(connection.in_atomic_block)


@pytest.mark.django_db(transaction=True)
def test_the_record_is_committed_before_the_send() -> None:
    """A dropped connection during the send cannot roll the record back after the mail left."""
    send = _AtomicDuringSend()

    notify.send_once(Notification, send, key="status:1:new:2")

    assert send.seen == [False]
    assert Notification.objects.filter(key="status:1:new:2").exists()


def _invitation(email: str = "invitee@example.test") -> Invitation:
    return Invitation.objects.create(email=email, organisation=make_org("school"), role="teacher")


def _compose(invitation: Invitation):  # type: ignore[no-untyped-def]
    return _mail(invitation.email)


@pytest.mark.django_db
def test_it_sends_once_per_stamp(mailoutbox) -> None:  # type: ignore[no-untyped-def]
    invitation = _invitation()
    rows = Invitation.objects.filter(pk=invitation.pk)

    assert notify.send_once_stamped(rows, "sent_at", _compose) is True
    assert notify.send_once_stamped(rows, "sent_at", _compose) is False

    assert [m.to for m in mailoutbox] == [["invitee@example.test"]]
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


@pytest.mark.django_db
def test_it_sends_nothing_for_a_row_the_filter_no_longer_holds(mailoutbox) -> None:  # type: ignore[no-untyped-def]
    invitation = _invitation()
    Invitation.objects.filter(pk=invitation.pk).update(email="accepted@example.test")
    rows = Invitation.objects.filter(pk=invitation.pk, email="invitee@example.test")

    assert notify.send_once_stamped(rows, "sent_at", _compose) is False

    assert mailoutbox == []
    assert Invitation.objects.get(pk=invitation.pk).sent_at is None


@pytest.mark.django_db
def test_a_failed_send_clears_the_stamp_so_the_retry_sends(mailoutbox) -> None:  # type: ignore[no-untyped-def]
    def down() -> None:
        raise ConnectionError("mail server down")

    invitation = _invitation()
    rows = Invitation.objects.filter(pk=invitation.pk)
    with pytest.raises(ConnectionError):
        notify.send_once_stamped(rows, "sent_at", lambda row: down)
    assert Invitation.objects.get(pk=invitation.pk).sent_at is None

    assert notify.send_once_stamped(rows, "sent_at", _compose) is True
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_stamp_is_committed_before_the_send() -> None:
    send = _AtomicDuringSend()

    invitation = _invitation()
    notify.send_once_stamped(Invitation.objects.filter(pk=invitation.pk), "sent_at", lambda row: send)

    assert send.seen == [False]
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None
