"""Placement tests read messages in English (the msgids), whatever the state of the Dutch catalogue."""

import pytest
from django.utils import translation

from tests.placement.factories import Register, make_register


@pytest.fixture(autouse=True)
def english(settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def reg(tree) -> Register:  # type: ignore[no-untyped-def]
    return make_register(tree)
