"""Reach as a table: who sees a request, a case, its notes and its pupils, in pages and API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from caseloads.models import RequestStatus
from tests.caseloads.factories import make_case, make_request, make_supporter, make_visit
from tests.factories import make_membership
from tests.pupils.factories import make_pupil

# who: (request page, case page, API request, API case, sees notes, sees pupil names in the API)
TABLE = {
    "staff_a": (200, 404, 200, 404, False, False),
    "staff_b": (404, 404, 404, 404, False, False),
    "teacher_a": (404, 404, 404, 404, False, False),
    "buddy_a": (404, 404, 404, 404, False, False),
    "municipal_a": (404, 404, 404, 404, False, False),
    "owner": (200, 200, 200, 200, True, True),
    "advisor": (200, 200, 200, 200, True, True),
    "colleague": (404, 404, 404, 404, False, False),
    "regional_a": (200, 200, 200, 200, True, False),
    "regional_b": (404, 404, 404, 404, False, False),
}


@pytest.mark.parametrize("who", list(TABLE))
def test_it_scopes_requests_cases_notes_and_pupils_by_reach(tree, client, who):
    owner = make_supporter(tree.support_a)
    advisor = make_supporter(tree.support_a)
    people = {
        "staff_a": make_membership(Role.SCHOOL_STAFF, tree.school_a),
        "staff_b": make_membership(Role.SCHOOL_STAFF, tree.school_b),
        "teacher_a": make_membership(Role.TEACHER, tree.school_a),
        "buddy_a": make_membership(Role.BUDDY_COORDINATOR, tree.region_a),
        "municipal_a": make_membership(Role.MUNICIPAL_COORDINATOR, tree.municipality_a1),
        "owner": owner,
        "advisor": advisor,
        "colleague": make_supporter(tree.support_a),
        "regional_a": make_membership(Role.REGIONAL_COORDINATOR, tree.region_a),
        "regional_b": make_membership(Role.REGIONAL_COORDINATOR, tree.region_b),
    }
    pupil = make_pupil(tree.school_a, first_name="Amira")
    request = make_request(tree.school_a, status=RequestStatus.ALLOCATED, pupils=[pupil])
    case = make_case(owner, tree.school_a, request=request, pupils=[pupil], advisor=advisor)
    make_visit(case, notes="Secret observation")
    user = people[who]
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)

    request_page = client.get(reverse("caseloads:request_detail", args=[request.pk])).status_code
    case_page = client.get(reverse("caseloads:case_detail", args=[case.pk]))
    api_request = api.get(f"/api/v1/support-requests/{request.pk}/").status_code
    api_case = api.get(f"/api/v1/cases/{case.pk}/")
    notes = [v["notes"] for v in api.get("/api/v1/visits/").json()["results"]]

    expected = TABLE[who]
    assert (request_page, case_page.status_code, api_request, api_case.status_code) == expected[:4]
    assert (notes == ["Secret observation"]) is expected[4]
    assert ("Secret observation" in case_page.content.decode()) is expected[4]
    sees_pupils = api_case.status_code == 200 and api_case.json()["pupils"] is not None
    assert sees_pupils is expected[5]
