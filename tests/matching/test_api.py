from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from matching import tasks
from matching.models import Buddy, CheckIn, MatchRun, MatchStatus, RunStatus
from pupils.models import AccessLog, Pupil
from tests.factories import make_membership
from tests.matching.factories import make_buddy, make_match, make_pupil


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def staff_a(tree):
    return make_membership(Role.SCHOOL_STAFF, tree.school_a)


def test_it_lists_only_pupils_in_reach_and_logs_the_listing(tree, staff_a):
    mine = make_pupil(tree.school_a)
    make_pupil(tree.school_a2)

    response = client_for(staff_a).get("/api/v1/pupils/")

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [mine.pk]
    assert list(AccessLog.objects.values_list("pupil_id", "action", "context")) == [
        (mine.pk, "list", "api.pupils")
    ]


def test_it_answers_404_for_a_pupil_of_another_school(tree, staff_a):
    other = make_pupil(tree.school_a2)

    response = client_for(staff_a).get(f"/api/v1/pupils/{other.pk}/")

    assert response.status_code == 404
    assert AccessLog.objects.count() == 0


def test_it_logs_a_pupil_view(tree, staff_a):
    pupil = make_pupil(tree.school_a)

    response = client_for(staff_a).get(f"/api/v1/pupils/{pupil.pk}/")

    assert response.status_code == 200
    assert response.json()["first_name"] == pupil.first_name
    assert list(AccessLog.objects.values_list("user_id", "pupil_id", "action")) == [
        (staff_a.pk, pupil.pk, "view")
    ]


@pytest.mark.parametrize("role", [Role.MUNICIPAL_COORDINATOR, Role.LANGUAGE_SUPPORTER])
def test_it_shows_no_pupil_names_to_roles_without_pupil_access(tree, role):
    org = tree.municipality_a1 if role == Role.MUNICIPAL_COORDINATOR else tree.support_a
    user = make_membership(role, org)
    pupil = make_pupil(tree.school_a)
    make_match(pupil, make_buddy(tree.school_a))

    client = client_for(user)

    assert client.get("/api/v1/pupils/").json()["results"] == []
    assert client.get("/api/v1/matches/").json()["results"] == []
    assert client.get(f"/api/v1/pupils/{pupil.pk}/").status_code == 404


def test_it_creates_a_pupil_and_logs_it(tree, coordinator_a):
    body = {
        "first_name": "Amira",
        "last_initial": "H",
        "birth_year": 2014,
        "school": tree.school_a.pk,
        "grade": 6,
        "transition_date": str(timezone.localdate() + timedelta(days=30)),
        "home_languages": ["ar"],
        "interests": [],
    }

    response = client_for(coordinator_a).post("/api/v1/pupils/", body, format="json")

    assert response.status_code == 201, response.json()
    pupil = Pupil.objects.get()
    assert (pupil.first_name, pupil.stage, pupil.home_languages) == ("Amira", "primary", ["ar"])
    assert AccessLog.objects.get().action == "create"


def test_it_refuses_a_bad_language_code(tree, coordinator_a):
    body = {
        "first_name": "Amira",
        "last_initial": "H",
        "birth_year": 2014,
        "school": tree.school_a.pk,
        "grade": 6,
        "transition_date": str(timezone.localdate()),
        "home_languages": ["xx"],
    }

    response = client_for(coordinator_a).post("/api/v1/pupils/", body, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"home_languages": ["Unknown language code: xx."]}
    assert Pupil.objects.count() == 0


def test_it_refuses_a_pupil_at_a_school_outside_reach(tree, coordinator_a):
    body = {
        "first_name": "Amira",
        "last_initial": "H",
        "birth_year": 2014,
        "school": tree.school_b.pk,
        "grade": 6,
        "transition_date": str(timezone.localdate()),
        "home_languages": ["ar"],
    }

    response = client_for(coordinator_a).post("/api/v1/pupils/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["school"]


def test_it_refuses_writes_by_school_staff(tree, staff_a):
    pupil = make_pupil(tree.school_a)

    response = client_for(staff_a).patch(f"/api/v1/pupils/{pupil.pk}/", {"grade": 3}, format="json")

    assert response.status_code == 403
    pupil.refresh_from_db()
    assert pupil.grade == 5


def test_it_creates_and_filters_buddies(tree, coordinator_a):
    client = client_for(coordinator_a)
    body = {
        "kind": "staff",
        "school": tree.school_a.pk,
        "first_name": "Joost",
        "last_initial": "M",
        "languages": ["nl", "en"],
        "capacity": 3,
    }

    created = client.post("/api/v1/buddies/", body, format="json")
    make_buddy(tree.school_a2)

    assert created.status_code == 201, created.json()
    listed = client.get(f"/api/v1/buddies/?kind=staff&school={tree.school_a.pk}").json()["results"]
    assert [b["first_name"] for b in listed] == ["Joost"]


def test_it_refuses_a_buddy_capacity_outside_1_to_3(tree, coordinator_a):
    body = {
        "kind": "staff",
        "school": tree.school_a.pk,
        "first_name": "Joost",
        "last_initial": "M",
        "languages": ["nl"],
        "capacity": 4,
    }

    response = client_for(coordinator_a).post("/api/v1/buddies/", body, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"capacity": ["Capacity is 1, 2 or 3 pupils."]}
    assert Buddy.objects.count() == 0


def test_it_starts_a_run_with_202_and_refuses_a_second_with_409(tree, coordinator_a):
    client = client_for(coordinator_a)
    body = {"scope": tree.school_a.pk, "buddy_kind": "peer"}

    with mock.patch("core.outbox.transaction.on_commit"):
        first = client.post("/api/v1/match-runs/", body, format="json")
        second = client.post("/api/v1/match-runs/", body, format="json")

    assert first.status_code == 202
    assert first.json()["status"] == "queued"
    assert first.json()["progress"]["percent"] == 0
    assert second.status_code == 409
    assert second.json()["code"] == "run_active"
    assert MatchRun.objects.count() == 1


def test_it_refuses_a_run_for_a_scope_outside_reach(tree, coordinator_a):
    response = client_for(coordinator_a).post(
        "/api/v1/match-runs/", {"scope": tree.school_b.pk, "buddy_kind": "peer"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["scope"]


def test_it_reports_run_status_progress_and_stats(tree, coordinator_a):
    make_pupil(tree.school_a)
    make_buddy(tree.school_a)
    client = client_for(coordinator_a)
    with mock.patch("core.outbox.transaction.on_commit"):
        run_id = client.post("/api/v1/match-runs/", {"scope": tree.school_a.pk, "buddy_kind": "peer"}).json()[
            "id"
        ]
    tasks.run_matching(run_id)

    body = client.get(f"/api/v1/match-runs/{run_id}/").json()

    assert body["status"] == "done"
    assert body["progress"]["percent"] == 100
    assert body["progress"]["pupils_matched"] == 1
    assert body["stats"]["matched"] == 1


def test_it_approves_rejects_ends_and_checks_in_through_the_api(tree, coordinator_a):
    client = client_for(coordinator_a)
    buddy = make_buddy(tree.school_a, capacity=2)
    m1 = make_match(make_pupil(tree.school_a), buddy)
    m2 = make_match(make_pupil(tree.school_a), buddy)

    approved = client.post(f"/api/v1/matches/{m1.pk}/approve/")
    rejected = client.post(f"/api/v1/matches/{m2.pk}/reject/")
    checked = client.post(f"/api/v1/matches/{m1.pk}/check-ins/", {"outcome": "going_well"}, format="json")
    check_ins = client.get(f"/api/v1/matches/{m1.pk}/check-ins/")
    ended = client.post(f"/api/v1/matches/{m1.pk}/end/", {"reason": "pupil_left"}, format="json")
    late = client.post(f"/api/v1/matches/{m1.pk}/check-ins/", {"outcome": "going_well"}, format="json")

    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["explanation"] == "shares Arabic; same grade"
    assert rejected.json()["status"] == "rejected"
    assert checked.status_code == 201
    assert checked.json()["outcome"] == "going_well"
    assert check_ins.json()[0]["done_at"] is not None
    assert ended.json()["status"] == "ended"
    assert ended.json()["end_reason"] == "pupil_left"
    assert late.status_code == 400
    assert late.json()["code"] == "match_ended"
    assert CheckIn.objects.filter(match=m1, done_at__isnull=False).count() == 1


def test_it_refuses_approving_when_the_buddy_is_full(tree, coordinator_a):
    buddy = make_buddy(tree.school_a, capacity=1)
    make_match(make_pupil(tree.school_a), buddy, status=MatchStatus.APPROVED)
    pending = make_match(make_pupil(tree.school_a), buddy)

    response = client_for(coordinator_a).post(f"/api/v1/matches/{pending.pk}/approve/")

    assert response.status_code == 400
    assert response.json()["code"] == "buddy_full"
    pending.refresh_from_db()
    assert pending.status == MatchStatus.PROPOSED


def test_it_bulk_approves_and_reports_refusals(tree, coordinator_a):
    buddy = make_buddy(tree.school_a, capacity=1)
    first = make_match(make_pupil(tree.school_a), buddy)
    second = make_match(make_pupil(tree.school_a), buddy)

    response = client_for(coordinator_a).post(
        "/api/v1/matches/approve/", {"ids": [first.pk, second.pk]}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["approved"] == [first.pk]
    assert list(response.json()["refused"]) == [str(second.pk)]


def test_it_filters_matches_by_run_status_and_school(tree, coordinator_a):
    a = make_match(make_pupil(tree.school_a), make_buddy(tree.school_a))
    make_match(make_pupil(tree.school_a2), make_buddy(tree.school_a2))

    response = client_for(coordinator_a).get(
        f"/api/v1/matches/?school={tree.school_a.pk}&status=proposed&run={a.run_id}"
    )

    assert [m["id"] for m in response.json()["results"]] == [a.pk]


def test_it_answers_404_for_a_match_of_another_school(tree, staff_a):
    other = make_match(make_pupil(tree.school_a2), make_buddy(tree.school_a2))

    assert client_for(staff_a).get(f"/api/v1/matches/{other.pk}/").status_code == 404
    assert client_for(staff_a).post(f"/api/v1/matches/{other.pk}/approve/").status_code == 403


def test_it_refuses_review_by_school_staff_with_403(tree, staff_a):
    own = make_match(make_pupil(tree.school_a), make_buddy(tree.school_a))

    response = client_for(staff_a).post(f"/api/v1/matches/{own.pk}/approve/")

    assert response.status_code == 403
    own.refresh_from_db()
    assert own.status == MatchStatus.PROPOSED


def test_it_refuses_approval_out_of_reach_with_404(tree, coordinator_a):
    other = make_match(make_pupil(tree.school_b), make_buddy(tree.school_b))

    response = client_for(coordinator_a).post(f"/api/v1/matches/{other.pk}/approve/")

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == MatchStatus.PROPOSED


def test_it_has_runs_done_status_in_the_run_list(tree, coordinator_a):
    run = MatchRun.objects.create(scope=tree.school_a, buddy_kind="peer", status=RunStatus.DONE)

    response = client_for(coordinator_a).get("/api/v1/match-runs/")

    assert [r["id"] for r in response.json()["results"]] == [run.pk]


def test_it_lists_matches_with_pupil_names_and_logs_them(tree, coordinator_a):
    match = make_match(make_pupil(tree.school_a), make_buddy(tree.school_a))

    body = client_for(coordinator_a).get("/api/v1/matches/").json()

    assert body["results"][0]["pupil"] == {"id": match.pupil_id, "name": match.pupil.display_name}
    assert AccessLog.objects.get().context == "api.matches"


@pytest.mark.parametrize("n", [1, 6])
def test_it_lists_matches_in_a_constant_number_of_queries(tree, coordinator_a, n, django_assert_num_queries):
    buddy = make_buddy(tree.school_a, capacity=3)
    for _ in range(n):
        make_match(make_pupil(tree.school_a), buddy)
    client = client_for(coordinator_a)

    # memberships (reach), count for the page, matches with pupil and buddy, access log insert (one row
    # per pupil, one statement): 4, whatever n is. (The interest names are read, once, only when a reason
    # names shared interests; these pairs share a language and a grade.)
    with django_assert_num_queries(4):
        response = client.get("/api/v1/matches/")

    assert len(response.json()["results"]) == n
