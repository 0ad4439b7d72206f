from datetime import timedelta
from unittest import mock

from django.core import mail
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from core import retry
from core.models import OutboxMessage
from courses import services, tasks
from courses.models import EnrolmentMessage, EnrolmentStatus
from tests.courses.factories import make_edition, make_enrolment, make_teacher


def test_it_sends_the_confirmation_once_with_an_ics_attachment(tree, edition_a):
    teacher = make_teacher(tree.school_a)
    enrolment = make_enrolment(edition_a, teacher)

    assert tasks.send_enrolment_message(enrolment.pk, "confirmation") is True
    assert tasks.send_enrolment_message(enrolment.pk, "confirmation") is False

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [teacher.email]
    assert message.subject.endswith(": Multilingual classrooms")
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("course.ics", "text/calendar")
    assert "BEGIN:VEVENT\r\n" in content
    assert EnrolmentMessage.objects.filter(enrolment=enrolment, kind="confirmation").count() == 1


def test_it_renders_the_message_in_the_recipients_language(tree, edition_a):
    teacher = make_teacher(tree.school_a, language="en")
    enrolment = make_enrolment(edition_a, teacher)

    tasks.send_enrolment_message(enrolment.pk, "confirmation")

    assert mail.outbox[0].subject == "Your place is confirmed: Multilingual classrooms"
    assert "is confirmed" in mail.outbox[0].body


def test_it_skips_a_message_that_no_longer_applies(tree, edition_a):
    enrolment = make_enrolment(edition_a, make_teacher(tree.school_a), EnrolmentStatus.CANCELLED)

    assert tasks.send_enrolment_message(enrolment.pk, "confirmation") is False
    assert mail.outbox == []


def test_it_tells_the_waitlist_position(tree, module_a):
    edition = make_edition(module_a, capacity=1)
    make_enrolment(edition, make_teacher(tree.school_a))
    waiting = make_enrolment(edition, make_teacher(tree.school_a, language="en"), EnrolmentStatus.WAITLISTED)

    tasks.send_enrolment_message(waiting.pk, "waitlisted")

    assert "waitlist at position 1" in mail.outbox[0].body


def test_it_queues_reminders_two_days_before_once(tree, module_a, django_capture_on_commit_callbacks):
    soon = make_edition(module_a, start=timezone.now() + timedelta(days=1))
    later = make_edition(module_a, start=timezone.now() + timedelta(days=5))
    due = make_enrolment(soon, make_teacher(tree.school_a))
    make_enrolment(later, make_teacher(tree.school_a))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_reminders() == 1
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_reminders() == 0
    assert EnrolmentMessage.objects.filter(kind="reminder").count() == 1
    assert list(OutboxMessage.objects.values_list("args", flat=True)) == [[due.pk, "reminder"]]


def test_it_notifies_the_interest_list_once(tree, module_a, organiser_a):
    teacher = make_teacher(tree.school_a, language="en")
    services.register_interest(teacher, module_a)
    edition = make_edition(module_a)

    assert tasks.notify_interest(edition.pk) == 1
    assert tasks.notify_interest(edition.pk) == 0

    assert mail.outbox[0].subject == "New date for Multilingual classrooms"


def test_it_sends_the_promotion_after_commit(tree, module_a, django_capture_on_commit_callbacks):
    edition = make_edition(module_a, capacity=1)
    confirmed = make_enrolment(edition, make_teacher(tree.school_a))
    waiting = make_enrolment(edition, make_teacher(tree.school_a, language="en"), EnrolmentStatus.WAITLISTED)

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_enrolment(confirmed.teacher, confirmed)

    subjects = sorted(m.subject for m in mail.outbox)
    assert "A place came free for you: Multilingual classrooms" in subjects
    assert waiting.messages.filter(kind="promotion").exists()


def test_it_expires_offers_from_beat(tree, module_a):
    edition = make_edition(module_a, capacity=1, promotion_mode="offer")
    make_enrolment(
        edition,
        make_teacher(tree.school_a),
        EnrolmentStatus.OFFERED,
        offer_expires_at=timezone.now() - timedelta(minutes=1),
    )

    assert tasks.expire_offers() == 1


def test_it_retries_a_message_whose_database_connection_dropped(tree, edition_a):
    """A terminated backend (OperationalError) is transient, like an SMTP error: the task retries and the
    message goes out once, with its row."""
    enrolment = make_enrolment(edition_a, make_teacher(tree.school_a))
    real_create = EnrolmentMessage.objects.create
    calls: list[int] = []

    def drop_once(**fields: object) -> EnrolmentMessage:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("terminating connection due to administrator command")
        return real_create(**fields)

    with mock.patch.object(EnrolmentMessage.objects, "create", side_effect=drop_once):
        result = tasks.send_enrolment_message.apply(args=[enrolment.pk, "confirmation"], throw=False)

    assert (result.state, result.result, len(calls)) == ("SUCCESS", True, 2)
    assert len(mail.outbox) == 1
    assert EnrolmentMessage.objects.filter(enrolment=enrolment, kind="confirmation").count() == 1


def test_it_treats_database_errors_as_transient_in_every_mail_task():
    from accounts.tasks import send_invitation_email
    from caseloads.tasks import notify_allocation, notify_request_status, notify_transfer
    from matching.tasks import notify_match_approved

    for task in (
        tasks.send_enrolment_message,
        tasks.notify_interest,
        send_invitation_email,
        notify_allocation,
        notify_transfer,
        notify_request_status,
        notify_match_approved,
    ):
        assert task.autoretry_for == retry.TRANSIENT_ERRORS, task.name
        assert {OperationalError, InterfaceError} <= set(task.autoretry_for), task.name
        assert task.max_retries == retry.MAX_RETRIES, task.name


def test_it_commits_the_message_row_before_the_mail_and_removes_it_when_the_mail_fails(tree, edition_a):
    """A connection dropped during the (slow) SMTP send can no longer roll back the row of a mail that
    left; a mail that failed leaves no row, so the retry sends it, once."""
    from smtplib import SMTPServerDisconnected

    from django.core.mail import EmailMessage

    enrolment = make_enrolment(edition_a, make_teacher(tree.school_a))
    rows_at_send: list[int] = []
    real_send = EmailMessage.send

    def fail_once(message: EmailMessage, *args: object) -> int:
        rows_at_send.append(EnrolmentMessage.objects.filter(enrolment=enrolment).count())
        if len(rows_at_send) == 1:
            raise SMTPServerDisconnected("gone")
        return real_send(message, *args)

    with mock.patch.object(EmailMessage, "send", fail_once):
        result = tasks.send_enrolment_message.apply(args=[enrolment.pk, "confirmation"], throw=False)

    assert (result.state, rows_at_send) == ("SUCCESS", [1, 1])
    assert len(mail.outbox) == 1
    assert EnrolmentMessage.objects.filter(enrolment=enrolment, kind="confirmation").count() == 1


def test_it_stamps_the_interest_before_the_mail_and_clears_it_when_the_mail_fails(tree, module_a):
    """The interest's ``notified_at`` is its "sent" record: committed before the mail goes out, cleared
    again when the mail fails, so the retry invites the teacher, once."""
    from smtplib import SMTPServerDisconnected

    from django.core.mail import EmailMessage

    from courses.models import Interest

    teacher = make_teacher(tree.school_a, language="en")
    services.register_interest(teacher, module_a)
    edition = make_edition(module_a)
    stamped_at_send: list[bool] = []
    real_send = EmailMessage.send

    def fail_once(message: EmailMessage, *args: object) -> int:
        stamped_at_send.append(Interest.objects.get(user=teacher).notified_at is not None)
        if len(stamped_at_send) == 1:
            raise SMTPServerDisconnected("gone")
        return real_send(message, *args)

    with mock.patch.object(EmailMessage, "send", fail_once):
        result = tasks.notify_interest.apply(args=[edition.pk], throw=False)

    assert (result.state, result.result, stamped_at_send) == ("SUCCESS", 1, [True, True])
    assert len(mail.outbox) == 1
    assert Interest.objects.get(user=teacher).notified_at is not None
