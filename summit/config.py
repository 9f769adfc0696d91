"""Settings read from the environment, with safe defaults.

Every setting can be overridden by the ``config`` mapping passed to ``create_app`` (tests do).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def secret_key_from(instance_path: Path) -> str:
    """Use ``SECRET_KEY`` if set, else a key generated once and kept in ``instance/``."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Create the file readable by its owner only.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def normalize_database_url(url: str) -> str:
    """Accept the URLs that hosting providers hand out (``postgres://``) and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def settings_from_env(instance_path: Path) -> dict:
    base_url = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'summit.db'}"
    secure_cookies = _bool(os.environ.get("SECURE_COOKIES"), default=base_url.startswith("https://"))
    return {
        "BASE_URL": base_url,
        "SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        # Attendees stay signed in on their phone for the whole summit and a little after.
        "PERMANENT_SESSION_LIFETIME": timedelta(days=45),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 8 * 1024 * 1024)),
        "WTF_CSRF_TIME_LIMIT": None,  # a form left open on a phone all morning still submits
        # Where pages load htmx from (docs/hardening.md): "cdn" (the default: HTMX_CDN_URL with
        # its integrity hash, the vendored copy as the fallback when the CDN fails or is slow)
        # or "local" (only the vendored copy: venues whose Wi-Fi has no internet).
        "HTMX_SOURCE": os.environ.get("HTMX_SOURCE", "cdn"),
        "HTMX_CDN_URL": os.environ.get(
            "HTMX_CDN_URL", "https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js"
        ),
        # Staff sign-in (summit/auth/services.py): free failures per account and device, and
        # per account from devices that never signed in to it, within 15 minutes.
        "LOGIN_THROTTLE_FREE_ATTEMPTS": 5,
        "LOGIN_THROTTLE_UNKNOWN_DEVICE_ATTEMPTS": 20,
        "OUTBOX_DIR": os.environ.get("OUTBOX_DIR") or str(instance_path / "outbox"),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "JOBS_BACKEND": os.environ.get("JOBS_BACKEND", "embedded"),
        "JOBS_EMBEDDED_WORKER": _bool(os.environ.get("JOBS_EMBEDDED_WORKER"), default=True),
        # Operations (summit/ratelimits.py, summit/ops/): see docs/operations.md.
        "RATELIMIT_ENABLED": _bool(os.environ.get("RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI")
        or os.environ.get("REDIS_URL") or "memory://",
        "RATELIMITS": os.environ.get("RATELIMITS", ""),  # rule=limit,...: summit/ratelimits.py
        "TRUST_PROXY_HEADERS": int(os.environ.get("TRUST_PROXY_HEADERS") or 0),
        # How long a worker trusts a looked-up API token (summit/access.py; 0: no cache).
        "API_AUTH_CACHE_SECONDS": float(os.environ.get("API_AUTH_CACHE_SECONDS") or 5),
        # A warm scanner's check-ins answered before Flask runs (summit/api/fastpath.py).
        "API_FAST_PATH": _bool(os.environ.get("API_FAST_PATH"), default=True),
        # Phones' answers to a poll served before Flask runs (summit/live/fastpath.py).
        "LIVE_FAST_PATH": _bool(os.environ.get("LIVE_FAST_PATH"), default=True),
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", ""),  # json | text; empty: text
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        "BACKUP_DIR": os.environ.get("BACKUP_DIR") or str(instance_path / "backups"),
    }
