"""``/healthz`` for load balancers and monitors, and the per-request log hooks."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from summit.access import public
from summit.extensions import db
from summit.ops import logs

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)


def install_request_logging(app) -> None:
    """Structured logs, and a log line per request (called by ``summit.ops.init_app``)."""
    logs.configure_logging(app)
    # First before-request hook (times the whole request) and last after-request hook
    # (Flask runs those in reverse order), so the log line sees the final status.
    app.before_request_funcs.setdefault(None, []).insert(0, logs.start_request)
    app.after_request_funcs.setdefault(None, []).insert(0, logs.log_request)


@bp.route("/healthz", methods=["GET"])
@public
def healthz():
    """Is this process up and can it reach the database? No personal data, no session."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("health check: database unavailable (%s)", type(exc).__name__)
        database = "unavailable"
    finally:
        db.session.remove()
    ok = database == "ok"
    response = jsonify({"status": "ok" if ok else "error", "database": database})
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response
