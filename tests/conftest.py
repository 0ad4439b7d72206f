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


@pytest.fixture(autouse=True)
def _api_responses_match_the_schema(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every /api/v1/ response a test client receives must be one the OpenAPI schema documents
    (tests/schema_conformance.py). Django's Client.request is the one door of both test clients."""
    if request.node.get_closest_marker("schema_drift_allowed"):
        return
    from django.test.client import Client

    from tests import schema_conformance

    original = Client.request

    def checked(self: Client, **environ: object):  # type: ignore[no-untyped-def]
        response = original(self, **environ)
        schema_conformance.check(
            str(environ.get("REQUEST_METHOD", "GET")),
            str(environ.get("PATH_INFO", "")),
            response.status_code,
            response.get("Content-Type", ""),
            b"" if getattr(response, "streaming", False) else response.content,
        )
        return response

    monkeypatch.setattr(Client, "request", checked)


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


@pytest.fixture
def coordinator_a(tree: OrgTree):  # type: ignore[no-untyped-def]
    """The buddy coordinator of municipality A1 (schools A and A2). A module that needs another one (of the
    region, of one school, with BRIN codes) defines its own ``coordinator_a``, which takes precedence."""
    from accounts.roles import Role
    from tests.factories import make_membership

    return make_membership(Role.BUDDY_COORDINATOR, tree.municipality_a1)
