"""Enrolments with their status table and self-promoting waitlist, seat reservations, the messages sent
per enrolment, interest in undated modules, attendance and evaluations."""

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.transitions import Transitions
from courses.models.catalogue import Edition, Meeting, Module


class EnrolmentStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("Awaiting school approval")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waitlisted")
    OFFERED = "offered", _("Seat offered")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Not approved by the school")
    EXPIRED = "expired", _("Offer expired")
    RELEASED = "released", _("Edition cancelled")


ACTIVE_STATUSES = (
    EnrolmentStatus.PENDING_APPROVAL,
    EnrolmentStatus.CONFIRMED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.OFFERED,
)

# Every change of an enrolment's status (issue 11). A new enrolment starts pending approval, confirmed or
# waitlisted (``enrol``, ``name_teacher``); the four inactive statuses are final.
ENROLMENT_TRANSITIONS: Transitions["Enrolment"] = Transitions(
    EnrolmentStatus,
    {
        EnrolmentStatus.PENDING_APPROVAL: {
            EnrolmentStatus.CONFIRMED,  # the last approval, a seat free
            EnrolmentStatus.WAITLISTED,  # the last approval, no seat free
            EnrolmentStatus.REJECTED,
            EnrolmentStatus.CANCELLED,
            EnrolmentStatus.RELEASED,
        },
        EnrolmentStatus.CONFIRMED: {EnrolmentStatus.CANCELLED, EnrolmentStatus.RELEASED},
        EnrolmentStatus.WAITLISTED: {
            EnrolmentStatus.CONFIRMED,  # promoted
            EnrolmentStatus.OFFERED,  # promoted with an offer, or offered by hand
            EnrolmentStatus.CANCELLED,
            EnrolmentStatus.RELEASED,
        },
        EnrolmentStatus.OFFERED: {
            EnrolmentStatus.CONFIRMED,
            EnrolmentStatus.EXPIRED,
            EnrolmentStatus.CANCELLED,
            EnrolmentStatus.RELEASED,
        },
    },
)


class ApprovalStage(models.TextChoices):
    SCHOOL = "school", _("the school leader")
    ORGANISER = "organiser", _("the organiser")


# Statuses that hold one of the edition's seats.
SEAT_STATUSES = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.OFFERED)


class SeatReservation(models.Model):
    """Seats a school holds for its team; ``seats`` counts the ones not yet named. Naming a teacher turns
    one seat into a confirmed enrolment; unnamed seats lapse at ``expires_at`` and go to the waitlist."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LAPSED = "lapsed", _("Lapsed")
        RELEASED = "released", _("Released")

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="reservations"
    )
    school = models.ForeignKey(
        Organisation, verbose_name=_("school"), on_delete=models.PROTECT, related_name="seat_reservations"
    )
    reserved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reserved by"), on_delete=models.PROTECT, related_name="+"
    )
    seats = models.PositiveIntegerField(_("unnamed seats"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    expires_at = models.DateTimeField(_("name teachers by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("seat reservation")
        verbose_name_plural = _("seat reservations")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.school} · {self.edition} · {self.seats}"


class Enrolment(models.Model):
    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="enrolments"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    school = models.ForeignKey(
        Organisation,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="course_enrolments",
        null=True,
        blank=True,
    )
    status = models.CharField(_("status"), max_length=20, choices=EnrolmentStatus.choices)
    # While pending: whose decision it awaits (courses/approval.py); empty otherwise.
    approval_stage = models.CharField(
        _("awaiting"), max_length=10, choices=ApprovalStage.choices, blank=True, default=""
    )
    # Waitlist order: (queued_at, pk). Set under the edition lock, so the order is the order of arrival.
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    reservation = models.ForeignKey(
        SeatReservation, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrolments"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["queued_at", "pk"]
        constraints = [
            # One active enrolment per teacher per edition: the database refuses a second one even when
            # two requests race past the service's check.
            models.UniqueConstraint(
                fields=["edition", "teacher"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="one_active_enrolment_per_teacher",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=EnrolmentStatus.OFFERED)
                | models.Q(offer_expires_at__isnull=False),
                name="offer_has_expiry",
            ),
        ]
        indexes = [models.Index(fields=["edition", "status", "queued_at"], name="enrolment_queue")]

    def __str__(self) -> str:
        return f"{self.teacher} · {self.edition} · {self.get_status_display()}"

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        # A waitlist rank read earlier (enrol() answers with it) is no longer current after a reload.
        self.__dict__.pop("waitlist_rank", None)
        super().refresh_from_db(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class EnrolmentMessage(models.Model):
    """One row per message kind sent for an enrolment: a task delivered twice finds it and sends nothing."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation")
        WAITLISTED = "waitlisted", _("Waitlisted")
        PROMOTION = "promotion", _("Promoted from the waitlist")
        OFFER = "offer", _("Seat offered")
        REMINDER = "reminder", _("Reminder")
        CANCELLATION = "cancellation", _("Cancellation")
        EDITION_CANCELLED = "edition_cancelled", _("Edition cancelled")
        CERTIFICATE = "certificate", _("Certificate")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "kind"], name="one_message_per_kind")]

    def __str__(self) -> str:
        return f"{self.enrolment_id} · {self.kind}"


class Interest(models.Model):
    """A teacher who wants to hear when a module gets a dated edition."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="interests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        constraints = [models.UniqueConstraint(fields=["module", "user"], name="one_interest_per_module")]

    def __str__(self) -> str:
        return f"{self.user} · {self.module}"


class Attendance(models.Model):
    class Method(models.TextChoices):
        SHEET = "sheet", _("Marked by the organiser")
        CODE = "code", _("Checked in with the code")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    present = models.BooleanField(_("present"))
    method = models.CharField(max_length=10, choices=Method.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "meeting"], name="one_attendance_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} · {self.meeting_id} · {self.present}"


class Evaluation(models.Model):
    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="evaluation")
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comments = models.TextField(_("comments"), blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="rating_1_to_5")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} · {self.rating}"
