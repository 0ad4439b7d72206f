"""Reading CSV files as spreadsheets write them: the one place for it.

Dutch Excel saves with ``;`` between columns and, unless told otherwise, in Windows-1252; other programs
write ``,`` and UTF-8, with or without a byte order mark. The reader accepts all of these: the separator is
taken from the header line (which holds column names only, so a ``;`` inside a quoted list value further down
cannot mislead it), the encoding from the bytes.
"""

import csv
import io
from collections.abc import Iterator

UTF8_BOM = b"\xef\xbb\xbf"
DELIMITERS = (";", ",", "\t")


class UnreadableFile(ValueError):
    """The bytes are neither UTF-8 nor Windows-1252."""


def decode(raw: bytes) -> str:
    """UTF-8 (with or without a BOM) first; Windows-1252 when the bytes are not UTF-8."""
    if raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise UnreadableFile from None


def sniff_delimiter(text: str) -> str:
    """The separator used in the first non-empty line: the most frequent of ``;``, ``,`` and tab."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def dict_rows(text: str) -> tuple[list[str], Iterator[dict[str, str]]]:
    """The header (stripped names) and the rows as dicts keyed by it, whatever the separator."""
    reader = csv.DictReader(io.StringIO(text), delimiter=sniff_delimiter(text))
    header = [(name or "").strip() for name in (reader.fieldnames or [])]
    rows = ({(k or "").strip(): (v or "") for k, v in row.items()} for row in reader)
    return header, rows
