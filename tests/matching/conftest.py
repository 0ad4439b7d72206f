"""Fixtures of the matching tests."""

from collections.abc import Iterator

import pytest
import time_machine

from tests.matching.factories import IMPORT_DAY


@pytest.fixture
def import_day() -> Iterator[None]:
    """The clock on ``IMPORT_DAY`` (ticking), for tests whose files carry birth years."""
    with time_machine.travel(IMPORT_DAY, tick=True):
        yield
