"""Keep secrets (personal links, check-in codes, arrival links, calendar feeds, mail-preference
links...) and query strings out of anything written to logs.

Routes declare which part of their path is a secret with the ``secret`` converter:
``@bp.route("/me/<secret:secret>")``. ``install_secret_routes(app)`` (called by ``create_app``
once every blueprint is registered) reads the URL map and builds one pattern from every such
rule, so a new route that carries a secret is redacted as soon as it declares it; there is no
hand-kept list of prefixes. ``tests/security/test_log_secrets.py`` walks the URL map and fails on
any free-text path part that is neither declared secret nor listed there as harmless.

``redact`` then rewrites, wherever a path starts (start of text, after a space, quote, bracket,
``=``, or ``scheme://host``; a slash may be percent-encoded, as in ``?next=%2Fme%2F...``):

- the secret part of a declared route, whatever its length or case (even half of a personal
  link must not reach a log): ``/e/summit/arrive/[redacted]``;
- every query string: ``/e/summit/?[redacted]``. gunicorn's access format and the app's
  request lines log the path alone; this covers werkzeug's development-server request line and
  any URL a message quotes (a search typed into ``?q=`` is personal data).

``RedactFilter`` applies it to a log record's formatted message (werkzeug's and gunicorn's
access lines included). No Flask import: gunicorn loads this module from its logging
configuration before the app exists.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterable

from werkzeug.routing import BaseConverter

# Where a path may start inside a log line.
_LEAD = r"""(?P<lead>^|[\s"'(<=,\[]|://[^/\s"']+)"""
_SLASH = r"(?:/|%2f)"
_PART = r"""[^/?#\s"'\[\]]+"""  # one path part (percent-escapes included)
_ANY_PART = rf"(?:\[redacted\]|{_PART})"  # a part that may already have been redacted
_VARIABLE = re.compile(r"<(?:(?P<converter>[a-zA-Z_]\w*)(?:\(.*?\))?:)?(?P<name>[a-zA-Z_]\w*)>")
_QUERY = re.compile(_LEAD + r"""(?P<path>/[^\s?#"']*)\?[^\s"'#]*""", re.IGNORECASE)

REDACTED = "[redacted]"


class SecretConverter(BaseConverter):
    """A path part that is a credential: ``<secret:name>``. It matches like the default
    converter; the name ``secret`` is what tells ``install_secret_routes`` to redact it."""


_secret_paths: re.Pattern[str] | None = None


def secret_prefixes(rules: Iterable[str]) -> list[str]:
    """Regular expressions for what comes before each ``<secret:...>`` part of these rules.

    ``"/e/<slug>/arrive/<secret:marker>"`` gives ``/e/<any part>/arrive/``; the secret is then
    everything up to the end of its path part (a suffix such as ``.ics`` goes with it)."""
    prefixes = []
    for rule in rules:
        pattern, position = "", 0
        for variable in _VARIABLE.finditer(rule):
            pattern += re.escape(rule[position:variable.start()]).replace("/", _SLASH)
            position = variable.end()
            if variable.group("converter") == "secret":
                prefixes.append(pattern)
            pattern += _ANY_PART
    return sorted(set(prefixes), key=lambda p: (-len(p), p))


def install_secret_routes(rules: Iterable[str]) -> None:
    """Redact, from now on in this process, the secret parts of these URL rules."""
    global _secret_paths
    prefixes = secret_prefixes(rules)
    _secret_paths = re.compile(
        _LEAD + "(?P<prefix>" + "|".join(prefixes) + ")" + _PART, re.IGNORECASE
    ) if prefixes else None


def secret_rules(url_map) -> list[str]:
    """The rules of a URL map that carry a declared secret."""
    return [rule.rule for rule in url_map.iter_rules()
            if any(m.group("converter") == "secret" for m in _VARIABLE.finditer(rule.rule))]


def redact(text: str) -> str:
    """``text`` without the secret parts of declared routes and without query strings."""
    if _secret_paths is not None:
        text = _secret_paths.sub(lambda m: m.group("lead") + m.group("prefix") + REDACTED, text)
    return _QUERY.sub(lambda m: m.group("lead") + m.group("path") + "?" + REDACTED, text)


class RedactFilter(logging.Filter):
    """Keep secrets and query strings out of a logger's or handler's output."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a broken record: let logging report it as usual
        record.msg = redact(message)
        record.args = ()
        return True


# --- the request line: written by Flask's hook (``summit.ops.logs``) and by the fast paths ----

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
request_log = logging.getLogger("summit.request")


def request_id_for(incoming: str) -> str:
    """The client's ``X-Request-ID`` when it looks like one, else a new id."""
    return incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex


def write_request_line(method: str, path: str, status: int, *, started: float | None,
                       user_id: int | None = None, request_id: str | None = None,
                       debug: bool = False) -> None:
    """The ``summit.request`` line (``summit.ops.logs``); also written by the fast paths, which
    answer without Flask (they pass ``request_id``: there is no ``g`` to read it from)."""
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    extra = {"method": method, "path": redact(path), "status": status, "duration_ms": duration,
             "user_id": user_id}
    if request_id is not None:
        extra["request_id"] = request_id
    request_log.log(logging.DEBUG if debug else logging.INFO, "%s %s %s", method, redact(path),
                    status, extra=extra)
