"""Before and after the event: a copy of the reminder to the school leader (a setting per edition), the
evaluation invitation once the last meeting has ended (never before) and one reminder to evaluate, the
organiser's evaluation chart, and why a teacher cannot cancel (shown on "my courses").

Beat queues (``queue_followups``, hourly); ``send_followup`` sends one kind for one enrolment, checks again
at send time that it is still true (a meeting moved later after the invitation was queued stops it), and
leaves a ``FollowUpMessage`` row so a second delivery sends nothing.
"""

from datetime import datetime, timedelta

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.roles import Role
from core import outbox
from core.charts import BarChart, bar_chart
from core.retry import send_after_record
from core.urls import absolute_url
from courses.completion import EvaluationSummary
from courses.models import (
    EditionStatus,
    Enrolment,
    EnrolmentStatus,
    FollowUpMessage,
)

Kind = FollowUpMessage.Kind

REMINDER_LEAD = timedelta(days=2)  # as the teacher's own reminder (courses.tasks.REMINDER_LEAD)
#: How long after the invitation the one reminder to evaluate goes out.
EVALUATION_REMINDER_AFTER = timedelta(days=7)
#: Editions that ended longer ago get no invitation (the first run after an upgrade must not mail a
#: whole year of past courses).
EVALUATION_WINDOW = timedelta(days=30)
#: The school leader: the school's administrator (directeur or their deputy in this house's roles).
LEADER_ROLES = (Role.SCHOOL_ADMIN,)
TASK = "courses.send_followup"


def _eligible(now: datetime) -> dict[str, QuerySet[Enrolment]]:
    return {
        Kind.LEADER_REMINDER: Enrolment.objects.filter(
            status=EnrolmentStatus.CONFIRMED,
            edition__status=EditionStatus.PUBLISHED,
            edition__remind_school_leader=True,
            edition__starts_at__gt=now,
            edition__starts_at__lte=now + REMINDER_LEAD,
        ),
        Kind.EVALUATION_INVITATION: Enrolment.objects.filter(
            status=EnrolmentStatus.CONFIRMED,
            edition__status__in=[EditionStatus.PUBLISHED, EditionStatus.COMPLETED],
            edition__ends_at__lte=now,
            edition__ends_at__gt=now - EVALUATION_WINDOW,
            evaluation__isnull=True,
        ),
        Kind.EVALUATION_REMINDER: Enrolment.objects.filter(
            status=EnrolmentStatus.CONFIRMED,
            edition__status__in=[EditionStatus.PUBLISHED, EditionStatus.COMPLETED],
            edition__ends_at__lte=now,
            evaluation__isnull=True,
            followups__kind=Kind.EVALUATION_INVITATION,
            followups__sent_at__lte=now - EVALUATION_REMINDER_AFTER,
        ),
    }


def queue_followups(now: datetime | None = None) -> dict[str, int]:
    """Beat: queue every follow-up that is due and not sent yet; returns how many per kind."""
    now = now or timezone.now()
    counts = {}
    with transaction.atomic():
        for kind, queryset in _eligible(now).items():
            ids = list(
                queryset.exclude(followups__kind=kind).order_by("pk").values_list("pk", flat=True).distinct()
            )
            for enrolment_id in ids:
                outbox.enqueue(TASK, enrolment_id, kind)
            counts[str(kind)] = len(ids)
    return counts


def _recipients(enrolment: Enrolment, kind: str) -> list[User]:
    if kind != Kind.LEADER_REMINDER:
        return [enrolment.teacher]
    if enrolment.school_id is None:
        return []
    return list(
        User.objects.filter(
            memberships__organisation_id=enrolment.school_id,
            memberships__role__in=LEADER_ROLES,
            is_active=True,
        )
        .exclude(pk=enrolment.teacher_id)
        .distinct()
        .order_by("pk")
    )


def _subject(kind: str, title: str) -> str:
    subjects: dict[str, str] = {
        Kind.LEADER_REMINDER: _("Copy of a reminder: %(title)s starts soon"),
        Kind.EVALUATION_INVITATION: _("How was %(title)s? Please evaluate"),
        Kind.EVALUATION_REMINDER: _("Reminder: please evaluate %(title)s"),
    }
    return subjects[kind] % {"title": title}


def _mail(enrolment: Enrolment, kind: str, user: User) -> EmailMessage:
    edition = enrolment.edition
    with translation.override(user.language):
        context = {
            "kind": kind,
            "user": user,
            "teacher": enrolment.teacher,
            "edition": edition,
            "meetings": list(edition.meetings.filter(cancelled_at__isnull=True)),
            "url": absolute_url(reverse("courses:edition_detail", args=[edition.pk])),
            "evaluate_url": absolute_url(reverse("courses:evaluate", args=[enrolment.pk])),
        }
        subject = _subject(kind, str(edition))
        body = render_to_string("courses/email/followup_message.txt", context)
    return EmailMessage(subject, body, None, [user.email])


def send_followup(enrolment_id: int, kind: str, now: datetime | None = None) -> int:
    """Send one follow-up for one enrolment if it is (still) due; returns how many mails went out."""
    if kind not in Kind.values:
        return 0
    with transaction.atomic():
        now = now or timezone.now()
        due = _eligible(now)[kind].filter(pk=enrolment_id).exists()
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("edition__module", "teacher")
            .filter(pk=enrolment_id)
            .first()
        )
        if not due or enrolment is None:
            return 0
        if FollowUpMessage.objects.filter(enrolment=enrolment, kind=kind).exists():
            return 0
        mails = [_mail(enrolment, kind, user) for user in _recipients(enrolment, kind)]
        record = FollowUpMessage.objects.create(enrolment=enrolment, kind=kind, sent_at=now)

    def send_all() -> None:
        for mail in mails:
            mail.send()

    send_after_record(send_all, FollowUpMessage.objects.filter(pk=record.pk).delete)
    return len(mails)


# --- The organiser's results ---------------------------------------------------------------------------


def evaluation_chart(summary: EvaluationSummary) -> BarChart:
    """The ratings as a server-rendered bar chart (core.charts): one bar per rating, 5 first."""
    return bar_chart(
        ngettext("Ratings (%(n)d evaluation)", "Ratings (%(n)d evaluations)", summary.count)
        % {"n": summary.count},
        [(_("%(rating)d out of 5") % {"rating": rating}, count) for rating, count in summary.distribution],
    )


# --- Cancelling within the rules -----------------------------------------------------------------------


def why_not_cancellable(enrolment: Enrolment, now: datetime | None = None) -> str:
    """Why the teacher cannot cancel ``enrolment`` themselves; empty when they can. The same rules as
    ``services.cancel_enrolment`` applies for a teacher (tests/courses/test_followup.py holds them
    together)."""
    now = now or timezone.now()
    edition = enrolment.edition
    if not enrolment.is_active:
        return _("This enrolment is no longer active.")
    if edition.status in (EditionStatus.COMPLETED, EditionStatus.CANCELLED):
        return _("This edition is closed.")
    if enrolment.status == EnrolmentStatus.CONFIRMED and now > edition.cancel_deadline:
        return _("Free cancellation was possible until %(deadline)s; please contact the organiser.") % {
            "deadline": formats.date_format(timezone.localtime(edition.cancel_deadline), "DATETIME_FORMAT")
        }
    return ""
