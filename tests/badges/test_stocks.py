"""Stocks are data, and every stock prints a calibration sheet."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from summit.badges.render import render_calibration
from summit.badges.stocks import STOCKS, Stock, get_stock


def test_shipped_stocks() -> None:
    expected = {
        "avery-5392": (6, 2, 3, 612, 792, 288, 216),
        "avery-5390": (8, 2, 4, 612, 792, 252, 162),
        "a4-a6": (4, 2, 2, 595.28, 841.89, 297.64, 420.94),
        "thermal-4x6": (1, 1, 1, 288, 432, 288, 432),
        "cr80": (1, 1, 1, 242.65, 153.07, 242.65, 153.07),
    }
    for slug, (per_page, cols, rows, pw, ph, bw, bh) in expected.items():
        s = get_stock(slug)
        assert (s.per_page, s.columns, s.rows) == (per_page, cols, rows)
        assert s.page_width_pt == pytest.approx(pw, abs=0.01)
        assert s.page_height_pt == pytest.approx(ph, abs=0.01)
        assert s.badge_width_pt == pytest.approx(bw, abs=0.01)
        assert s.badge_height_pt == pytest.approx(bh, abs=0.01)
    # Avery margins: 5392 is 1/4" from the side, 5390 3/4"; both 1" from the top.
    assert get_stock("avery-5392").slots_pt()[1] == (0.25 * 72 + 288, 72)
    assert get_stock("avery-5390").slots_pt()[0] == (0.75 * 72, 72)


def test_stock_that_does_not_fit_is_rejected() -> None:
    with pytest.raises(ValueError):
        Stock("bad", "Bad", "in", 8.5, 11, 5, 3, columns=2, rows=1)


@pytest.mark.parametrize("slug", sorted(STOCKS))
def test_calibration_sheet(slug: str) -> None:
    stock = get_stock(slug)
    reader = PdfReader(io.BytesIO(render_calibration(stock)))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(stock.page_width_pt, abs=0.5)
    assert float(box.height) == pytest.approx(stock.page_height_pt, abs=0.5)
    text = reader.pages[0].extract_text()
    assert str(stock.per_page) in text and "100 %" in text
