from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.factories import make_membership, make_user


def test_it_exchanges_email_and_password_for_a_token(db):
    make_user("t@example.test", password="right-password-1")

    response = APIClient().post(
        "/api/v1/auth/token/", {"email": "t@example.test", "password": "right-password-1"}
    )

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get().key}


def test_it_answers_400_with_a_message_for_a_wrong_password(db):
    make_user("t@example.test", password="right-password-1")

    response = APIClient().post("/api/v1/auth/token/", {"email": "t@example.test", "password": "wrong"})

    assert response.status_code == 400
    assert response.json()["fields"]["non_field_errors"] == ["E-mail address or password is wrong."]


def test_it_answers_400_with_field_errors_for_missing_fields(db):
    response = APIClient().post("/api/v1/auth/token/", {"email": "not-an-email"})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"email", "password"}


def test_it_authenticates_with_the_token_and_revokes_it(tree):
    user = make_membership(Role.TEACHER, tree.school_a)
    token = Token.objects.create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert api.get("/api/v1/me/").json()["email"] == user.email
    assert api.delete("/api/v1/auth/token/").status_code == 204
    assert api.get("/api/v1/me/").status_code == 401
    assert not Token.objects.exists()


def test_it_answers_401_without_credentials(db):
    response = APIClient().get("/api/v1/organisations/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
