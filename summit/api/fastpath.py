"""The check-in fast path: a warm scanner's ``POST /api/v1/events/<slug>/checkins`` answered
before Flask runs.

At the door a scanner app or a kiosk posts one check-in per badge with the same token, hundreds
a minute. Flask's request pipeline (request context, hooks, Flask-Limiter's wrappers, error
handlers) cost more CPU than the check-in itself, so this WSGI middleware serves such a request
with the parts the Flask view uses, and nothing else:

- who: ``access.known_api_access``, only a token this worker's ``api_role`` has already
  checked (cached for ``API_AUTH_CACHE_SECONDS``, cleared at once when a token is revoked here);
- where: the entrance list the view cached;
- how often: ``ratelimits.check_outside_flask``, on Flask-Limiter's own counters;
- what: ``api.checkins.read_body`` and ``check_in``, exactly as the view runs them (a scan
  with a ``session`` or a ``scanned_at`` goes to the view, which reads the event's sessions);
- the answer's headers (``api_headers_for``, ``X-Request-ID``, the rate-limit headers) and its
  ``summit.request`` log line.

Anything else (no or an unknown token, a cold cache, a body it will not read, a limit reached)
goes to Flask untouched, the body put back, and the view answers it. ``API_FAST_PATH=False``
turns the fast path off. ``messages.live.LiveFastPath`` does the same for banner polls; both are
installed, by name, in ``summit._init_fast_paths``.

What this bypass repeats of the Flask pipeline, and the test that proves each agrees with it
(``tests/checkin/test_fast_path.py``, on both databases):
- ``api_role``'s token, role and event check, from its own cache: unknown tokens and tokens of
  another event go to Flask (``test_an_unknown_or_other_event_token_is_always_decided_by_flask``);
- Flask-Limiter's limits on the same counters (``test_both_ways_count_on_the_same_rate_limit``,
  ``test_a_network_refused_for_bad_tokens_is_refused_on_the_fast_path_too``, and
  ``tests/test_limiter_contract.py`` for the counter keys it shares with Flask-Limiter);
- the view's body reading, check-in and answer, the same functions
  (``test_a_warm_scanner_is_served_before_flask_and_answered_as_the_view_would``,
  ``test_what_the_fast_path_will_not_read_goes_to_the_view_with_its_body``);
- the security headers, ``X-Request-ID`` and the request log line
  (``test_a_warm_scanner_...``, ``test_the_fast_path_writes_the_request_log_line``);
- the app's 500 handler (answered in JSON, logged).
What it skips: the session and CSRF (the API uses neither), the CSP nonce (the API renders no
page), and the NUL guard, which reads query strings and forms only: a request with a query
string goes to Flask.
"""

from __future__ import annotations

import logging
import re
import time
from http import HTTPStatus

from summit.access import known_api_access
from summit.api import checkins
from summit.extensions import engine_of
from summit.headers import api_headers_for
from summit.logsafe import request_id_for, write_request_line
from summit.ratelimits import check_outside_flask
from summit.responses import declared_body, json_bytes

log = logging.getLogger(__name__)


class CheckinFastPath:
    """WSGI middleware around the app's ``wsgi_app``; see the module docstring."""

    NAME = "checkin-api"
    ENDPOINT = "api.create_checkin"
    PATH = re.compile(r"^/api/v1/events/([^/]{1,200})/checkins$")

    def __init__(self, wsgi_app, app):
        self.wsgi_app = wsgi_app
        self.app = app
        self._engine = None
        self._roles: tuple[str, ...] | None = None

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and self.app.config["API_FAST_PATH"] \
                and not environ.get("QUERY_STRING"):
            match = self.PATH.match(environ.get("PATH_INFO", ""))
            if match:
                served = self._serve(environ, match[1], start_response)
                if served is not None:
                    return served
        return self.wsgi_app(environ, start_response)

    def _serve(self, environ, slug: str, start_response):
        started = time.perf_counter()
        app = self.app
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        known = known_api_access(app, authorization, slug, self.roles)
        if known is None:
            return None
        user, event = known
        entrance = checkins.entrance_cache(app).get(event.id)
        if entrance is None:
            return None
        raw = declared_body(environ, app, checkins.MAX_BODY)
        if raw is None:
            return None
        parsed = checkins.read_body(raw)
        if isinstance(parsed, checkins.Answer):
            return None  # the view refuses it, and counts it against the limits as it does
        if not parsed.plain:
            return None  # a room door or a scan time: the view reads the event's sessions
        limits = check_outside_flask(app, self.ENDPOINT, method="POST",
                                     ip=environ.get("REMOTE_ADDR", ""),
                                     token=authorization.partition(" ")[2].strip())
        if limits is None:
            return None  # a limit reached (or its storage down): the view answers
        try:
            reply = checkins.check_in(self.engine, event, entrance, user.id, parsed.code,
                                      parsed.nonce)
        except Exception:  # as the app's 500 handler: logged, and answered in JSON
            log.exception("check-in failed on the fast path")
            reply = checkins.refusal(500, "Something went wrong",
                                     detail="The problem has been logged. Please try again.")
        body = json_bytes(self.app, reply.body)
        request_id = request_id_for(environ.get("HTTP_X_REQUEST_ID", ""))
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        try:
            limits.settle(reply.status)
            if app.config.get("RATELIMIT_HEADERS_ENABLED"):
                headers += limits.headers()
        except Exception:  # the check-in is done: its answer goes out without these headers
            log.warning("rate limits unavailable after a fast-path check-in", exc_info=True)
        headers += self.api_headers
        headers.append(("X-Request-ID", request_id))
        start_response(f"{reply.status} {HTTPStatus(reply.status).phrase}", headers)
        if app.config.get("LOG_FORMAT") == "json":
            write_request_line("POST", environ.get("PATH_INFO", ""), reply.status,
                               started=started, request_id=request_id)
        return [body]

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles the Flask view's ``api_role`` asks for."""
        if self._roles is None:
            self._roles = self.app.view_functions[self.ENDPOINT].access.roles
        return self._roles

    @property
    def engine(self):
        if self._engine is None:
            self._engine = engine_of(self.app)
        return self._engine

    @property
    def api_headers(self) -> list[tuple[str, str]]:
        return api_headers_for(self.app.config)
