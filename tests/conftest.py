"""Shared fixtures: small factories built per test (tests/factories.py); service gates live in tests/support.py."""

import pytest

from tests.factories import OrgTree, make_org_tree


@pytest.fixture
def tree(db: None) -> OrgTree:
    return make_org_tree()
