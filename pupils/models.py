"""Newcomer pupils: minors, so we keep the minimum (DESIGN.md, "Pupil data").

First name and initial, birth year, grade, receiving school, languages as ISO 639 codes, interests from a
managed list, gender only where a buddy preference needs it, transition date, consent. Never nationality,
ethnicity or free-text notes. Both buddy matching and caseloads refer to these records.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, SchoolStage


class Interest(models.Model):
    """A tag from the managed list of interests (football, drawing, music, ...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        ordering = ["code"]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "nl").startswith("en") else self.name_nl


class Gender(models.TextChoices):
    GIRL = "f", _("Girl")
    BOY = "m", _("Boy")
    OTHER = "x", _("Other")


class ConsentBy(models.TextChoices):
    PARENT = "parent", _("Parent")
    GUARDIAN = "guardian", _("Guardian")


def grade_level(stage: str, grade: int) -> int:
    """One scale for grade distance: primary group 1-8 -> 1..8, secondary year 1-6 -> 9..14."""
    return grade if stage == SchoolStage.PRIMARY else 8 + grade


class Pupil(models.Model):
    first_name = models.CharField(_("first name"), max_length=50)
    last_initial = models.CharField(_("initial of last name"), max_length=3)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    school = models.ForeignKey(
        Organisation, verbose_name=_("receiving school"), on_delete=models.PROTECT, related_name="pupils"
    )
    stage = models.CharField(_("stage"), max_length=10, choices=SchoolStage.choices)
    grade = models.PositiveSmallIntegerField(
        _("grade"), help_text=_("Group 1-8 (primary) or year 1-6 (secondary).")
    )
    transition_date = models.DateField(_("transition date"))
    home_languages = models.JSONField(_("home languages"), default=list)
    other_languages = models.JSONField(_("other languages"), default=list, blank=True)
    interests = models.ManyToManyField(Interest, verbose_name=_("interests"), blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    buddy_gender_preference = models.CharField(
        _("buddy gender preference"), max_length=1, choices=Gender.choices, blank=True
    )
    consent_by = models.CharField(_("consent given by"), max_length=10, choices=ConsentBy.choices, blank=True)
    consent_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    # Set when a match ended as "not a fit": the pupil goes back to the pool ahead of others.
    priority_since = models.DateTimeField(_("back in the pool with priority since"), null=True, blank=True)

    class Meta:
        verbose_name = _("pupil")
        verbose_name_plural = _("pupils")
        ordering = ["transition_date", "id"]
        indexes = [models.Index(fields=["school", "transition_date"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(grade__gte=1, grade__lte=8), name="pupil_grade_range")
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.anonymised_at:
            return str(_("Anonymised pupil #%(id)s") % {"id": self.pk})
        return f"{self.first_name} {self.last_initial}."

    @property
    def level(self) -> int:
        return grade_level(self.stage, self.grade)

    @property
    def languages(self) -> list[str]:
        return list(dict.fromkeys([*self.home_languages, *self.other_languages]))

    def clean(self) -> None:
        limit = 8 if self.stage == SchoolStage.PRIMARY else 6
        if self.grade and not 1 <= self.grade <= limit:
            raise ValidationError(
                {"grade": _("Grade must be between 1 and %(n)s for this stage.") % {"n": limit}}
            )


class AccessAction(models.TextChoices):
    VIEW = "view", _("viewed")
    LIST = "list", _("listed")
    CREATE = "create", _("created")
    CHANGE = "change", _("changed")
    EXPORT = "export", _("exported")
    ERASE = "erase", _("erased")
    ANONYMISE = "anonymise", _("anonymised")


class AccessSubject(models.TextChoices):
    PUPIL = "pupil", _("pupil record")
    REPORT = "report", _("newcomer register record")


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The access log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The access log is append-only.")


class AccessLog(models.Model):
    """Who looked at or changed which pupil record, when and why. Append-only; holds the pupil's id, never
    the pupil's data, so it survives anonymisation and erasure."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    pupil_id = models.BigIntegerField(_("pupil id"), db_index=True)
    # Which record ``pupil_id`` names: a pupil, or a child's record in the newcomer register (placement).
    subject = models.CharField(
        _("record"), max_length=8, choices=AccessSubject.choices, default=AccessSubject.PUPIL
    )
    action = models.CharField(_("action"), max_length=12, choices=AccessAction.choices)
    context = models.CharField(_("where"), max_length=60, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} pupil {self.pupil_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The access log is append-only.")
