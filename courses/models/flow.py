"""Tables of issue 15's organiser flows: edition series, the approval trail with absences and deputies,
approver reminders, the append-only log of waitlist moves, and theme alerts. Imported by
``courses/models/__init__.py`` (Django finds them there); the verbs are in ``series``, ``approval``,
``waitlist_control`` and ``alerts``."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("This log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("This log is append-only.")


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("This log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("This log is append-only.")


class EditionSeries(models.Model):
    """Editions of one module created at once (the same study day on several dates, a network meeting
    every six weeks). Each edition keeps its own capacity and waitlist; a series edit changes the
    editions that have not started yet."""

    module = models.ForeignKey(
        "courses.Module", verbose_name=_("module"), on_delete=models.PROTECT, related_name="series"
    )
    title = models.CharField(_("name of the series"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("edition series")
        verbose_name_plural = _("edition series")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.title


class ApprovalDecision(AppendOnly):
    """One decision on a sign-up, per stage: the trail the teacher sees ("approved by the school on ...,
    awaiting the organiser"). ``on_behalf_of`` names the absent approver when a deputy decided."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Declined")

    enrolment = models.ForeignKey("courses.Enrolment", on_delete=models.CASCADE, related_name="decisions")
    stage = models.CharField(_("stage"), max_length=10)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "stage"], name="one_decision_per_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} · {self.stage} · {self.decision}"


class ApproverAbsence(models.Model):
    """A school's approver is away from ``starts_on`` to ``ends_on``; ``deputy`` approves meanwhile."""

    school = models.ForeignKey(
        Organisation, verbose_name=_("school"), on_delete=models.CASCADE, related_name="+"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("absent approver"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("deputy"), on_delete=models.CASCADE, related_name="+"
    )
    starts_on = models.DateField(_("away from"))
    ends_on = models.DateField(_("away until"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("approver absence")
        verbose_name_plural = _("approver absences")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~models.Q(deputy=models.F("approver")), name="absence_deputy_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.approver} · {self.starts_on}-{self.ends_on} · {self.deputy}"


class ApprovalReminder(models.Model):
    """One reminder per approver per period: the row is claimed before the mail goes out, so beat may
    run as often as it likes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.DateField()
    pending = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "period"], name="one_approval_reminder_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.period}"


class WaitlistMove(AppendOnly):
    """The organiser moved a waitlisted teacher up or down, or offered a seat by hand, with a reason."""

    class Action(models.TextChoices):
        UP = "up", _("Moved up")
        DOWN = "down", _("Moved down")
        OFFER = "offer", _("Seat offered by hand")

    edition = models.ForeignKey("courses.Edition", on_delete=models.CASCADE, related_name="waitlist_moves")
    enrolment = models.ForeignKey("courses.Enrolment", on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_position = models.PositiveIntegerField(_("from position"))
    to_position = models.PositiveIntegerField(_("to position"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("waitlist move")
        verbose_name_plural = _("waitlist moves")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.enrolment_id} · {self.action} · {self.from_position}"


class ThemeAlert(models.Model):
    """A person follows a theme: every new edition of it in their region reaches them once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    theme = models.CharField(_("theme"), max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("theme alert")
        verbose_name_plural = _("theme alerts")
        constraints = [models.UniqueConstraint(fields=["user", "theme"], name="one_alert_per_theme")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.theme}"


class ThemeAlertSent(models.Model):
    """Each person hears of each edition once, however many of its themes they follow."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    edition = models.ForeignKey("courses.Edition", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "edition"], name="one_theme_alert_per_edition")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.edition_id}"
