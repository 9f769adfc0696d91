"""A tiny per-process cache whose entries expire after a few seconds.

Used on hot paths (the check-in API) for look-ups that change rarely and may be a few seconds
stale: which account an API token belongs to, which event a slug names. Each Flask app keeps
its own caches (``app_cache``), so two apps in one process (tests) never share entries, and each
gunicorn worker has its own: a change made through one worker reaches the others within
``seconds``. No Flask import at module level.
"""

from __future__ import annotations

import threading
import time
from typing import Any

_MISSING = object()


class TTLCache:
    """A dict whose entries live ``seconds``; bounded to ``maxsize`` entries (cleared when full)."""

    def __init__(self, seconds: float, maxsize: int = 4096):
        self.seconds = seconds
        self.maxsize = maxsize
        self._data: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, default: Any = None) -> Any:
        entry = self._data.get(key)
        if entry is None:
            return default
        expires, value = entry
        if expires < time.monotonic():
            self._data.pop(key, None)
            return default
        return value

    def put(self, key: Any, value: Any) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            if len(self._data) >= self.maxsize:
                self._data.clear()
            self._data[key] = (time.monotonic() + self.seconds, value)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


def app_cache(name: str, seconds: float, app=None) -> TTLCache:
    """The app's cache called ``name`` (created on first use)."""
    if app is None:
        from flask import current_app

        app = current_app._get_current_object()
    caches = app.extensions.setdefault("summit_ttl_caches", {})
    cache = caches.get(name)
    if cache is None:
        cache = caches.setdefault(name, TTLCache(seconds))
    return cache
