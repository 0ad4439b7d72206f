"""Trajectories (steps, cohorts, participants) and certificates: what ends up on the PD record."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from courses.models.catalogue import ActivityType, Module, Theme
from courses.models.codes import verification_code
from courses.models.enrolment import Enrolment


class Trajectory(models.Model):
    """Learning over years (e.g. ITK-maatje): a sequence of modules, schools joining in cohorts, one
    designated staff member per school who completes the steps and a personal plan."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    organiser = models.ForeignKey(
        Organisation, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="trajectories"
    )
    years = models.PositiveSmallIntegerField(_("duration in years"), default=3)
    pd_hours = models.DecimalField(_("professional development hours"), max_digits=5, decimal_places=1)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)

    class Meta:
        verbose_name = _("trajectory")
        verbose_name_plural = _("trajectories")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class TrajectoryStep(models.Model):
    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="steps")
    module = models.ForeignKey(Module, verbose_name=_("module"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1)])
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        ordering = ["year", "order"]
        constraints = [
            models.UniqueConstraint(fields=["trajectory", "module"], name="one_step_per_module"),
        ]

    def __str__(self) -> str:
        return f"{self.trajectory_id} · {self.year}.{self.order}"


class Cohort(models.Model):
    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["starts_on"]

    def __str__(self) -> str:
        return f"{self.trajectory} · {self.name}"


class Participant(models.Model):
    """A school in a cohort with its designated staff member, who is trained and certified."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="participants")
    school = models.ForeignKey(
        Organisation, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("designated staff member"),
        on_delete=models.PROTECT,
        related_name="trajectory_participations",
    )
    personal_plan = models.TextField(_("personal plan"), blank=True)
    plan_approved_at = models.DateTimeField(_("plan approved"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "school"], name="one_participant_per_school")
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.staff_member}"


class Certificate(models.Model):
    """Proof of completion of an edition or a trajectory, and the line on the teacher's PD record."""

    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="course_certificates"
    )
    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="certificate"
    )
    participant = models.OneToOneField(
        Participant, on_delete=models.PROTECT, null=True, blank=True, related_name="certificate"
    )
    title = models.CharField(_("title"), max_length=250)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    self_study_hours = models.DecimalField(
        _("of which self-study hours"), max_digits=5, decimal_places=1, default=Decimal("0")
    )
    activity_type = models.CharField(
        _("activity type"), max_length=20, choices=ActivityType.choices, default=ActivityType.COURSE
    )
    completed_on = models.DateField(_("completed on"))
    school_year = models.CharField(_("school year"), max_length=9)
    code = models.CharField(_("verification code"), max_length=16, unique=True, default=verification_code)
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-completed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enrolment__isnull=False) ^ models.Q(participant__isnull=False),
                name="certificate_for_one_thing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.title}"
