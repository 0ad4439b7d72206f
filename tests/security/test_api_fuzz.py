"""Schemathesis against the whole OpenAPI schema, as a superuser (the widest reach, so the most code runs)
and as a teacher (the narrowest). Zero server errors, responses conforming to the schema.

Bounded: a few examples per operation keep the run within a few minutes on two cores.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.roles import Role
from tests.factories import make_membership, make_org_tree, make_user

EXAMPLES_PER_OPERATION = 12
# What the API promises: never a 5xx, only documented status codes and media types, bodies as documented.
# (Business rules may refuse schema-valid input with a 400, so "positive data acceptance" is not a promise.)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# Built from the code at import time (drf-spectacular inspects views and serializers, not the database).
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
application = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():  # type: ignore[no-untyped-def]
    """Requests go through the real WSGI handler; like Django's test client, keep it from closing the
    connection that holds the test's transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _headers(token: str) -> dict[str, str]:
    """Schemathesis asks for gzip like a browser, but its WSGI path does not unpack what GZipMiddleware
    packs (a real HTTP client does): ask for the plain body."""
    return {"Authorization": f"Token {token}", "Accept-Encoding": "identity"}


def _token(role: str | None) -> str:
    tree = make_org_tree()
    user = (
        make_user(is_superuser=True, is_staff=True) if role is None else make_membership(role, tree.school_a)
    )
    return Token.objects.create(user=user).key


FUZZ = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@schema.parametrize()
@FUZZ
def test_it_never_answers_a_server_error_to_a_superuser(case, db):  # type: ignore[no-untyped-def]
    token = _token(None)

    response = case.call(app=application, headers=_headers(token))

    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_it_never_answers_a_server_error_to_a_teacher(case, db):  # type: ignore[no-untyped-def]
    token = _token(Role.TEACHER)

    response = case.call(app=application, headers=_headers(token))

    case.validate_response(response, checks=CHECKS)
