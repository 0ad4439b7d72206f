"""The published schema: what each operation takes, answers and promises, readable by people and by clients."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator

from tests.schema_conformance import _json_schema

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [(m, p, o) for p, item in schema["paths"].items() for m, o in item.items() if m in METHODS]


def test_it_takes_json_bodies_and_multipart_only_for_the_csv_uploads(schema):
    media = {
        f"{m.upper()} {p}": sorted(o["requestBody"]["content"])
        for m, p, o in _operations(schema)
        if "requestBody" in o
    }

    assert {op: types for op, types in media.items() if types != ["application/json"]} == {
        "POST /api/v1/buddies/import/": ["multipart/form-data"],
        "POST /api/v1/pupils/import/": ["multipart/form-data"],
    }


def test_it_refuses_a_form_encoded_body_with_415(tree):
    from rest_framework.test import APIClient

    from accounts.roles import Role
    from tests.factories import make_membership

    client = APIClient()
    client.force_authenticate(make_membership(Role.BUDDY_COORDINATOR, tree.school_a))

    response = client.post(
        "/api/v1/match-runs/", "scope=1&buddy_kind=peer", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_it_gives_every_operation_a_summary_a_description_and_described_responses(schema):
    missing = [
        f"{m.upper()} {p}: {field}"
        for m, p, o in _operations(schema)
        for field in ("summary", "description")
        if not o.get(field)
    ]
    undescribed = [
        f"{m.upper()} {p} {status}"
        for m, p, o in _operations(schema)
        for status, response in o["responses"].items()
        if not response.get("description")
    ]

    assert missing == []
    assert undescribed == []


def test_it_promises_no_conflict_or_media_type_error_on_reads(schema):
    promised = {
        f"GET {p}": sorted(set(o["responses"]) & {"409", "415"})
        for m, p, o in _operations(schema)
        if m == "get" and set(o["responses"]) & {"409", "415"}
    }

    assert promised == {}


def test_it_documents_409_with_its_codes_where_a_conflict_can_happen(schema):
    enrol = schema["paths"]["/api/v1/editions/{id}/enrol/"]["post"]["responses"]
    run = schema["paths"]["/api/v1/match-runs/"]["post"]["responses"]

    assert "`already_enrolled`" in enrol["409"]["description"]
    assert "`run_active`" in run["409"]["description"]
    assert enrol["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "409" not in schema["paths"]["/api/v1/matches/{id}/reject/"]["post"]["responses"]


def test_it_advertises_filters_on_reads_only(schema):
    writes_with_query = [
        f"{m.upper()} {p}"
        for m, p, o in _operations(schema)
        if m != "get" and any(param["in"] == "query" for param in o.get("parameters", []))
    ]

    assert writes_with_query == []


def test_it_documents_the_token_endpoint_as_open_and_everything_else_as_signed_in(schema):
    open_operations = [f"{m.upper()} {p}" for m, p, o in _operations(schema) if o.get("security") == []]
    token = schema["paths"]["/api/v1/auth/token/"]["post"]

    assert open_operations == ["POST /api/v1/auth/token/"]
    assert sorted(token["responses"]) == ["200", "400", "415", "429"]


MAIN_BODIES = [
    ("post", "/api/v1/auth/token/", "request"),
    ("post", "/api/v1/auth/token/", "200"),
    ("get", "/api/v1/editions/{id}/", "200"),
    ("post", "/api/v1/editions/{id}/enrol/", "201"),
    ("post", "/api/v1/enrolments/{id}/cancel/", "200"),
    ("post", "/api/v1/match-runs/", "request"),
    ("post", "/api/v1/match-runs/", "202"),
    ("get", "/api/v1/match-runs/{id}/", "200"),
    ("get", "/api/v1/matches/{id}/", "200"),
    ("post", "/api/v1/support-requests/", "request"),
]


@pytest.mark.parametrize(("method", "path", "body"), MAIN_BODIES)
def test_it_gives_the_main_bodies_examples_that_match_their_schema(schema, method, path, body):
    operation = schema["paths"][path][method]
    media = (operation["requestBody"] if body == "request" else operation["responses"][body])["content"][
        "application/json"
    ]
    validator = Draft202012Validator(
        {"allOf": [_json_schema(media["schema"])], "components": _json_schema(schema["components"])}
    )

    assert media.get("examples"), f"{method.upper()} {path} {body} has no example"
    for example in media["examples"].values():
        assert [e.message for e in validator.iter_errors(example["value"])] == []
