from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """These tests read messages in English; Dutch, the default, is proven in tests/test_translations.py."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
