"""core.dates.add_months: the one month arithmetic (matching's term and check-ins, both retention cutoffs)."""

from datetime import UTC, date, datetime

import pytest

from core.dates import add_months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 10), -13, date(2024, 12, 10)),
        (date(2026, 5, 31), 0, date(2026, 5, 31)),
    ],
)
def test_it_moves_by_calendar_months_and_clamps_to_the_month_end(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


def test_it_keeps_the_time_and_zone_of_a_datetime() -> None:
    moment = datetime(2026, 3, 31, 12, 30, tzinfo=UTC)

    assert add_months(moment, -1) == datetime(2026, 2, 28, 12, 30, tzinfo=UTC)


def test_it_caps_the_day_at_last_day_when_asked() -> None:
    moment = datetime(2026, 3, 31, 12, tzinfo=UTC)

    assert add_months(moment, -3, last_day=28) == datetime(2025, 12, 28, 12, tzinfo=UTC)
    assert add_months(moment, -3) == datetime(2025, 12, 31, 12, tzinfo=UTC)
    assert add_months(date(2026, 3, 20), -1, last_day=28) == date(2026, 2, 20)
