"""Support requests: what a school asks for, its status table, and the hours a request is expected to take."""

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
REQUEST_TRANSITIONS: Transitions["SupportRequest"] = Transitions(
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
