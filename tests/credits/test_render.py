"""The certificate renderer (no database): the stationery every page shares is drawn under
each page's own blocks, every page reads as a whole certificate (its text and its QR code), and
the chunk PDFs join in order."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from PIL import Image, ImageDraw

from summit.credits import render
from summit.credits.render import CertificateEvent, CertificatePage

LABELS = {"title": "Certificate of professional learning", "certifies": "This certifies that",
          "earned": "took part and earned", "date": "Date", "activity": "Activity",
          "hours": "Hours", "verify": "Check this certificate: scan the code.",
          "provider": "Provider", "activity_number": "Activity number"}


def signature_png() -> bytes:
    image = Image.new("RGB", (300, 80), "white")
    ImageDraw.Draw(image).line([(5, 60), (80, 10), (150, 70), (290, 20)], fill="navy", width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def event(**changes) -> CertificateEvent:
    values = dict(name="AI in Education Leadership Summit", dates="2027-03-01 – 2027-03-02",
                  venue="Music City Center", credit_name="Clock hours",
                  provider="Puget Sound ESD", activity_number="PSESD-2027-0412",
                  signer_name="Dr. Renée Walker", signer_title="Director",
                  signature_png=signature_png(), labels=LABELS)
    values.update(changes)
    return CertificateEvent(**values)


def pages(count: int, start: int = 0) -> list[CertificatePage]:
    return [CertificatePage(
        name=f"Zoë Ñúñez {i}", organization=f"District {i}", total_hours=f"{i % 7}.5",
        code=f"abcde-fghjk-{i:05d}", verify_url=f"https://summit.example.org/verify/x{i:05d}",
        activities=(("2027-03-01", f"Session {i}", "1.5"), ("2027-03-02", "Homeroom time", "1")))
        for i in range(start, start + count)]


def read(pdf: bytes) -> list[tuple[str, list[str]]]:
    """Each page's text and the QR codes decoded from it at 150 dpi."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [(page.get_textpage().get_text_range(),
                 [r.text for r in zxingcpp.read_barcodes(page.render(scale=150 / 72).to_pil())])
                for page in document]
    finally:
        document.close()


def test_every_page_is_a_whole_certificate():
    some = pages(4)
    pdf = render.render_chunk(some, event())
    read_back = read(pdf)
    assert len(read_back) == 4
    for page, (text, codes) in zip(some, read_back, strict=True):
        # The stationery (drawn once, under every page) and the page's own blocks.
        for shared in ("Certificate of professional learning", "This certifies that",
                       "Music City Center", "Hours", "Date", "Activity",
                       "Dr. Renée Walker, Director", "Activity number: PSESD-2027-0412"):
            assert shared in text
        for own in (page.name, page.organization, f"{page.total_hours} Clock hours",
                    page.code, "Session"):
            assert own in text
        assert codes == [page.verify_url]
    # One form XObject for the stationery, not one copy per page.
    assert pdf.count(b"/Subtype /Form") == 1


def test_stationery_follows_the_event_and_is_kept_per_event():
    renderer = render.renderer()
    first = read(render.render_chunk(pages(1), event()))[0][0]
    other = read(render.render_chunk(pages(1), event(provider="Another ESD",
                                                      signature_png=None)))[0][0]
    assert "Puget Sound ESD" in first and "Another ESD" not in first
    assert "Another ESD" in other and "Puget Sound ESD" not in other
    assert 1 < len(renderer._stationery) <= renderer.STATIONERY_CACHE


def test_chunks_join_in_order():
    parts = [render.render_chunk(pages(2, start), event()) for start in (0, 2, 4)]
    texts = [text for text, _codes in read(render.join_pdfs(parts))]
    assert [next(n for n in (f"Ñúñez {i}" for i in range(6)) if n in t) for t in texts] == [
        f"Ñúñez {i}" for i in range(6)]


@pytest.mark.parametrize(("total", "workers", "size"), [
    (3000, 2, 150), (200, 2, 100), (61, 2, 31), (1000, 4, 125), (10, 1, 10)])
def test_chunks_are_even_across_workers(total, workers, size):
    assert render.chunk_size(total, workers) == size


def test_documents_skip_the_margin_box_rules():
    """WeasyPrint picks the user-agent sheet through ``HTML._ua_stylesheets``; the renderer's
    lean sheet (no margin-box rules, ~3.5 ms less per page) depends on that hook."""
    import weasyprint

    lean = render.lean_html_class()
    assert lean is not weasyprint.HTML
    assert "_ua_stylesheets" in vars(weasyprint.HTML)
    sheet, = lean(string="<p>x</p>")._ua_stylesheets()
    assert sheet is not weasyprint.HTML(string="<p>x</p>")._ua_stylesheets()[0]
