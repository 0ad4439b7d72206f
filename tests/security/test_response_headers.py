"""Headers as browsers and header scanners see them, on a page, the API and /healthz in production mode
(DEBUG=false, in a fresh process so the production settings apply as deployed)."""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django, json
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings, setup_test_environment
setup_test_environment()
# Static URLs without collectstatic's manifest: the probe is about headers, not hashed file names.
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
c = Client()
https = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_ACCEPT_ENCODING": "gzip"}
answers = {
    "page": c.get("/accounts/login/", **https),
    "page over http": c.get("/accounts/login/"),
    "api": c.get("/api/v1/me/", **https),
    "healthz over http": c.get("/healthz"),
    "favicon": c.get("/favicon.ico", **https),
}
page = answers["page"]
print(json.dumps({
    name: {"status": r.status_code, "headers": dict(r.headers)} for name, r in answers.items()
} | {"page_html": page.content.decode() if page.get("Content-Encoding") != "gzip" else ""}))
"""


@pytest.fixture(scope="module")
def production() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "REDIS_URL"}}
    env.update(
        DEBUG="false",
        SECRET_KEY="s" * 60,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL="sqlite://:memory:",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", ["page", "api", "healthz over http", "favicon"])
def test_it_sends_permissions_policy_and_resource_policy_on_every_response(production, name):
    headers = production[name]["headers"]

    assert headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"


def test_it_answers_healthz_over_plain_http_but_redirects_pages(production):
    assert production["healthz over http"]["status"] in {200, 503}  # 503: no broker in this probe
    assert production["page over http"]["status"] == 301
    assert production["page over http"]["headers"]["Location"] == "https://testserver/accounts/login/"


def test_it_compresses_pages_with_gzip(production):
    page = production["page"]

    assert page["status"] == 200
    assert page["headers"]["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page["headers"]["Vary"]


def test_it_serves_the_favicon_at_the_root(production):
    favicon = production["favicon"]

    assert favicon["status"] == 200
    assert favicon["headers"]["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}


def test_it_links_the_favicon_describes_the_page_and_loads_one_stylesheet(client, db):
    html = client.get("/accounts/login/").content.decode()

    assert html.count('rel="stylesheet"') == 1
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert (
        '<meta name="description" content="Overstap: nascholing, maatjeskoppeling en taalondersteuning'
        in html
    )


def test_it_loads_one_stylesheet_on_the_app_pages_that_had_their_own(client, tree):
    from accounts.roles import Role
    from tests.factories import make_membership

    client.force_login(make_membership(Role.BUDDY_COORDINATOR, tree.school_a))

    html = client.get("/matching/matches/").content.decode()

    assert html.count('rel="stylesheet"') == 1


def test_it_keeps_messages_in_the_session_so_no_cookie_is_deleted_without_secure(client, db, settings):
    from django.urls import reverse

    from tests.factories import make_user

    client.force_login(make_user())

    signed_out = client.post(reverse("account_logout"))
    shown = client.get(signed_out["Location"])

    assert settings.MESSAGE_STORAGE == "django.contrib.messages.storage.session.SessionStorage"
    assert [str(m) for m in shown.context["messages"]] == ["Je bent afgemeld."]
    assert "messages" not in signed_out.cookies
    assert "messages" not in shown.cookies


def test_it_hides_gunicorns_server_banner_with_the_deployment_config():
    import gunicorn.http.wsgi

    original = gunicorn.http.wsgi.SERVER
    try:
        settings_file = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))

        assert gunicorn.http.wsgi.SERVER == "overstap"
        assert settings_file["workers"] == 4
    finally:
        gunicorn.http.wsgi.SERVER = original
