"""The suite checks every API response against the schema (tests/conftest.py); these show it catches drift."""

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from api.matching.serializers import MatchSerializer
from tests.factories import make_membership
from tests.matching.factories import make_buddy, make_match, make_pupil
from tests.schema_conformance import SchemaDrift, check


def test_it_catches_a_response_field_that_drifts_from_the_schema(tree, monkeypatch):
    coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.school_a)
    match = make_match(make_pupil(tree.school_a), make_buddy(tree.school_a))
    original = MatchSerializer.to_representation
    monkeypatch.setattr(
        MatchSerializer, "to_representation", lambda self, obj: {**original(self, obj), "end_reason": ""}
    )
    client = APIClient()
    client.force_authenticate(coordinator)

    with pytest.raises(SchemaDrift, match=r"GET /api/v1/matches/\{id\}/ 200: end_reason: '' is not valid"):
        client.get(f"/api/v1/matches/{match.pk}/")


def test_it_answers_null_for_an_unset_end_reason_and_fit(tree):
    coordinator = make_membership(Role.BUDDY_COORDINATOR, tree.school_a)
    match = make_match(make_pupil(tree.school_a), make_buddy(tree.school_a))
    client = APIClient()
    client.force_authenticate(coordinator)

    body = client.get(f"/api/v1/matches/{match.pk}/").json()

    assert (body["end_reason"], body["fit"]) == (None, None)


def test_it_catches_a_status_code_the_operation_does_not_document():
    with pytest.raises(SchemaDrift, match=r"GET /api/v1/me/ answered 409, which it does not document"):
        check("GET", "/api/v1/me/", 409, "application/json", b'{"detail": "x", "code": "y"}')


def test_it_catches_an_error_body_outside_the_one_error_shape():
    with pytest.raises(SchemaDrift, match="'detail' is a required property"):
        check("GET", "/api/v1/me/", 403, "application/json", b'{"error": "no"}')


def test_it_leaves_routes_outside_the_schema_alone():
    check("GET", "/api/v1/", 200, "application/json", b"[]")
    check("PUT", "/api/v1/me/", 405, "application/json", b"{}")
