"""Professional development: a catalogue of modules, dated editions with meetings, enrolments with a
self-promoting waitlist, seat reservations, attendance, certificates (the PD record) and trajectories.

Invariants live here as database constraints; the verbs that move rows between states live in
``courses/services.py`` (enrolment) and ``courses/completion.py`` (attendance, certificates, evaluations).
"""

import secrets
import string
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.transitions import Transitions

# Check-in and verification codes avoid look-alike characters (0/O, 1/I/L) so they survive being read
# aloud in a hall and typed on a phone.
CODE_ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "01OIL")


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def checkin_code() -> str:
    return random_code(6)


def verification_code() -> str:
    return random_code(12)


def feed_token() -> str:
    return secrets.token_urlsafe(32)


def school_year(day: date) -> str:
    """Dutch school years run from 1 August to 31 July: 2026-10-01 -> "2026-2027"."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"


class Theme(models.TextChoices):
    MULTILINGUALISM = "multilingualism", _("Multilingualism")
    DUTCH_SECOND_LANGUAGE = "nt2", _("Dutch as a second language")
    WORLD_CITIZENSHIP = "world_citizenship", _("World citizenship")
    PARENT_CONTACT = "parent_contact", _("Parent contact")


class Format(models.TextChoices):
    STUDY_DAY = "study_day", _("Study day")
    NETWORK_MEETING = "network_meeting", _("Network meeting")
    TRAINING_MODULE = "training_module", _("Training module")
    LECTURE = "lecture", _("Lecture with networking")


class ActivityType(models.TextChoices):
    """The activity types of the voluntary teachers' register (Registerleraar), for the PD record."""

    COURSE = "course", _("Course or training")
    STUDY_DAY = "study_day", _("Study day")
    CONFERENCE = "conference", _("Conference")
    NETWORK_MEETING = "network_meeting", _("Network meeting")
    SELF_STUDY = "self_study", _("Self-study")


#: The register's activity type a new module of each format starts with (editable on the module).
FORMAT_ACTIVITY: dict[str, ActivityType] = {
    Format.STUDY_DAY: ActivityType.STUDY_DAY,
    Format.NETWORK_MEETING: ActivityType.NETWORK_MEETING,
    Format.TRAINING_MODULE: ActivityType.COURSE,
    Format.LECTURE: ActivityType.CONFERENCE,
}


class AudienceStage(models.TextChoices):
    ALL = "all", _("Primary and secondary")
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")


class AudienceRole(models.TextChoices):
    EVERYONE = "everyone", _("Everyone in education")
    TEACHERS = "teachers", _("Teachers")
    SCHOOL_STAFF = "school_staff", _("School staff")
    SUPPORTERS = "supporters", _("Language supporters")


class Module(models.Model):
    """A catalogue entry. ``themes`` is stored comma-wrapped (",nt2,multilingualism,") so one indexed
    ``contains`` filters by theme on every database without a join; the first theme is the primary one
    that a completion's hours count towards on the PD record."""

    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    themes = models.CharField(_("themes"), max_length=200)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    audience_stage = models.CharField(
        _("school stage"), max_length=10, choices=AudienceStage.choices, default=AudienceStage.ALL
    )
    audience_role = models.CharField(
        _("audience"), max_length=20, choices=AudienceRole.choices, default=AudienceRole.TEACHERS
    )
    pd_hours = models.DecimalField(
        _("professional development hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0"))],
    )
    # Of ``pd_hours``, the part that is self-study (the register counts contact and self-study hours apart).
    self_study_hours = models.DecimalField(
        _("of which self-study hours"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    activity_type = models.CharField(
        _("activity type"), max_length=20, choices=ActivityType.choices, default=ActivityType.COURSE
    )
    provider = models.CharField(
        _("provider"), max_length=200, blank=True, help_text=_("The school or institute that teaches it.")
    )
    organiser = models.ForeignKey(
        Organisation, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="organised_modules"
    )
    visible_in = models.ForeignKey(
        Organisation,
        verbose_name=_("visible in"),
        on_delete=models.PROTECT,
        related_name="visible_modules",
        help_text=_("The region or municipality whose schools see this module."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(pd_hours__gte=0), name="module_hours_not_negative"),
            models.CheckConstraint(condition=models.Q(themes__startswith=","), name="module_themes_wrapped"),
            models.CheckConstraint(
                condition=models.Q(self_study_hours__gte=0, self_study_hours__lte=models.F("pd_hours")),
                name="module_self_study_within_hours",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def theme_list(self) -> list[str]:
        return [t for t in self.themes.split(",") if t]

    @property
    def theme_labels(self) -> list[str]:
        return [str(Theme(t).label) for t in self.theme_list if t in Theme.values]

    @property
    def primary_theme(self) -> str:
        themes = self.theme_list
        return themes[0] if themes else ""

    @staticmethod
    def wrap_themes(themes: list[str]) -> str:
        return "," + ",".join(dict.fromkeys(themes)) + ","


class EditionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


# The one table of allowed edition transitions; ``services.transition`` is the only writer of status.
EDITION_TRANSITIONS: dict[str, frozenset[str]] = {
    EditionStatus.DRAFT: frozenset({EditionStatus.PUBLISHED, EditionStatus.CANCELLED}),
    EditionStatus.PUBLISHED: frozenset({EditionStatus.CANCELLED, EditionStatus.COMPLETED}),
    EditionStatus.CANCELLED: frozenset(),
    EditionStatus.COMPLETED: frozenset(),
}


class PromotionMode(models.TextChoices):
    IMMEDIATE = "immediate", _("Promote the first waitlisted teacher at once")
    OFFER = "offer", _("Offer the seat to the first waitlisted teacher for a limited time")


class Edition(models.Model):
    module = models.ForeignKey(
        Module, verbose_name=_("module"), on_delete=models.PROTECT, related_name="editions"
    )
    label = models.CharField(_("label"), max_length=100, blank=True, help_text=_("E.g. “Spring 2027”."))
    status = models.CharField(
        _("status"), max_length=12, choices=EditionStatus.choices, default=EditionStatus.DRAFT
    )
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    enrol_opens_at = models.DateTimeField(_("enrolment opens"))
    enrol_closes_at = models.DateTimeField(_("enrolment closes"))
    cancel_deadline = models.DateTimeField(_("free cancellation until"))
    reservation_deadline = models.DateTimeField(_("reserved seats must be named by"), null=True, blank=True)
    requires_school_approval = models.BooleanField(_("requires approval by the school"), default=False)
    requires_organiser_approval = models.BooleanField(
        _("requires approval by the organiser"),
        default=False,
        help_text=_("With school approval too: the school leader first, then the organiser."),
    )
    # Optional: at most this many seats (held, offered or reserved) per school (courses/school_limit.py).
    school_seat_limit = models.PositiveIntegerField(
        _("seats per school at most"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    series = models.ForeignKey(
        "courses.EditionSeries",
        verbose_name=_("series"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="editions",
    )
    promotion_mode = models.CharField(
        _("when a seat frees up"),
        max_length=10,
        choices=PromotionMode.choices,
        default=PromotionMode.IMMEDIATE,
    )
    offer_hours = models.PositiveSmallIntegerField(
        _("offer valid for (hours)"), default=48, validators=[MinValueValidator(1), MaxValueValidator(336)]
    )
    required_meetings = models.PositiveSmallIntegerField(
        _("meetings required for completion"),
        null=True,
        blank=True,
        help_text=_("Leave empty to require every meeting."),
    )
    # Denormalised from the meetings (kept by services.add_meeting) so the catalogue filters and sorts by
    # date without a join.
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True, db_index=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    cancellation_reason = models.TextField(_("reason for cancellation"), blank=True)
    remind_school_leader = models.BooleanField(
        _("send the school leader a copy of the reminder"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="edition_capacity_positive"),
            models.CheckConstraint(
                condition=models.Q(enrol_closes_at__gt=models.F("enrol_opens_at")),
                name="edition_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(school_seat_limit__isnull=True) | models.Q(school_seat_limit__gte=1),
                name="edition_school_limit_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module.title} · {self.label}" if self.label else self.module.title

    @property
    def is_open_for_enrolment(self) -> bool:
        now = timezone.now()
        return self.status == EditionStatus.PUBLISHED and self.enrol_opens_at <= now < self.enrol_closes_at

    @property
    def has_ended(self) -> bool:
        return self.ends_at is not None and self.ends_at <= timezone.now()


class Meeting(models.Model):
    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    checkin_code = models.CharField(_("check-in code"), max_length=8, default=checkin_code, unique=True)
    # RFC 5545 SEQUENCE: rises on every change a calendar must follow (time, place, cancellation), so mails
    # and the feed replace the event already in a teacher's calendar (same UID, higher SEQUENCE).
    sequence = models.PositiveIntegerField(_("calendar revision"), default=0)
    notified_sequence = models.PositiveIntegerField(default=0)  # the revision teachers were mailed about
    # A removed meeting stays as a row, so calendars get it as CANCELLED (same UID, higher SEQUENCE).
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancellation_message = models.TextField(_("message to participants"), blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.edition} · {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    CALENDAR_FIELDS = ("starts_at", "ends_at", "venue", "online_url", "cancelled_at")

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A change of time or place raises ``sequence`` (also from the admin), so calendars follow it."""
        if self.pk is not None:
            stored = Meeting.objects.filter(pk=self.pk).values(*self.CALENDAR_FIELDS).first()
            if stored is not None and any(stored[f] != getattr(self, f) for f in self.CALENDAR_FIELDS):
                self.sequence += 1
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "sequence"}
        super().save(*args, **kwargs)

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()


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


# Series, approvals, waitlist control and theme alerts (issue 15) live in their own module.
from courses.flow_models import (  # noqa: E402, F401
    ApprovalDecision,
    ApprovalReminder,
    ApproverAbsence,
    EditionSeries,
    ThemeAlert,
    ThemeAlertSent,
    WaitlistMove,
)
