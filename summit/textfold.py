"""Accent- and case-insensitive matching for name searches, the same on SQLite and PostgreSQL.

A volunteer on a US keyboard types "cote" for Côté and "belanger" for Bélanger. ``fold`` maps
accented Latin letters to their base letter, typographic apostrophes to ``'`` and everything to
lower case; ``folded(column)`` is the same mapping as SQL, so ``folded(col).like(pattern)``
with a pattern built from ``fold(query)`` finds them (and sorting on ``folded(last_name)`` puts
Bélanger before Brown):

- PostgreSQL: ``lower(translate(col, FROM, TO))``: built in, no extension (``unaccent`` needs
  a superuser to install).
- SQLite: ``summit_fold(col)``, this module's ``fold`` registered on every connection
  (``summit.database.configure_sqlite``).

The mapping is one character to one character (what ``translate`` can do), so both sides agree
exactly; letters such as æ or ß stay as they are.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

# Letters that do not decompose into base letter + accent in Unicode.
_EXTRA = {"ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "ı": "i", "ħ": "h",
          "Ħ": "h", "ŧ": "t", "Ŧ": "t", "’": "'", "‘": "'", "ʼ": "'"}


def _build_map() -> dict[str, str]:
    mapping = {}
    for code in range(0xC0, 0x250):  # Latin-1 Supplement and Latin Extended-A and -B
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            mapping[char] = base.lower()
    mapping.update(_EXTRA)
    return mapping


FOLD_MAP: dict[str, str] = _build_map()
FOLD_FROM = "".join(FOLD_MAP)
FOLD_TO = "".join(FOLD_MAP.values())
_TABLE = str.maketrans(FOLD_MAP)


def fold(text: str | None) -> str | None:
    """``text`` without accents on Latin letters, in lower case (None stays None, for SQL)."""
    if text is None:
        return None
    return text.translate(_TABLE).lower()


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str | None) -> tuple:
    """A sort key that orders numbers inside text by value: "Table 2" before "Table 10"
    (accents and case folded, so "Bélanger" sorts with "Belanger")."""
    parts = _DIGITS.split(fold(text or ""))
    return tuple((0, int(p), "") if i % 2 else (1, 0, p) for i, p in enumerate(parts) if p)


def like_pattern(query: str) -> str:
    """A LIKE pattern (escape character ``\\``) for "contains ``query``", folded."""
    escaped = fold(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class folded(FunctionElement):  # noqa: N801  (reads as a function in queries)
    """SQL for ``fold(expression)``."""

    type = String()
    name = "summit_fold"
    inherit_cache = True


@compiles(folded)
def _folded_default(element, compiler, **kw):  # SQLite: the registered Python function
    return f"summit_fold({compiler.process(element.clauses, **kw)})"


@compiles(folded, "postgresql")
def _folded_postgresql(element, compiler, **kw):
    source = compiler.process(element.clauses, **kw)
    mapping_from = compiler.render_literal_value(FOLD_FROM, String())
    mapping_to = compiler.render_literal_value(FOLD_TO, String())
    return f"lower(translate({source}, {mapping_from}, {mapping_to}))"
