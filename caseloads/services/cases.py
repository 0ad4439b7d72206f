"""Cases: the owner edits, pauses or closes one, offers it to a colleague or shares it for advice."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import User
from accounts.roles import Capability
from caseloads import reach
from caseloads.models import (
    CASE_TRANSITIONS,
    Case,
    CaseStatus,
    SupporterProfile,
    Transfer,
    TransferStatus,
)
from core import outbox
from core.errors import Conflict, Forbidden, ServiceError


def lock_case(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("school").get(pk=case.pk)


def editable(user: User, case: Case, *, owner_only: bool = False) -> Case:
    case = lock_case(case)
    allowed = user.pk == case.supporter_id if owner_only else reach.is_case_supporter(user, case)
    if not allowed or not scoping.can(user, Capability.WORK_CASES):
        raise Forbidden(_("Only the supporter of this case can do that."))
    if case.is_closed:
        raise ServiceError(_("This case is closed and can no longer be changed."), code="case_closed")
    return case


@transaction.atomic
def update_case(user: User, case: Case, *, goals: str, planned_hours_per_month: int | None = None) -> Case:
    case = editable(user, case, owner_only=True)
    case.goals = goals.strip()
    if planned_hours_per_month is not None:
        case.planned_hours_per_month = planned_hours_per_month
    case.save(update_fields=["goals", "planned_hours_per_month"])
    return case


@transaction.atomic
def set_case_status(user: User, case: Case, status: str, *, summary: str = "") -> Case:
    case = editable(user, case, owner_only=True)
    if status not in CaseStatus.values:
        raise ServiceError(_("Unknown status."), field="status")
    if status != case.status:  # the same status again changes nothing (a form saved as it was)
        CASE_TRANSITIONS.check(case.status, status, field="status")
    if status == CaseStatus.CLOSED:
        if not summary.strip():
            raise ServiceError(_("Write a closing summary before closing the case."), field="summary")
        case.closing_summary = summary.strip()
        case.closed_at = timezone.now()
        Transfer.objects.filter(case=case, status=TransferStatus.PENDING).update(
            status=TransferStatus.CANCELLED, decided_at=timezone.now()
        )
    if status != case.status:
        CASE_TRANSITIONS.move(case, status, field="status")
    case.save(update_fields=["status", "closing_summary", "closed_at"])
    return case


def _profile_in_same_service(case_owner: User, other: User) -> SupporterProfile:
    mine = SupporterProfile.objects.filter(user=case_owner).first()
    theirs = SupporterProfile.objects.select_related("user").filter(user=other, active=True).first()
    if mine is None or theirs is None or mine.service_id != theirs.service_id:
        raise ServiceError(_("Choose a colleague from your support service."), field="supporter")
    return theirs


@transaction.atomic
def offer_transfer(user: User, case: Case, to: User, message: str = "") -> Transfer:
    case = editable(user, case, owner_only=True)
    if to.pk == case.supporter_id:
        raise ServiceError(_("Choose a colleague other than yourself."), field="supporter")
    _profile_in_same_service(case.supporter, to)
    if Transfer.objects.filter(case=case, status=TransferStatus.PENDING).exists():
        raise Conflict(_("This case is already offered to a colleague."), code="transfer_pending")
    transfer = Transfer.objects.create(
        case=case, from_supporter=user, to_supporter=to, message=message.strip()
    )
    outbox.enqueue("caseloads.notify_transfer", transfer.pk)
    return transfer


@transaction.atomic
def answer_transfer(user: User, transfer: Transfer, *, accept: bool) -> Transfer:
    if transfer.to_supporter_id != user.pk:
        raise Forbidden(_("This transfer is not addressed to you."))
    case = lock_case(transfer.case)
    # Conditional update: of two answers (or an answer and a withdrawal) only one wins.
    now = timezone.now()
    won = Transfer.objects.filter(pk=transfer.pk, status=TransferStatus.PENDING).update(
        status=TransferStatus.ACCEPTED if accept else TransferStatus.DECLINED, decided_at=now
    )
    if not won or case.is_closed:
        raise Conflict(_("This transfer has already been answered or withdrawn."), code="transfer_decided")
    if accept:
        case.supporter_id = user.pk
        if case.advisor_id == user.pk:
            case.advisor = None
        case.save(update_fields=["supporter", "advisor"])
    transfer.refresh_from_db()
    return transfer


@transaction.atomic
def share_case(user: User, case: Case, advisor: User | None) -> Case:
    """Share the case with a second supporter for advice (the owner keeps it); ``None`` stops sharing."""
    case = editable(user, case, owner_only=True)
    if advisor is not None:
        if advisor.pk == case.supporter_id:
            raise ServiceError(_("Choose a colleague other than yourself."), field="advisor")
        try:
            _profile_in_same_service(case.supporter, advisor)
        except ServiceError as exc:
            raise ServiceError(exc.message, field="advisor") from None
    case.advisor = advisor
    case.save(update_fields=["advisor"])
    return case
