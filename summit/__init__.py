"""Summit: run in-person education-leadership summits.

``create_app`` builds the Flask application: configuration, extensions, blueprints, command-line
commands, security headers and error pages.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from flask import Flask, g, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError

from summit import (
    admin,
    api,
    auth,
    badges,
    breakouts,
    checkin,
    community,
    credits,
    events,
    homerooms,
    live,
    messages,
    ops,
    plans,
    privacy,
    registration,
    selfcheckin,
)
from summit.config import secret_key_from, settings_from_env
from summit.extensions import csrf, db, login_manager, migrate
from summit.headers import (
    API_CSP,
    API_PREFIX,
    HTMX_CDN_PATIENCE_MS,
    HTMX_SRI,
    htmx_local_path,
    htmx_setting,
    page_csp,
    security_headers_for,
)

ROOT = Path(__file__).resolve().parent.parent

# The parts of Summit in the order they start, lowest layer first (the layers are checked by
# import-linter: see pyproject.toml and docs/architecture.md). Each ``init_app`` registers the
# part's blueprint and commands, connects its signal receivers and fills the shared registries
# (job kinds, personal-data providers, message audiences, panels and navigation).
FOUNDATION_PARTS = (auth, events)
CAPABILITIES = (registration, privacy, messages, checkin, homerooms, breakouts, plans,
                selfcheckin, badges, credits, community, live)
EDGES = (admin, api, ops)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str((config or {}).get("INSTANCE_PATH") or ROOT / "instance"),
        instance_relative_config=True,
    )
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.update(settings_from_env(instance))
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key_from(instance)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True,
                     render_as_batch=True)
    csrf.init_app(app)
    from summit import i18n

    i18n.init_app(app)
    from summit import devices

    devices.init_app(app)
    _init_login(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from summit.database import configure_sqlite

            configure_sqlite(db.engine)

    import summit.models  # noqa: F401  (register every table)
    from summit.cli import register_cli

    register_cli(app)
    from summit import jobs

    jobs.init_app(app)
    from summit.logsafe import SecretConverter

    app.url_map.converters["secret"] = SecretConverter  # before any route declares one
    for part in (*FOUNDATION_PARTS, *CAPABILITIES, *EDGES):
        part.init_app(app)
    _init_templates(app)
    _init_security_headers(app)
    _init_input_guard(app)
    _init_error_pages(app)
    from summit.ratelimits import init_rate_limits

    init_rate_limits(app)  # wraps views, so it runs after every blueprint is registered
    _init_fast_paths(app)
    if app.config.get("TRUST_PROXY_HEADERS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUST_PROXY_HEADERS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from summit.access import check_every_view_declares_access

    check_every_view_declares_access(app)
    _init_log_redaction(app)
    return app


def _init_log_redaction(app: Flask) -> None:
    """Redact every route's declared secrets (``<secret:...>``) and every query string from
    the logs, werkzeug's development-server request lines included."""
    from flask.logging import default_handler

    from summit.logsafe import RedactFilter, install_secret_routes, secret_rules

    install_secret_routes(secret_rules(app.url_map))
    # werkzeug's request lines, and Flask's own handler ("Exception on /me/... [GET]") when
    # LOG_FORMAT=text; in JSON mode summit.ops.logs redacts every line.
    for target in (logging.getLogger("werkzeug"), default_handler):
        if not any(isinstance(f, RedactFilter) for f in target.filters):
            target.addFilter(RedactFilter())
def _init_fast_paths(app: Flask) -> None:
    """The WSGI fast paths: requests answered before Flask runs, each named here, in front of
    Flask and behind ``ProxyFix`` (so they see the client's address). Each repeats some checks
    of the view it stands in for; its docstring says which, and which test proves that the two
    answer alike. ``app.extensions["summit_fast_paths"]`` lists them by name."""
    from summit.api.fastpath import CheckinFastPath
    from summit.live.fastpath import LiveVoteFastPath
    from summit.live.polling import LiveRoomFastPath
    from summit.messages.live import LiveFastPath

    installed = app.extensions.setdefault("summit_fast_paths", {})
    for fast_path in (LiveFastPath, LiveRoomFastPath, LiveVoteFastPath, CheckinFastPath):
        app.wsgi_app = installed[fast_path.NAME] = fast_path(app.wsgi_app, app)


def _init_login(app: Flask) -> None:
    from summit.auth.models import StaffUser

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    from summit.i18n import N_

    login_manager.login_message = N_("Please sign in to continue.")
    login_manager.localize_callback = gettext  # a plain string in the session, translated
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        try:
            pk, token = user_id.split(":", 1)
            user = db.session.get(StaffUser, int(pk))
        except (ValueError, TypeError):
            return None
        if user is None or user.session_token != token:
            return None
        return user


def _init_templates(app: Flask) -> None:
    from summit import filters, panels
    from summit.access import may_open, staff_may_see

    filters.register(app)
    app.jinja_env.globals["may_open"] = may_open
    app.jinja_env.globals["staff_may_see"] = staff_may_see
    app.jinja_env.globals["session_links"] = panels.session_links

    @app.context_processor
    def inject_globals():
        return {
            "csp_nonce": getattr(g, "csp_nonce", ""),
            "htmx_source": app.config["HTMX_SOURCE"],
            "htmx_cdn_url": app.config["HTMX_CDN_URL"],
            "htmx_sri": HTMX_SRI,
            "htmx_local_path": htmx_local_path(),
            "htmx_patience_ms": HTMX_CDN_PATIENCE_MS,
        }




def _init_security_headers(app: Flask) -> None:
    htmx_source = htmx_setting(app.config["HTMX_SOURCE"], app.config["HTMX_CDN_URL"])

    @app.before_request
    def make_nonce():
        # The JSON API renders no page, so it needs no nonce (saves work on the check-in path).
        if not request.path.startswith(API_PREFIX):
            g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        # Set by ``summit.responses.allow_framing`` (only the program's embed): the websites
        # that may show this answer in a frame. Every other answer: no website may.
        framing = g.get("frame_ancestors")
        if request.path.startswith(API_PREFIX):
            headers.setdefault("Content-Security-Policy", API_CSP)
        elif response.status_code != 304:
            # No policy on "Not modified": the browser shows the copy it holds, whose scripts
            # carry the nonce of *its* policy. A 304's headers replace the stored ones, so a
            # fresh nonce would block every inline script of that copy (the htmx fallback).
            nonce = getattr(g, "csp_nonce", "")
            headers.setdefault("Content-Security-Policy",
                               page_csp(nonce, htmx_source, framing or "'none'"))
        for name, value in security_headers_for(app.config, framed=framing is not None):
            headers.setdefault(name, value)
        if request.headers.get("HX-Request"):
            vary = headers.get("Vary")
            headers["Vary"] = f"{vary}, HX-Request" if vary else "HX-Request"
        return response


def _init_input_guard(app: Flask) -> None:
    """Refuse NUL characters in a query string or a form: no field ever needs one, and
    PostgreSQL cannot store or even compare them (a 500 otherwise)."""

    @app.before_request
    def refuse_nul_characters():
        from flask import abort

        if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            values = request.form.lists()  # every value, before any view or form reads one
        else:
            values = ()
        for source in (request.args.lists(), values):
            for key, items in source:
                if "\x00" in key or any("\x00" in item for item in items):
                    abort(400, description="The request contained a character that is not "
                                           "allowed (NUL). Please check what was typed.")


def _init_error_pages(app: Flask) -> None:
    from summit.i18n import N_

    # English here, translated when shown (the JSON API answers in English).
    messages = {
        400: (N_("Something in that request was not right"),
              N_("Please go back and try again.")),
        401: (N_("Please sign in"),
              N_("You need to sign in to see this page.")),
        403: (N_("Not allowed"),
              N_("Your account does not have access to this page.")),
        404: (N_("Not found"),
              N_("There is nothing at this address.")),
        405: (N_("Not allowed"),
              N_("That action is not possible here.")),
        413: (N_("File too large"),
              N_("Please upload a smaller file.")),
        429: (N_("Too many attempts"),
              N_("Please wait a moment and try again.")),
        500: (N_("Something went wrong"),
              N_("The problem has been logged. Please try again.")),
    }

    def render_error(code: int, title: str, detail: str):
        if request.path.startswith("/api/"):
            return {"error": title, "detail": detail}, code
        return render_template("errors/error.html", code=code, title=gettext(title),
                               detail=gettext(detail)), code

    for code, (title, detail) in messages.items():

        def handler(error, code=code, title=title, detail=detail):
            description = getattr(error, "description", None)
            if code in (400, 429) and isinstance(description, str) and description:
                detail = description
            if code == 500:
                db.session.rollback()
            return render_error(code, title, detail)

        app.register_error_handler(code, handler)

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def value_out_of_range(error):
        # A value the database cannot hold (a number beyond its integers, text beyond a
        # column; SQLite's driver raises OverflowError for a too-large number) that no form
        # check caught: the person sent something impossible, so it is their 400, not our 500.
        # Nothing was saved: the transaction is rolled back.
        db.session.rollback()
        app.logger.warning("value refused by the database on %s %s: %s", request.method,
                           request.endpoint, type(getattr(error, "orig", error)).__name__)
        return render_error(400, N_("Something in that request was not right"),
                            N_("A value was too long or too large. Please check what was "
                               "typed and try again."))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            N_("This form has expired"),
            N_("For your security the form could not be sent. Go back, reload the page and "
               "try again."),
        )

