"""Security settings proven: CSP, cookies, rate limits, no account enumeration, sessions, CSRF."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from core.csvexport import csv_response, safe_cell
from tests.factories import make_membership, make_user

ROOT = Path(__file__).resolve().parents[2]


def test_it_sets_a_strict_content_security_policy_with_a_nonce(client, db):
    response = client.get(reverse("account_login"))

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp  # plus a per-response nonce when a page needs one
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "<script>" not in response.content.decode()  # no inline scripts at all


def test_it_keeps_the_admin_working_under_the_policy(client, db):
    admin = make_user(is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.get("/admin/accounts/organisation/")

    assert response.status_code == 200
    assert "Content-Security-Policy" in response


def test_it_sends_the_admin_login_through_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_uses_secure_httponly_cookies_and_hsts_in_production():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.update(
        DEBUG="false",
        SECRET_KEY="s" * 60,
        ALLOWED_HOSTS="overstap.example.nl",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps(["
        "s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY,"
        "s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.MFA_REQUIRED_FOR_PUPIL_ROLES]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert json.loads(out.stdout) == [True, True, True, True, 31536000, True, True]


@pytest.fixture
def known_user(db):
    return make_user("known@example.test", password="the-right-password-1")


def _login(client: Client, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_it_rate_limits_failed_logins_even_for_the_right_password_afterwards(client, known_user):
    for _ in range(5):
        assert _login(client, "known@example.test", "wrong").status_code == 200

    response = _login(client, "known@example.test", "the-right-password-1")

    assert response.status_code in {200, 429}
    assert "_auth_user_id" not in client.session


def test_it_does_not_reveal_whether_an_email_has_an_account_on_login(client, known_user):
    unknown = _login(client, "nobody@example.test", "whatever-password")
    wrong = _login(Client(), "known@example.test", "whatever-password")

    assert unknown.context["form"].errors == wrong.context["form"].errors, (
        unknown.context["form"].errors,
        wrong.context["form"].errors,
    )


def test_it_does_not_reveal_whether_an_email_has_an_account_on_password_reset(client, known_user, mailoutbox):
    known = client.post(reverse("account_reset_password"), {"email": "known@example.test"})
    unknown = Client().post(reverse("account_reset_password"), {"email": "nobody@example.test"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_it_ends_the_session_on_logout(client, known_user):
    client.force_login(known_user)

    client.post(reverse("account_logout"))

    assert client.get(reverse("dashboard")).status_code == 302


def test_it_ends_other_sessions_on_password_change(known_user):
    phone, laptop = Client(), Client()
    phone.force_login(known_user)
    laptop.force_login(known_user)

    response = laptop.post(
        reverse("account_change_password"),
        {
            "oldpassword": "the-right-password-1",
            "password1": "a-new-Passphrase-77",
            "password2": "a-new-Passphrase-77",
        },
    )

    assert response.status_code == 302
    assert phone.get(reverse("dashboard")).status_code == 302


def test_it_enforces_csrf_on_unsafe_methods_for_session_users(tree):
    admin = make_membership(Role.SCHOOL_ADMIN, tree.school_a)
    pages = Client(enforce_csrf_checks=True)
    pages.force_login(admin)
    api = APIClient(enforce_csrf_checks=True)
    api.login(email=admin.email, password="pw-for-tests-123")

    page = pages.post(reverse("invitation_list"), {"email": "x@example.test"})
    call = api.post(
        "/api/v1/invitations/",
        {"email": "x@example.test", "organisation": tree.school_a.pk, "role": "teacher"},
        format="json",
    )

    assert page.status_code == 403
    assert call.status_code == 403


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6", "'+31 6"),
        ("-2", "'-2"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Haarlem", "Haarlem"),
        (None, ""),
        (3.5, "3.5"),
    ],
)
def test_it_neutralises_formulas_in_csv_cells(raw, safe):
    assert safe_cell(raw) == safe


def test_it_writes_a_safe_csv_download():
    response = csv_response("x.csv", [["name"], ['=HYPERLINK("http://x")']])

    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert response.content.decode("utf-8-sig").splitlines()[1] == '"\'=HYPERLINK(""http://x"")"'
