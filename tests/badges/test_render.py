"""Badge PDFs: QR codes decode to the right attendees, text is complete and fits."""

from __future__ import annotations

import gc
import io
import time

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from summit.badges import render as R
from summit.badges.fit import fit_text
from summit.badges.render import BadgeData, BadgeEvent, render_badges, render_single
from summit.badges.stocks import STOCKS, get_stock
from summit.qr import qr_matrix

from .helpers import attendee, base_fonts, classes, decode_pages, pdf_text, squash, walk

EVENT = BadgeEvent("Education Leadership Summit 2026")
LONG = BadgeData(
    "Maximiliana-Konstantina", "Oyelaran-Featherstonehaugh",
    "Consolidated Independent School District of Greater Northeastern Metropolitan Counties",
    "Massachusetts", "Assistant Superintendent for Curriculum and Instruction",
    "https://summit.example.org/c/abcdefghjkmnpqrstuvwxyz23456789ab",
    homeroom="Table 12", ribbon="Facilitator",
)
CJK = BadgeData("山田", "太郎", "東京都教育委員会", "東京都", "指導主事",
                "https://summit.example.org/c/cjkcjkcjkcjkcjkcjkcjkcjkcjkcjkcj")
ACCENTS = BadgeData("Zoë", "O'Connor-Ñúñez", "Lycée Français de Montréal", "Île-de-France",
                    "Directrice", "https://summit.example.org/c/accentsaccentsaccentsaccentsacce")


def _logo() -> bytes:
    image = Image.new("RGB", (120, 60), "white")
    ImageDraw.Draw(image).ellipse((5, 5, 115, 55), fill="#1f4e9c")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


PNG_LOGO = _logo()


@pytest.mark.parametrize("slug", ["avery-5392", "avery-5390", "a4-a6", "thermal-4x6", "cr80"])
def test_every_qr_decodes_to_its_attendee(slug: str) -> None:
    stock = get_stock(slug)
    count = stock.per_page + 1  # a full page and a partial one
    badges = [attendee(i) for i in range(count)]
    pdf = render_badges(badges, EVENT, slug, processes=1)
    pages = decode_pages(pdf)
    assert len(pages) == -(-count // stock.per_page)
    for number, found in enumerate(pages):
        expected = [b.checkin_url for b in badges[number * stock.per_page:][:stock.per_page]]
        assert sorted(found) == sorted(expected), f"page {number + 1}"
    texts = pdf_text(pdf)
    for i, badge in enumerate(badges):
        page = squash(texts[i // stock.per_page])
        for field in (badge.first_name, badge.last_name, badge.organization):
            assert squash(field) in page


def test_parallel_render_matches_order_and_reports_progress(monkeypatch) -> None:
    monkeypatch.setattr(R, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(R, "CHUNK_PAGES", 2)
    badges = [attendee(i) for i in range(40)]  # 7 pages -> 4 chunks of <= 12 badges
    seen: list[tuple[int, int]] = []
    pdf = render_badges(badges, EVENT, "avery-5392", processes=2,
                        progress=lambda done, total: seen.append((done, total)))
    pages = decode_pages(pdf)
    assert len(pages) == 7
    for number, found in enumerate(pages):
        assert sorted(found) == sorted(b.checkin_url for b in badges[number * 6:][:6])
    assert seen[-1] == (40, 40) and len(seen) >= 2
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    # The workers' garbage collector is tuned for layout (a quarter of the CPU otherwise).
    worker = R.get_pool(2).submit(gc.get_threshold).result()
    assert worker == R.WORKER_GC_THRESHOLD != gc.get_threshold()


def test_long_names_are_complete_and_inside_their_boxes() -> None:
    for slug in STOCKS:
        renderer = R.renderer_for(slug)
        pdf = renderer.render([LONG], BadgeEvent("Statewide Education Leadership Summit 2026"))
        text = squash(pdf_text(pdf)[0])
        for field in (LONG.first_name, LONG.last_name, LONG.organization, LONG.role):
            assert squash(field) in text, (slug, field)
        assert decode_pages(pdf) == [[LONG.checkin_url]]
        document = renderer.document([LONG], EVENT)
        checked = 0
        for box in walk(document.pages[0]._page_box):
            if not classes(box) & {"ev", "fn", "ln", "og", "mt", "hr", "rb"}:
                continue
            left, top = box.content_box_x(), box.position_y
            right, bottom = left + box.width, top + box.margin_height()
            for inner in walk(box):
                if inner is box or not hasattr(inner, "text"):
                    continue
                checked += 1
                assert inner.position_x >= left - 0.01, (slug, inner.text)
                assert inner.position_x + inner.width <= right + 0.01, (slug, inner.text)
                assert inner.position_y + inner.height <= bottom + 0.5, (slug, inner.text)
        assert checked >= 6


def test_long_name_shrinks_then_wraps() -> None:
    short = fit_text("Ana", 266, 52, max_size=40, min_size=20, bold=True)
    assert short.lines == ("Ana",) and short.size == 40
    long = fit_text(LONG.first_name, 266, 52, max_size=40, min_size=20, bold=True)
    assert long.lines == ("Maximiliana-", "Konstantina")
    assert long.size % 0.25 == 0 and long.size < 40
    medium = fit_text("Christopher-Alexander", 266, 52, max_size=40, min_size=18, bold=True)
    assert len(medium.lines) == 1 and 18 <= medium.size < 40


@pytest.mark.parametrize("badge", [CJK, ACCENTS], ids=["cjk", "accents"])
def test_scripts_use_real_fonts(badge: BadgeData) -> None:
    pdf = R.renderer_for("avery-5392").render([badge], EVENT)
    text = pdf_text(pdf)[0]
    for field in (badge.first_name, badge.last_name, badge.organization, badge.state):
        assert squash(field) in squash(text)
    fonts = base_fonts(pdf)
    assert fonts and all("DejaVu" in f or "Noto" in f for f in fonts), fonts
    if badge is CJK:
        assert any("Noto-Sans-CJK" in f for f in fonts), fonts


def test_markup_in_names_prints_as_text() -> None:
    evil = attendee(1, first_name="<script>alert(1)</script>", organization="Smith & <b>Co</b>")
    renderer = R.renderer_for("avery-5392")
    html = renderer.html([evil], EVENT)
    assert "<script>" not in html and "&lt;script&gt;" in html
    text = squash(pdf_text(renderer.render([evil], EVENT))[0])
    assert "<script>alert(1)</script>" in text and "Smith&<b>Co</b>" in text


def test_logo_and_ribbons() -> None:
    event = BadgeEvent("Summit", logo=PNG_LOGO)
    badges = [attendee(i, ribbon=r) for i, r in enumerate(R.RIBBONS)]
    renderer = R.renderer_for("avery-5392")
    html = renderer.html(badges, event)
    assert html.count('class="lg"') == 4 and "rb-organizer" in html
    pdf = renderer.render(badges, event)
    text = pdf_text(pdf)[0]
    for ribbon in R.RIBBONS:
        assert ribbon.upper() in text
    assert sorted(decode_pages(pdf)[0]) == sorted(b.checkin_url for b in badges)


def test_non_data_urls_are_refused() -> None:
    with pytest.raises(ValueError):
        R.DataOnlyFetcher().fetch("file:///etc/passwd")


def test_render_single_is_fast_and_one_page() -> None:
    badge = attendee(7)
    render_single(badge, EVENT, "thermal-4x6")  # warm-up: fonts, CSS, template
    start = time.perf_counter()
    pdf = render_single(badge, EVENT, "thermal-4x6")
    elapsed = time.perf_counter() - start
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert decode_pages(pdf) == [[badge.checkin_url]]
    assert elapsed < 1.0


def test_fixed_mask_qr_is_valid() -> None:
    url = "https://summit.example.org/c/abcdefghjkmnpqrstuvwxyz23456789ab"
    fixed, auto = qr_matrix(url), qr_matrix(url, mask_pattern=None)
    assert len(fixed) == len(auto) == 33 + 8  # version 4 plus the quiet zone
    assert all(not any(row) for row in fixed[:4])  # quiet zone is blank
