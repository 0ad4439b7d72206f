"""The coordinator is offered "allocate all" only when requests are open; otherwise the page says so."""

import pytest

from accounts.roles import Role
from caseloads.models import RequestStatus
from tests.caseloads.factories import make_request
from tests.factories import make_membership

PAGES = ["/caseloads/requests/", "/caseloads/region/", "/dashboard/"]


@pytest.fixture
def coordinator_a(tree):
    return make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)


@pytest.mark.parametrize("path", PAGES)
def test_it_says_nothing_is_open_instead_of_offering_to_allocate(client, tree, coordinator_a, path):
    make_request(tree.school_a, status=RequestStatus.ALLOCATED)
    client.force_login(coordinator_a)

    page = client.get(path).content.decode()

    assert 'href="/caseloads/requests/allocate-open/"' not in page
    assert "No open requests to allocate." in page


@pytest.mark.parametrize("path", PAGES)
def test_it_offers_to_allocate_the_open_requests_with_their_number(client, tree, coordinator_a, path):
    make_request(tree.school_a)
    make_request(tree.school_a2, status=RequestStatus.TRIAGE)
    client.force_login(coordinator_a)

    page = client.get(path).content.decode()

    assert 'href="/caseloads/requests/allocate-open/"' in page
    assert "Allocate all 2 open requests" in page
