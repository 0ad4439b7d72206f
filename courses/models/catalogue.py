"""The catalogue: modules with their themes and formats, dated editions (with the edition status table)
and their meetings."""

from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from courses.models.codes import checkin_code


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
