"""The public parents' pages send the same security headers as the staff pages, and a shared cache may keep
them: public for five minutes, no cookie, varying on the encoding only, in the page's own language. The
consent and offer links are never cached."""

import re

import pytest
from django.test import Client

from parents import consent
from parents.models import ConsentPurpose
from tests.factories import make_user
from tests.parents.factories import make_page

pytestmark = pytest.mark.django_db

SECURITY = [
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Cross-Origin-Resource-Policy",
    "Permissions-Policy",
]


def _security(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    found = {name: response.get(name, "") for name in SECURITY}
    found["Content-Security-Policy"] = re.sub(r" 'nonce-[^']+'", "", found["Content-Security-Policy"])
    return found


@pytest.fixture
def public_urls(tree) -> list[str]:
    page = make_page(tree.municipality_a1, translations={"ar": ("عنوان", "نص")})
    return [
        "/ouders/ar/",
        "/ouders/ar/municipality-a1/",
        f"/ouders/ar/municipality-a1/{page.pk}/",
        "/ouders/uk/municipality-a1/schoolpad/",
        "/ouders/uk/municipality-a1/schoolpad/?birth=2019-03",
    ]


def test_it_sends_the_staff_pages_security_headers_on_every_public_page(public_urls):
    staff = _security(Client().get("/accounts/login/"))
    assert all(staff.values())  # the reference really has them all
    assert "frame-ancestors 'none'" in staff["Content-Security-Policy"]
    for url in public_urls:
        response = Client().get(url)
        assert response.status_code == 200, url
        assert _security(response) == staff, url


def test_it_lets_a_shared_cache_keep_the_public_pages(public_urls):
    client = Client()
    client.cookies["overstap_parent_language"] = "ar"  # a returning parent's cookie changes nothing
    client.cookies["csrftoken"] = "x" * 32
    for url in public_urls:
        response = client.get(url, headers={"accept-language": "tr"})
        assert response["Cache-Control"] == "public, max-age=300", url
        assert response["Vary"] == "Accept-Encoding", url
        assert "Set-Cookie" not in response.headers, url
        assert response["Content-Language"] == url.split("/")[2], url


def test_it_never_caches_a_link_or_the_editors_pages(tree):
    asked = consent.request_consent(
        consent.Subject("tests.buddy", 3, tree.school_a, "Bram"),
        make_user(),
        purpose=ConsentPurpose.CHILD_AS_BUDDY,
        language="ar",
    )
    for url in (f"/ouders/toestemming/{consent.token_for(asked)}/", "/ouders/toestemming/nonsense/"):
        response = Client().get(url)
        assert "no-store" in response["Cache-Control"], url
        assert "public" not in response["Cache-Control"], url
        assert "Cookie" in response["Vary"], url  # not marked public: the middleware leaves it alone
    editor = Client()
    editor.force_login(make_user())
    assert "public" not in editor.get("/ouders/beheer/").get("Cache-Control", "")
