from decimal import Decimal

from django import template

from core import numbers

register = template.Library()


@register.filter
def hours(value: float | Decimal | None) -> str:
    """``{{ module.pd_hours|hours }}``: "90" or "90,5" in Dutch."""
    return numbers.hours(value)


@register.filter
def hours_text(value: float | Decimal | None) -> str:
    """``{{ total|hours_text }}``: "1 uur", "90,5 uur"."""
    return numbers.hours_text(value)
