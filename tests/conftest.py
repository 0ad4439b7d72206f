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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, tests that drive real services (a worker, a Redis restart) run one after another
    in one process: stopping Redis must not pull the broker from under another process's worker test."""
    for item in items:
        module = getattr(item, "module", None)
        uses_worker = module is not None and (
            hasattr(module, "celery_worker") or hasattr(module, "_stop_redis")
        )
        if uses_worker or item.get_closest_marker("services"):
            item.add_marker(pytest.mark.xdist_group("services"))
