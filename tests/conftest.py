"""Shared fixtures: small factories built per test, and gates for tests that need real services."""

import os

import pytest
from django.conf import settings

from tests.factories import make_membership, make_org_tree


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES") == "1"


def require_postgres() -> None:
    """Skip (or fail under REQUIRE_SERVICES=1) when the tests do not run on PostgreSQL."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        if services_required():
            pytest.fail("REQUIRE_SERVICES=1 but DATABASE_URL does not point to PostgreSQL")
        pytest.skip("needs PostgreSQL: set DATABASE_URL")


def require_redis() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        if services_required():
            pytest.fail("REQUIRE_SERVICES=1 but REDIS_URL is not set")
        pytest.skip("needs Redis: set REDIS_URL")
    return url


@pytest.fixture
def tree(db):  # type: ignore[no-untyped-def]
    return make_org_tree()


@pytest.fixture
def member(db):  # type: ignore[no-untyped-def]
    return make_membership
