"""The API's default permissions (signed in, second factor) hold on every endpoint, and no view can drop them."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.generators import SchemaGenerator
from rest_framework import viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.test import APIClient

from accounts.roles import Capability, Role
from api.permissions import capability, enforce_defaults, require
from tests.factories import make_membership

OPEN = {"/api/v1/auth/token/"}  # the way in; /api/schema/ and /api/docs/ are outside /api/v1/


def _operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method, route)
        for route, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_it_refuses_every_endpoint_to_a_pupil_data_token_without_a_second_factor(tree, settings):
    settings.MFA_REQUIRED_FOR_PUPIL_ROLES = True
    school_admin = make_membership(Role.SCHOOL_ADMIN, tree.school_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=school_admin).key}")
    operations = _operations()
    answers = {}

    for method, route in operations:
        if route in OPEN:
            continue
        url = re.sub(r"\{[^}]+\}", "1", route)
        response = getattr(client, method)(url, {}, format="json")
        answers[f"{method.upper()} {route}"] = (response.status_code, response.json().get("code"))

    assert len(answers) == len(operations) - 2  # POST and DELETE of the token endpoint
    assert "GET /api/v1/invitations/" in answers
    assert {op: answer for op, answer in answers.items() if answer != (403, "mfa_required")} == {}


def test_it_lets_the_same_token_in_once_the_setting_is_off(tree, settings):
    settings.MFA_REQUIRED_FOR_PUPIL_ROLES = False
    school_admin = make_membership(Role.SCHOOL_ADMIN, tree.school_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=school_admin).key}")

    assert client.get("/api/v1/invitations/").status_code == 200


class _Replaces(viewsets.ViewSet):
    permission_classes = [IsAuthenticated, capability(Capability.INVITE_MEMBERS)]

    def list(self, request):  # type: ignore[no-untyped-def]
        return Response([])


class _Overrides(viewsets.ViewSet):
    permission_classes = require()

    def get_permissions(self):  # type: ignore[no-untyped-def]
        return []

    def list(self, request):  # type: ignore[no-untyped-def]
        return Response([])


class _Adds(viewsets.ViewSet):
    permission_classes = require(capability(Capability.INVITE_MEMBERS, actions={"list"}))

    def list(self, request):  # type: ignore[no-untyped-def]
        return Response([])


def _routes(viewset: type) -> list:
    router = SimpleRouter()
    router.register("things", viewset, basename="thing")
    return router.urls


def test_it_refuses_to_start_with_a_viewset_that_replaces_the_defaults():
    with pytest.raises(ImproperlyConfigured, match=r"_Replaces at '\^things/\$'.*require\(\)"):
        enforce_defaults(_routes(_Replaces))


def test_it_refuses_to_start_with_a_viewset_that_overrides_get_permissions():
    with pytest.raises(ImproperlyConfigured, match=r"_Overrides .* overrides get_permissions"):
        enforce_defaults(_routes(_Overrides))


def test_it_accepts_a_viewset_that_adds_its_capability_to_the_defaults():
    enforce_defaults(_routes(_Adds))  # no error
