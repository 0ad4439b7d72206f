"""CSV as Dutch Excel writes and reads it: ``;`` and decimal comma in Dutch exports, sniffed separators and
Windows-1252 on import."""

import csv
import io
from decimal import Decimal

import pytest
from django.utils import translation

from core.csvexport import csv_response, csv_text
from core.csvimport import UnreadableFile, decode, dict_rows, sniff_delimiter

ROWS = [["School", "Uren"], ["De Kring", Decimal("2.50")], ["=1+1", 3.5]]


def test_it_writes_dutch_exports_with_semicolons_and_decimal_commas() -> None:
    with translation.override("nl"):
        text = csv_text(ROWS)

    assert text.splitlines() == ["School;Uren", "De Kring;2,50", "'=1+1;3,5"]


def test_it_writes_english_exports_with_commas_and_decimal_points() -> None:
    with translation.override("en"):
        text = csv_text(ROWS)

    assert text.splitlines() == ["School,Uren", "De Kring,2.50", "'=1+1,3.5"]


def test_it_starts_a_dutch_download_with_a_bom_and_opens_in_columns() -> None:
    with translation.override("nl"):
        response = csv_response("uren.csv", ROWS)

    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffSchool;Uren\r\n")
    assert list(csv.reader(io.StringIO(body[1:]), delimiter=";"))[1] == ["De Kring", "2,50"]


@pytest.mark.parametrize(
    "raw",
    ["Zoë;Ça va\n".encode(), b"\xef\xbb\xbf" + "Zoë;Ça va\n".encode(), "Zoë;Ça va\n".encode("cp1252")],
    ids=["utf-8", "utf-8 with bom", "windows-1252"],
)
def test_it_decodes_utf8_with_or_without_bom_and_windows_1252(raw: bytes) -> None:
    assert decode(raw) == "Zoë;Ça va\n"


def test_it_refuses_bytes_that_are_no_text_it_knows() -> None:
    with pytest.raises(UnreadableFile):
        decode(b"\x81\x8d\x8f\x90\x9d\xff\xfe")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('school;kind;languages\n01AA;peer;"nl,en"\n', ";"),
        ('school,kind,languages\n01AA,peer,"nl;en;ar;tr"\n', ","),
        ("\n\nschool\tkind\n", "\t"),
        ("school\n01AA\n", ","),
    ],
)
def test_it_sniffs_the_separator_from_the_header(text: str, expected: str) -> None:
    assert sniff_delimiter(text) == expected


def test_it_reads_a_semicolon_file_with_quoted_lists_into_named_columns() -> None:
    header, rows = dict_rows(' school ; languages\n01AA;"nl;en"\n')

    assert header == ["school", "languages"]
    assert list(rows) == [{"school": "01AA", "languages": "nl;en"}]
