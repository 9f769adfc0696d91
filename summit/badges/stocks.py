"""Badge stocks (label sheets, cards, thermal rolls) described as data.

Adding a stock takes a few lines: build a :class:`Stock` and pass it to
:func:`register`. Dimensions are given in ``unit`` (``"mm"`` or ``"in"``)
and exposed in PostScript points (``*_pt``) for layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["mm", "in"]

PT_PER_UNIT: dict[str, float] = {"in": 72.0, "mm": 72.0 / 25.4}


@dataclass(frozen=True)
class Stock:
    """One printable stock: a page carrying ``columns`` × ``rows`` badges.

    ``margin_top``/``margin_left`` locate the top-left badge on the page;
    ``gap_x``/``gap_y`` are the spaces between adjacent badges.
    """

    slug: str
    name: str
    unit: Unit
    page_width: float
    page_height: float
    badge_width: float
    badge_height: float
    columns: int = 1
    rows: int = 1
    margin_top: float = 0.0
    margin_left: float = 0.0
    gap_x: float = 0.0
    gap_y: float = 0.0

    def __post_init__(self) -> None:
        if self.unit not in PT_PER_UNIT:
            raise ValueError(f"unknown unit {self.unit!r}")
        if self.columns < 1 or self.rows < 1:
            raise ValueError("a stock carries at least one badge")
        used_w = self.margin_left + self.columns * self.badge_width
        used_w += (self.columns - 1) * self.gap_x
        used_h = self.margin_top + self.rows * self.badge_height + (self.rows - 1) * self.gap_y
        eps = 1e-6
        if used_w > self.page_width + eps or used_h > self.page_height + eps:
            raise ValueError(f"stock {self.slug!r}: badges do not fit on the page")

    def _pt(self, value: float) -> float:
        return value * PT_PER_UNIT[self.unit]

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def page_width_pt(self) -> float:
        return self._pt(self.page_width)

    @property
    def page_height_pt(self) -> float:
        return self._pt(self.page_height)

    @property
    def badge_width_pt(self) -> float:
        return self._pt(self.badge_width)

    @property
    def badge_height_pt(self) -> float:
        return self._pt(self.badge_height)

    @property
    def landscape(self) -> bool:
        return self.badge_width >= self.badge_height

    def slots_pt(self) -> list[tuple[float, float]]:
        """Top-left corner (x, y) in points of every badge slot, row by row."""
        return [
            (
                self._pt(self.margin_left + c * (self.badge_width + self.gap_x)),
                self._pt(self.margin_top + r * (self.badge_height + self.gap_y)),
            )
            for r in range(self.rows)
            for c in range(self.columns)
        ]


STOCKS: dict[str, Stock] = {}


def register(stock: Stock) -> Stock:
    """Make ``stock`` available by its slug."""
    STOCKS[stock.slug] = stock
    return stock


def get_stock(stock: Stock | str) -> Stock:
    """Return a :class:`Stock` given itself or its slug."""
    if isinstance(stock, Stock):
        return stock
    try:
        return STOCKS[stock]
    except KeyError:
        raise KeyError(f"unknown badge stock {stock!r}; known: {sorted(STOCKS)}") from None


# Avery 5392: 4" x 3" name badge inserts, 6 per US Letter sheet.
# Avery template: top/bottom margin 1", side margins 1/4", no gaps.
AVERY_5392 = register(Stock(
    slug="avery-5392", name="Avery 5392 (4 × 3 in, 6 per Letter sheet)", unit="in",
    page_width=8.5, page_height=11, badge_width=4, badge_height=3,
    columns=2, rows=3, margin_top=1, margin_left=0.25,
))

# Avery 5390: 3 1/2" x 2 1/4" name badge inserts, 8 per US Letter sheet.
# Avery template: top/bottom margin 1", side margins 3/4", no gaps.
AVERY_5390 = register(Stock(
    slug="avery-5390", name="Avery 5390 (3½ × 2¼ in, 8 per Letter sheet)", unit="in",
    page_width=8.5, page_height=11, badge_width=3.5, badge_height=2.25,
    columns=2, rows=4, margin_top=1, margin_left=0.75,
))

# Four A6 badges (portrait) on an A4 sheet, edge to edge: cut in quarters.
A4_A6 = register(Stock(
    slug="a4-a6", name="A6 badges, 4 per A4 sheet", unit="mm",
    page_width=210, page_height=297, badge_width=105, badge_height=148.5,
    columns=2, rows=2,
))

# Thermal badge printers (Zebra, Brother...): one 4" x 6" badge per page.
THERMAL_4X6 = register(Stock(
    slug="thermal-4x6", name="4 × 6 in thermal badge (1 per page)", unit="in",
    page_width=4, page_height=6, badge_width=4, badge_height=6,
))

# ISO/IEC 7810 ID-1 (CR80) card printers: one card per page.
CR80 = register(Stock(
    slug="cr80", name="CR80 card (85.6 × 54 mm, 1 per page)", unit="mm",
    page_width=85.6, page_height=54, badge_width=85.6, badge_height=54,
))
