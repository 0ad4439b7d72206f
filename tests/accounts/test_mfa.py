import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.roles import Role
from tests.factories import make_membership


@pytest.fixture
def mfa_required(settings):
    settings.MFA_REQUIRED_FOR_PUPIL_ROLES = True


def test_it_sends_a_pupil_data_role_without_a_second_factor_to_totp_setup(client, tree, mfa_required):
    client.force_login(make_membership(Role.SCHOOL_STAFF, tree.school_a))

    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_it_refuses_api_use_by_a_pupil_data_role_without_a_second_factor(client, tree, mfa_required):
    client.force_login(make_membership(Role.BUDDY_COORDINATOR, tree.school_a))

    response = client.get("/api/v1/me/")

    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_it_lets_a_pupil_data_role_with_totp_in(client, tree, mfa_required):
    user = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(user)

    assert client.get(reverse("dashboard")).status_code == 200


def test_it_does_not_require_a_second_factor_from_a_teacher(client, tree, mfa_required):
    client.force_login(make_membership(Role.TEACHER, tree.school_a))

    assert client.get(reverse("dashboard")).status_code == 200


def test_it_leaves_mfa_optional_when_the_setting_is_off(client, tree, settings):
    settings.MFA_REQUIRED_FOR_PUPIL_ROLES = False
    client.force_login(make_membership(Role.SCHOOL_STAFF, tree.school_a))

    assert client.get(reverse("dashboard")).status_code == 200
