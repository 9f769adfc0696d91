"""The vote fast path: a phone's answer to a poll (``POST /e/<slug>/qa/<key>/polls/<id>/vote``,
as ``static/js/live.js`` sends it) answered before Flask runs.

In a keynote 3,000 phones answer a poll within 30 seconds. Through Flask a vote cost about
6 ms of CPU (request context, session, CSRF, Flask-Limiter's wrappers, the ORM's queries and
objects), several times the vote itself, and the answers queued for the two cores. This WSGI
middleware serves the common case with the parts the view uses and nothing else:

- who: the Flask session cookie, read with the app's own serializer; the attendee's entry
  checked by ``access.entry_names`` on the attendee's row, registered
  (``views._require_registered``), and the one the page's ETag names
  (``views._answered_poll``: a valid ``X-Live-ETag`` of this viewer's page);
- the CSRF token, as Flask-WTF's ``CSRFProtect`` checks it (the form field, the session's
  token, the referrer over HTTPS);
- how often: the ``live_post`` limit on the device, ``ratelimits.check_outside_flask`` on
  Flask-Limiter's own counters;
- what: the form read by ``forms.VoteAnswer`` (the view's fields), checked by
  ``rules.parse_vote``, stored and counted by ``services.store_vote_alone`` (the same
  statements as ``services.vote`` and ``count_answer``, straight on the driver);
- the answer: the JSON ``views._answered_poll`` sends (``views.vote_messages``,
  ``views.voted_section_outside`` and the new ETag, in ``i18n.language_for``'s language),
  ``Cache-Control``, the security headers, ``X-Request-ID``, the rate-limit headers and the
  ``summit.request`` log line.

Anything else goes to Flask untouched, the body put back, and the view answers it: no or a
bad session, a staff member signed in on the phone, an ``Authorization`` header, a page ETag
that is not this viewer's, a missing or wrong CSRF token, a form it will not read (another
type, too long, a NUL, a query string), a poll that is closed or not the room's (or closes
before the answer is stored: the insert itself asks), an answer the rules refuse, a limit
reached, or a database error before the answer is stored. What it does not do: refresh the
session cookie's expiry (Flask sends the cookie again with every answer; a phone's next page
or poll through Flask does it). ``LIVE_FAST_PATH=False`` turns it
off. ``tests/live/test_vote_fast_path.py`` proves, on both databases, that the two agree:
the same answers, rows, counters and limits, and every refusal left to the view.
"""

from __future__ import annotations

import hmac
import logging
import re
import time
from urllib.parse import parse_qsl

import werkzeug.urls  # noqa: F401  (registers "werkzeug.url_quote", as Flask's form parser)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import same_origin
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.datastructures import LanguageAccept, MultiDict
from werkzeug.http import parse_accept_header, parse_cookie
from werkzeug.wsgi import get_host

from summit.access import ATTENDEE_SESSION_KEY, entry_names, read_entry
from summit.devices import device_id_in
from summit.extensions import engine_of
from summit.headers import api_headers_for
from summit.i18n import COOKIE, language_for
from summit.live import polling, rules, services, views
from summit.live.forms import VoteAnswer
from summit.logsafe import request_id_for, write_request_line
from summit.ratelimits import check_outside_flask
from summit.responses import declared_body, json_bytes

log = logging.getLogger(__name__)

MAX_BODY = 4096  # a vote's form: a CSRF token and a few answers


class LiveVoteFastPath:
    """WSGI middleware around the app's ``wsgi_app``; see the module docstring."""

    NAME = "live-vote"
    ENDPOINT = "live.vote"
    PATH = re.compile(r"^/e/([a-z0-9-]{1,64})/qa/([sb][1-9][0-9]{0,9})/polls/"
                      r"([1-9][0-9]{0,9})/vote$")

    def __init__(self, wsgi_app, app):
        self.wsgi_app = wsgi_app
        self.app = app
        self._engine = None
        self._sessions = None

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and not environ.get("QUERY_STRING") \
                and environ.get("HTTP_X_LIVE_QUEUE") and environ.get("HTTP_X_LIVE_POLL") \
                and not environ.get("HTTP_AUTHORIZATION") and self.app.config["LIVE_FAST_PATH"]:
            match = self.PATH.match(environ.get("PATH_INFO", ""))
            if match:
                served = self._serve(environ, match[1], match[2], int(match[3]), start_response)
                if served is not None:
                    return served
        return self.wsgi_app(environ, start_response)

    def _serve(self, environ, slug: str, key: str, poll_id: int, start_response):
        started = time.perf_counter()
        app = self.app
        secret = app.config["SECRET_KEY"]
        tag = polling.read_phone_etag(environ.get("HTTP_X_LIVE_ETAG", ""), secret=secret,
                                      slug=slug, key=key)
        session = self._session(environ) if tag is not None else None
        if session is None or "_user_id" in session:
            return None  # no page of this room, no session, or staff: the view decides
        device = device_id_in(session)
        if device is None:
            return None  # the view counts devices without an id apart
        signed_in = self._entry(session, tag.viewer)
        if signed_in is None:
            return None
        event_key, (attendee_id, fingerprint, kind) = signed_in
        form = self._form(environ)
        if form is None or not self._csrf_valid(environ, session, form):
            return None
        try:
            facts = services.vote_facts(self.engine, slug=slug, key=key, poll_id=poll_id,
                                        attendee_id=attendee_id)
        except Exception:  # the view meets the same error and answers it
            log.warning("vote facts unavailable on the fast path", exc_info=True)
            return None
        if facts is None or str(facts.event_id) != event_key \
                or not entry_names(facts.attendee, facts.event_id, fingerprint, kind) \
                or facts.attendee.status != "registered" or facts.poll_status != "open":
            return None
        answer = VoteAnswer(formdata=form)
        try:
            ballot = rules.parse_vote(facts.kind, facts.option_ids, answer.option.data,
                                      answer.value.data, answer.text.data)
        except rules.LiveError:
            return None  # the view says what is wrong, in the phone's language
        limits = check_outside_flask(app, self.ENDPOINT, method="POST",
                                     ip=environ.get("REMOTE_ADDR", ""), device=device)
        if limits is None:
            return None  # a limit reached (or its storage down): the view answers
        try:
            stored, votes = services.store_vote_alone(self.engine, poll_id, attendee_id, ballot)
        except rules.PollClosedError:
            return None  # closed while this answer was on its way: the view says so (409)
        except Exception:  # nothing was stored: the view tries again, and answers
            log.warning("vote not stored on the fast path", exc_info=True)
            return None
        lang = language_for(facts.attendee.preferred_language, self._cookie(environ, COOKIE),
                            parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"),
                                                LanguageAccept))
        body, content_type = self._answer(slug, key, poll_id, tag, lang, stored, votes or 0)
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body))),
                   ("Cache-Control", "private, no-cache"), ("Vary", "Cookie")]
        try:
            if app.config.get("RATELIMIT_HEADERS_ENABLED"):
                headers += limits.headers()
        except Exception:  # the vote is in: its answer goes out without these headers
            log.warning("rate limits unavailable after a fast-path vote", exc_info=True)
        headers += api_headers_for(app.config)
        request_id = request_id_for(environ.get("HTTP_X_REQUEST_ID", ""))
        headers.append(("X-Request-ID", request_id))
        start_response("200 OK", headers)
        if app.config.get("LOG_FORMAT") == "json":
            write_request_line("POST", environ.get("PATH_INFO", ""), 200, started=started,
                               request_id=request_id)
        return [body]

    def _answer(self, slug: str, key: str, poll_id: int, tag, lang: str, stored: bool,
                votes: int) -> tuple[bytes, str]:
        """The stored answer's reply, as ``views._answered_poll`` makes it: the message, the
        voter's poll section and the page's new ETag (JSON). Should that fail (or the poll be
        gone meanwhile), the answer is in all the same: the view's few words, and the phone
        fetches its room (``static/js/live.js``)."""
        app = self.app
        try:
            counted, again = views.vote_messages(app, lang)
            message = counted if stored else again
            section = views.voted_section_outside(app, slug, key, poll_id, votes, lang)
        except Exception:
            log.exception("a stored vote's answer failed on the fast path")
            section, message = None, views.ANSWER_COUNTED if stored else views.ANSWERED_ALREADY
        if section is None:
            return message.encode(), "text/plain; charset=utf-8"
        html, shown = section
        etag = polling.phone_etag(secret=app.config["SECRET_KEY"], slug=slug, key=key,
                                  seq=tag.seq, tally=tag.tally, viewer=tag.viewer, lang=lang,
                                  results=shown)
        return json_bytes(app, {"message": message, "etag": etag, "poll": html}), \
            "application/json"

    # --- what Flask would have read -----------------------------------------------------------

    def _session(self, environ) -> dict | None:
        """The Flask session the cookie carries, as ``SecureCookieSessionInterface`` opens
        it; ``None`` without one (or with another session interface)."""
        app = self.app
        interface = app.session_interface
        value = self._cookie(environ, app.config["SESSION_COOKIE_NAME"])
        if not value or type(interface) is not SecureCookieSessionInterface:
            return None
        # Flask's session JSON (tagged values) reads through the app's JSON provider.
        with app.app_context():
            if self._sessions is None:
                self._sessions = interface.get_signing_serializer(app)
            try:
                data = self._sessions.loads(
                    value, max_age=int(app.permanent_session_lifetime.total_seconds()))
            except BadData:
                return None
        return data if isinstance(data, dict) else None

    @staticmethod
    def _cookie(environ, name: str) -> str | None:
        return parse_cookie(environ.get("HTTP_COOKIE", "")).get(name)

    @staticmethod
    def _entry(session: dict, viewer: str):
        """(event id, parsed entry) of the session's sign-in for the attendee ``viewer``
        (``a<id>``, from the page's ETag) names; ``None`` when it has none."""
        entries = session.get(ATTENDEE_SESSION_KEY)
        if not isinstance(entries, dict):
            return None
        for event_key, entry in entries.items():
            parsed = read_entry(entry)
            if parsed is not None and f"a{parsed[0]}" == viewer:
                return event_key, parsed
        return None

    def _form(self, environ) -> MultiDict | None:
        """The urlencoded form, its body put back for Flask; ``None`` for anything else."""
        if environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower() \
                != "application/x-www-form-urlencoded":
            return None
        raw = declared_body(environ, self.app, MAX_BODY)
        if raw is None:
            return None
        try:
            text = raw.decode()
        except UnicodeDecodeError:
            return None
        pairs = parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")
        if any("\x00" in name or "\x00" in value for name, value in pairs):
            return None  # the input guard refuses it, in Flask
        return MultiDict(pairs)

    def _csrf_valid(self, environ, session: dict, form: MultiDict) -> bool:
        """Whether Flask-WTF's ``CSRFProtect`` would let this POST through (with its token in
        the form field, the way the phone's page sends it)."""
        config = self.app.config
        if not config.get("WTF_CSRF_ENABLED", True) or not config.get("WTF_CSRF_CHECK_DEFAULT",
                                                                         True) \
                or "POST" not in config.get("WTF_CSRF_METHODS", ("POST",)):
            return True
        field = config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
        token, expected = form.get(field), session.get(field)
        if not token or not isinstance(expected, str):
            return False
        signer = URLSafeTimedSerializer(config.get("WTF_CSRF_SECRET_KEY") or config["SECRET_KEY"],
                                        salt="wtf-csrf-token")
        try:
            signed = signer.loads(token, max_age=config.get("WTF_CSRF_TIME_LIMIT", 3600))
        except BadData:
            return False
        if not isinstance(signed, str) or not hmac.compare_digest(expected, signed):
            return False
        if environ.get("wsgi.url_scheme") == "https" and config.get("WTF_CSRF_SSL_STRICT", True):
            referrer = environ.get("HTTP_REFERER")
            return bool(referrer) and same_origin(referrer, f"https://{get_host(environ)}/")
        return True

    @property
    def engine(self):
        if self._engine is None:
            self._engine = engine_of(self.app)
        return self._engine
