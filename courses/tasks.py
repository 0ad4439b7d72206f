"""Celery entry points: ids as arguments, safe to run twice (a sent message leaves a row that stops the
second delivery), each message rendered in the recipient's language."""

from collections.abc import Callable
from datetime import timedelta

from celery import shared_task
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import outbox
from core.notify import send_once_stamped
from core.retry import RETRY, send_after_record
from core.urls import absolute_url
from courses import followup, ical, services
from courses.meetings import send_changed
from courses.models import (
    Certificate,
    Edition,
    EditionStatus,
    Enrolment,
    EnrolmentMessage,
    EnrolmentStatus,
    Interest,
)

Kind = EnrolmentMessage.Kind

# The status an enrolment must still have for a message to make sense when the task finally runs (a
# confirmation queued a second before a cancellation is not sent after it).
STILL_TRUE: dict[str, set[EnrolmentStatus]] = {
    Kind.CONFIRMATION: {EnrolmentStatus.CONFIRMED},
    Kind.PROMOTION: {EnrolmentStatus.CONFIRMED},
    Kind.WAITLISTED: {EnrolmentStatus.WAITLISTED},
    Kind.OFFER: {EnrolmentStatus.OFFERED},
    Kind.REMINDER: {EnrolmentStatus.CONFIRMED},
    Kind.CANCELLATION: {EnrolmentStatus.CANCELLED, EnrolmentStatus.REJECTED},
    Kind.EDITION_CANCELLED: {EnrolmentStatus.RELEASED},
    Kind.CERTIFICATE: {EnrolmentStatus.CONFIRMED},
}
# The calendar object each mail carries: the event to add (or update), or the same event cancelled.
ICS_METHOD: dict[str, str] = {
    Kind.CONFIRMATION: ical.PUBLISH,
    Kind.PROMOTION: ical.PUBLISH,
    Kind.REMINDER: ical.PUBLISH,
    Kind.CANCELLATION: ical.CANCEL,
    Kind.EDITION_CANCELLED: ical.CANCEL,
}
REMINDER_LEAD = timedelta(days=2)


def _subject(kind: str, title: str) -> str:
    subjects: dict[str, str] = {
        Kind.CONFIRMATION: _("Your place is confirmed: %(title)s"),
        Kind.PROMOTION: _("A place came free for you: %(title)s"),
        Kind.WAITLISTED: _("You are on the waitlist: %(title)s"),
        Kind.OFFER: _("A place is offered to you: %(title)s"),
        Kind.REMINDER: _("Reminder: %(title)s starts soon"),
        Kind.CANCELLATION: _("Your enrolment was cancelled: %(title)s"),
        Kind.EDITION_CANCELLED: _("Cancelled: %(title)s"),
        Kind.CERTIFICATE: _("Your certificate: %(title)s"),
    }
    return subjects[kind] % {"title": title}


@shared_task(
    name="courses.send_enrolment_message",
    ignore_result=True,
    **RETRY,
)
def send_enrolment_message(enrolment_id: int, kind: str) -> bool:
    if kind not in Kind.values:
        return False
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("edition__module", "teacher")
            .filter(pk=enrolment_id)
            .first()
        )
        if enrolment is None or enrolment.status not in STILL_TRUE[kind]:
            return False
        # Not core.notify.send_once: the record is checked and written under the enrolment's lock, with the
        # status that decides whether the message is still true; send_once writes it in a transaction of
        # its own and sends at once (core/notify.py).
        if EnrolmentMessage.objects.filter(enrolment=enrolment, kind=kind).exists():
            return False
        user = enrolment.teacher
        edition = enrolment.edition
        meetings = list(edition.meetings.all())
        for meeting in meetings:
            meeting.edition = edition
        with translation.override(user.language):
            certificate = Certificate.objects.filter(enrolment=enrolment).first()
            context = {
                "kind": kind,
                "user": user,
                "edition": edition,
                "meetings": meetings,
                "enrolment": enrolment,
                "position": services.waitlist_position(enrolment),
                "certificate": certificate,
                "url": absolute_url(reverse("courses:edition_detail", args=[edition.pk])),
                "my_courses_url": absolute_url(reverse("courses:my_courses")),
            }
            subject = _subject(kind, str(edition))
            body = render_to_string("courses/email/enrolment_message.txt", context)
        message = EmailMessage(subject, body, None, [user.email])
        if kind in ICS_METHOD and meetings:
            ical.attach(message, meetings, name=str(edition), method=ICS_METHOD[kind])
        record = EnrolmentMessage.objects.create(enrolment=enrolment, kind=kind)
    send_after_record(message.send, EnrolmentMessage.objects.filter(pk=record.pk).delete)
    return True


@shared_task(
    name="courses.notify_interest",
    ignore_result=True,
    **RETRY,
)
def notify_interest(edition_id: int) -> int:
    """Invite everyone on the module's interest list once the edition is published; each person once."""
    edition = (
        Edition.objects.select_related("module").filter(pk=edition_id, status=EditionStatus.PUBLISHED).first()
    )
    if edition is None:
        return 0
    pending = list(
        Interest.objects.filter(module=edition.module, notified_at__isnull=True).values_list("pk", flat=True)
    )

    def compose(interest: Interest) -> Callable[[], object]:
        with translation.override(interest.user.language):
            subject = _("New date for %(title)s") % {"title": edition.module.title}
            body = render_to_string(
                "courses/email/interest_message.txt",
                {
                    "user": interest.user,
                    "edition": edition,
                    "url": absolute_url(reverse("courses:edition_detail", args=[edition.pk])),
                },
            )
        return EmailMessage(subject, body, None, [interest.user.email]).send

    # The stamp is the record (one interest per module and user): committed before the mail, cleared again
    # when the mail fails, so the retry sends it.
    interests = Interest.objects.select_related("user")
    return sum(send_once_stamped(interests.filter(pk=pk), "notified_at", compose) for pk in pending)


@shared_task(name="courses.send_reminders", ignore_result=True)
def send_reminders() -> int:
    """Beat (hourly): queue a reminder for every confirmed participant of an edition starting within two
    days. Each enrolment gets one reminder, however often this runs."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Enrolment.objects.filter(
                status=EnrolmentStatus.CONFIRMED,
                edition__status=EditionStatus.PUBLISHED,
                edition__starts_at__gt=now,
                edition__starts_at__lte=now + REMINDER_LEAD,
            )
            .exclude(messages__kind=Kind.REMINDER)
            .values_list("pk", flat=True)
        )
        for enrolment_id in ids:
            outbox.enqueue("courses.send_enrolment_message", enrolment_id, Kind.REMINDER)
    return len(ids)


@shared_task(name="courses.expire_offers", ignore_result=True)
def expire_offers() -> int:
    return services.expire_offers()


@shared_task(name="courses.lapse_reservations", ignore_result=True)
def lapse_reservations() -> int:
    return services.lapse_reservations()


@shared_task(name="courses.send_meeting_changed", ignore_result=True, **RETRY)
def send_meeting_changed(meeting_id: int, sequence: int) -> int:
    return send_changed(meeting_id, sequence)


# --- Follow-up (courses/followup.py) -------------------------------------------------------------------


@shared_task(name="courses.queue_followups", ignore_result=True)
def queue_followups() -> dict[str, int]:
    """Beat (hourly): the school leader's reminder copies, evaluation invitations and their reminder."""
    return followup.queue_followups()


@shared_task(name="courses.send_followup", ignore_result=True, **RETRY)
def send_followup(enrolment_id: int, kind: str) -> int:
    return followup.send_followup(enrolment_id, kind)
