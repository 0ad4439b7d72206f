"""Numbers as people read them, in the active language: rounded half up (42,86 % is "42,9 %", never "42 %"),
and hours without a pointless ",0" ("90 uur", "90,5 uur")."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import ngettext


def rounded(value: float | Decimal, decimals: int = 0) -> Decimal:
    """``value`` rounded half up; Django's number_format alone cuts the digits off (42.9 -> "42")."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def show(value: float | Decimal, decimals: int = 0, *, grouping: bool = True) -> str:
    return number_format(rounded(value, decimals), decimals, force_grouping=grouping)


def hours(value: float | Decimal | None) -> str:
    """Hours to one decimal, the decimal only when there is one: "90", "90,5" (Dutch), "90.5" (English)."""
    if value is None:
        return ""
    tenth = rounded(value, 1)
    return show(tenth, 0 if tenth == tenth.to_integral_value() else 1)


def hours_text(value: float | Decimal | None) -> str:
    """ "1 hour", "90,5 hours" ("1 uur", "90,5 uur"): the plural chosen for the rounded number."""
    tenth = rounded(value or 0, 1)
    return ngettext("%(hours)s hour", "%(hours)s hours", 1 if tenth == 1 else 2) % {"hours": hours(tenth)}
