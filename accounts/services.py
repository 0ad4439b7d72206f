"""Verbs of the accounts app: organisations, invitations, memberships. One transaction per verb."""

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import grants, scoping
from accounts.models import GrantEvent, Invitation, Membership, Organisation, User
from accounts.roles import (
    INVITABLE_ROLES,
    PARENT_KINDS,
    PUPIL_DATA_ROLES,
    ROLE_KINDS,
    SECOND_PERSON_ROLES,
    Capability,
    OrganisationKind,
    Role,
)
from core import outbox
from core.errors import ServiceError


def validate_parent(kind: str, parent: Organisation | None) -> None:
    allowed = PARENT_KINDS.get(kind, frozenset())
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in allowed:
        labels = ", ".join(str(OrganisationKind(k).label) for k in allowed if k) or _("none (top level)")
        raise ServiceError(
            _("A %(kind)s must be placed under: %(allowed)s.")
            % {"kind": OrganisationKind(kind).label.lower(), "allowed": labels},
            code="wrong_parent",
            field="parent",
        )


@transaction.atomic
def create_organisation(
    actor: User,
    *,
    kind: str,
    name: str,
    parent: Organisation | None = None,  # None: a region, created by a superuser (the API may omit it)
    brin: str = "",
    stage: str = "",
    allow_cross_school_matching: bool = False,
) -> Organisation:
    if not actor.is_superuser and (
        parent is None or not scoping.can(actor, Capability.MANAGE_ORGANISATIONS, parent)
    ):
        raise ServiceError(_("You cannot add organisations there."), code="out_of_reach", field="parent")
    validate_parent(kind, parent)
    if kind == OrganisationKind.SCHOOL and not stage:
        raise ServiceError(
            _("A school needs a stage (primary or secondary)."), code="required", field="stage"
        )
    brin = brin.strip().upper()
    if brin and Organisation.objects.filter(brin=brin).exists():
        raise ServiceError(
            _("Another organisation already has this BRIN code."), code="duplicate", field="brin"
        )
    return Organisation.objects.create(
        kind=kind,
        name=name.strip(),
        parent=parent,
        brin=brin if kind == OrganisationKind.SCHOOL else "",
        stage=stage if kind == OrganisationKind.SCHOOL else "",
        allow_cross_school_matching=allow_cross_school_matching,
    )


def invitable_roles(actor: User, organisation: Organisation) -> list[str]:
    """The roles ``actor`` may invite someone into at ``organisation``."""
    if actor.is_superuser:
        allowed: set[str] = set(Role.values)
    else:
        allowed = set()
        for role in scoping.roles_over(actor, organisation):
            allowed |= INVITABLE_ROLES.get(role, frozenset())
    return [r for r in Role.values if r in allowed and organisation.kind in ROLE_KINDS[r]]


def offerable_roles(actor: User) -> list[tuple[str, bool]]:
    """The roles ``actor`` may invite into somewhere in reach, each with whether such a grant waits for a
    second person's approval (the invite form offers only these; ``invite`` checks the exact place)."""
    if actor.is_superuser:
        return [(r, False) for r in Role.values]
    kinds = set(
        scoping.reach(actor, Capability.INVITE_MEMBERS)
        .organisations()
        .values_list("kind", flat=True)
        .distinct()
    )
    inviting = [m.role for m in scoping.memberships(actor) if m.role in INVITABLE_ROLES]
    offered = []
    for role in Role.values:
        granters = [r for r in inviting if role in INVITABLE_ROLES[r]]
        if granters and ROLE_KINDS[role] & kinds:
            pending = role in SECOND_PERSON_ROLES and any(r not in PUPIL_DATA_ROLES for r in granters)
            offered.append((role, pending))
    return offered


@transaction.atomic
def invite(
    actor: User, *, email: str, organisation: Organisation, role: str, language: str = "nl"
) -> Invitation:
    email = email.strip().lower()
    if not scoping.can(actor, Capability.INVITE_MEMBERS, organisation):
        raise ServiceError(
            _("You cannot invite people to this organisation."), code="out_of_reach", field="organisation"
        )
    if role not in Role.values:
        raise ServiceError(_("Unknown role."), code="invalid_choice", field="role")
    if organisation.kind not in ROLE_KINDS[role]:
        raise ServiceError(
            _("The role %(role)s cannot be held at a %(kind)s.")
            % {"role": Role(role).label, "kind": OrganisationKind(organisation.kind).label.lower()},
            code="wrong_kind",
            field="role",
        )
    if role not in invitable_roles(actor, organisation):
        raise ServiceError(_("You cannot invite people into this role."), code="not_allowed", field="role")
    if Membership.objects.filter(user__email__iexact=email, organisation=organisation, role=role).exists():
        raise ServiceError(
            _("This person already has this role at this organisation."), code="duplicate", field="email"
        )
    # Re-inviting replaces an expired open invitation for the same role.
    Invitation.objects.filter(
        email=email,
        organisation=organisation,
        role=role,
        accepted_at__isnull=True,
        expires_at__lte=timezone.now(),
    ).delete()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                email=email, organisation=organisation, role=role, invited_by=actor, language=language
            )
    except IntegrityError:
        raise ServiceError(
            _("An open invitation for this address and role already exists."), code="duplicate", field="email"
        ) from None
    outbox.enqueue("accounts.send_invitation_email", invitation.pk)
    return invitation


def open_invitation(token: str) -> Invitation:
    invitation = Invitation.objects.select_related("organisation").filter(token=token).first()
    if invitation is None or invitation.accepted_at is not None:
        raise ServiceError(
            _("This invitation link is not valid or has already been used."), code="invalid_token"
        )
    if invitation.is_expired:
        raise ServiceError(
            _("This invitation has expired. Ask the person who invited you for a new one."), code="expired"
        )
    return invitation


@transaction.atomic
def accept_invitation(token: str, *, password: str, first_name: str = "", last_name: str = "") -> User:
    """Create (or extend) the invited person's account; the e-mail address counts as verified because the
    link reached it. Locks the invitation so a double submit creates one account."""
    open_invitation(token)
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(token=token)
    if invitation.accepted_at is not None:
        raise ServiceError(
            _("This invitation link is not valid or has already been used."), code="invalid_token"
        )
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        candidate = User(email=invitation.email, first_name=first_name.strip(), last_name=last_name.strip())
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise ServiceError(" ".join(exc.messages), code="weak_password", field="password1") from None
        candidate.language = invitation.language
        candidate.set_password(password)
        candidate.save()
        user = candidate
    EmailAddress.objects.update_or_create(
        user=user, email=invitation.email, defaults={"verified": True, "primary": True}
    )
    grants.grant_from_invitation(invitation, user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


@transaction.atomic
def end_membership(actor: User, membership: Membership) -> None:
    if not scoping.can(actor, Capability.INVITE_MEMBERS, membership.organisation):
        raise ServiceError(_("You cannot change memberships of this organisation."), code="out_of_reach")
    if membership.user_id == actor.pk:
        raise ServiceError(_("You cannot end your own membership."), code="own_membership")
    grants.log(
        GrantEvent.ENDED,
        user=membership.user,
        organisation=membership.organisation,
        role=membership.role,
        actor=actor,
    )
    membership.delete()
