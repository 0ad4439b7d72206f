"""What allocation works with: supporters' profiles (expertise, languages, hours) and background runs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation


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


class AllocationRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_ALLOCATION_STATUSES = (AllocationRunStatus.QUEUED, AllocationRunStatus.RUNNING)


class AllocationRun(models.Model):
    """A background solve of the open queue as ``requested_by`` reaches it (``caseloads.services.runs``).

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
