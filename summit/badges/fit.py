"""Shrink-to-fit text sizing from real font metrics (fontTools advance widths).

Widths are measured on the fonts the badge CSS declares (DejaVu Sans, then
Noto Sans CJK for what DejaVu lacks). Characters no font knows count as 1 em.
Kerning only makes text narrower, so the estimate is conservative.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# (regular, bold) file names, in CSS fallback order.
FONT_FILES: tuple[tuple[str, str], ...] = (
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"),
)
# Keep this much of the box free, for shaping differences.
SAFETY = 0.96
STEP = 0.25  # pt


class _Metrics:
    """Advance widths (in em) of one font file."""

    def __init__(self, path: Path) -> None:
        if path.suffix.lower() in (".ttc", ".otc"):
            font = TTCollection(str(path), lazy=True).fonts[0]
        else:
            font = TTFont(str(path), lazy=True)
        self.upm: int = font["head"].unitsPerEm
        self.cmap: dict[int, str] = font.getBestCmap() or {}
        self.hmtx = font["hmtx"]
        self._cache: dict[int, float] = {}

    def advance(self, cp: int) -> float | None:
        width = self._cache.get(cp)
        if width is None:
            glyph = self.cmap.get(cp)
            if glyph is None:
                return None
            width = self._cache[cp] = self.hmtx[glyph][0] / self.upm
        return width


def _find(name: str) -> Path | None:
    for base in FONT_DIRS:
        if base.is_dir():
            for path in base.rglob(name):
                return path
    return None


@cache
def _metrics(index: int, bold: bool) -> _Metrics | None:
    path = _find(FONT_FILES[index][int(bold)])
    return _Metrics(path) if path else None


@lru_cache(maxsize=65536)
def char_em(ch: str, bold: bool) -> float:
    """Advance width of ``ch`` in em, from the first font in the stack that has it."""
    cp = ord(ch)
    for index in range(len(FONT_FILES)):
        metrics = _metrics(index, bold)
        if metrics is not None:
            width = metrics.advance(cp)
            if width is not None:
                return width
    return 1.0


def text_em(text: str, bold: bool = False) -> float:
    """Width of ``text`` in em (font size 1)."""
    return sum(char_em(ch, bold) for ch in text)


@dataclass(frozen=True)
class Fitted:
    """Text cut into lines, and the font size (pt) at which they fit their box."""

    lines: tuple[str, ...]
    size: float

    @property
    def text(self) -> str:
        return " ".join(self.lines)


_WIDE = re.compile(r"[\u1100-\u11ff\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def _break_points(text: str) -> list[tuple[int, int]]:
    """Candidate breaks as (end of line, start of next line) index pairs."""
    points: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        if ch == " ":
            points.append((i, i + 1))
        elif ch in "-/\u2010" and 0 < i < len(text) - 1 and text[i + 1] != " ":
            points.append((i + 1, i + 1))
        elif i > 0 and (_WIDE.match(ch) or _WIDE.match(text[i - 1])) and text[i - 1] != " ":
            points.append((i, i))
    return points


def _split(text: str, lines: int, bold: bool) -> tuple[str, ...] | None:
    """Best split of ``text`` into ``lines`` lines (narrowest widest line)."""
    if lines == 1:
        return (text,)
    points = _break_points(text)
    best: tuple[float, tuple[str, ...]] | None = None
    for end, start in points:
        head = text[:end].rstrip()
        rest = _split(text[start:].lstrip(), lines - 1, bold)
        if not head or rest is None:
            continue
        candidate = (head, *rest)
        width = max(text_em(line, bold) for line in candidate)
        if best is None or width < best[0]:
            best = (width, candidate)
    return best[1] if best else None


def _floor_step(size: float) -> float:
    return math.floor(size / STEP + 1e-9) * STEP


def fit_text(
    text: str,
    width: float,
    height: float,
    *,
    max_size: float,
    min_size: float,
    max_lines: int = 2,
    bold: bool = False,
    line_height: float = 1.15,
) -> Fitted:
    """Largest size ≤ ``max_size`` (in 0.25 pt steps) at which ``text`` fits ``width`` × ``height``.

    One line is kept while it fits at ``min_size`` or more; otherwise the text
    wraps (at spaces, hyphens or between CJK characters) into up to
    ``max_lines`` lines. If even that is too long, the size goes below
    ``min_size`` rather than clip: the text always fits its box.
    """
    text = " ".join(text.split())
    if not text:
        return Fitted((), max_size)
    usable = width * SAFETY
    best: Fitted | None = None
    for count in range(1, max_lines + 1):
        lines = _split(text, count, bold)
        if lines is None:
            break
        widest = max(text_em(line, bold) for line in lines)
        size = min(max_size, usable / widest, height / (count * line_height))
        size = max(STEP, _floor_step(size))
        fitted = Fitted(lines, size)
        if size >= min_size:
            return fitted
        if best is None or size > best.size:
            best = fitted
    assert best is not None
    return best
