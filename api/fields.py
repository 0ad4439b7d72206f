"""Serializer fields shared by the domain modules."""

from typing import Any

from django.db.models import Model, QuerySet
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


def limit_choices[M: Model](field: serializers.Field[Any, Any, Any, Any], queryset: QuerySet[M]) -> None:
    """Let a serializer's related field accept only ``queryset`` (the caller's reach): a pk outside it is
    refused as "does not exist", like any unknown pk. A field that is not relational is left alone."""
    if isinstance(field, serializers.RelatedField):
        # The assignment is right; django-stubs 6.1 runs ``Manager.__get__`` on any assignment to an
        # attribute typed ``QuerySet | Manager`` and refuses it (typeddjango/django-stubs#3666).
        field.queryset = queryset  # type: ignore[arg-type]
