"""CSV downloads that are safe to open in a spreadsheet and open in columns in Dutch Excel: the one place
for it.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel and
LibreOffice (CSV injection), so such cells get a leading apostrophe, which spreadsheets show as text.
That includes "-2": our exports hold names, dates and positive hours, so the rule stays simple and strict.

Dutch Excel reads ``;`` as the separator and ``,`` as the decimal sign (the list separator of the Dutch
regional settings), so in Dutch an export uses both; in English ``,`` and ``.``. Every download starts with a
byte order mark so Excel reads the file as UTF-8.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils import translation

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    decimal: str


DUTCH = Dialect(";", ",")
ENGLISH = Dialect(",", ".")


def dialect(language: str | None = None) -> Dialect:
    """The spreadsheet conventions of ``language`` (default: the active language)."""
    code = (language or translation.get_language() or "nl").split("-")[0]
    return DUTCH if code == "nl" else ENGLISH


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell(value: object, decimal: str) -> str:
    if isinstance(value, (Decimal, float)) and not isinstance(value, bool):
        return safe_cell(str(value).replace(".", decimal))
    return safe_cell(value)


def write_rows(
    target: io.TextIOBase | HttpResponse, rows: Iterable[Iterable[object]], language: str | None = None
) -> None:
    spec = dialect(language)
    writer = csv.writer(target, delimiter=spec.delimiter)
    for row in rows:
        writer.writerow([_cell(cell, spec.decimal) for cell in row])


def csv_text(rows: Iterable[Iterable[object]], language: str | None = None) -> str:
    out = io.StringIO()
    write_rows(out, rows, language)
    return out.getvalue()


def csv_response(filename: str, rows: Iterable[Iterable[object]]) -> HttpResponse:
    """A UTF-8 CSV download (with a BOM so Excel reads accents right); the first row is the header."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(BOM)
    write_rows(response, rows)
    return response
