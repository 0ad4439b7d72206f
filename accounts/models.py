import secrets
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import CAPABILITIES, Capability, OrganisationKind, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person who logs in with an e-mail address. Pupils never have accounts."""

    # django-stubs types AbstractUser with a username and Django's own UserManager; this user has neither by
    # design (the e-mail address is the login), which the stubs cannot express.
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class SchoolStage(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")


class Organisation(models.Model):
    """Region > municipality > school, plus school boards and support services serving a region.

    ``path`` is a materialised path ("/1/4/17/") so a whole subtree is one indexed prefix query.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    brin = models.CharField(_("BRIN code"), max_length=6, blank=True)
    stage = models.CharField(_("stage"), max_length=10, choices=SchoolStage.choices, blank=True)
    allow_cross_school_matching = models.BooleanField(
        _("allow buddies from other schools in the same municipality"), default=False
    )
    # Entered by an administrator (no geocoding service is reachable); placement measures travel with them.
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["brin"], condition=~models.Q(brin=""), name="unique_brin"),
            models.CheckConstraint(
                condition=~models.Q(kind=OrganisationKind.SCHOOL) | ~models.Q(stage=""),
                name="school_has_stage",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="organisation_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent is not None else '/'}{self.pk}/"
        if path != self.path:
            old = self.path
            self.path = path
            Organisation.objects.filter(pk=self.pk).update(path=path)
            if old:
                # A moved organisation takes its subtree with it.
                for child in Organisation.objects.filter(path__startswith=old).exclude(pk=self.pk):
                    Organisation.objects.filter(pk=child.pk).update(path=path + child.path[len(old) :])

    @property
    def is_school(self) -> bool:
        return self.kind == OrganisationKind.SCHOOL

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def ancestor_of_kind(self, kind: str) -> "Organisation | None":
        ids = self.ancestor_ids()
        return Organisation.objects.filter(pk__in=ids, kind=kind).first()


class Membership(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"

    @property
    def capabilities(self) -> frozenset[Capability]:
        return CAPABILITIES.get(self.role, frozenset())


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class Invitation(models.Model):
    """An e-mail address invited into a role at an organisation. Signup happens only through one."""

    email = models.EmailField(_("e-mail address"))
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    invited_by = models.ForeignKey(
        User, verbose_name=_("invited by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="nl")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), default=_invitation_expiry)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "organisation", "role"],
                condition=models.Q(accepted_at__isnull=True),
                name="one_open_invitation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.get_role_display()} · {self.organisation}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and not self.is_expired


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class GrantRequest(models.Model):
    """An accepted invitation into a role that sees pupil data, made by someone who does not see pupil data
    there: no membership until a second person approves (``accounts.grants``)."""

    user = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="grant_requests"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    invitation = models.OneToOneField(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="grant_request"
    )
    requested_by = models.ForeignKey(
        User, verbose_name=_("invited by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.PENDING
    )
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decision_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("grant awaiting approval")
        verbose_name_plural = _("grants awaiting approval")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=models.Q(status=GrantStatus.PENDING),
                name="one_pending_grant",
            ),
            # The second person is a second person: never the inviter, never the invitee.
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("requested_by"))
                & ~models.Q(decided_by=models.F("user")),
                name="grant_decided_by_a_second_person",
            ),
            models.CheckConstraint(
                condition=models.Q(status=GrantStatus.PENDING, decided_at__isnull=True)
                | (~models.Q(status=GrantStatus.PENDING) & models.Q(decided_at__isnull=False)),
                name="grant_decided_when_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


class GrantEvent(models.TextChoices):
    GRANTED = "granted", _("Granted")
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved and granted")
    REFUSED = "refused", _("Refused")
    ENDED = "ended", _("Ended")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("The grant log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The grant log is append-only.")


class GrantLogEntry(models.Model):
    """Every grant and revocation of a role, append-only: rows are created, never changed or deleted.

    Names and addresses are copied in, so the entry still says who and where after an account or an
    organisation is gone (the foreign keys then become empty)."""

    at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    event = models.CharField(_("event"), max_length=10, choices=GrantEvent.choices)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation_name = models.CharField(_("organisation"), max_length=200)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    user_email = models.EmailField(_("person"))
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_email = models.CharField(_("by"), max_length=254)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant log entry")
        verbose_name_plural = _("grant log")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_event_display()} {self.user_email} {self.role}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("The grant log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("The grant log is append-only.")
