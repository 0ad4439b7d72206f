"""The calendar feed token and the records of follow-up and change messages sent once (issue 15)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models.catalogue import Meeting
from courses.models.codes import feed_token
from courses.models.enrolment import Enrolment


class CalendarFeed(models.Model):
    """The secret token of a teacher's personal iCalendar feed; resetting it invalidates old links."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=feed_token)

    def __str__(self) -> str:
        return str(self.user)


# --- Follow-up and change messages (issue 15) ----------------------------------------------------------


class FollowUpMessage(models.Model):
    """One row per follow-up sent for an enrolment (a reminder copy to the school leader, the evaluation
    invitation and its one reminder): a task delivered twice finds it and sends nothing."""

    class Kind(models.TextChoices):
        LEADER_REMINDER = "leader_reminder", _("Reminder copy to the school leader")
        EVALUATION_INVITATION = "evaluation_invitation", _("Evaluation invitation")
        EVALUATION_REMINDER = "evaluation_reminder", _("Evaluation reminder")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="followups")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "kind"], name="one_followup_per_kind")]

    def __str__(self) -> str:
        return f"{self.enrolment_id} · {self.kind}"


class MeetingChangeMessage(models.Model):
    """One row per teacher per revision of a meeting they were told about: a retried task skips the
    teachers it already reached and sends to the rest."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="change_messages")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    sequence = models.PositiveIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "enrolment", "sequence"], name="one_change_message_per_revision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.enrolment_id} · {self.sequence}"
