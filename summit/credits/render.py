"""Certificates to PDF with WeasyPrint (plain Python, no Flask), the way badges render:
one HTML document per chunk of certificates (one page each), a PNG QR code per page, chunks
rendered in badges' pool of worker processes and concatenated (``badges.api``).

``render_certificates`` takes plain ``CertificatePage`` values; ``naive_render`` is the
reference the benchmark compares with (one WeasyPrint document per certificate, SVG QR codes,
then concatenated).
"""

from __future__ import annotations

import os
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


_RENDERER: dict[str, object] = {}


def _template():
    template = _RENDERER.get("template")
    if template is None:
        template = _RENDERER["template"] = _env().get_template("credits/certificate_pdf.html")
    return template


def _html(pages: Sequence[CertificatePage], event: CertificateEvent, *, svg_qr: bool = False):
    from summit.qr import qr_svg

    signature = png_data_uri(event.signature_png) if event.signature_png else None
    rows = []
    for page in pages:
        if svg_qr:
            import base64

            qr = "data:image/svg+xml;base64," + base64.b64encode(qr_svg(page.verify_url)).decode()
        else:
            qr = png_data_uri(fast_qr_png(page.verify_url))
        rows.append((page, qr))
    return _template().render(pages=rows, event=event, signature=signature)


def render_chunk(pages: Sequence[CertificatePage], event: CertificateEvent) -> bytes:
    from weasyprint import HTML

    return HTML(string=_html(pages, event), url_fetcher=DataOnlyFetcher()).write_pdf()


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
    """The reference: one WeasyPrint document per certificate (SVG QR code, default URL
    fetcher), then concatenated."""
    from weasyprint import HTML

    return merge_pdfs([HTML(string=_html([page], event, svg_qr=True)).write_pdf()
                       for page in pages])
