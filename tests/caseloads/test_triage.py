import pytest

from accounts.roles import Role
from caseloads import services
from caseloads.models import RequestStatus
from core.errors import Conflict, Forbidden, ServiceError
from core.models import OutboxMessage
from tests.caseloads.factories import make_request
from tests.factories import make_membership


def test_it_takes_a_new_request_into_triage_and_tells_the_school(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    request = make_request(tree.school_a)

    services.start_triage(coordinator_a, request)

    request.refresh_from_db()
    assert request.status == RequestStatus.TRIAGE
    assert list(OutboxMessage.objects.values_list("task", "args")) == [
        ("caseloads.notify_request_status", [request.pk, "triage"])
    ]


def test_it_declines_with_a_reason_only(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    request = make_request(tree.school_a)

    with pytest.raises(ServiceError) as exc:
        services.decline_request(coordinator_a, request, "  ")
    assert exc.value.field == "reason"

    services.decline_request(coordinator_a, request, "Outside our remit")
    request.refresh_from_db()
    assert (request.status, request.decline_reason) == (RequestStatus.DECLINED, "Outside our remit")

    with pytest.raises(Conflict):
        services.decline_request(coordinator_a, request, "again")


def test_it_refuses_triage_by_a_coordinator_of_another_region(tree):
    coordinator_b = make_membership(Role.REGIONAL_COORDINATOR, tree.region_b)
    request = make_request(tree.school_a)

    with pytest.raises(Forbidden):
        services.start_triage(coordinator_b, request)

    request.refresh_from_db()
    assert request.status == RequestStatus.NEW
