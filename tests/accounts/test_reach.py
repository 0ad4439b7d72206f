"""A user of school A never sees school B: pages and API answer 404 or an empty list."""

from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Membership
from accounts.roles import Role
from tests.factories import make_membership


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_it_lists_only_organisations_within_reach(tree):
    coordinator_a = make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)

    names = {
        row["name"]
        for row in _api(coordinator_a).get("/api/v1/organisations/?page_size=100").json()["results"]
    }

    assert "School B" not in names
    assert {"Region A", "School A", "School A3", "Support A"} <= names


def test_it_answers_404_for_an_organisation_outside_reach_in_api_and_pages(tree, client):
    admin_a = make_membership(Role.SCHOOL_ADMIN, tree.school_a)
    client.force_login(admin_a)

    assert _api(admin_a).get(f"/api/v1/organisations/{tree.school_b.pk}/").status_code == 404
    assert client.get(reverse("organisation_detail", args=[tree.school_b.pk])).status_code == 404
    assert client.get(reverse("organisation_detail", args=[tree.school_a.pk])).status_code == 200


def test_it_shows_school_a_members_only_to_school_a(tree):
    admin_a = make_membership(Role.SCHOOL_ADMIN, tree.school_a)
    make_membership(Role.TEACHER, tree.school_b)
    teacher_a = make_membership(Role.TEACHER, tree.school_a)

    emails = {row["email"] for row in _api(admin_a).get("/api/v1/memberships/").json()["results"]}

    assert emails == {admin_a.email, teacher_a.email}


def test_it_shows_a_teacher_only_their_own_memberships(tree):
    teacher_a = make_membership(Role.TEACHER, tree.school_a)
    make_membership(Role.TEACHER, tree.school_a)

    rows = _api(teacher_a).get("/api/v1/memberships/").json()["results"]

    assert [row["email"] for row in rows] == [teacher_a.email]


def test_it_refuses_to_end_a_membership_outside_reach_and_changes_nothing(tree):
    admin_a = make_membership(Role.SCHOOL_ADMIN, tree.school_a)
    teacher_b = make_membership(Role.TEACHER, tree.school_b)
    membership_b = Membership.objects.get(user=teacher_b)

    response = _api(admin_a).delete(f"/api/v1/memberships/{membership_b.pk}/")

    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership_b.pk).exists()


def test_it_lets_a_school_admin_end_a_teachers_membership(tree):
    admin_a = make_membership(Role.SCHOOL_ADMIN, tree.school_a)
    teacher_a = make_membership(Role.TEACHER, tree.school_a)
    membership = Membership.objects.get(user=teacher_a)

    assert _api(admin_a).delete(f"/api/v1/memberships/{membership.pk}/").status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_it_gives_a_support_service_member_the_region_it_serves(tree):
    from accounts import scoping
    from accounts.roles import Capability

    supporter = make_membership(Role.LANGUAGE_SUPPORTER, tree.support_a)

    assert scoping.can(supporter, Capability.WORK_CASES, tree.school_a3)
    assert not scoping.can(supporter, Capability.WORK_CASES, tree.school_b)


def test_it_shows_each_role_its_own_navigation(tree, client):
    client.force_login(make_membership(Role.TEACHER, tree.school_a))
    teacher_page = client.get(reverse("dashboard")).content.decode()
    client.force_login(make_membership(Role.REGIONAL_COORDINATOR, tree.region_a))
    coordinator_page = client.get(reverse("dashboard")).content.decode()

    assert reverse("invitation_list") not in teacher_page
    assert reverse("invitation_list") in coordinator_page
    assert reverse("organisation_list") in coordinator_page
