"""Granting roles: the second person and the grant log.

A grant of a role in ``SECOND_PERSON_ROLES`` made by someone who does not see pupil data at that
organisation (a municipal or regional coordinator sees aggregates only) does not take effect when the
invitation is accepted: it waits in a :class:`GrantRequest` until a second person approves it. That person
holds ``APPROVE_GRANTS`` over the organisation: the school's admin for a grant at a school, the region's
privacy officer for a grant anywhere in the region (also at a school, for a school's first admin). The
approver is never the inviter nor the invitee (checked here and by a database constraint).

Every grant, approval, refusal and end of a membership is written to the append-only :class:`GrantLogEntry`.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.http import Viewer
from accounts.models import (
    GrantEvent,
    GrantLogEntry,
    GrantRequest,
    GrantStatus,
    Invitation,
    Membership,
    Organisation,
    User,
)
from accounts.roles import PUPIL_DATA_ROLES, SECOND_PERSON_ROLES, Capability
from core import outbox
from core.errors import ServiceError


def sees_pupil_data(user: User | None, organisation: Organisation) -> bool:
    if user is None:
        return False
    if user.is_superuser:
        return True
    return bool(scoping.roles_over(user, organisation) & PUPIL_DATA_ROLES)


def needs_second_person(actor: User | None, organisation: Organisation, role: str) -> bool:
    """True when a grant of ``role`` at ``organisation`` by ``actor`` waits for an approval."""
    return role in SECOND_PERSON_ROLES and not sees_pupil_data(actor, organisation)


def log(
    event: str, *, user: User, organisation: Organisation, role: str, actor: User | None, reason: str = ""
) -> GrantLogEntry:
    return GrantLogEntry.objects.create(
        event=event,
        role=role,
        organisation=organisation,
        organisation_name=organisation.name,
        user=user,
        user_email=user.email,
        actor=actor,
        actor_email=actor.email if actor is not None else "",
        reason=reason,
    )


def grant_from_invitation(invitation: Invitation, user: User) -> GrantRequest | None:
    """Inside ``accept_invitation``'s transaction: the membership now, or a grant awaiting approval."""
    org, role, inviter = invitation.organisation, invitation.role, invitation.invited_by
    if not needs_second_person(inviter, org, role):
        Membership.objects.get_or_create(user=user, organisation=org, role=role)
        log(GrantEvent.GRANTED, user=user, organisation=org, role=role, actor=inviter)
        scoping.forget(user)
        return None
    grant, _created = GrantRequest.objects.get_or_create(
        user=user,
        organisation=org,
        role=role,
        status=GrantStatus.PENDING,
        defaults={"invitation": invitation, "requested_by": inviter},
    )
    log(GrantEvent.PENDING, user=user, organisation=org, role=role, actor=inviter)
    return grant


def approvable(user: Viewer) -> QuerySet[GrantRequest]:
    """Pending grants ``user`` may decide: within their APPROVE_GRANTS reach, neither their own invitation
    nor their own grant."""
    if not isinstance(user, User):  # nobody signed in: an empty reach (the dashboard panel asks anyone)
        return GrantRequest.objects.none()
    pending = GrantRequest.objects.filter(status=GrantStatus.PENDING).select_related(
        "user", "organisation", "requested_by"
    )
    return (
        scoping.scope(pending, user, Capability.APPROVE_GRANTS)
        .exclude(user=user)
        .exclude(requested_by=user)
        .order_by("created_at", "pk")
    )


def _decide(actor: User, grant: GrantRequest, status: str, reason: str) -> GrantRequest:
    locked = GrantRequest.objects.select_for_update().filter(pk=grant.pk).first()
    if locked is None or not approvable(actor).filter(pk=grant.pk).exists():
        raise ServiceError(_("You cannot decide on this grant."), code="out_of_reach")
    if locked.status != GrantStatus.PENDING:
        raise ServiceError(_("This grant has already been decided."), code="decided")
    locked.status, locked.decided_by, locked.decided_at = status, actor, timezone.now()
    locked.reason = reason.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    outbox.enqueue("accounts.send_grant_decision_email", locked.pk)
    return locked


@transaction.atomic
def approve(actor: User, grant: GrantRequest, *, reason: str = "") -> GrantRequest:
    decided = _decide(actor, grant, GrantStatus.APPROVED, reason)
    org, role = decided.organisation, decided.role
    Membership.objects.get_or_create(user=decided.user, organisation=org, role=role)
    log(
        GrantEvent.APPROVED,
        user=decided.user,
        organisation=org,
        role=role,
        actor=actor,
        reason=decided.reason,
    )
    return decided


@transaction.atomic
def refuse(actor: User, grant: GrantRequest, *, reason: str) -> GrantRequest:
    if not reason.strip():
        raise ServiceError(_("Say why you refuse this grant."), code="required", field="reason")
    decided = _decide(actor, grant, GrantStatus.REFUSED, reason)
    log(
        GrantEvent.REFUSED,
        user=decided.user,
        organisation=decided.organisation,
        role=decided.role,
        actor=actor,
        reason=decided.reason,
    )
    return decided


def grant_log(user: Viewer) -> QuerySet[GrantLogEntry]:
    """The entries of organisations within the privacy officer's reach."""
    return scoping.scope(GrantLogEntry.objects.all(), user, Capability.VIEW_GRANT_LOG)


@transaction.atomic
def grant_directly(actor: User, *, user: User, organisation: Organisation, role: str) -> Membership:
    """A superuser's grant (Django admin): immediate, and logged like every other."""
    if not actor.is_superuser:
        raise ServiceError(_("Only an administrator grants roles directly."), code="not_allowed")
    membership, _created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    log(GrantEvent.GRANTED, user=user, organisation=organisation, role=role, actor=actor)
    return membership
