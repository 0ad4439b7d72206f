"""Editors: municipal and regional coordinators write pages within their reach, in Dutch and beside it."""

import re

import pytest
from django.test import Client

from accounts.roles import Role
from parents.models import InfoPage, TranslationStatus
from tests.factories import make_membership
from tests.parents.factories import make_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_a1(tree):
    return make_membership(Role.MUNICIPAL_COORDINATOR, tree.municipality_a1)


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rendered_values(html: str) -> dict[str, str]:
    """What a browser would submit from the page's form: inputs, the selected options, textareas."""
    values = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        values[name] = value
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', html, re.S):
        values[name] = (
            body.replace("&#x27;", "'")
            .replace("&quot;", '"')
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
        )
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        if selected:
            values[name] = selected.group(1)
    if re.search(r'<input[^>]*name="published"[^>]*checked', html):
        values["published"] = "on"
    else:
        values.pop("published", None)
    values.pop("csrfmiddlewaretoken", None)
    return values


def test_it_shows_the_status_of_every_language_to_the_editor(coordinator_a1, tree):
    make_page(tree.municipality_a1, title="Aanmelden", translations={"ar": ("التسجيل", "نص")})
    html = _logged_in(coordinator_a1).get("/ouders/beheer/").content.decode()
    assert "Aanmelden" in html
    assert html.count("status-ok") == 1  # Arabic
    assert html.count("status-source") == 1  # Dutch
    assert html.count("status-missing") == 8  # the other eight configured languages


@pytest.mark.parametrize("language", ["nl", "en"])
def test_it_changes_nothing_when_the_rendered_form_is_posted_back(coordinator_a1, tree, language):
    page = make_page(
        tree.municipality_a1,
        body="Regel één met 'quotes' & <tekens>.\n\n- punt\n- nog een",
        translations={"ar": ("ع", "ن")},
    )
    client = _logged_in(coordinator_a1)
    client.cookies["django_language"] = language
    html = client.get(f"/ouders/beheer/{page.pk}/").content.decode()
    values = _rendered_values(html)
    values["body"] = values["body"].replace("\n", "\r\n")  # as a browser submits a textarea
    assert client.post(f"/ouders/beheer/{page.pk}/", values).status_code == 302
    after = InfoPage.objects.get(pk=page.pk)
    after.set_current_language("nl")
    assert (after.source_revision, after.title, after.body, after.order, after.published, after.topic) == (
        page.source_revision, page.title, page.body, page.order, page.published, page.topic,
    )  # fmt: skip
    assert after.status("ar") == TranslationStatus.UP_TO_DATE


def test_it_saves_a_translation_and_marks_it_up_to_date(coordinator_a1, tree):
    page = make_page(tree.municipality_a1)
    client = _logged_in(coordinator_a1)
    form = client.get(f"/ouders/beheer/{page.pk}/uk/").content.decode()
    assert 'lang="uk" dir="ltr"' in form
    response = client.post(f"/ouders/beheer/{page.pk}/uk/", {"title": "Шкільна система", "body": "Текст"})
    assert response.status_code == 302
    page = InfoPage.objects.get(pk=page.pk)
    assert page.status("uk") == TranslationStatus.UP_TO_DATE
    assert page.safe_translation_getter("title", language_code="uk") == "Шкільна система"


def test_it_creates_a_page_for_a_municipality_in_reach_only(coordinator_a1, tree):
    client = _logged_in(coordinator_a1)
    ok = client.post(
        "/ouders/beheer/nieuw/",
        {
            "organisation": tree.municipality_a1.pk,
            "title": "Wie helpt?",
            "body": "Bel ons.",
            "topic": "contact",
            "order": 0,
        },
    )
    assert ok.status_code == 302
    refused = client.post(
        "/ouders/beheer/nieuw/",
        {
            "organisation": tree.municipality_b.pk,
            "title": "Elders",
            "body": "x",
            "topic": "contact",
            "order": 0,
        },
    )
    assert refused.status_code == 200
    assert 'class="error"' in refused.content.decode()
    assert list(InfoPage.objects.translated("nl").values_list("translations__title", flat=True)) == [
        "Wie helpt?"
    ]


def test_it_answers_404_for_pages_outside_reach(coordinator_a1, tree):
    other = make_page(tree.municipality_b)
    client = _logged_in(coordinator_a1)
    assert client.get(f"/ouders/beheer/{other.pk}/").status_code == 404
    assert client.post(f"/ouders/beheer/{other.pk}/ar/", {"title": "x", "body": "y"}).status_code == 404
    assert other.translations.count() == 1


def test_it_keeps_editing_from_roles_without_the_capability(tree):
    staff = make_membership(Role.SCHOOL_STAFF, tree.school_a)
    page = make_page(tree.municipality_a1)
    client = _logged_in(staff)
    assert client.get("/ouders/beheer/").status_code == 404
    assert client.get(f"/ouders/beheer/{page.pk}/").status_code == 404
