"""Calendar arithmetic shared by the apps."""

import calendar
from datetime import date


def add_months[D: date](value: D, months: int, *, last_day: int = 31) -> D:
    """``value`` moved by ``months`` calendar months (negative: back), on the same day of the month or,
    when the target month is shorter, on its last day (31 January + 1 month = 28 or 29 February).

    ``last_day`` caps the day further: caseloads' retention cutoff uses 28, so its cutoff falls on the same
    day of the month whatever the month's length (at most three days earlier than the month-end rule,
    which keeps closed cases a little longer, never shorter)."""
    year, month = divmod(value.month - 1 + months, 12)
    year += value.year
    day = min(value.day, calendar.monthrange(year, month + 1)[1], last_day)
    return value.replace(year=year, month=month + 1, day=day)
