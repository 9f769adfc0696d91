"""Certificates to PDF with WeasyPrint (plain Python, no Flask), the way badges render:
one HTML document per chunk of certificates (one page each), every block absolutely placed and
unwrapped, a PNG QR code per page, chunks rendered in badges' pool of worker processes and
concatenated (``badges.api``).

``render_certificates`` takes plain ``CertificatePage`` values; ``naive_render`` is the
reference the benchmark compares with (one WeasyPrint document per certificate, SVG QR codes,
then concatenated).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import jinja2

from summit.badges.api import DataOnlyFetcher, fast_qr_png, get_pool, merge_pdfs, png_data_uri

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
PARALLEL_THRESHOLD = 60
CHUNK_PAGES = 100

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


class CertificateRenderer:
    """Renders certificates; one per process (it keeps the font configuration, the compiled
    stylesheet and the template). Every block is absolutely placed and never wraps
    (``templates/credits/certificate.css``), QR codes are PNGs handed to WeasyPrint by short
    ``badge:N`` URLs, as badges do."""

    def __init__(self) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        env = _env()
        self.template = env.get_template("credits/certificates.html.j2")
        self.font_config = FontConfiguration()
        self.fetcher = DataOnlyFetcher()
        css = (TEMPLATES_DIR / "credits" / "certificate.css").read_text()
        self.css = CSS(string=css, font_config=self.font_config, url_fetcher=self.fetcher)
        self._lock = threading.Lock()

    def render(self, pages: Sequence[CertificatePage], event: CertificateEvent) -> bytes:
        from weasyprint import HTML

        with self._lock:
            images: dict[str, tuple[bytes, str]] = {}

            def image(data: bytes) -> str:
                url = f"badge:{len(images)}"
                images[url] = (data, "image/png")
                return url

            # The activities as two blocks of lines (``white-space: pre``): one text box each,
            # not one element per line.
            head = f"{event.labels['date']} · {event.labels['activity']}"
            rows = [(page, image(fast_qr_png(page.verify_url)), name_class(page.name),
                     ("\n".join([head, *(f"{d} · {t}" for d, t, _h in page.activities[:14])]),
                      "\n".join([event.labels["hours"],
                                  *(h for _d, _t, h in page.activities[:14])])))
                    for page in pages]
            signature = image(event.signature_png) if event.signature_png else None
            signer = ", ".join(p for p in (event.signer_name, event.signer_title) if p)
            event_line = " · ".join(p for p in (event.name, event.dates, event.venue) if p)
            provider_lines = [f"{label}: {value}" for label, value in (
                (event.labels["provider"], event.provider),
                (event.labels["activity_number"], event.activity_number)) if value]
            html = self.template.render(pages=rows, event=event, signature=signature,
                                        signer=signer, event_line=event_line,
                                        provider_lines=provider_lines,
                                        lang=pages[0].lang if pages else "en")
            self.fetcher.images = images
            try:
                document = HTML(string=html, url_fetcher=self.fetcher).render(
                    font_config=self.font_config, stylesheets=[self.css], cache={})
                return document.write_pdf()
            finally:
                self.fetcher.images = {}


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
    chunk = CHUNK_PAGES
    while chunk > 10 and total / chunk < 2 * workers:
        chunk //= 2
    pool = get_pool(workers)
    futures: list[Future[bytes]] = [pool.submit(render_chunk, pages[i:i + chunk], event)
                                    for i in range(0, total, chunk)]
    parts = []
    for i, future in enumerate(futures):
        parts.append(future.result())
        if progress:
            progress(min(total, (i + 1) * chunk), total)
    return merge_pdfs(parts)


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
