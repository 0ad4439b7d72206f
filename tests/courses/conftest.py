import pytest

from accounts.roles import Role
from tests.courses.factories import make_edition, make_module
from tests.factories import OrgTree, make_membership


@pytest.fixture
def organiser_a(tree: OrgTree):  # type: ignore[no-untyped-def]
    return make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)


@pytest.fixture
def module_a(tree: OrgTree):  # type: ignore[no-untyped-def]
    return make_module(tree.region_a)


@pytest.fixture
def edition_a(module_a):  # type: ignore[no-untyped-def]
    return make_edition(module_a)


@pytest.fixture(autouse=True)
def _english(settings):  # type: ignore[no-untyped-def]
    """Assertions compare English msgids; Dutch (the site default) is translated separately."""
    settings.LANGUAGE_CODE = "en"
