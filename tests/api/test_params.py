"""api.params: the one reading of ids and months from paths and query strings."""

from datetime import date

import pytest
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.params import MAX_ID, id_or_none, int_param, month_param, pk_or_404
from core.errors import ServiceError


def _request(query: str) -> Request:
    return Request(APIRequestFactory().get(f"/api/v1/x/?{query}"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("-1", None),
        ("7a", None),
        ("", None),
        (None, None),
    ],
)
def test_it_reads_an_id_only_when_it_fits_a_bigint(value: str | None, expected: int | None) -> None:
    assert id_or_none(value) == expected


def test_it_answers_404_for_a_detail_id_that_is_not_an_id() -> None:
    assert pk_or_404("12") == 12
    with pytest.raises(NotFound):
        pk_or_404("99999999999999999999")


def test_it_reads_id_filters_and_months_from_the_query_string() -> None:
    assert int_param(_request("school=5"), "school") == 5
    assert int_param(_request("school=x"), "school") is None
    assert month_param(_request("month=2027-03")) == date(2027, 3, 1)
    assert month_param(_request("")) is None


def test_it_names_the_field_of_a_month_it_cannot_read() -> None:
    with pytest.raises(ServiceError) as refused:
        month_param(_request("month=march"))

    assert (refused.value.field, refused.value.status) == ("month", 400)
