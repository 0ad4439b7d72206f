"""Query counts of the main lists and dashboards do not grow with the data."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.roles import Role
from tests.caseloads.factories import make_case, make_request, make_supporter, make_visit
from tests.factories import make_membership
from tests.pupils.factories import make_pupil


def _count(fetch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(tree, supporter, n: int) -> None:
    for _ in range(n):
        pupil = make_pupil(tree.school_a)
        request = make_request(tree.school_a, pupils=[pupil], status="allocated")
        case = make_case(supporter, tree.school_a, pupils=[pupil], request=request)
        make_visit(case)
        make_visit(case, on=timezone.localdate(), done=False)
        make_request(tree.school_a2, pupils=[make_pupil(tree.school_a2)])


def test_it_lists_requests_in_a_fixed_number_of_queries(tree, client):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    supporter = make_supporter(tree.support_a)
    client.force_login(staff_a)
    fetch = lambda: client.get(reverse("caseloads:request_list"))  # noqa: E731
    _grow(tree, supporter, 2)
    small = _count(fetch)
    _grow(tree, supporter, 5)

    # session, user, memberships (reach and navigation share one cached list), count, one page of requests
    # with school and case supporter joined.
    assert _count(fetch) == small == 5


def test_it_lists_cases_and_dashboards_in_a_fixed_number_of_queries(tree, client):
    supporter = make_supporter(tree.support_a)
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    pages = [
        (supporter, reverse("caseloads:case_list")),
        (supporter, reverse("caseloads:my_dashboard")),
        (coordinator_a, reverse("caseloads:region_dashboard")),
        (coordinator_a, reverse("caseloads:request_list")),
    ]
    _grow(tree, supporter, 2)
    small = {}
    for user, url in pages:
        client.force_login(user)
        small[url] = _count(lambda url=url: client.get(url))
    _grow(tree, supporter, 5)

    for user, url in pages:
        client.force_login(user)
        assert _count(lambda url=url: client.get(url)) == small[url], url
    # Each page: session, user, memberships, then
    # cases: count + one page with school/supporter/advisor joined (5);
    # my dashboard: open cases, upcoming visits, next steps, offered transfers, visited cases, worked minutes
    # (one aggregate), profile (10);
    # region: profiles, committed hours (aggregate), worked minutes (aggregate), open requests, quarter report
    # (one grouped query) (8); coordinator's request list: count, the open requests' count (for "allocate all
    # N open"), page (6).
    assert list(small.values()) == [5, 10, 8, 6]


def test_it_serves_the_api_lists_in_a_fixed_number_of_queries(tree):
    supporter = make_supporter(tree.support_a)
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    calls = [
        (supporter, "/api/v1/cases/"),
        (supporter, "/api/v1/visits/"),
        (coordinator_a, "/api/v1/support-requests/"),
        (coordinator_a, "/api/v1/cases/"),
        (coordinator_a, "/api/v1/supporters/"),
    ]

    def run(user, url):
        api = APIClient()
        api.force_authenticate(
            User.objects.get(pk=user.pk)
        )  # fresh: reach caches memberships per user object
        return _count(lambda: api.get(url))

    _grow(tree, supporter, 2)
    small = {(u.pk, url): run(u, url) for u, url in calls}
    _grow(tree, supporter, 5)

    assert {(u.pk, url): run(u, url) for u, url in calls} == small
    # memberships (reach), count, one page of rows with their joins, one prefetch (pupils or steps); the
    # supporters list needs no prefetch; workload-free.
    assert sorted(small.values()) == [3, 4, 4, 4, 4]
