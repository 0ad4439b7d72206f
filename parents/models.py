"""Public information for parents, per municipality, with its translations beside the Dutch source.

django-parler keeps one row per language in a translations table, so the configured languages can grow
without a migration. The Dutch text is the source: every change to it raises ``source_revision``, and each
translation records the revision it was made from, so an editor sees at once which languages are behind.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from parler.models import TranslatableModel, TranslatedFields

from accounts.models import Organisation


class Topic(models.TextChoices):
    SCHOOL_SYSTEM = "school_system", _("The Dutch school system")
    REGISTRATION = "registration", _("Registering your child at a school")
    NEWCOMER_CLASSES = "newcomer_classes", _("Newcomer classes")
    BUDDY_PROJECT = "buddy_project", _("The buddy project")
    CONTACT = "contact", _("Whom to ask")
    OTHER = "other", _("Other")


class TranslationStatus(models.TextChoices):
    SOURCE = "source", _("Source (Dutch)")
    UP_TO_DATE = "up_to_date", _("Up to date")
    OUTDATED = "outdated", _("Outdated")
    MISSING = "missing", _("Missing")


class InfoPage(TranslatableModel):
    """A page for the parents of one municipality, or of every municipality of a region (shared)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("municipality or region"),
        on_delete=models.CASCADE,
        related_name="parent_pages",
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, default=Topic.OTHER)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    published = models.BooleanField(_("published"), default=False)
    source_revision = models.PositiveIntegerField(default=1, editable=False)
    source_changed_at = models.DateTimeField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    translations = TranslatedFields(
        title=models.CharField(_("title"), max_length=200),
        body=models.TextField(
            _("text"), help_text=_("Markdown: *emphasis*, lists with -, links as [text](url).")
        ),
        based_on_revision=models.PositiveIntegerField(default=0, editable=False),
        translated_at=models.DateTimeField(null=True, editable=False),
    )

    class Meta:
        verbose_name = _("information page for parents")
        verbose_name_plural = _("information pages for parents")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.safe_translation_getter("title", any_language=True) or f"#{self.pk}"

    def status(self, language: str) -> TranslationStatus:
        from parents import languages

        if language == languages.SOURCE:
            return TranslationStatus.SOURCE
        revision = self._revisions().get(language)
        if revision is None:
            return TranslationStatus.MISSING
        return (
            TranslationStatus.UP_TO_DATE if revision >= self.source_revision else TranslationStatus.OUTDATED
        )

    def _revisions(self) -> dict[str, int]:
        cached = getattr(self, "_revision_cache", None)
        if cached is None:
            cached = {t.language_code: t.based_on_revision for t in self.translations.all()}
            self._revision_cache = cached
        return cached
