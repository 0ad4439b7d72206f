"""Serializer fields shared by the domain modules."""

from typing import Any

from rest_framework import serializers


class ChoiceOrNull(serializers.ChoiceField):
    """A read-only choice stored as ``""`` when unset (a blank CharField): answered as ``null``, so the value
    is always one of the documented enum values or null, never the blank string a client cannot parse."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        return None if value in ("", None) else super().to_representation(value)
