"""Opening uploaded CSV text the way spreadsheets export it. No Flask here.

Shared by the registration and breakout-session imports: UTF-8 with or without a byte-order
mark, comma, semicolon or tab separated, and header cells reduced to a key (``header_key``) that
each import looks up in its own table of column spellings.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator


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
