"""Public information for parents, per municipality, with its translations beside the Dutch source.

django-parler keeps one row per language in a translations table, so the configured languages can grow
without a migration. The Dutch text is the source: every change to it raises ``source_revision``, and each
translation records the revision it was made from, so an editor sees at once which languages are behind.
"""

from typing import TYPE_CHECKING, ClassVar

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

    if TYPE_CHECKING:
        # parler ships no types, so the Django plugin cannot see the default manager it installs (a
        # ``TranslatableManager``, which is a ``Manager``) nor type ``Organisation.parent_pages`` from it.
        _default_manager: ClassVar[models.Manager["InfoPage"]]

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


class ConsentPurpose(models.TextChoices):
    CHILD_AS_BUDDY = "child_as_buddy", _("Your child as a buddy for a newcomer pupil")
    BUDDY_FOR_CHILD = "buddy_for_child", _("A pupil as a buddy for your child")
    PLACEMENT_OFFER = "placement_offer", _("A place in a newcomer class for your child")


CONSENT_PURPOSES = (ConsentPurpose.CHILD_AS_BUDDY, ConsentPurpose.BUDDY_FOR_CHILD)


class ConsentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the parent")
    GIVEN = "given", _("Given")
    REFUSED = "refused", _("Refused")
    REVOKED = "revoked", _("Revoked")
    WITHDRAWN = "withdrawn", _("Withdrawn by the school")
    ACCEPTED = "accepted", _("Place accepted")
    CALL_REQUESTED = "call", _("Asked for a call")


class ConsentChannel(models.TextChoices):
    LINK = "link", _("By the parent, through the link")
    PAPER = "paper", _("On paper, recorded by staff")


class ConsentRequest(models.Model):
    """A question to a parent about one child, answered through a signed link (or on paper).

    The domain that asks (matching, for a peer buddy) names its subject by app label and id; this app never
    imports it back, and calls the handler that domain registered (``parents.consent.register``) when the
    answer changes. The names shown to the parent are the first names and the school only, copied here when
    the request is made, so the parents' page reads nothing else.
    """

    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    subject = models.CharField(max_length=40)  # e.g. "matching.buddy"
    subject_id = models.PositiveBigIntegerField()
    school = models.ForeignKey(
        Organisation, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    child_first_name = models.CharField(max_length=60)
    other_first_name = models.CharField(max_length=60, blank=True)  # the buddy or newcomer, when known
    place_name = models.CharField(max_length=120, blank=True)  # an offer: the newcomer-class location
    start_date = models.DateField(null=True, blank=True)  # an offer: the first school day there
    parent_email = models.EmailField(_("parent's e-mail address"), blank=True)
    language = models.CharField(_("language of the letter"), max_length=10, default="nl")
    status = models.CharField(max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.PENDING)
    nonce = models.CharField(
        max_length=32, editable=False
    )  # part of the signed link; a new one voids the old link
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=ConsentChannel.choices, blank=True)
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    contact_erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("consent request")
        verbose_name_plural = _("consent requests")
        constraints = [
            # One open question per child and purpose: a second request replaces the first (withdrawn).
            models.UniqueConstraint(
                fields=["subject", "subject_id", "purpose"],
                condition=models.Q(status="pending"),
                name="parents_one_pending_consent_per_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} #{self.pk}"


class ConsentEvent(models.Model):
    """Append-only history of a consent: asked, given, refused, revoked, recorded on paper, withdrawn."""

    request = models.ForeignKey(ConsentRequest, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=10, choices=ConsentStatus.choices)
    channel = models.CharField(max_length=10, choices=ConsentChannel.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} #{self.request_id}"


class LetterKind(models.TextChoices):
    BUDDY_INTRODUCTION = "buddy_introduction", _("Introduction of the buddy")
    CHECKIN_INVITATION = "checkin_invitation", _("Invitation to a check-in")


class Letter(models.Model):
    """A letter to a parent that asks nothing back: the buddy's introduction, an invitation to a check-in.

    It holds only what its template prints (first names, the school, one date) and the address it goes
    to; the asking domain names its subject by label and id, as for consent. After the retention period
    the names and the address are erased (``parents.retention``), the kind and the dates stay.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=LetterKind.choices)
    subject = models.CharField(max_length=40)  # e.g. "matching.match"
    subject_id = models.PositiveBigIntegerField()
    school = models.ForeignKey(
        Organisation, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    child_first_name = models.CharField(max_length=60)
    other_first_name = models.CharField(max_length=60, blank=True)  # the buddy, in an introduction
    on_date = models.DateField(_("date"))  # the first meeting, or the day of the check-in
    parent_email = models.EmailField(_("parent's e-mail address"), blank=True)
    language = models.CharField(_("language of the letter"), max_length=10, default="nl")
    sent_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    contact_erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("letter to parents")
        verbose_name_plural = _("letters to parents")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["subject", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
