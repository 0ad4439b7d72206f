"""Buddies, match runs, matches (proposals and approved pairs), check-ins and CSV import jobs.

A match run writes one :class:`Match` per pupil it pairs (status "proposed") and one
:class:`UnmatchedPupil` per pupil it cannot pair; both are unique on (run, pupil), which is what makes a
re-delivered batch task harmless. A coordinator then approves, rejects, swaps or locks proposals.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.transitions import Transitions
from pupils.models import Gender, Interest, Pupil


class BuddyKind(models.TextChoices):
    PEER = "peer", _("Peer pupil")
    STAFF = "staff", _("Staff member")
    VOLUNTEER = "volunteer", _("Volunteer")


class BuddyConsentBy(models.TextChoices):
    PARENT = "parent", _("Parent")
    GUARDIAN = "guardian", _("Guardian")
    SELF = "self", _("The buddy")


class Buddy(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=BuddyKind.choices)
    school = models.ForeignKey(
        Organisation, verbose_name=_("school"), on_delete=models.PROTECT, related_name="buddies"
    )
    first_name = models.CharField(_("first name"), max_length=50)
    last_initial = models.CharField(_("initial of last name"), max_length=3)
    grade = models.PositiveSmallIntegerField(
        _("grade"), null=True, blank=True, help_text=_("Peer pupils only: group 1-8 or year 1-6.")
    )
    languages = models.JSONField(_("languages"), default=list)
    interests = models.ManyToManyField(Interest, verbose_name=_("interests"), blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=1)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    consent_by = models.CharField(
        _("consent given by"), max_length=10, choices=BuddyConsentBy.choices, blank=True
    )
    consent_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    trained_on = models.DateField(_("training done on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("buddy")
        verbose_name_plural = _("buddies")
        ordering = ["school_id", "first_name", "id"]
        indexes = [models.Index(fields=["school", "kind"])]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1, capacity__lte=3), name="buddy_capacity_1_3"),
            models.CheckConstraint(
                condition=~Q(kind="peer") | Q(grade__gte=1, grade__lte=8), name="peer_buddy_has_grade"
            ),
            models.CheckConstraint(
                condition=Q(available_from__isnull=True)
                | Q(available_until__isnull=True)
                | Q(available_until__gte=models.F("available_from")),
                name="buddy_availability_window",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.anonymised_at:
            return str(_("Anonymised buddy #%(id)s") % {"id": self.pk})
        return f"{self.first_name} {self.last_initial}."

    @property
    def has_consent(self) -> bool:
        return self.kind != BuddyKind.PEER or self.consent_at is not None


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class RunTrigger(models.TextChoices):
    MANUAL = "manual", _("Started by a coordinator")
    NIGHTLY = "nightly", _("Nightly run")


class MatchRun(models.Model):
    scope = models.ForeignKey(
        Organisation, verbose_name=_("scope"), on_delete=models.PROTECT, related_name="match_runs"
    )
    buddy_kind = models.CharField(_("buddy kind"), max_length=10, choices=BuddyKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default="queued")
    trigger = models.CharField(_("trigger"), max_length=10, choices=RunTrigger.choices, default="manual")
    # Nightly runs only take pupils whose transition date is on or before this day.
    transition_before = models.DateField(_("transition on or before"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    batches_total = models.PositiveIntegerField(default=0)
    batches_done = models.PositiveIntegerField(default=0)
    components_total = models.PositiveIntegerField(default=0)
    components_done = models.PositiveIntegerField(default=0)
    pupils_total = models.PositiveIntegerField(default=0)
    pupils_matched = models.PositiveIntegerField(default=0)
    # Seconds summed over batch tasks (two workers add up to more than the wall time).
    load_seconds = models.FloatField(default=0.0)
    solve_seconds = models.FloatField(default=0.0)
    write_seconds = models.FloatField(default=0.0)
    stats = models.JSONField(default=dict, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("match run")
        verbose_name_plural = _("match runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Backs the 409 "a run is already in progress" check against two simultaneous starts.
            models.UniqueConstraint(
                fields=["scope", "buddy_kind"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_run_per_scope_and_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} · {self.get_buddy_kind_display()} · {self.get_status_display()}"

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        if not self.components_total:
            return 0
        return int(100 * self.components_done / self.components_total)

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)


class RunBatch(models.Model):
    """A slice of a run's components (groups) solved and written by one task."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="batches")
    index = models.PositiveIntegerField()
    groups = models.JSONField(default=list)  # group ids: school ids, or municipality ids (cross-school)
    pupils = models.PositiveIntegerField(default=0)
    stats = models.JSONField(default=dict)  # this batch's totals and timings, summed when the run ends
    done_at = models.DateTimeField(null=True, blank=True)
    # The lease (``matching/leases.py``): who works on the batch and until when, renewed while it works.
    # A lease that ran out means its worker died; beat's sweep sends the batch again.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="unique_run_batch")]

    def __str__(self) -> str:
        return f"run {self.run_id} batch {self.index}"


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Replaced by a later run")
    ENDED = "ended", _("Ended")


# The allowed moves of ``Match.status``; every writer goes through it. A rejection and an ending can be
# undone on the day they were made (``review.undo_reject``, ``followup.undo_end``); a later run supersedes
# open proposals.
MATCH_TRANSITIONS: Transitions["Match"] = Transitions(
    MatchStatus,
    {
        MatchStatus.PROPOSED: {MatchStatus.APPROVED, MatchStatus.REJECTED, MatchStatus.SUPERSEDED},
        MatchStatus.REJECTED: {MatchStatus.PROPOSED},
        MatchStatus.APPROVED: {MatchStatus.ENDED},
        MatchStatus.ENDED: {MatchStatus.APPROVED},
    },
)


class EndReason(models.TextChoices):
    TERM_ENDED = "term_ended", _("The term ended")
    NOT_A_FIT = "not_a_fit", _("Not a fit")
    PUPIL_LEFT = "pupil_left", _("The pupil left the school")
    BUDDY_LEFT = "buddy_left", _("The buddy stopped")
    GOALS_MET = "goals_met", _("The pupil has settled in")
    CONSENT_REVOKED = "consent_revoked", _("The parent withdrew consent")
    OTHER = "other", _("Other reason")


class RejectReason(models.TextChoices):
    LANGUAGE = "language", _("No shared language that works")
    AGE_GAP = "age_gap", _("Too far apart in age or grade")
    BUDDY_UNSUITABLE = "buddy", _("The buddy is not suitable for this pupil")
    KNOWN_CONFLICT = "conflict", _("They do not get along")
    PLANNED = "planned", _("The school has another buddy in mind")
    OTHER = "other", _("Other reason")


class Fit(models.TextChoices):
    GOOD = "good", _("Good fit")
    DECIDING = "deciding", _("Still deciding")
    NOT_A_FIT = "not_a_fit", _("Not a fit")


class Match(models.Model):
    # Indexes: (run, pupil), (school, status) and (buddy, status) below also serve these foreign keys,
    # so their own single-column indexes are left out (a national run inserts 100,000 rows at once).
    run = models.ForeignKey(
        MatchRun, on_delete=models.PROTECT, related_name="matches", null=True, db_index=False
    )
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="matches")
    buddy = models.ForeignKey(Buddy, on_delete=models.CASCADE, related_name="matches", db_index=False)
    # The pupil's school, copied so reach filters one indexed column.
    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(_("buddy kind"), max_length=10, choices=BuddyKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=MatchStatus.choices, default="proposed")
    locked = models.BooleanField(_("locked"), default=False)
    cost = models.FloatField(default=0.0)
    reasons = models.JSONField(default=list)  # [[code, {params}], ...] from the engine
    alternatives = models.JSONField(default=list)  # [[buddy id, cost], ...] the two next best
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("term ends on"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.TextField(_("about the ending"), max_length=1000, blank=True)
    reject_reason = models.CharField(
        _("reason for rejecting"), max_length=12, choices=RejectReason.choices, blank=True
    )
    reject_note = models.TextField(_("about the rejection"), max_length=1000, blank=True)
    fit = models.CharField(_("fit after the first meeting"), max_length=10, choices=Fit.choices, blank=True)
    fit_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    end_notified_at = models.DateTimeField(null=True, blank=True)  # the coordinators were told of an ending

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-created_at", "pupil_id"]
        indexes = [models.Index(fields=["school", "status"]), models.Index(fields=["buddy", "status"])]
        constraints = [
            # A re-delivered or retried batch task inserts with ignore_conflicts: no duplicates.
            models.UniqueConstraint(fields=["run", "pupil"], name="one_proposal_per_run_and_pupil"),
            models.UniqueConstraint(
                fields=["pupil", "kind"], condition=Q(status="approved"), name="one_active_match_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} ↔ {self.buddy_id} ({self.status})"


class UnmatchedPupil(models.Model):
    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="unmatched", db_index=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", db_index=False)
    reason = models.CharField(max_length=30)
    params = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "pupil"], name="one_unmatched_per_run_and_pupil")
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} pupil {self.pupil_id}: {self.reason}"


class CheckInOutcome(models.TextChoices):
    GOING_WELL = "going_well", _("Going well")
    NEEDS_ATTENTION = "needs_attention", _("Needs attention")
    NOT_MEETING = "not_meeting", _("They are not meeting")


class CheckIn(models.Model):
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="check_ins", db_index=False)
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=CheckInOutcome.choices, blank=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["match", "due_on"], name="one_check_in_per_day")]

    def __str__(self) -> str:
        return f"match {self.match_id} check-in {self.due_on}"

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.done_at is None and self.due_on < timezone.localdate()


class ImportKind(models.TextChoices):
    PUPILS = "pupils", _("Pupils")
    BUDDIES = "buddies", _("Buddies")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A validated CSV file waiting to be (or being) imported by a task; the file is dropped when done."""

    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default="queued")
    content = models.TextField(blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    update_existing = models.BooleanField(default=False)
    updated_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} import {self.pk} ({self.status})"
