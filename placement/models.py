"""The newcomer register: groups at newcomer-class locations, reports of newcomer children, eligibility rules,
placement runs and placements, with the outflow to a regular school.

Children are minors: a report holds the minimum (first name and initial, birth month and year, arrival date,
home languages, years of prior schooling, siblings, the parents' contact and letter language, the registering
school). Never nationality, never an address.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, SchoolStage


class EligibilityRule(models.Model):
    """Who qualifies for a newcomer class in a region: age in years and months in the Netherlands."""

    region = models.OneToOneField(
        Organisation, verbose_name=_("region"), on_delete=models.CASCADE, related_name="eligibility_rule"
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=4)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), default=17)
    max_months_in_country = models.PositiveSmallIntegerField(
        _("at most months in the Netherlands"), default=24
    )

    class Meta:
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")
        constraints = [models.CheckConstraint(condition=Q(min_age__lte=F("max_age")), name="rule_age_order")]

    def __str__(self) -> str:
        return f"{self.region}: {self.min_age}-{self.max_age}, {self.max_months_in_country}"


class Group(models.Model):
    """A group at a newcomer-class location. ``occupied`` counts approved and started placements; it only
    changes under a lock on this row, and the database refuses it above ``capacity``."""

    location = models.ForeignKey(
        Organisation, verbose_name=_("location"), on_delete=models.PROTECT, related_name="newcomer_groups"
    )
    name = models.CharField(_("name"), max_length=80)
    stage = models.CharField(_("stage"), max_length=10, choices=SchoolStage.choices)
    age_min = models.PositiveSmallIntegerField(_("youngest age"))
    age_max = models.PositiveSmallIntegerField(_("oldest age"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    occupied = models.PositiveSmallIntegerField(_("occupied places"), default=0, editable=False)
    intake_days = models.JSONField(_("intake days"), default=list, blank=True)  # ISO weekdays 1..7
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("newcomer group")
        verbose_name_plural = _("newcomer groups")
        ordering = ["location__name", "age_min", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(age_min__lte=F("age_max")), name="group_age_order"),
            models.CheckConstraint(condition=Q(occupied__lte=F("capacity")), name="group_not_overfull"),
            models.UniqueConstraint(fields=["location", "name"], name="unique_group_name"),
        ]

    def __str__(self) -> str:
        return f"{self.location.name} · {self.name}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.occupied, 0)

    @property
    def band(self) -> str:
        return f"{self.age_min}-{self.age_max}"


class ReportStatus(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("Does not qualify")
    WAITING = "waiting", _("Waiting for a place")
    PLACED = "placed", _("Placed")
    STARTED = "started", _("Started")
    OUTFLOW_PLANNED = "outflow_planned", _("Outflow planned")
    LEFT = "left", _("Moved to a regular school")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Interim(models.TextChoices):
    NONE = "", _("None")
    REGULAR_WITH_SUPPORT = "regular_support", _("Regular class at the registering school, with support")


class Report(models.Model):
    """A school's report of a newcomer child. ``location`` is the newcomer-class location of the child's
    current placement, so the location's staff reach exactly their own children."""

    school = models.ForeignKey(
        Organisation, verbose_name=_("registering school"), on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    first_name = models.CharField(_("first name"), max_length=50)
    last_initial = models.CharField(_("initial of last name"), max_length=3)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    birth_month = models.PositiveSmallIntegerField(_("birth month"))
    arrival_date = models.DateField(_("arrival in the Netherlands"))
    home_languages = models.JSONField(_("home languages"), default=list)
    prior_schooling_years = models.PositiveSmallIntegerField(_("years of prior schooling"), default=0)
    siblings = models.ManyToManyField("self", verbose_name=_("siblings"), symmetrical=True, blank=True)
    parent_name = models.CharField(_("parent's name"), max_length=100, blank=True)
    parent_phone = models.CharField(_("parent's phone"), max_length=30, blank=True)
    parent_email = models.EmailField(_("parent's e-mail"), blank=True)
    letter_language = models.CharField(_("language for letters"), max_length=8, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices)
    eligibility_reason = models.CharField(_("eligibility"), max_length=200, blank=True)
    interim = models.CharField(_("interim arrangement"), max_length=20, choices=Interim.choices, blank=True)
    interim_since = models.DateField(_("interim arrangement since"), null=True, blank=True)
    support_request_id = models.BigIntegerField(null=True, blank=True, editable=False)
    pupil_id = models.BigIntegerField(null=True, blank=True, editable=False)
    aftercare_request_id = models.BigIntegerField(null=True, blank=True, editable=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"))
    left_at = models.DateField(_("left on"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("newcomer report")
        verbose_name_plural = _("newcomer reports")
        ordering = ["reported_at", "id"]
        indexes = [models.Index(fields=["status", "reported_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(birth_month__gte=1, birth_month__lte=12), name="report_month"),
            models.CheckConstraint(
                condition=~Q(status="not_eligible") | ~Q(eligibility_reason=""), name="ineligible_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.anonymised_at:
            return str(_("Anonymised child #%(id)s") % {"id": self.pk})
        return f"{self.first_name} {self.last_initial}."


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready for review")
    FAILED = "failed", _("Failed")


class PlacementRun(models.Model):
    """One run of the placement engine over a region's waiting list, in the background."""

    region = models.ForeignKey(
        Organisation, verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # Reasons for children left waiting: [{"report": id, "code": ..., "text": ...}]; ids only, no names.
    waiting = models.JSONField(default=list, blank=True)
    placed_count = models.PositiveIntegerField(default=0)
    total_km = models.FloatField(default=0)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("placement run")
        verbose_name_plural = _("placement runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(status__in=["pending", "running"]),
                name="one_active_run_per_region",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.region}"


class PlacementStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    STARTED = "started", _("Started")
    ENDED = "ended", _("Ended")


HOLDS_PLACE = (PlacementStatus.APPROVED, PlacementStatus.STARTED)


class ProgressLevel(models.TextChoices):
    A0 = "A0", _("Just starting (A0)")
    A1 = "A1", _("A1")
    A2 = "A2", _("A2")
    B1 = "B1", _("B1")


class Placement(models.Model):
    """A child's place in a group: proposed by a run (or by hand), approved, started, ended by outflow."""

    report = models.ForeignKey(
        Report, verbose_name=_("child"), on_delete=models.CASCADE, related_name="placements"
    )
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.PROTECT, related_name="placements"
    )
    run = models.ForeignKey(
        PlacementRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="placements"
    )
    status = models.CharField(_("status"), max_length=10, choices=PlacementStatus.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    distance_km = models.FloatField(_("distance (km)"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    progress = models.CharField(_("Dutch level"), max_length=2, choices=ProgressLevel.choices, blank=True)
    progress_at = models.DateField(_("progress recorded on"), null=True, blank=True)
    outflow_date = models.DateField(_("outflow date"), null=True, blank=True)
    advised_grade = models.PositiveSmallIntegerField(_("advised grade"), null=True, blank=True)
    receiving_school = models.ForeignKey(
        Organisation,
        verbose_name=_("receiving school"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outflow_confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report"], condition=Q(status__in=["approved", "started"]), name="one_place_per_child"
            ),
            models.UniqueConstraint(
                fields=["report", "run"],
                condition=Q(status="proposed"),
                name="one_proposal_per_child_and_run",
            ),
            models.CheckConstraint(
                condition=Q(outflow_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(outflow_date__gte=F("start_date")),
                name="outflow_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.group}"
