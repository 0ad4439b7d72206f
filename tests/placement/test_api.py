"""The placement API: scoped lists, reports with field errors, runs, approvals and the outflow."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from placement.models import Placement, PlacementStatus, Report
from tests.placement.factories import make_group, make_placement, make_report

pytestmark = pytest.mark.django_db


def _api(user):  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(user)
    return api


def _report_body(reg, **extra):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    body = {
        "school": reg.tree.school_a.pk,
        "first_name": "Amira",
        "last_initial": "B",
        "birth_year": today.year - 8,
        "birth_month": 1,
        "arrival_date": (today - timedelta(days=5)).isoformat(),
        "home_languages": ["ar"],
        "parent_phone": "0612345678",
    }
    body.update(extra)
    return body


def test_it_files_a_report_and_hides_parents_contact_from_the_school(reg):
    response = _api(reg.school_staff).post("/api/v1/placement/reports/", _report_body(reg), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "waiting"
    assert "parent_phone" not in response.json()
    officer_view = _api(reg.officer).get(f"/api/v1/placement/reports/{response.json()['id']}/").json()
    assert officer_view["parent_phone"] == "0612345678"


def test_it_answers_400_with_the_field_for_a_birth_month_in_the_future(reg):
    body = _report_body(reg, birth_year=timezone.localdate().year + 1)
    response = _api(reg.school_staff).post("/api/v1/placement/reports/", body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"birth_year": ["The birth month lies in the future."]}
    assert Report.objects.count() == 0


def test_it_approves_through_the_api_and_refuses_a_full_group_with_409(reg):
    group = make_group(reg.location, capacity=1)
    first, second = (make_placement(make_report(reg.tree.school_a), group) for _ in range(2))
    api = _api(reg.officer)
    assert api.post(f"/api/v1/placement/placements/{first.pk}/approve/").status_code == 200
    refused = api.post(f"/api/v1/placement/placements/{second.pk}/approve/")
    assert (refused.status_code, refused.json()["code"]) == (409, "group_full")
    assert Placement.objects.get(pk=second.pk).status == PlacementStatus.PROPOSED


def test_it_answers_404_for_a_placement_of_another_region(reg):
    placement = make_placement(make_report(reg.tree.school_a), make_group(reg.location))
    assert (
        _api(reg.officer_b).post(f"/api/v1/placement/placements/{placement.pk}/approve/").status_code == 404
    )


def test_it_refuses_a_capacity_below_occupancy_with_a_field_error(reg):
    group = make_group(reg.location, capacity=2)
    make_placement(make_report(reg.tree.school_a), group, PlacementStatus.APPROVED)
    group.occupied = 1
    group.save()
    response = _api(reg.officer).patch(
        f"/api/v1/placement/groups/{group.pk}/", {"capacity": 0}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["capacity"]


def test_it_starts_a_run(reg, django_capture_on_commit_callbacks):
    make_group(reg.location)
    make_report(reg.tree.school_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = _api(reg.officer).post(
            "/api/v1/placement/runs/", {"region": reg.tree.region_a.pk}, format="json"
        )
    assert response.status_code == 201
    run = _api(reg.officer).get(f"/api/v1/placement/runs/{response.json()['id']}/").json()
    assert (run["status"], run["placed_count"]) == ("done", 1)


def test_it_lists_the_schema(reg):
    schema = _api(reg.officer).get("/api/schema/").content.decode()
    assert "/api/v1/placement/placements/{id}/approve/" in schema


def test_it_answers_400_with_the_field_for_an_arrival_before_birth_and_a_sibling_out_of_reach(reg):
    today = timezone.localdate()
    api = _api(reg.school_staff)
    body = _report_body(
        reg, birth_year=today.year - 3, arrival_date=today.replace(year=today.year - 5).isoformat()
    )
    response = api.post("/api/v1/placement/reports/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["arrival_date"]
    elsewhere = make_report(reg.tree.school_b)
    response = api.post(
        "/api/v1/placement/reports/", _report_body(reg, siblings=[elsewhere.pk]), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["siblings"]
    assert Report.objects.filter(school=reg.tree.school_a).count() == 0


def test_it_answers_400_for_an_outflow_before_the_start_and_409_for_a_full_group_by_hand(reg):
    group = make_group(reg.location, capacity=1)
    api = _api(reg.officer)
    report = make_report(reg.tree.school_a)
    placed = make_placement(report, group)
    assert api.post(f"/api/v1/placement/placements/{placed.pk}/approve/").status_code == 200
    today = timezone.localdate()
    started = api.post(
        f"/api/v1/placement/placements/{placed.pk}/start/", {"start_date": today.isoformat()}, format="json"
    )
    assert started.status_code == 200, started.json()
    early = (today - timedelta(days=1)).isoformat()
    response = api.post(
        f"/api/v1/placement/placements/{placed.pk}/outflow/",
        {"outflow_date": early, "advised_grade": 4},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"outflow_date": ["The outflow date lies before the start."]}
    assert Placement.objects.get(pk=placed.pk).outflow_date is None
    waiting = make_report(reg.tree.school_a)
    refused = api.post(f"/api/v1/placement/reports/{waiting.pk}/place/", {"group": group.pk}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "group_full")
    assert not Placement.objects.filter(report=waiting).exists()
