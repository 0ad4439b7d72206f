"""API of cases, visits, transfers and supporters: notes and pupils only for the right people, reach (404 on
wrong ids)."""

from datetime import timedelta

from django.utils import timezone

from accounts.roles import OrganisationKind, Role
from caseloads.models import CaseStatus, Transfer, Visit
from pupils.models import AccessLog
from tests.caseloads.factories import api_client as _api
from tests.caseloads.factories import make_case, make_supporter, make_visit
from tests.factories import make_membership, make_org
from tests.pupils.factories import make_pupil


def test_it_shows_a_supporter_only_their_own_cases_and_pupils_with_an_access_log(tree):
    supporter = make_supporter(tree.support_a)
    colleague = make_supporter(tree.support_a)
    pupil = make_pupil(tree.school_a)
    mine = make_case(supporter, tree.school_a, pupils=[pupil])
    theirs = make_case(colleague, tree.school_a, pupils=[make_pupil(tree.school_a)])
    api = _api(supporter)

    listed = api.get("/api/v1/cases/").json()["results"]
    detail = api.get(f"/api/v1/cases/{mine.pk}/").json()

    assert [c["id"] for c in listed] == [mine.pk]
    assert listed[0]["pupils"] is None
    assert detail["pupils"] == [{"id": pupil.pk, "display_name": pupil.display_name}]
    assert detail["goals"] == "Reading at grade level"
    assert api.get(f"/api/v1/cases/{theirs.pk}/").status_code == 404
    assert list(AccessLog.objects.values_list("user_id", "pupil_id", "context")) == [
        (supporter.pk, pupil.pk, "api.cases.retrieve")
    ]


def test_it_never_shows_notes_or_cases_to_buddy_coordinators(tree):
    buddy_region = make_membership(Role.BUDDY_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a)
    visit = make_visit(case, notes="Secret")
    api = _api(buddy_region)

    assert api.get("/api/v1/cases/").json()["results"] == []
    assert api.get("/api/v1/visits/").json()["results"] == []
    assert api.get(f"/api/v1/visits/{visit.pk}/").status_code == 404


def test_it_shows_notes_to_the_regional_coordinator_but_not_pupils(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a, pupils=[make_pupil(tree.school_a)])
    make_visit(case, notes="Secret")
    api = _api(coordinator_a)

    assert [v["notes"] for v in api.get(f"/api/v1/visits/?case={case.pk}").json()["results"]] == ["Secret"]
    detail = api.get(f"/api/v1/cases/{case.pk}/").json()
    assert (detail["pupils"], detail["pupil_count"], detail["goals"]) == (None, 1, "Reading at grade level")
    assert AccessLog.objects.count() == 0


def test_it_hides_notes_from_a_colleague_the_case_is_offered_to(tree):
    owner = make_supporter(tree.support_a)
    colleague = make_supporter(tree.support_a)
    case = make_case(owner, tree.school_a)
    make_visit(case, notes="Secret")
    Transfer.objects.create(case=case, from_supporter=owner, to_supporter=colleague)

    visits = _api(colleague).get(f"/api/v1/visits/?case={case.pk}").json()["results"]
    detail = _api(colleague).get(f"/api/v1/cases/{case.pk}/").json()

    assert [v["notes"] for v in visits] == [None]
    assert (detail["goals"], detail["pupils"]) == (None, None)


def test_it_logs_visits_and_refuses_a_future_one_marked_done(tree):
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a)
    api = _api(supporter)
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = {
        "case": case.pk,
        "date": tomorrow.isoformat(),
        "kind": "observation",
        "duration_minutes": 45,
        "done": True,
        "steps": [{"description": "Cards", "due_date": tomorrow.isoformat()}],
    }

    refused = api.post("/api/v1/visits/", data, format="json")
    assert refused.status_code == 400
    assert (refused.json()["code"], list(refused.json()["fields"])) == ("visit_in_future", ["done"])
    assert Visit.objects.count() == 0

    data["done"] = False
    planned = api.post("/api/v1/visits/", data, format="json")
    assert planned.status_code == 201
    assert planned.json()["steps"][0]["description"] == "Cards"
    assert api.post(f"/api/v1/visits/{planned.json()['id']}/done/").status_code == 400


def test_it_refuses_to_log_a_visit_on_someone_elses_case(tree):
    owner = make_supporter(tree.support_a)
    colleague = make_supporter(tree.support_a)
    case = make_case(owner, tree.school_a)

    response = _api(colleague).post(
        "/api/v1/visits/",
        {
            "case": case.pk,
            "date": timezone.localdate().isoformat(),
            "kind": "observation",
            "duration_minutes": 30,
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["case"]
    assert Visit.objects.count() == 0


def test_it_refuses_edits_of_a_closed_case(tree):
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a, status=CaseStatus.CLOSED)

    response = _api(supporter).patch(f"/api/v1/cases/{case.pk}/", {"goals": "New"})

    assert response.status_code == 400
    assert response.json()["code"] == "case_closed"
    case.refresh_from_db()
    assert case.goals == "Reading at grade level"


def test_it_closes_transfers_and_shares_through_the_api(tree):
    owner = make_supporter(tree.support_a)
    colleague = make_supporter(tree.support_a)
    case = make_case(owner, tree.school_a)
    other = make_case(owner, tree.school_a2)

    shared = _api(owner).post(f"/api/v1/cases/{case.pk}/share/", {"advisor": colleague.pk}, format="json")
    assert shared.json()["advisor"] == colleague.pk
    offered = _api(owner).post(f"/api/v1/cases/{other.pk}/transfer/", {"supporter": colleague.pk}).json()
    answered = _api(colleague).post(f"/api/v1/transfers/{offered['id']}/answer/", {"accept": True})
    assert answered.json()["status"] == "accepted"
    closed = _api(owner).post(f"/api/v1/cases/{case.pk}/status/", {"status": "closed", "summary": "Done"})
    assert closed.json()["status"] == "closed"
    assert _api(owner).post(f"/api/v1/cases/{case.pk}/status/", {"status": "active"}).status_code == 400
    other.refresh_from_db()
    assert other.supporter == colleague


def test_it_reports_a_supporters_workload_within_reach_only(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    coordinator_b = make_membership(Role.REGIONAL_COORDINATOR, tree.region_b)
    supporter = make_supporter(tree.support_a, hours=8)
    colleague = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a, planned_hours=6)
    today = timezone.localdate()
    make_visit(case, on=today, duration=60, preparation=20, travel=40)

    body = _api(coordinator_a).get(f"/api/v1/supporters/{supporter.pk}/workload/").json()

    assert body == {
        "supporter": supporter.pk,
        "month": today.replace(day=1).isoformat(),
        "contract_hours": "34.7",
        "committed_hours": 6,
        "free_hours": "28.7",
        "visit_minutes": 60,
        "preparation_minutes": 20,
        "travel_minutes": 40,
        "worked_hours": "2.0",
    }
    assert _api(coordinator_b).get(f"/api/v1/supporters/{supporter.pk}/workload/").status_code == 404
    assert _api(colleague).get(f"/api/v1/supporters/{supporter.pk}/workload/").status_code == 404
    assert _api(supporter).get(f"/api/v1/supporters/{supporter.pk}/workload/").status_code == 200
    assert (
        _api(coordinator_a).get(f"/api/v1/supporters/{supporter.pk}/workload/?month=bad").status_code == 400
    )


def test_it_keeps_supporters_of_another_region_out_of_reach(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    support_b = make_org(OrganisationKind.SUPPORT_SERVICE, "Support B", tree.region_b)
    make_supporter(support_b)
    mine = make_supporter(tree.support_a)

    assert [s["id"] for s in _api(coordinator_a).get("/api/v1/supporters/").json()["results"]] == [mine.pk]


def test_it_replaces_a_supporter_profile_by_the_coordinator_or_the_supporter_only(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    supporter = make_supporter(tree.support_a, hours=10)
    colleague = make_supporter(tree.support_a)
    body = {
        "expertise": ["placement"],
        "languages": ["AR"],
        "home_municipality": tree.municipality_a2.pk,
        "contract_hours_per_week": "22.5",
        "active": True,
    }

    assert _api(colleague).put(f"/api/v1/supporters/{supporter.pk}/", body, format="json").status_code == 404
    response = _api(coordinator_a).put(f"/api/v1/supporters/{supporter.pk}/", body, format="json")

    assert response.status_code == 200
    assert {k: response.json()[k] for k in ("expertise", "languages", "contract_hours_per_week")} == {
        "expertise": ["placement"],
        "languages": ["ar"],
        "contract_hours_per_week": "22.5",
    }
    bad = _api(supporter).put(
        f"/api/v1/supporters/{supporter.pk}/", {**body, "languages": ["xx"]}, format="json"
    )
    assert (bad.status_code, list(bad.json()["fields"])) == (400, ["languages"])


def test_it_answers_404_for_ids_beyond_the_database_range(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    huge = "4011877006549074689563430824"

    for url in (f"/api/v1/supporters/{huge}/", f"/api/v1/cases/{huge}/", f"/api/v1/support-requests/{huge}/"):
        assert _api(coordinator_a).get(url).status_code == 404, url
    assert _api(coordinator_a).put(f"/api/v1/supporters/{huge}/", {}, format="json").status_code == 404
