"""Operations: health check, structured logs, backup and restore (see docs/operations.md)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """/healthz, structured logs and backup commands."""
    from summit.ops import cli, views

    app.register_blueprint(views.bp)
    views.install_request_logging(app)
    cli.register(app)
