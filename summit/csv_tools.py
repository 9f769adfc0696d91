"""Reading CSV the way spreadsheets export it, and writing every CSV Summit exports. No Flask.

Reading, shared by the registration and breakout-session imports: UTF-8 with or without a
byte-order mark, comma, semicolon or tab separated, and header cells reduced to a key
(``header_key``) that each import looks up in its own table of column spellings.

Writing: ``write_csv`` is the one writer of every export (web downloads through
``summit.responses.csv_download``, and the command line). It defuses formulas in every cell
(``defuse``), so a name typed as ``=HYPERLINK(...)`` is shown as text by Excel, LibreOffice and
Google Sheets instead of being run (CSV injection, OWASP).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

# A cell starting with one of these is read as a formula (or, after a tab or line break, may be
# shifted into one). The full-width forms are formulas too in East Asian Excel.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def defuse(value: object) -> str:
    """A cell's text that no spreadsheet runs: a leading quote before anything formula-like.

    ``None`` is an empty cell; plain numbers (``-3``, ``12.5``) stay numbers."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def write_csv(rows: Iterable[Mapping[str, object]], columns: Sequence[str]) -> str:
    """CSV text with a header row of ``columns`` and one line per row (missing keys are empty
    cells, other keys are ignored), every cell and header defused; Excel's CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([defuse(column) for column in columns])
    for row in rows:
        writer.writerow([defuse(row.get(column)) for column in columns])
    return out.getvalue()


class HeaderError(ValueError):
    """The header row of a CSV text could not be read."""


def decode(data: bytes) -> str:
    """Decode UTF-8 with or without BOM; anything else is refused with a helpful message."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            "The file is not UTF-8 text. In Excel choose “Save As… CSV UTF-8 (Comma delimited)”."
        ) from exc


def to_text(data: bytes | str) -> str:
    """An upload as text without its byte-order mark (``ValueError`` if bytes are not UTF-8)."""
    return decode(data) if isinstance(data, bytes) else data.lstrip("\ufeff")


def header_key(text: str) -> str:
    """A header cell as alias tables spell it: "E-mail_Address " → "e-mail address"."""
    return " ".join(text.strip().strip("\ufeff").casefold().replace("_", " ").split())


def open_csv(text: str) -> tuple[list[str], Iterator[list[str]]]:
    """Read the header of a CSV text: ``(header keys, reader of the remaining rows)``.

    The delimiter is sniffed from the start of the text (comma, semicolon or tab; Excel's comma
    when unsure). The reader is a ``csv.reader``: its ``line_num`` is the physical line, and it
    may raise ``csv.Error`` while iterating. Raises ``HeaderError`` if there is no header row.
    """
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise HeaderError("The header row could not be read.") from exc
    return [header_key(cell) for cell in header], reader


def columns_for(header: list[str], aliases: dict[str, str], required: tuple[str, ...],
                expected: tuple[str, ...]) -> list[str | None]:
    """The column each header key names (``None`` for unknown ones), or ``HeaderError`` naming
    the ``required`` columns that are missing and listing the ``expected`` header."""
    columns = [aliases.get(key) for key in header]
    missing = [c for c in required if c not in columns]
    if missing:
        raise HeaderError("Missing column(s): " + ", ".join(missing) + ". Expected: "
                          + ",".join(expected) + ".")
    return columns
