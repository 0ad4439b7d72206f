"""CSV downloads that are safe to open in a spreadsheet: the one place for it.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel and
LibreOffice (CSV injection), so such cells get a leading apostrophe, which spreadsheets show as text.
That includes "-2": our exports hold names, dates and positive hours, so the rule stays simple and strict.
"""

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_rows(target: io.TextIOBase | HttpResponse, rows: Iterable[Iterable[object]]) -> None:
    writer = csv.writer(target)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    write_rows(out, rows)
    return out.getvalue()


def csv_response(filename: str, rows: Iterable[Iterable[object]]) -> HttpResponse:
    """A UTF-8 CSV download (with a BOM so Excel reads accents right); the first row is the header."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    write_rows(response, rows)
    return response
