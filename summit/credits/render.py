"""Certificates to PDF with WeasyPrint (plain Python, no Flask).

What every certificate of a batch prints alike (the frame, the title, the event, the labels,
the signature, the signer and the provider: the *stationery*) is laid out once per worker, event
and language, and drawn once per chunk PDF as a form XObject that every page of the chunk
shows under its own blocks. Each page then lays out only what is its own (the name, the
organization, the hours, the activities, the QR code and its short code): about half the text
of a certificate, and WeasyPrint's cost is per line of text. Otherwise as badges render: one
HTML document per chunk of certificates (one page each), every block absolutely placed and
unwrapped, a PNG QR code per page at one pixel per module, a font configuration and compiled
stylesheet per worker, chunks in badges' pool of worker processes, then joined into one PDF.

``render_certificates`` takes plain ``CertificatePage`` values; ``naive_render`` is the
reference the benchmark compares with (one WeasyPrint document per certificate, SVG QR codes,
then concatenated).
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import jinja2

from summit.badges.api import DataOnlyFetcher, fast_qr_png, get_pool, merge_pdfs, png_data_uri

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
PARALLEL_THRESHOLD = 60
# Pages per chunk PDF, about: a document costs a fixed ~0.3 s (parsing, font subsets), so
# fewer, larger chunks are cheaper; the count of chunks is rounded up to a multiple of the
# workers so that they finish together.
CHUNK_PAGES = 150
STATIONERY_NAME = "Stationery"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CertificatePage:
    """What one certificate prints (every text already in the attendee's language)."""

    name: str
    organization: str
    total_hours: str
    code: str            # shown grouped (``abcde-fghjk-...``)
    verify_url: str
    activities: tuple[tuple[str, str, str], ...]  # (date, title, hours)
    lang: str = "en"


@dataclass(frozen=True)
class CertificateEvent:
    """What every certificate of an event prints; ``labels`` are the translated words."""

    name: str
    dates: str
    venue: str
    credit_name: str
    provider: str
    activity_number: str
    signer_name: str
    signer_title: str
    signature_png: bytes | None
    labels: dict


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True)


# WeasyPrint's HTML user-agent stylesheet gives text-align and vertical-align to the 16 page
# margin boxes (@top-left ...). Every page then computes 16 margin-box styles to find that they
# are empty: about 3.5 ms of CPU per page, a tenth of a certificate. Certificates have no margin
# boxes, so their documents use the same sheet without those rules (``HTML._ua_stylesheets`` is
# how WeasyPrint picks it; tests/credits/test_render.py fails if that hook goes away).
_MARGIN_BOX_RULE = re.compile(r"^\s*@(?:top|bottom|left|right)-[a-z-]+\s*\{[^}]*\}\s*$",
                              re.MULTILINE)
_HTML_CLASS: list[type] = []


def lean_html_class() -> type:
    """``weasyprint.HTML`` whose user-agent stylesheet has no margin-box rules."""
    if not _HTML_CLASS:
        from weasyprint import CSS, HTML
        from weasyprint import html as weasy_html

        lean_text, count = _MARGIN_BOX_RULE.subn("", weasy_html.UA)
        if count == 0:  # another WeasyPrint: its own sheet, only slower
            _HTML_CLASS.append(HTML)
        else:
            lean = CSS(string=lean_text, counter_style=weasy_html.UA_COUNTER_STYLE)

            class LeanHTML(HTML):
                def _ua_stylesheets(self, forms=False):
                    return [lean]

            _HTML_CLASS.append(LeanHTML)
    return _HTML_CLASS[0]


def _reference_number(reference: bytes | str) -> int:
    return int(reference.split()[0])


def draw_stationery_under_pages(_document, pdf) -> None:
    """WeasyPrint finisher (``write_pdf(finisher=...)``): the first page of ``pdf`` becomes a
    form XObject drawn first on every other page, and leaves the page tree.

    WeasyPrint gives every page of a document one shared resources dictionary (fonts, images),
    so the form uses it as well, and the font subsets hold the glyphs of both layers."""
    import pydyf

    kids = list(pdf.pages["Kids"])
    first = pdf.objects[kids[0]]
    resources = pdf.objects[_reference_number(first["Resources"])]
    form = pdf.objects[_reference_number(first["Contents"])]
    form.extra["Type"] = "/XObject"
    form.extra["Subtype"] = "/Form"
    form.extra["BBox"] = first["MediaBox"]
    form.extra["Resources"] = first["Resources"]
    resources["XObject"][STATIONERY_NAME] = form.reference
    under = pydyf.Stream()
    under.push_state()
    under.draw_x_object(STATIONERY_NAME)
    under.pop_state()
    pdf.add_object(under)
    for number in kids[3::3]:
        page = pdf.objects[number]
        page["Contents"] = pydyf.Array([under.reference, page["Contents"]])
    pdf.pages["Kids"] = pydyf.Array(kids[3:])
    pdf.pages["Count"] -= 1
    first.clear()  # an empty dictionary, in no page tree


class CertificateRenderer:
    """Renders certificates; one per process (it keeps the font configuration, the compiled
    stylesheet, the templates and the laid-out stationery of the last events). Every block is
    absolutely placed and never wraps (``templates/credits/certificate.css``), QR codes are PNGs
    handed to WeasyPrint by short ``badge:N`` URLs, as badges do."""

    STATIONERY_CACHE = 8

    def __init__(self) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        env = _env()
        self.template = env.get_template("credits/certificates.html.j2")
        self.stationery_template = env.get_template("credits/certificate_stationery.html.j2")
        self.html_class = lean_html_class()
        self.font_config = FontConfiguration()
        self.fetcher = DataOnlyFetcher()
        css = (TEMPLATES_DIR / "credits" / "certificate.css").read_text()
        self.css = CSS(string=css, font_config=self.font_config, url_fetcher=self.fetcher)
        self._stationery: dict[tuple[bytes | None, str], object] = {}
        self._lock = threading.Lock()

    def _layout(self, html: str, images: dict[str, tuple[bytes, str]]):
        self.fetcher.images = images
        try:
            return self.html_class(string=html, url_fetcher=self.fetcher).render(
                font_config=self.font_config, stylesheets=[self.css], cache={})
        finally:
            self.fetcher.images = {}

    def stationery(self, event: CertificateEvent, lang: str):
        """The laid-out page of what every certificate of ``event`` prints alike (cached)."""
        images: dict[str, tuple[bytes, str]] = {}
        if event.signature_png:
            images["badge:signature"] = (event.signature_png, "image/png")
        signer = ", ".join(p for p in (event.signer_name, event.signer_title) if p)
        event_line = " · ".join(p for p in (event.name, event.dates, event.venue) if p)
        provider_lines = [f"{label}: {value}" for label, value in (
            (event.labels["provider"], event.provider),
            (event.labels["activity_number"], event.activity_number)) if value]
        html = self.stationery_template.render(
            event=event, signature="badge:signature" if event.signature_png else None,
            signer=signer, event_line=event_line, provider_lines=provider_lines, lang=lang)
        key = (event.signature_png, html)
        document = self._stationery.pop(key, None)
        if document is None:
            document = self._layout(html, images)
            while len(self._stationery) >= self.STATIONERY_CACHE:
                self._stationery.pop(next(iter(self._stationery)))
        self._stationery[key] = document  # most recently used last
        return document

    def render(self, pages: Sequence[CertificatePage], event: CertificateEvent) -> bytes:
        with self._lock:
            lang = pages[0].lang if pages else "en"
            stationery = self.stationery(event, lang)
            images: dict[str, tuple[bytes, str]] = {}

            def image(data: bytes) -> str:
                url = f"badge:{len(images)}"
                images[url] = (data, "image/png")
                return url

            # The activities as one block of lines (``white-space: pre``), hours, date and title
            # apart by tab stops: one text box, not one element per cell (a column of hours as
            # a second block cost 2.5 ms a page); their header line is on the stationery.
            rows = [(page, image(fast_qr_png(page.verify_url)), name_class(page.name),
                     "\n".join(f"{h}\t{d}\t{t}" for d, t, h in page.activities[:14]))
                    for page in pages]
            html = self.template.render(pages=rows, event=event, lang=lang)
            if not rows:
                return stationery.write_pdf()
            document = self._layout(html, images)
            combined = document.copy([stationery.pages[0], *document.pages])
            return combined.write_pdf(finisher=draw_stationery_under_pages)


_RENDERER: list[CertificateRenderer] = []
# The name's font size by its length (the box is 500 pt wide and never wraps).
NAME_SIZES = ((32, "nm"), (42, "nm n2"), (54, "nm n3"))


def name_class(name: str) -> str:
    return next((cls for most, cls in NAME_SIZES if len(name) <= most), "nm n4")


def renderer() -> CertificateRenderer:
    if not _RENDERER:
        _RENDERER.append(CertificateRenderer())
    return _RENDERER[0]


def render_chunk(pages: Sequence[CertificatePage], event: CertificateEvent) -> bytes:
    """One PDF of ``pages``, in this process."""
    return renderer().render(pages, event)


def render_certificates(pages: Sequence[CertificatePage], event: CertificateEvent, *,
                        progress: Progress | None = None,
                        processes: int | None = None) -> bytes:
    """One PDF, one certificate per page, in order."""
    pages = list(pages)
    total = len(pages)
    workers = processes or os.cpu_count() or 1
    if workers <= 1 or total <= PARALLEL_THRESHOLD:
        pdf = render_chunk(pages, event)
        if progress:
            progress(total, total)
        return pdf
    chunk = chunk_size(total, workers)
    pool = get_pool(workers)
    futures: list[Future[bytes]] = [pool.submit(render_chunk, pages[i:i + chunk], event)
                                    for i in range(0, total, chunk)]
    parts = []
    for i, future in enumerate(futures):
        parts.append(future.result())
        if progress:
            progress(min(total, (i + 1) * chunk), total)
    return join_pdfs(parts)


def chunk_size(total: int, workers: int) -> int:
    """Pages per chunk: about ``CHUNK_PAGES``, at least one chunk per worker, and as many
    chunks as a multiple of the workers (3,000 on 2 workers: 20 chunks of 150)."""
    chunks = max(1, math.ceil(total / CHUNK_PAGES))
    chunks = math.ceil(chunks / workers) * workers
    return max(1, math.ceil(total / chunks))


def join_pdfs(parts: Sequence[bytes]) -> bytes:
    """One PDF of the chunk PDFs' pages, in order, with PDFium (``pypdfium2``): about 0.1 ms
    per page where pypdf's ``merge_pdfs`` takes 1.6 ms, and it runs in the parent after the
    last chunk (3,000 certificates: 0.3 s instead of 4.7 s of CPU)."""
    import io

    import pypdfium2

    if len(parts) == 1:
        return parts[0]
    out = pypdfium2.PdfDocument.new()
    try:
        for part in parts:
            source = pypdfium2.PdfDocument(part)
            try:
                out.import_pages(source)
            finally:
                source.close()
        buffer = io.BytesIO()
        out.save(buffer)
        return buffer.getvalue()
    finally:
        out.close()


def naive_render(pages: Sequence[CertificatePage], event: CertificateEvent) -> bytes:
    """The reference: one WeasyPrint document per certificate from a flowing HTML page
    (``templates/credits/certificate_pdf.html``: a table, wrapped text), an SVG QR code, the
    default URL fetcher, then the documents concatenated."""
    import base64

    from weasyprint import HTML

    from summit.qr import qr_svg

    template = _env().get_template("credits/certificate_pdf.html")
    signature = png_data_uri(event.signature_png) if event.signature_png else None
    parts = []
    for page in pages:
        qr = "data:image/svg+xml;base64," + base64.b64encode(qr_svg(page.verify_url)).decode()
        html = template.render(pages=[(page, qr)], event=event, signature=signature)
        parts.append(HTML(string=html).write_pdf())
    return merge_pdfs(parts)
