"""The public pages: no login, the language in the address, right to left where the language is, the
Dutch text with a notice when a translation is missing or behind, and no HTML from editors."""

import pytest
from django.test import Client

from parents import services
from parents.views import COOKIE
from tests.factories import make_user
from tests.parents.factories import make_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(tree):
    return make_page(
        tree.municipality_a1,
        title="Het schoolsysteem",
        body="Kinderen gaan vanaf **4 jaar** naar school.",
        translations={
            "ar": ("النظام المدرسي", "يذهب الأطفال إلى المدرسة."),
            "uk": ("Шкільна система", "Діти йдуть до школи."),
        },
    )


def test_it_shows_an_arabic_page_right_to_left_without_login(client: Client, page, tree):
    response = client.get(f"/ouders/ar/municipality-a1/{page.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl" data-script="Arab">' in html
    assert "النظام المدرسي" in html
    assert "يذهب الأطفال إلى المدرسة." in html
    assert response["Cache-Control"] == "public, max-age=300"
    assert "Set-Cookie" not in response.headers


def test_it_shows_a_ukrainian_page_left_to_right(client: Client, page):
    html = client.get(f"/ouders/uk/municipality-a1/{page.pk}/").content.decode()
    assert '<html lang="uk" dir="ltr" data-script="Cyrl">' in html
    assert "Шкільна система" in html


def test_it_shows_the_dutch_text_with_a_notice_when_the_translation_is_missing(client: Client, page):
    with_notice = client.get(f"/ouders/ti/municipality-a1/{page.pk}/").content.decode()
    assert '<article lang="nl" dir="ltr" data-script="Latn">' in with_notice
    assert "Het schoolsysteem" in with_notice
    assert 'class="notice"' in with_notice


def test_it_tells_the_reader_when_the_translation_is_behind_the_dutch(client: Client, page):
    services.update_source(
        page, make_user(), title="Het schoolsysteem", body="Nieuw.", topic=page.topic, order=0, published=True
    )
    html = client.get(f"/ouders/ar/municipality-a1/{page.pk}/").content.decode()
    assert "النظام المدرسي" in html  # still the Arabic text,
    assert f'href="/ouders/nl/municipality-a1/{page.pk}/"' in html  # with a way to the current Dutch one
    assert 'class="notice"' in html


def test_it_never_renders_html_or_scripts_typed_by_an_editor(client: Client, tree):
    page = make_page(
        tree.municipality_a1,
        body="<script>alert(1)</script> [klik](javascript:alert(2)) <img src=x onerror=alert(3)> **vet**",
    )
    html = client.get(f"/ouders/nl/municipality-a1/{page.pk}/").content.decode()
    article = html[html.index("<article") : html.index("</article>")]
    assert "<script" not in article
    assert "onerror" not in article
    assert "javascript:" not in article
    assert "<strong>vet</strong>" in article


def test_it_shows_the_regions_shared_pages_in_every_municipality_of_the_region(client: Client, tree):
    shared = make_page(tree.region_a, title="Nieuwkomersklassen")
    own = make_page(tree.municipality_a2, title="Aanmelden in A2")
    a1 = client.get("/ouders/nl/municipality-a1/").content.decode()
    assert "Nieuwkomersklassen" in a1
    assert "Aanmelden in A2" not in a1
    assert client.get(f"/ouders/nl/municipality-a1/{own.pk}/").status_code == 404
    assert client.get(f"/ouders/nl/municipality-b/{shared.pk}/").status_code == 404


def test_it_hides_drafts_from_parents(client: Client, tree):
    draft = make_page(tree.municipality_a1, title="Concept", published=False)
    assert "Concept" not in client.get("/ouders/nl/municipality-a1/").content.decode()
    assert client.get(f"/ouders/nl/municipality-a1/{draft.pk}/").status_code == 404


def test_it_answers_404_for_a_language_that_is_not_offered(client: Client, page):
    assert client.get("/ouders/xx/municipality-a1/").status_code == 404
    assert client.get("/ouders/nl/no-such-place/").status_code == 404


def test_it_remembers_the_chosen_language_without_an_account(client: Client, page):
    response = client.post(
        "/ouders/taal/", {"language": "ar", "next": f"/ouders/uk/municipality-a1/{page.pk}/"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/ouders/ar/municipality-a1/{page.pk}/"
    assert response.cookies[COOKIE].value == "ar"
    again = client.get("/ouders/")
    assert again["Location"] == "/ouders/ar/"


def test_it_takes_the_browsers_language_on_a_first_visit(client: Client):
    response = client.get("/ouders/", headers={"accept-language": "fr;q=0.9, uk-UA, en;q=0.5"})
    assert response["Location"] == "/ouders/uk/"
    assert client.get("/ouders/", headers={"accept-language": "xx"})["Location"] == "/ouders/nl/"


def test_it_never_redirects_the_language_choice_off_the_site(client: Client):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.post("/ouders/taal/", {"language": "ar", "next": target})
        assert response["Location"] == "/ouders/"


def test_it_refuses_an_unknown_language_choice(client: Client):
    assert client.post("/ouders/taal/", {"language": "xx", "next": "/ouders/"}).status_code == 400
