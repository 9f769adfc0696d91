"""Small request and response helpers shared by the views: is this an htmx request, PDFs, CSV
downloads and answers no cache may keep. No routes."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence

from flask import Response, g, request

from summit.csv_tools import write_csv
from summit.headers import frame_ancestors_for


def is_htmx() -> bool:
    """The request came from htmx and wants a fragment, not a page (a boosted link or form,
    which htmx sends for a whole page, gets the page)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def allow_framing(origins: Sequence[str]) -> None:
    """Let this site and the websites at ``origins`` show this answer in a frame: its CSP's
    ``frame-ancestors`` lists them instead of ``'none'``, and it carries no
    ``X-Frame-Options``. Every other answer may not be framed at all; only the program's
    embed (``summit.breakouts.program``) calls this. ``ValueError`` for a value that is not
    an origin."""
    g.frame_ancestors = frame_ancestors_for(origins)


def no_store(response: Response) -> Response:
    """Personal content (a badge, a plan): no browser or proxy cache keeps a copy."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


def pdf_response(pdf: bytes, filename: str, *, attachment: bool = False) -> Response:
    """A PDF shown in the browser (``inline``) or downloaded (``attachment``) as ``filename``."""
    response = Response(pdf, mimetype="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def csv_download(rows: Iterable[Mapping[str, object]], columns: Sequence[str],
                 filename: str) -> Response:
    """A CSV export as a download: written by ``summit.csv_tools.write_csv`` (formulas
    defused), with a byte-order mark so Excel reads UTF-8 names, and kept by no cache."""
    response = Response("\ufeff" + write_csv(rows, columns), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return no_store(response)


def json_bytes(app, data) -> bytes:
    """The bytes ``jsonify`` would send, for answers made without Flask (the fast paths)."""
    provider = app.json
    if (provider.compact is None and app.debug) or provider.compact is False:
        text = provider.dumps(data, indent=2)
    else:
        text = provider.dumps(data, separators=(",", ":"))
    return f"{text}\n".encode()


def declared_body(environ, app, limit: int) -> bytes | None:
    """A request's body read without Flask (the fast paths), when its length is declared and
    at most ``limit`` (and ``MAX_CONTENT_LENGTH``); put back for Flask, should the request go
    there after all. ``None`` otherwise, the body unread."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    if not 0 < length <= min(limit, app.config.get("MAX_CONTENT_LENGTH") or limit):
        return None
    raw = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(raw)
    environ["CONTENT_LENGTH"] = str(len(raw))
    return raw
