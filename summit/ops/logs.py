"""Structured logs: one JSON object per line on stderr, with secrets redacted.

``LOG_FORMAT=json`` (the default under gunicorn, set by ``gunicorn.conf.py``) installs
``JsonFormatter`` on the root logger, so the app, Flask-Limiter, SQLAlchemy warnings and the job
worker all write JSON lines; every request then gets one ``summit.request`` line with its request
id, method, path (with the secrets routes declare redacted, see ``summit.logsafe``), status,
duration and, for staff, the user id. Names, email addresses and query strings are never logged.
``LOG_FORMAT=text`` (the default for ``flask run``) keeps Flask's and werkzeug's plain lines.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

from summit.logsafe import (  # noqa: F401  (request_id_for: part of this module's interface)
    RedactFilter,
    redact,
    request_id_for,
    request_log,
    write_request_line,
)

REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "user_id")


class JsonFormatter(logging.Formatter):
    """A log record as one JSON line; the whole line goes through ``redact``."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is None and has_request_context():
            request_id = g.get("request_id")
        if request_id:
            data["request_id"] = request_id
        for name in REQUEST_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                data[name] = value
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(data, ensure_ascii=False, default=str))


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is now (test runners swap it)."""

    summit = True

    def __init__(self):
        super().__init__()
        self.addFilter(RedactFilter())

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):  # StreamHandler.__init__ assigns it
        pass


def configure_logging(app: Flask) -> None:
    """Install the JSON handler on the root logger once per process (idempotent)."""
    fmt = (app.config.get("LOG_FORMAT") or "text").strip().lower()
    app.config["LOG_FORMAT"] = fmt
    if fmt != "json":
        return
    # logging.config.fileConfig (Alembic's env.py runs one) disables every logger that exists
    # at that moment; ours must keep writing if the app is created in the same process later.
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and (name == "summit" or name.startswith("summit.")):
            logger.disabled = False
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "summit", False)]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL") or "INFO")
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)
    # werkzeug's own request lines would repeat summit.request ones in plain text, and
    # Flask-Limiter's "limit exceeded" lines carry the client IP: the 429 request line is enough.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)


def start_request() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_id_for(request.headers.get("X-Request-ID", ""))


def log_request(response):
    """One line per request (JSON mode only); health checks only at debug level."""
    request_id = g.get("request_id")
    if request_id:
        response.headers.setdefault("X-Request-ID", request_id)
    if not _json_mode():
        return response
    started = g.get("request_started")
    user = g.get("_login_user")  # only if this request already loaded it: no extra query
    user_id = user.id if user is not None and getattr(user, "is_authenticated", False) else None
    write_request_line(request.method, request.path, response.status_code, started=started,
                       user_id=user_id, debug=request.endpoint == "ops.healthz")
    return response


def _json_mode() -> bool:
    from flask import current_app

    return current_app.config.get("LOG_FORMAT") == "json"
