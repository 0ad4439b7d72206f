"""Dates in forms and files: ISO inside date inputs in every language, Dutch typed dates accepted."""

from datetime import date, datetime, time, timedelta

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

from core.forms import DateField, DateTimeField, TimeField, parse_date
from tests.caseloads.factories import make_case, make_supporter
from tests.factories import OrgTree
from tests.formparse import submitted_values


class _Form(forms.Form):
    day = DateField()
    moment = DateTimeField()
    at = TimeField()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_it_renders_iso_values_in_date_datetime_and_time_inputs(language: str) -> None:
    form = _Form(
        initial={"day": date(2026, 12, 1), "moment": datetime(2026, 12, 1, 9, 30), "at": time(14, 5)}
    )

    with translation.override(language):
        html = str(form)

    assert 'type="date" name="day" value="2026-12-01"' in html
    assert 'type="datetime-local" name="moment" value="2026-12-01T09:30"' in html
    assert 'type="time" name="at" value="14:05"' in html


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("typed", ["2027-01-25", "25-01-2027", "25/01/2027", "25.01.2027", " 25-1-2027 "])
def test_it_accepts_the_ways_a_dutch_person_types_a_date(typed: str, language: str) -> None:
    with translation.override(language):
        assert DateField().clean(typed) == date(2027, 1, 25)


def test_it_reads_dates_day_first_never_month_first() -> None:
    assert DateField().clean("01/02/2027") == date(2027, 2, 1)


def test_it_refuses_a_date_that_is_none_of_the_formats() -> None:
    with pytest.raises(forms.ValidationError):
        DateField().clean("25 januari 2027")


def test_it_accepts_what_a_browser_submits_for_datetime_local() -> None:
    assert DateTimeField().clean("2027-01-25T09:30") == timezone.make_aware(datetime(2027, 1, 25, 9, 30))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("2027-01-25", date(2027, 1, 25)), ("25-01-2027", date(2027, 1, 25)), ("25/01/2027", date(2027, 1, 25))],
)
def test_it_parses_typed_dates_for_files(typed: str, expected: date) -> None:
    assert parse_date(typed) == expected


def test_it_gives_none_for_a_date_it_cannot_read() -> None:
    assert parse_date("2027-13-01") is None


def _clock(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """The clock at ``moment``: ``timezone.localdate()`` reads ``timezone.now``."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_it_offers_today_in_a_new_visit_form(
    language: str, tree: OrgTree, client: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a)
    client.force_login(supporter)  # type: ignore[attr-defined]
    client.cookies["django_language"] = language  # type: ignore[attr-defined]

    tomorrow = timezone.localdate() + timedelta(days=1)
    _clock(monkeypatch, timezone.make_aware(datetime.combine(tomorrow, time(10, 0))))
    page = client.get(reverse("caseloads:visit_create", args=[case.pk]))  # type: ignore[attr-defined]

    assert submitted_values(page.content.decode(), "")["date"] == [tomorrow.isoformat()]


def test_it_offers_the_local_day_after_midnight_in_amsterdam(
    tree: OrgTree, client: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    supporter = make_supporter(tree.support_a)
    case = make_case(supporter, tree.school_a)
    client.force_login(supporter)  # type: ignore[attr-defined]
    tomorrow = timezone.localdate() + timedelta(days=1)
    # Half past midnight in Amsterdam is still yesterday in UTC.
    late = timezone.make_aware(datetime.combine(tomorrow, time(0, 30)))

    _clock(monkeypatch, late)
    page = client.get(reverse("caseloads:visit_create", args=[case.pk]))  # type: ignore[attr-defined]

    assert submitted_values(page.content.decode(), "")["date"] == [tomorrow.isoformat()]
