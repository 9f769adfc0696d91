"""The security headers every answer carries, in one place: Flask's after-request hook and the
check-in fast path (which answers without Flask) both use them."""

from __future__ import annotations

API_PREFIX = "/api/"
# JSON answers never load scripts, styles or frames: the strictest policy, the same every time.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def security_headers_for(config) -> list[tuple[str, str]]:
    """The headers every answer carries (pages add their CSP; see ``api_headers_for``)."""
    headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
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


def page_csp(nonce: str) -> str:
    """The Content-Security-Policy of a page: scripts and styles only from here or with the
    request's nonce (and htmx from its CDN)."""
    cdn_origin = "https://cdn.jsdelivr.net"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}' {cdn_origin} 'wasm-unsafe-eval'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob: mediastream:",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
