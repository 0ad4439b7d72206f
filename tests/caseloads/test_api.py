"""API: every verb, bad input, reach (404 on wrong ids), notes and pupils only for the right people."""

from accounts.roles import Role
from caseloads.models import Case, RequestStatus, SupportRequest
from tests.caseloads.factories import api_client as _api
from tests.caseloads.factories import make_case, make_request, make_supporter
from tests.factories import make_membership
from tests.pupils.factories import make_pupil


def test_it_files_a_request_and_lists_it_only_for_its_school(tree):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    staff_a2 = make_membership(Role.SCHOOL_STAFF, tree.school_a2)
    pupil = make_pupil(tree.school_a)

    created = _api(staff_a).post(
        "/api/v1/support-requests/",
        {
            "school": tree.school_a.pk,
            "subject": "pupil",
            "topic": "placement",
            "description": "Which group?",
            "urgency": "high",
            "languages": ["ar"],
            "pupils": [pupil.pk],
        },
    )

    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["estimated_hours"], body["pupil_count"], body["languages"]) == (
        "new",
        8,
        1,
        ["ar"],
    )
    assert [r["id"] for r in _api(staff_a).get("/api/v1/support-requests/").json()["results"]] == [body["id"]]
    assert _api(staff_a2).get("/api/v1/support-requests/").json()["results"] == []
    assert _api(staff_a2).get(f"/api/v1/support-requests/{body['id']}/").status_code == 404


def test_it_answers_400_for_a_pupil_of_another_school_and_writes_nothing(tree):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    pupil_b = make_pupil(tree.school_b)

    response = _api(staff_a).post(
        "/api/v1/support-requests/",
        {"school": tree.school_a.pk, "topic": "placement", "description": "x", "pupils": [pupil_b.pk]},
    )

    assert response.status_code == 400
    message = "Only pupils of School A can be named in this request."
    assert response.json() == {
        "detail": message,
        "code": "pupil_of_other_school",
        "fields": {"pupils": [message]},
    }
    assert SupportRequest.objects.count() == 0


def test_it_refuses_a_request_for_a_school_outside_reach(tree):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)

    response = _api(staff_a).post(
        "/api/v1/support-requests/", {"school": tree.school_b.pk, "topic": "placement", "description": "x"}
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["school"]


def test_it_allocates_with_a_warning_then_an_override(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a, hours=0)
    request = make_request(tree.school_a)
    url = f"/api/v1/support-requests/{request.pk}/allocate/"

    refused = _api(coordinator_a).post(url, {"supporter": supporter.pk})
    assert refused.status_code == 400
    assert refused.json()["code"] == "no_free_hours"
    assert list(refused.json()["fields"]) == ["override"]
    assert Case.objects.count() == 0

    done = _api(coordinator_a).post(url, {"supporter": supporter.pk, "override": True})
    assert done.status_code == 201
    assert (done.json()["supporter"], done.json()["status"]) == (supporter.pk, "active")


def test_it_answers_404_when_allocating_a_request_outside_reach(tree):
    coordinator_b = make_membership(Role.REGIONAL_COORDINATOR, tree.region_b)
    supporter = make_supporter(tree.support_a)
    request = make_request(tree.school_a)

    response = _api(coordinator_b).post(
        f"/api/v1/support-requests/{request.pk}/allocate/", {"supporter": supporter.pk}
    )

    assert response.status_code == 404
    assert (
        _api(coordinator_b).post("/api/v1/support-requests/999999/allocate/", {"supporter": 1}).status_code
        == 404
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.NEW


def test_it_refuses_allocation_by_school_staff_and_changes_nothing(tree):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    supporter = make_supporter(tree.support_a)
    request = make_request(tree.school_a)

    response = _api(staff_a).post(
        f"/api/v1/support-requests/{request.pk}/allocate/", {"supporter": supporter.pk}
    )

    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_it_triages_declines_and_ranks_through_the_api(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a)
    request = make_request(tree.school_a)
    api = _api(coordinator_a)

    ranked = api.get(f"/api/v1/support-requests/{request.pk}/supporters/").json()
    assert [r["supporter"] for r in ranked] == [supporter.pk]
    assert api.post(f"/api/v1/support-requests/{request.pk}/triage/").json()["status"] == "triage"
    assert api.post(f"/api/v1/support-requests/{request.pk}/decline/", {"reason": ""}).status_code == 400
    declined = api.post(f"/api/v1/support-requests/{request.pk}/decline/", {"reason": "Full"}).json()
    assert (declined["status"], declined["decline_reason"]) == ("declined", "Full")


def test_it_proposes_then_confirms_the_open_queue(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a, hours=4)  # 17.3 h: two 6-hour requests (slots of 8 h: 2)
    first = make_request(tree.school_a)
    second = make_request(tree.school_a2, urgency="high")
    api = _api(coordinator_a)

    proposal = api.post("/api/v1/support-requests/allocate-open/", {}).json()
    assert [{k: p[k] for k in ("request", "supporter", "hours")} for p in proposal["pairs"]] == [
        {"request": first.pk, "supporter": supporter.pk, "hours": 6},
        {"request": second.pk, "supporter": supporter.pk, "hours": 8},
    ]
    assert proposal["pairs"][0]["reasons"] == ["expertise in this topic", "17.3 h free this month"]
    assert {k: proposal[k] for k in ("cost", "optimal", "missing_at_most", "cost_gap")} == {
        "cost": 5.0,  # 2 + 2 (supporter without a home municipality) + spreading 0 + 1
        "optimal": True,
        "missing_at_most": 0,
        "cost_gap": 0.0,
    }
    assert Case.objects.count() == 0

    confirmed = api.post(
        "/api/v1/support-requests/allocate-open/",
        {"confirm": True, "fingerprint": proposal["fingerprint"], "pairs": proposal["pairs"]},
    )
    assert confirmed.status_code == 201
    assert sorted(Case.objects.values_list("request_id", flat=True)) == [first.pk, second.pk]


def test_it_refuses_a_stale_proposal_and_changes_nothing(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a, hours=10)
    request = make_request(tree.school_a)
    api = _api(coordinator_a)
    proposal = api.post("/api/v1/support-requests/allocate-open/", {}).json()
    make_case(supporter, tree.school_a2, planned_hours=20)  # meanwhile: fewer free hours

    response = api.post(
        "/api/v1/support-requests/allocate-open/",
        {"confirm": True, "fingerprint": proposal["fingerprint"], "pairs": proposal["pairs"]},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "stale_proposal"
    request.refresh_from_db()
    assert request.status == RequestStatus.NEW
    assert Case.objects.count() == 1


def test_it_refuses_the_proposal_to_school_staff(tree):
    staff_a = make_membership(Role.SCHOOL_STAFF, tree.school_a)

    assert _api(staff_a).post("/api/v1/support-requests/allocate-open/", {}).status_code == 403
