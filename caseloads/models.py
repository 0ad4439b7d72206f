"""Caseloads of ambulant language supporters: support requests, supporter profiles, cases, visits.

A school files a :class:`SupportRequest`; the regional coordinator allocates it to a supporter, which opens a
:class:`Case`. The supporter logs :class:`Visit` s (with agreed :class:`NextStep` s). Workload is measured in
hours: logged visits (duration + preparation + travel) for what happened, and each active case's planned
hours per month for what is committed (the basis of "free hours" in allocation, see ``caseloads.workload``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.transitions import Transitions


class Topic(models.TextChoices):
    LANGUAGE_DEVELOPMENT = "language_development", _("Language development")
    MULTILINGUALISM = "multilingualism", _("Multilingualism")
    PARENT_CONTACT = "parent_contact", _("Contact with parents")
    PLACEMENT = "placement", _("Placement and assessment")
    WORLD_CITIZENSHIP = "world_citizenship", _("World citizenship")


class Urgency(models.TextChoices):
    LOW = "low", _("Can wait a few weeks")
    NORMAL = "normal", _("Within two weeks")
    HIGH = "high", _("Urgent")


class Subject(models.TextChoices):
    PUPIL = "pupil", _("A pupil")
    CLASS = "class", _("A class")
    TEAM = "team", _("The team")


class RequestStatus(models.TextChoices):
    NEW = "new", _("New")
    TRIAGE = "triage", _("In triage")
    ALLOCATED = "allocated", _("Allocated")
    DECLINED = "declined", _("Declined")


OPEN_REQUEST_STATUSES = (RequestStatus.NEW, RequestStatus.TRIAGE)

# The allowed moves of ``SupportRequest.status``; every writer goes through it (``caseloads.services``).
REQUEST_TRANSITIONS = Transitions(
    RequestStatus,
    {
        RequestStatus.NEW: {RequestStatus.TRIAGE, RequestStatus.ALLOCATED, RequestStatus.DECLINED},
        RequestStatus.TRIAGE: {RequestStatus.ALLOCATED, RequestStatus.DECLINED},
    },
)

# Planned hours per month a request of this topic is expected to take, plus a surcharge for urgency.
# Whole hours, so workload sums are exact. Documented for coordinators on the allocation page.
TOPIC_HOURS: dict[str, int] = {
    Topic.LANGUAGE_DEVELOPMENT: 6,
    Topic.MULTILINGUALISM: 4,
    Topic.PARENT_CONTACT: 4,
    Topic.PLACEMENT: 6,
    Topic.WORLD_CITIZENSHIP: 4,
}
URGENCY_EXTRA_HOURS: dict[str, int] = {Urgency.LOW: 0, Urgency.NORMAL: 0, Urgency.HIGH: 2}


def estimated_hours(topic: str, urgency: str) -> int:
    return TOPIC_HOURS[topic] + URGENCY_EXTRA_HOURS[urgency]


class SupportRequest(models.Model):
    school = models.ForeignKey(
        Organisation, verbose_name=_("school"), on_delete=models.PROTECT, related_name="support_requests"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    subject = models.CharField(_("about"), max_length=10, choices=Subject.choices, default=Subject.PUPIL)
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices)
    description = models.TextField(_("description"), max_length=4000)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    languages = models.JSONField(_("preferred languages"), default=list, blank=True)
    pupils = models.ManyToManyField(
        "pupils.Pupil", verbose_name=_("pupils concerned"), blank=True, related_name="support_requests"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    decline_reason = models.TextField(_("reason for declining"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.DECLINED) | ~Q(decline_reason=""),
                name="declined_request_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_topic_display()} · {self.school}"

    @property
    def estimated_hours(self) -> int:
        return estimated_hours(self.topic, self.urgency)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    @property
    def language_names(self) -> str:
        from pupils.languages import language_name

        return ", ".join(language_name(code) for code in self.languages)


class SupporterProfile(models.Model):
    """What allocation needs to know about a member of a support service."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supporter"),
        on_delete=models.CASCADE,
        related_name="supporter_profile",
    )
    service = models.ForeignKey(
        Organisation, verbose_name=_("support service"), on_delete=models.PROTECT, related_name="supporters"
    )
    expertise = models.JSONField(_("expertise"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    home_municipality = models.ForeignKey(
        Organisation,
        verbose_name=_("home municipality"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    contract_hours_per_week = models.DecimalField(
        _("contracted hours per week"), max_digits=4, decimal_places=1, default=0
    )
    active = models.BooleanField(_("takes new cases"), default=True)

    class Meta:
        verbose_name = _("supporter profile")
        verbose_name_plural = _("supporter profiles")
        ordering = ["user__last_name", "user__first_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_hours_per_week__gte=0, contract_hours_per_week__lte=40),
                name="supporter_contract_hours_range",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class CaseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    CLOSED = "closed", _("Closed")


# The allowed moves of ``Case.status``: a closed case stays closed (its data is anonymised later).
CASE_TRANSITIONS = Transitions(
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

    def is_overdue(self, today: object) -> bool:
        return self.done_at is None and self.due_date < today  # type: ignore[operator]


class Notification(models.Model):
    """One row per notification sent, so a task delivered twice sends once (``key`` is unique)."""

    key = models.CharField(max_length=120, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notification sent")
        verbose_name_plural = _("notifications sent")

    def __str__(self) -> str:
        return self.key


class AllocationRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_ALLOCATION_STATUSES = (AllocationRunStatus.QUEUED, AllocationRunStatus.RUNNING)


class AllocationRun(models.Model):
    """A background solve of the open queue as ``requested_by`` reaches it (``caseloads.runs``).

    ``result`` holds ids and figures only: ``pairs`` ([request id, supporter user id]), ``cost``,
    ``optimal``, ``missing_at_most``, ``cost_gap`` and ``seconds``; ``fingerprint`` is the queue it solved."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="allocation_runs",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AllocationRunStatus.choices, default=AllocationRunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    fingerprint = models.CharField(max_length=32, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="allocation_run_progress_percent"),
            models.UniqueConstraint(
                fields=["requested_by"],
                condition=Q(status__in=ACTIVE_ALLOCATION_STATUSES),
                name="one_active_allocation_run_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (AllocationRunStatus.DONE, AllocationRunStatus.FAILED)
