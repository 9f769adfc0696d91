"""The security headers every answer carries, in one place (Flask's after-request hook and the
check-in fast path, which answers without Flask, both use them), and the htmx file pages load."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

HTMX_VERSION = "2.0.11"
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"

API_PREFIX = "/api/"
# JSON answers never load scripts, styles or frames: the strictest policy, the same every time.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def security_headers_for(config, *, framed: bool = False) -> list[tuple[str, str]]:
    """The headers every answer carries (pages add their CSP; see ``api_headers_for``).

    ``framed``: the answer may be shown in a frame by the origins its CSP's
    ``frame-ancestors`` lists (the program's embed, see ``frame_ancestors_for``), so it
    carries no ``X-Frame-Options``, which can only say DENY or SAMEORIGIN."""
    headers = [
        ("X-Content-Type-Options", "nosniff"),
        *([] if framed else [("X-Frame-Options", "DENY")]),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
    ]
    if config.get("SESSION_COOKIE_SECURE"):
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return headers


def api_headers_for(config) -> list[tuple[str, str]]:
    """Every header a JSON API answer gets from ``security_headers`` (for answers made
    without Flask: the check-in fast path)."""
    return [("Content-Security-Policy", API_CSP), *security_headers_for(config)]


HTMX_SOURCES = ("cdn", "local")
# How long a page waits for the CDN's htmx before it loads the vendored copy instead
# (templates/base.html): a venue's Wi-Fi without internet never holds a page longer.
HTMX_CDN_PATIENCE_MS = 1500


def htmx_local_path() -> str:
    """The vendored htmx, under ``/static``."""
    return f"vendor/htmx-{HTMX_VERSION}.min.js"


def htmx_setting(source: str, url: str) -> str:
    """What ``script-src`` must add for htmx: the CDN file (``htmx_script_source``) when
    ``HTMX_SOURCE`` is ``"cdn"``, nothing when it is ``"local"`` (``'self'`` covers the
    vendored copy). ``ValueError`` for another source, so a typo stops the start."""
    if source not in HTMX_SOURCES:
        raise ValueError(f"HTMX_SOURCE must be one of {', '.join(HTMX_SOURCES)}, not {source!r}.")
    address = htmx_script_source(url)  # checked in both modes: switching back must be safe
    return address if source == "cdn" else ""


def htmx_script_source(url: str) -> str:
    """What ``script-src`` must add for the htmx file at ``HTMX_CDN_URL``: that exact URL (a
    source whose path does not end in "/" matches that one file, not the rest of the CDN), or
    nothing when the file is served by this site (``'self'`` covers it). ``ValueError`` for
    anything else, so a mistyped setting stops the start instead of loosening the policy."""
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc and url.startswith("/"):
        return ""
    if (parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment
            or parts.path in ("", "/") or parts.path.endswith("/")
            or any(c in url for c in " \t\r\n;,'\"")):
        raise ValueError(
            f"HTMX_CDN_URL must be the https:// address of the htmx file (as "
            f"https://cdn.jsdelivr.net/npm/htmx.org@{HTMX_VERSION}/dist/htmx.min.js) or a path "
            f"on this site (/static/vendor/htmx-{HTMX_VERSION}.min.js), not {url!r}.")
    return url


# One origin as a CSP source: a scheme, a host (a leading "*." allowed) and an optional port.
_FRAME_ORIGIN = re.compile(r"^https?://(\*\.)?[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::\d{1,5})?$")


def frame_ancestors_for(origins) -> str:
    """The ``frame-ancestors`` sources of an answer that other websites may frame: this site
    and exactly ``origins`` (``https://www.district.org``). ``ValueError`` for anything that
    is not an origin, so a bad value can never loosen the policy (no ``*``, no keyword, no
    path, no "; other-directive")."""
    for origin in origins:
        if not isinstance(origin, str) or not _FRAME_ORIGIN.match(origin):
            raise ValueError(f"not an origin for frame-ancestors: {origin!r}")
    return " ".join(["'self'", *origins])


def page_csp(nonce: str, htmx_source: str, frame_ancestors: str = "'none'") -> str:
    """The Content-Security-Policy of a page: scripts and styles only from here or with the
    request's nonce, and htmx from exactly ``htmx_source`` (see ``htmx_script_source``).
    No website may frame it, unless ``frame_ancestors`` (from ``frame_ancestors_for``) says
    which may."""
    scripts = " ".join(s for s in ("'self'", f"'nonce-{nonce}'", htmx_source,
                                   "'wasm-unsafe-eval'") if s)
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data: blob:",
            # The check-in desk's service worker (static/js/desk-sw.js, served by the desk).
            "worker-src 'self'",
            "media-src 'self' blob: mediastream:",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )
