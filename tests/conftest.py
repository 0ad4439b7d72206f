"""Shared fixtures: small factories built per test (tests/factories.py); service gates live in tests/support.py."""

import pytest

from tests.factories import OrgTree, make_org_tree


@pytest.fixture
def tree(db: None) -> OrgTree:
    return make_org_tree()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counters and other cached state never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
