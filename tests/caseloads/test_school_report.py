"""The school that asked for support sees what happened: the case's status and the school-facing part of the
visits (dates, advice, next steps). The supporter's notes appear nowhere for the school, page or API."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from caseloads import services
from caseloads.models import CaseStatus, RequestStatus, VisitKind
from tests.caseloads.factories import make_case, make_request, make_supporter
from tests.factories import make_membership

NOTE = "Leerkracht lijkt overbelast"
ADVICE = "Lees elke dag tien minuten voor in de moedertaal."


@pytest.fixture
def staff_a(tree):
    return make_membership(Role.SCHOOL_STAFF, tree.school_a)


@pytest.fixture
def request_a(tree, staff_a):
    support_request = make_request(tree.school_a, filed_by=staff_a, status=RequestStatus.ALLOCATED)
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a, request=support_request)
    services.log_visit(
        supporter,
        case,
        date=timezone.localdate() - timedelta(days=3),
        kind=VisitKind.OBSERVATION,
        duration_minutes=60,
        notes=NOTE,
        advice=ADVICE,
        done=True,
        steps=[
            {"description": "Woordenschatlijst maken", "due_date": timezone.localdate() + timedelta(days=7)}
        ],
    )
    return support_request


def test_it_shows_the_school_the_case_status_advice_and_next_steps(client, staff_a, request_a):
    client.force_login(staff_a)

    response = client.get(f"/caseloads/requests/{request_a.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["case"].status == CaseStatus.ACTIVE
    assert ADVICE in page
    assert "Woordenschatlijst maken" in page
    assert "What happened with this request" in page
    assert NOTE not in page


def test_it_answers_another_school_404(client, tree, request_a):
    client.force_login(make_membership(Role.SCHOOL_STAFF, tree.school_a2))

    assert client.get(f"/caseloads/requests/{request_a.pk}/").status_code == 404


def test_it_keeps_the_notes_out_of_the_schools_api(tree, staff_a, request_a):
    api = APIClient()
    api.force_authenticate(staff_a)

    bodies = [
        api.get(url).content.decode()
        for url in ("/api/v1/support-requests/", "/api/v1/visits/", "/api/v1/cases/")
    ]
    bodies.append(api.get(f"/api/v1/support-requests/{request_a.pk}/").content.decode())

    assert [NOTE in body for body in bodies] == [False, False, False, False]


def test_it_shows_the_supporter_both_notes_and_advice(client, request_a):
    case = request_a.case
    client.force_login(case.supporter)

    page = client.get(f"/caseloads/cases/{case.pk}/").content.decode()

    assert NOTE in page
    assert ADVICE in page
