import pytest
from django.db import IntegrityError

from caseloads import services
from caseloads.models import Case, CaseStatus, Transfer, TransferStatus
from core.errors import Conflict, Forbidden, ServiceError
from tests.caseloads.factories import make_case, make_supporter


def test_it_closes_a_case_only_with_a_summary(tree):
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a)

    with pytest.raises(ServiceError) as exc:
        services.set_case_status(supporter, case, CaseStatus.CLOSED, summary=" ")
    assert exc.value.field == "summary"

    services.set_case_status(supporter, case, CaseStatus.CLOSED, summary="Goals reached")
    case.refresh_from_db()
    assert (case.status, case.closing_summary) == (CaseStatus.CLOSED, "Goals reached")
    assert case.closed_at is not None


def test_it_refuses_to_edit_a_closed_case_and_changes_nothing(tree):
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a, status=CaseStatus.CLOSED)

    with pytest.raises(ServiceError) as exc:
        services.update_case(supporter, case, goals="New goals")

    assert exc.value.code == "case_closed"
    case.refresh_from_db()
    assert case.goals == "Reading at grade level"
    with pytest.raises(ServiceError):
        services.set_case_status(supporter, case, CaseStatus.ACTIVE)


def test_it_pauses_and_resumes_a_case(tree):
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a)

    services.set_case_status(supporter, case, CaseStatus.PAUSED)
    services.set_case_status(supporter, case, CaseStatus.ACTIVE)

    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE


def test_it_refuses_edits_by_another_supporter(tree):
    owner = make_supporter(tree.support_a)
    colleague = make_supporter(tree.support_a)
    case = make_case(owner, tree.school_a)

    with pytest.raises(Forbidden):
        services.update_case(colleague, case, goals="x")


def test_it_transfers_a_case_when_the_colleague_accepts(tree):
    owner = make_supporter(tree.support_a)
    colleague = make_supporter(tree.support_a)
    case = make_case(owner, tree.school_a, advisor=colleague)

    transfer = services.offer_transfer(owner, case, colleague, "Parental leave")
    services.answer_transfer(colleague, transfer, accept=True)

    case.refresh_from_db()
    transfer.refresh_from_db()
    assert (case.supporter, case.advisor) == (colleague, None)
    assert transfer.status == TransferStatus.ACCEPTED


def test_it_keeps_the_case_when_the_colleague_declines(tree):
    owner = make_supporter(tree.support_a)
    colleague = make_supporter(tree.support_a)
    case = make_case(owner, tree.school_a)
    transfer = services.offer_transfer(owner, case, colleague)

    services.answer_transfer(colleague, transfer, accept=False)

    case.refresh_from_db()
    assert case.supporter == owner
    with pytest.raises(Conflict):
        services.answer_transfer(colleague, transfer, accept=True)


def test_it_refuses_a_second_pending_transfer_and_an_answer_by_someone_else(tree):
    owner = make_supporter(tree.support_a)
    colleague = make_supporter(tree.support_a)
    third = make_supporter(tree.support_a)
    case = make_case(owner, tree.school_a)
    transfer = services.offer_transfer(owner, case, colleague)

    with pytest.raises(Conflict):
        services.offer_transfer(owner, case, third)
    with pytest.raises(Forbidden):
        services.answer_transfer(third, transfer, accept=True)

    assert Transfer.objects.count() == 1


def test_it_backs_one_pending_transfer_per_case_with_a_constraint(tree):
    owner = make_supporter(tree.support_a)
    colleague = make_supporter(tree.support_a)
    case = make_case(owner, tree.school_a)
    Transfer.objects.create(case=case, from_supporter=owner, to_supporter=colleague)

    with pytest.raises(IntegrityError):
        Transfer.objects.create(case=case, from_supporter=owner, to_supporter=colleague)


def test_it_shares_a_case_for_advice_while_the_owner_keeps_it(tree):
    owner = make_supporter(tree.support_a)
    colleague = make_supporter(tree.support_a)
    case = make_case(owner, tree.school_a)

    services.share_case(owner, case, colleague)

    case.refresh_from_db()
    assert (case.supporter, case.advisor) == (owner, colleague)
    with pytest.raises(ServiceError) as exc:
        services.share_case(owner, case, owner)
    assert exc.value.field == "advisor"


def test_it_refuses_to_share_with_someone_outside_the_service(tree):
    from accounts.roles import OrganisationKind
    from tests.factories import make_org

    owner = make_supporter(tree.support_a)
    outsider = make_supporter(make_org(OrganisationKind.SUPPORT_SERVICE, "Support B", tree.region_b))
    case = make_case(owner, tree.school_a)

    with pytest.raises(ServiceError):
        services.share_case(owner, case, outsider)

    assert Case.objects.get().advisor is None
