"""Cases and their work: the case a request opens, transfers to a colleague, visits and agreed next steps."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from caseloads.models.requests import SupportRequest, Topic
from core.transitions import Transitions


class CaseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    CLOSED = "closed", _("Closed")


# The allowed moves of ``Case.status``: a closed case stays closed (its data is anonymised later).
CASE_TRANSITIONS: Transitions["Case"] = Transitions(
    CaseStatus,
    {
        CaseStatus.ACTIVE: {CaseStatus.PAUSED, CaseStatus.CLOSED},
        CaseStatus.PAUSED: {CaseStatus.ACTIVE, CaseStatus.CLOSED},
    },
)


class Case(models.Model):
    request = models.OneToOneField(
        SupportRequest,
        verbose_name=_("support request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case",
    )
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("supporter"), on_delete=models.PROTECT, related_name="cases"
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared with (for advice)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="advised_cases",
    )
    school = models.ForeignKey(
        Organisation, verbose_name=_("school"), on_delete=models.PROTECT, related_name="cases"
    )
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices)
    pupils = models.ManyToManyField(
        "pupils.Pupil", verbose_name=_("pupils"), blank=True, related_name="support_cases"
    )
    goals = models.TextField(_("goals"), max_length=4000, blank=True)
    planned_hours_per_month = models.PositiveSmallIntegerField(_("planned hours per month"), default=4)
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.ACTIVE
    )
    closing_summary = models.TextField(_("closing summary"), max_length=4000, blank=True)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["supporter", "status"]), models.Index(fields=["status", "closed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CLOSED) | Q(closed_at__isnull=False),
                name="closed_case_has_date",
            ),
            models.CheckConstraint(
                condition=Q(advisor__isnull=True) | ~Q(advisor=models.F("supporter")),
                name="case_advisor_is_not_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_topic_display()} · {self.school}"

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Withdrawn")


class Transfer(models.Model):
    """A case offered to another supporter, who accepts (and becomes the owner) or declines."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="transfers")
    from_supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incoming_transfers",
        verbose_name=_("to"),
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="one_pending_transfer_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.to_supporter}"


class VisitKind(models.TextChoices):
    OBSERVATION = "observation", _("Observation")
    TEACHER_ADVICE = "teacher_advice", _("Advice to teacher")
    PARENT_MEETING = "parent_meeting", _("Meeting with parents")
    TEAM_TRAINING = "team_training", _("Team training")


class Visit(models.Model):
    """A visit or consultation. Planned until marked done; only done visits count as worked hours."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="visits")
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("supporter"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=VisitKind.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    preparation_minutes = models.PositiveSmallIntegerField(_("preparation (minutes)"), default=0)
    travel_minutes = models.PositiveSmallIntegerField(_("travel time (minutes)"), default=0)
    notes = models.TextField(
        _("notes"), max_length=8000, blank=True
    )  # the supporters' own, never the school's
    advice = models.TextField(_("advice for the school"), max_length=4000, blank=True)  # the school reads it
    next_visit_date = models.DateField(_("next visit"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["supporter", "date"]), models.Index(fields=["date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=720), name="visit_duration_range"
            ),
            models.CheckConstraint(
                condition=Q(travel_minutes__lte=600, preparation_minutes__lte=600), name="visit_extras_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    @property
    def total_minutes(self) -> int:
        return self.duration_minutes + self.preparation_minutes + self.travel_minutes


class NextStep(models.Model):
    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="steps")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="steps")
    description = models.CharField(_("agreed next step"), max_length=300)
    due_date = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("next step")
        verbose_name_plural = _("next steps")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description

    def is_overdue(self, today: date) -> bool:
        return self.done_at is None and self.due_date < today
