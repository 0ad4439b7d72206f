import pytest
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Organisation
from accounts.roles import OrganisationKind, Role
from core.errors import ServiceError
from tests.factories import make_membership


def test_it_keeps_materialised_paths_when_an_organisation_moves(tree):
    tree.school_a.parent = tree.municipality_a2
    tree.school_a.save()

    tree.school_a.refresh_from_db()
    assert tree.school_a.path == f"{tree.municipality_a2.path}{tree.school_a.pk}/"


def test_it_creates_a_school_under_a_municipality_in_reach(tree):
    coordinator = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)

    school = services.create_organisation(
        coordinator,
        kind=OrganisationKind.SCHOOL,
        name="New",
        parent=tree.municipality_a1,
        brin="12ab",
        stage="secondary",
    )

    assert (school.brin, school.path.startswith(tree.region_a.path)) == ("12AB", True)


def test_it_refuses_a_school_directly_under_a_region(tree):
    coordinator = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)

    with pytest.raises(ServiceError) as exc:
        services.create_organisation(
            coordinator, kind=OrganisationKind.SCHOOL, name="X", parent=tree.region_a, stage="primary"
        )

    assert exc.value.field == "parent"
    assert not Organisation.objects.filter(name="X").exists()


def test_it_answers_400_with_a_field_error_for_a_wrong_parent_kind_in_the_api(tree):
    coordinator = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    api = APIClient()
    api.force_authenticate(coordinator)

    response = api.post(
        "/api/v1/organisations/", {"kind": "municipality", "name": "M", "parent": tree.school_a.pk}
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["parent"]
    assert not Organisation.objects.filter(name="M").exists()


def test_it_answers_400_for_a_parent_outside_reach_in_the_api(tree):
    coordinator = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    api = APIClient()
    api.force_authenticate(coordinator)

    response = api.post(
        "/api/v1/organisations/",
        {"kind": "school", "name": "S", "parent": tree.municipality_b.pk, "stage": "primary"},
    )

    assert response.status_code == 400
    assert "parent" in response.json()["fields"]


def test_it_refuses_organisation_creation_by_a_teacher(tree):
    api = APIClient()
    api.force_authenticate(make_membership(Role.TEACHER, tree.school_a))

    response = api.post(
        "/api/v1/organisations/", {"kind": "school", "name": "S", "parent": tree.municipality_a1.pk}
    )

    assert response.status_code == 403
    assert not Organisation.objects.filter(name="S").exists()


def test_it_refuses_a_duplicate_brin(tree):
    coordinator = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)
    services.create_organisation(
        coordinator, kind="school", name="One", parent=tree.municipality_a1, brin="99XX", stage="primary"
    )

    with pytest.raises(ServiceError) as exc:
        services.create_organisation(
            coordinator, kind="school", name="Two", parent=tree.municipality_a1, brin="99xx", stage="primary"
        )

    assert exc.value.field == "brin"


def test_it_creates_a_region_without_a_parent_in_the_api_and_refuses_one_for_others(tree):
    """Regression (schemathesis): a POST without ``parent`` reached the service without the argument
    and answered 500."""
    from tests.factories import make_user

    api = APIClient()
    api.force_authenticate(make_user(is_superuser=True, is_staff=True))
    created = api.post("/api/v1/organisations/", {"kind": "region", "name": "Noord"})
    api.force_authenticate(make_membership(Role.REGIONAL_COORDINATOR, tree.region_a))
    refused = api.post("/api/v1/organisations/", {"kind": "municipality", "name": "Zonder ouder"})

    assert created.status_code == 201, created.content
    assert Organisation.objects.get(name="Noord").parent is None
    assert refused.status_code == 400
    assert list(refused.json()["fields"]) == ["parent"]
