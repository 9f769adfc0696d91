"""Render attendee badges to PDF with WeasyPrint (plain Python, no Flask).

One HTML document per chunk of badges; big batches are split into chunks
rendered in parallel worker processes, then concatenated with pypdf. Each
process keeps one :class:`BadgeRenderer` per stock (font configuration,
compiled CSS and Jinja template reused across documents).
"""

from __future__ import annotations

import atexit
import base64
import binascii
import gc
import io
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from summit.qr import png_data_uri

from .fit import Fitted, fit_text
from .layout import Layout, TextSpec, layout_for
from .qr import fast_qr_png
from .stocks import Stock, get_stock

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
RIBBONS = ("Speaker", "Facilitator", "Staff", "Organizer")
# Below this many badges a single in-process document beats a process pool.
PARALLEL_THRESHOLD = 120
# Pages per chunk sent to a worker: big enough to amortise the ~0.1 s fixed cost
# of a document, small enough for progress reports and bounded worker memory.
CHUNK_PAGES = 28

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BadgeData:
    """What one badge prints."""

    first_name: str
    last_name: str
    organization: str
    state: str
    role: str
    checkin_url: str
    homeroom: str | None = None
    ribbon: str | None = None
    attendee_id: int | None = None


@dataclass(frozen=True)
class BadgeEvent:
    """Event-level badge content; ``logo`` is raw PNG/JPEG/GIF/SVG bytes."""

    name: str
    logo: bytes | None = None
    logo_mime: str | None = None


def sniff_mime(data: bytes) -> str:
    """Image MIME type from magic bytes (PNG, JPEG, GIF, WebP, else SVG)."""
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data[:4] == b"GIF8":
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "image/svg+xml"


def default_env() -> jinja2.Environment:
    """A Flask-free Jinja environment on the repository's ``templates/`` folder."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True,
        trim_blocks=True, lstrip_blocks=True,
    )


class _Response(URLFetcherResponse):
    """A cheap response: skips building an ``EmailMessage`` for headers."""

    def __init__(self, url: str, body: bytes, content_type: str) -> None:
        self.url = url
        self.status = 200
        self._file_obj = io.BytesIO(body)
        self._content_type = content_type

    @property
    def content_type(self) -> str:  # type: ignore[override]
        return self._content_type

    @property
    def charset(self) -> None:  # type: ignore[override]
        return None


class DataOnlyFetcher(URLFetcher):
    """Serves ``data:`` URIs only (fast, no urllib); everything else is refused.

    Badges never need the network or the filesystem: QR codes and the logo are
    inlined, so refusing other schemes also rules out SSRF and local file reads.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Images of the document being rendered, by short ``badge:N`` URL (see BadgeRenderer):
        # a few bytes of HTML per image instead of a base64 data URI to parse.
        self.images: dict[str, tuple[bytes, str]] = {}

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("badge:"):
            try:
                body, mime = self.images[url]
            except KeyError:
                raise ValueError(f"no image {url!r} in this document") from None
            return _Response(url, body, mime)
        if not url.startswith("data:"):
            raise ValueError(f"badges only load data: URIs, not {url[:40]!r}")
        head, _, payload = url[5:].partition(",")
        mime, _, params = head.partition(";")
        if params.endswith("base64"):
            try:
                body = base64.b64decode(payload, validate=False)
            except binascii.Error as exc:
                raise ValueError("bad base64 in data: URI") from exc
        else:
            from urllib.parse import unquote_to_bytes

            body = unquote_to_bytes(payload)
        return _Response(url, body, mime or "text/plain")


@dataclass(frozen=True)
class _Text:
    lines: tuple[str, ...]
    size: float
    pad: float


def _fit(text: str, spec: TextSpec, box_w: float, box_h: float) -> _Text:
    fitted: Fitted = fit_text(
        text, box_w, box_h, max_size=spec.max_size, min_size=spec.min_size,
        max_lines=spec.max_lines, bold=spec.bold,
    )
    used = len(fitted.lines) * fitted.size * 1.15
    return _Text(fitted.lines, fitted.size, round(max(0.0, (box_h - used) / 2), 2))


class BadgeRenderer:
    """Renders badges for one stock; reuse it, it caches fonts, CSS and template."""

    def __init__(self, stock: Stock | str, env: jinja2.Environment | None = None) -> None:
        self.stock = get_stock(stock)
        self.layout: Layout = layout_for(self.stock)
        self.env = env or default_env()
        self.template = self.env.get_template("badges/sheet.html.j2")
        self.font_config = FontConfiguration()
        self.fetcher = DataOnlyFetcher()
        css = self.env.get_template("badges/badges.css.j2").render(stock=self.stock, L=self.layout)
        self.css = CSS(string=css, font_config=self.font_config, url_fetcher=self.fetcher)
        self._event_cache: dict[str, _Text] = {}
        # Collects the images of the document being built (None: inline data URIs).
        self._images: dict[str, tuple[bytes, str]] | None = None
        # Fontconfig/Pango state is shared by every document of this renderer: one at a time.
        self._lock = threading.Lock()

    def _text(self, key: str, text: str) -> _Text:
        box = getattr(self.layout, key)
        return _fit(text, self.layout.text[key], box.w, box.h)

    def _image_url(self, data: bytes, mime: str) -> str:
        images = self._images
        if images is None:
            return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
        url = f"badge:{len(images)}"
        images[url] = (data, mime)
        return url

    def badge_context(self, badge: BadgeData) -> dict[str, Any]:
        """Template variables of one badge: fitted text blocks and the QR data URI."""
        ribbon = (badge.ribbon or "").strip()
        meta = " · ".join(p for p in (badge.state.strip(), badge.role.strip()) if p)
        return {
            "first": self._text("first", badge.first_name),
            "last": self._text("last", badge.last_name),
            "org": self._text("org", badge.organization),
            "meta": self._text("meta", meta),
            "homeroom": (
                self._text("homeroom", f"Day 1 homeroom: {badge.homeroom}")
                if badge.homeroom else None
            ),
            "qr": self._image_url(fast_qr_png(badge.checkin_url), "image/png"),
            "ribbon": self._text("ribbon", ribbon.upper()) if ribbon else None,
            "ribbon_class": ribbon.lower().replace(" ", "-"),
        }

    def html(self, badges: Sequence[BadgeData], event: BadgeEvent) -> str:
        """The HTML document for ``badges`` (useful for debugging and layout tests)."""
        per_page = self.stock.per_page
        contexts = [self.badge_context(b) for b in badges]
        pages = [contexts[i:i + per_page] for i in range(0, len(contexts), per_page)]
        key = f"{bool(event.logo)}:{event.name}"
        event_text = self._event_cache.get(key)
        if event_text is None:
            box = "event" if event.logo else "event_wide"
            event_text = self._event_cache[key] = _fit(
                event.name, self.layout.text["event"], getattr(self.layout, box).w,
                self.layout.event.h)
        # One class per distinct (size, padding) of the fitted texts, whichever blocks they are.
        styles: dict[tuple[float, float], str] = {}
        for text in (event_text, *(v for c in contexts for v in c.values()
                                   if isinstance(v, _Text))):
            styles.setdefault((text.size, text.pad), f"z{len(styles)}")
        return self.template.render(
            pages=pages, event_text=event_text, lang="en", styles=styles,
            logo=(self._image_url(event.logo, event.logo_mime or sniff_mime(event.logo))
                  if event.logo else None),
            landscape=self.stock.landscape,
            title=f"{event.name} badges",
        )

    def document(self, badges: Sequence[BadgeData], event: BadgeEvent) -> Any:
        """The laid-out WeasyPrint ``Document`` (pages and boxes inspectable)."""
        with self._lock:
            self._images = {}
            try:
                html = self.html(badges, event)
                self.fetcher.images = self._images
            finally:
                self._images = None
            try:
                return HTML(string=html, url_fetcher=self.fetcher).render(
                    font_config=self.font_config, stylesheets=[self.css], cache={},
                )
            finally:
                self.fetcher.images = {}

    def render(self, badges: Sequence[BadgeData], event: BadgeEvent) -> bytes:
        """One PDF for ``badges``, in this process."""
        document = self.document(badges, event)
        with self._lock:
            return document.write_pdf()


_RENDERERS: dict[str, BadgeRenderer] = {}
_RENDERERS_LOCK = threading.Lock()


def renderer_for(stock: Stock | str, env: jinja2.Environment | None = None) -> BadgeRenderer:
    """A cached :class:`BadgeRenderer` for ``stock`` (a fresh one when ``env`` is given)."""
    if env is not None:
        return BadgeRenderer(stock, env)
    stock = get_stock(stock)
    key = repr(stock)
    with _RENDERERS_LOCK:
        renderer = _RENDERERS.get(key)
        if renderer is None:
            renderer = _RENDERERS[key] = BadgeRenderer(stock)
    return renderer


# --- process pool ---------------------------------------------------------------------

_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0
_POOL_LOCK = threading.Lock()


# A worker's garbage collector, once its start-up objects are frozen: a first-generation pass
# every 50,000 allocations instead of 700. Laying out a badge allocates thousands of boxes and
# styles, mostly freed by reference counting; with the default thresholds the collector ran
# ~1,800 passes per 1,000 badges and took a quarter of the CPU of one process (6.6 -> 4.8 ms
# per badge). In the two-worker pool: 2.8 -> 2.6 ms per badge for about 100 MiB more at the
# peak (docs/benchmarks-badges.md, fourth round).
WORKER_GC_THRESHOLD = (50_000, 20, 10)


def _worker_init() -> None:
    # Load font metrics up front so the first chunk does not pay for them.
    from .fit import char_em

    char_em("A", True)
    gc.collect()
    gc.freeze()  # modules, fonts, metrics: they live as long as the worker
    gc.set_threshold(*WORKER_GC_THRESHOLD)


def _render_chunk(stock: Stock, badges: Sequence[BadgeData], event: BadgeEvent) -> bytes:
    return renderer_for(stock).render(badges, event)


def get_pool(processes: int | None = None) -> ProcessPoolExecutor:
    """The shared worker pool (started on first use with the ``forkserver`` method).

    ``forkserver`` is safe in threaded servers (no fork of a thread-holding parent)
    and cheap per worker: the server preloads this module once.
    """
    global _POOL, _POOL_SIZE
    size = processes or os.cpu_count() or 1
    with _POOL_LOCK:
        if _POOL is not None and size != _POOL_SIZE:
            _POOL.shutdown(wait=True)
            _POOL = None
        if _POOL is None:
            methods = multiprocessing.get_all_start_methods()
            method = "forkserver" if "forkserver" in methods else "spawn"
            ctx = multiprocessing.get_context(method)
            if method == "forkserver":
                ctx.set_forkserver_preload([__name__])
            _POOL = ProcessPoolExecutor(size, mp_context=ctx, initializer=_worker_init)
            _POOL_SIZE = size
        return _POOL


def shutdown_pool() -> None:
    """Stop the shared worker pool (it restarts on demand)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is not None:
            _POOL.shutdown(wait=True, cancel_futures=True)
            _POOL = None


atexit.register(shutdown_pool)


def merge_pdfs(parts: Sequence[bytes]) -> bytes:
    """Concatenate PDFs (pypdf), keeping every page as is."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_badges(
    badges: Sequence[BadgeData],
    event: BadgeEvent,
    stock: Stock | str = "avery-5392",
    *,
    progress: Progress | None = None,
    processes: int | None = None,
    env: jinja2.Environment | None = None,
) -> bytes:
    """One PDF with every badge, in order, ``stock.per_page`` to a page.

    ``processes=1`` (or a batch of at most ``PARALLEL_THRESHOLD``) renders in
    this process, with ``env`` if given; otherwise chunks go to the shared pool
    (see :func:`get_pool`), whose workers always use :func:`default_env` (the
    same ``templates/`` folder: a Jinja environment cannot cross processes).
    ``progress(done, total)`` is called as badges are done.
    """
    stock = get_stock(stock)
    badges = list(badges)
    total = len(badges)
    workers = processes or os.cpu_count() or 1
    if workers <= 1 or total <= PARALLEL_THRESHOLD:
        pdf = renderer_for(stock, env).render(badges, event)
        if progress:
            progress(total, total)
        return pdf

    chunk = CHUNK_PAGES * stock.per_page
    # At least two chunks per worker keeps both cores busy until the end.
    while chunk > stock.per_page and total / chunk < 2 * workers:
        chunk -= stock.per_page
    pool = get_pool(workers)
    futures: list[Future[bytes]] = [
        pool.submit(_render_chunk, stock, badges[i:i + chunk], event)
        for i in range(0, total, chunk)
    ]
    from pypdf import PdfWriter

    # Append each chunk as soon as it is ready: the merge overlaps the rendering.
    writer = PdfWriter()
    for i, future in enumerate(futures):
        writer.append(io.BytesIO(future.result()))
        if progress:
            progress(min(total, (i + 1) * chunk), total)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_single(
    badge: BadgeData, event: BadgeEvent, stock: Stock | str = "thermal-4x6",
    env: jinja2.Environment | None = None,
) -> bytes:
    """One badge, one page, in this process (for the check-in desk)."""
    return renderer_for(stock, env).render([badge], event)


def render_calibration(stock: Stock | str, env: jinja2.Environment | None = None) -> bytes:
    """A one-page calibration sheet: every badge slot outlined, with cut marks and rulers."""
    stock = get_stock(stock)
    env = env or default_env()
    html = env.get_template("badges/calibration.html.j2").render(stock=stock)
    return HTML(string=html, url_fetcher=DataOnlyFetcher()).write_pdf()


__all__ = [
    "BadgeData", "BadgeEvent", "BadgeRenderer", "RIBBONS", "default_env", "get_pool",
    "merge_pdfs", "png_data_uri", "render_badges", "render_calibration", "render_single",
    "renderer_for", "shutdown_pool",
]
