from unittest import mock

from django.test import override_settings


@override_settings(REDIS_URL="")
def test_it_reports_healthy_database_and_in_process_broker(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "in-process"}


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_it_answers_503_when_the_broker_does_not_answer(client, db):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"] == "down"


def test_it_answers_503_when_the_database_does_not_answer(client, db):
    with mock.patch("core.views._database_ok", return_value=False):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_it_reports_a_real_broker_that_answers(client, db, settings):
    from tests.support import require_redis

    settings.REDIS_URL = require_redis()

    response = client.get("/healthz")

    assert (response.status_code, response.json()["broker"]) == (200, "ok")


def test_it_answers_an_unknown_api_path_with_json_and_a_page_with_html(client, db):
    api = client.get("/api/v1/organisations/not-a-number/x/")
    page = client.get("/no-such-page/")

    assert (api.status_code, api["Content-Type"], api.json()["code"]) == (
        404,
        "application/json",
        "not_found",
    )
    assert (page.status_code, page["Content-Type"]) == (404, "text/html; charset=utf-8")


def test_it_reports_the_embedded_worker_broker(client, db, settings):
    settings.REDIS_URL = ""
    settings.EMBEDDED_WORKER = True

    response = client.get("/healthz")

    assert (response.status_code, response.json()["broker"]) == (200, "embedded")
