"""Rate limits for the doors an attacker would knock on: sign-in, personal links, check-in codes,
API tokens and the "email me my link" form.

One table (``RULES``) says which endpoints get which limits; ``init_rate_limits(app)`` applies
it once every blueprint is registered, by wrapping ``app.view_functions[endpoint]`` with a
Flask-Limiter limit. A rule names endpoints by glob (``"api.*"``) and/or URL prefixes
(``"/c/"``), so endpoints that do not exist yet are simply skipped and get their limits when
they appear.

Who is counted:
- staff signed in: their user id (a check-in desk on venue Wi-Fi shares one IP with everyone);
- a request with ``Authorization: Bearer``: the token (hashed);
- everyone else: the client IP (``TRUST_PROXY_HEADERS`` makes that the real client behind nginx).

Several limits count failures only (a wrong password, an unknown personal link): a valid
personal link is never refused because many attendees share the venue's IP.

Counters live in memory by default (one set per process) and in Redis when ``REDIS_URL`` or
``RATELIMIT_STORAGE_URI`` is set, so several gunicorn workers and hosts share them. A Redis
outage falls back to memory instead of failing requests. ``RATELIMIT_ENABLED=False`` turns
everything off (tests do by default); ``RATELIMITS = {"rule name": "N per minute"}`` overrides a
rule's limit (the environment variable takes ``login=10/minute,api_token=3000/minute``).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from flask import Flask, request
from flask_limiter import Limiter
from flask_login import current_user
from limits import parse_many
from limits.storage import Storage

EXEMPT_ENDPOINTS = frozenset({"static", "ops.healthz"})

TOO_MANY = "Too many attempts from your network. Please wait a minute and try again."


def client_ip() -> str:
    return request.remote_addr or "unknown"


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _staff_id() -> str | None:
    if current_user and current_user.is_authenticated:
        return str(current_user.get_id()).split(":", 1)[0]
    return None


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:24]


KEYS: dict[str, Callable[[], str]] = {
    "ip": lambda: f"ip:{client_ip()}",
    "user": lambda: f"user:{_staff_id()}",
    "token": lambda: f"token:{_digest(bearer_token() or '')}",
    # A hash: the address itself never reaches Redis or a log line.
    "email": lambda: "email:" + _digest((request.form.get("email") or "").strip().lower()),
}

WHO: dict[str, Callable[[], bool]] = {
    "anyone": lambda: True,
    "staff": lambda: _staff_id() is not None,
    "anonymous": lambda: _staff_id() is None and bearer_token() is None,
    "bearer": lambda: bearer_token() is not None,
}


@dataclass(frozen=True)
class Rule:
    """One limit, applied to every endpoint it matches."""

    name: str
    limit: str
    key: str = "ip"  # see KEYS
    who: str = "anyone"  # see WHO: the rule is skipped for other requests
    endpoints: tuple[str, ...] = ()  # endpoint globs: "auth.login", "api.*"
    paths: tuple[str, ...] = ()  # URL rule prefixes: "/c/" matches "/c/<code>"
    methods: tuple[str, ...] | None = None  # None: every method
    failures: frozenset[int] | None = None  # count only answers with these status codes
    message: str = TOO_MANY
    exclude: tuple[str, ...] = field(default=())  # endpoint globs never matched

    def matches(self, endpoint: str, rule_paths: list[str]) -> bool:
        if any(fnmatchcase(endpoint, pattern) for pattern in self.exclude):
            return False
        if any(fnmatchcase(endpoint, pattern) for pattern in self.endpoints):
            return True
        return any(path.startswith(prefix) for path in rule_paths for prefix in self.paths)


FAILED = frozenset({400, 401, 403, 429})
NOT_FOUND = frozenset({404})

# Generous enough for a check-in desk scanning 10 badges a second from one IP (counted by user),
# a kiosk at the door (anonymous, one IP) and 3,000 attendees behind the venue's single NAT IP.
RULES: tuple[Rule, ...] = (
    Rule("login", "30 per minute;300 per hour", endpoints=("auth.login", "checkin.kiosk_exit"),
         methods=("POST",), failures=FAILED,
         message="Too many sign-in attempts from your network. Please wait a minute."),
    Rule("personal_link", "20 per minute;200 per hour",
         endpoints=("registration.personal_link",), paths=("/me/",), failures=NOT_FOUND,
         message="Too many invalid links were opened from your network. "
                 "Please wait a minute, or ask for your link again."),
    Rule("checkin_staff", "1200 per minute", key="user", who="staff",
         endpoints=("checkin.code_link", "checkin.scan", "checkin.check_in_attendee",
                    "checkin.kiosk_scan"),
         paths=("/c/", "/k/", "/kiosk/")),
    Rule("checkin_anonymous", "1800 per minute", who="anonymous",
         endpoints=("checkin.code_link", "checkin.kiosk_scan"), paths=("/c/", "/k/", "/kiosk/")),
    Rule("checkin_unknown_code", "60 per minute;600 per hour", who="anonymous",
         endpoints=("checkin.code_link",), paths=("/c/", "/k/"), failures=NOT_FOUND),
    # Self check-in (summit/selfcheckin): attendees' own phones behind the venue's one NAT IP.
    # Scans are generous; forged or unknown codes and arrival links are counted as failures.
    Rule("selfcheckin_scan", "1800 per minute",
         endpoints=("selfcheckin.entrance_scan", "selfcheckin.arrive", "selfcheckin.table_scan",
                    "selfcheckin.welcome", "breakouts.room_page"),
         paths=("/e/<slug>/here/", "/e/<slug>/arrive/", "/e/<slug>/t/")),
    Rule("selfcheckin_bad_code", "60 per minute;600 per hour",
         endpoints=("selfcheckin.entrance_scan", "selfcheckin.arrive", "selfcheckin.table_scan"),
         failures=NOT_FOUND),
    Rule("selfcheckin_email", "60 per minute;600 per hour", endpoints=("selfcheckin.ask_email",),
         methods=("POST",)),
    Rule("selfcheckin_email_address", "5 per hour", key="email",
         endpoints=("selfcheckin.ask_email",), methods=("POST",),
         message="This address was sent its link several times already. "
                 "Please check your inbox and spam folder, or ask at the check-in desk."),
    Rule("api_token", "1200 per minute", key="token", who="bearer", endpoints=("*",)),
    Rule("api_bad_token", "60 per minute;600 per hour", endpoints=("api.*",), paths=("/api/",),
         failures=frozenset({401})),
    Rule("resend_link", "20 per minute;100 per hour", endpoints=("registration.resend",),
         methods=("POST",)),
    Rule("resend_link_email", "5 per hour", key="email", endpoints=("registration.resend",),
         methods=("POST",),
         message="This address was sent its link several times already. "
                 "Please check your inbox and spam folder, or try again in an hour."),
)


class SweepingMemoryStorage(Storage):
    """``memory://``: the fixed-window counters Flask-Limiter uses, in this process's memory.

    limits' own ``MemoryStorage`` starts a timer thread (0.01 s) after nearly every hit to drop
    expired counters: on a busy worker that is one thread start per request (measured on the
    check-in API: the largest single item in the rate limiter's share of a request). Here an
    expired counter reads as zero and restarts on its next hit, and expired entries are swept
    inline at most once a second. Written against limits' public storage interface (a
    ``Storage`` subclass registered by ``STORAGE_SCHEME``, as limits documents for custom
    backends); it serves the fixed-window strategy, Flask-Limiter's default and ours.
    ``memory://`` in the configuration selects it.
    """

    STORAGE_SCHEME = ["summit-memory"]
    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        self._counts: dict[str, int] = {}
        self._expires: dict[str, float] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    def _sweep(self, now: float) -> None:
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_SECONDS
            for key in [key for key, at in self._expires.items() if at <= now]:
                del self._expires[key]
                self._counts.pop(key, None)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            self._sweep(now)
            if self._expires.get(key, 0.0) <= now:
                self._counts[key] = 0
                self._expires[key] = now + expiry
            self._counts[key] += amount
            return self._counts[key]

    def get(self, key: str) -> int:
        if self._expires.get(key, 0.0) <= time.time():
            return 0
        return self._counts.get(key, 0)

    def get_expiry(self, key: str) -> float:
        return self._expires.get(key, time.time())

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        with self._lock:
            count = len(self._counts)
            self._counts.clear()
            self._expires.clear()
            return count

    def clear(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)
            self._expires.pop(key, None)


def _storage_uri(app: Flask) -> str:
    uri = (app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL")
           or "memory://")
    return "summit-memory://" if uri == "memory://" else uri


def init_rate_limits(app: Flask, rules: tuple[Rule, ...] = RULES) -> Limiter:
    """Create this app's limiter and wrap every matching view. Call after blueprints."""
    app.config["RATELIMIT_STORAGE_URI"] = _storage_uri(app)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "summit")
    limiter = Limiter(key_func=KEYS["ip"], app=app)
    app.extensions["summit_limiter"] = limiter
    app.extensions["summit_rate_limits"] = {}
    apply_rate_limits(app, rules)
    return limiter


def apply_rate_limits(app: Flask, rules: tuple[Rule, ...] = RULES) -> dict[str, list[str]]:
    """Wrap every matching endpoint not seen before; returns endpoint -> rule names applied."""
    limiter: Limiter = app.extensions["summit_limiter"]
    applied: dict[str, list[str]] = app.extensions["summit_rate_limits"]
    overrides = parse_overrides(app.config.get("RATELIMITS") or {})
    paths_by_endpoint: dict[str, list[str]] = {}
    for url_rule in app.url_map.iter_rules():
        paths_by_endpoint.setdefault(url_rule.endpoint, []).append(url_rule.rule)

    for endpoint, view in list(app.view_functions.items()):
        if endpoint in EXEMPT_ENDPOINTS or endpoint in applied:
            continue
        matching = [r for r in rules if r.matches(endpoint, paths_by_endpoint.get(endpoint, []))]
        applied[endpoint] = [r.name for r in matching]
        for rule in matching:
            # Shared: one counter per rule and key across every endpoint the rule covers (a
            # token's requests add up wherever they go; alternating doors buys nothing).
            view = limiter.shared_limit(
                overrides.get(rule.name, rule.limit),
                scope=rule.name,
                key_func=_scoped_key(rule),
                methods=list(rule.methods) if rule.methods else None,
                exempt_when=_exempt_unless(WHO[rule.who]),
                deduct_when=_deduct_on(rule.failures) if rule.failures else None,
                error_message=rule.message,
            )(view)
        app.view_functions[endpoint] = view
    return applied


def parse_overrides(value: dict | str) -> dict[str, str]:
    """``{"login": "10 per minute"}``, or the environment's ``login=10/minute,api_token=...``."""
    if isinstance(value, dict):
        overrides = dict(value)
    else:
        overrides = {}
        for part in value.split(","):
            name, sep, limit = part.partition("=")
            if sep and name.strip() and limit.strip():
                overrides[name.strip()] = limit.strip()
    unknown = set(overrides) - {rule.name for rule in RULES}
    if unknown:
        raise ValueError(f"RATELIMITS names unknown rules: {sorted(unknown)}")
    for limit in overrides.values():
        parse_many(limit)  # fail at start-up, not on the first request
    return overrides


def _scoped_key(rule: Rule) -> Callable[[], str]:
    key = KEYS[rule.key]
    # The rule name keeps two rules with the same limit string on separate counters.
    return lambda: f"{rule.name}:{key()}"


def _exempt_unless(applies: Callable[[], bool]) -> Callable[[], bool]:
    return lambda: not applies()


def _deduct_on(statuses: frozenset[int]) -> Callable:
    return lambda response: response.status_code in statuses


# --- the same limits outside Flask ------------------------------------------------------------
#
# The check-in fast path (``summit.api.fastpath``) answers a warm scanner's request before Flask
# runs, so Flask-Limiter never sees it. It calls ``check_outside_flask`` instead, which applies
# the rules of the endpoint it stands in for to the very counters Flask-Limiter keeps, so that
# requests served either way add up. Public API only, but for one thing:
# - public: ``Limiter.limiter`` (the strategy, which follows the in-memory fallback),
#   ``Limiter.enabled``, the strategy's ``test``/``hit``/``get_window_stats``, ``parse_many``;
# - NOT public: how Flask-Limiter addresses a counter, ``[key prefix, key, scope]`` (see
#   ``counter_args``). No public API hands a counter's address out, so Flask-Limiter is pinned
#   to a minor version in pyproject.toml, and ``tests/test_limiter_contract.py`` fails if an
#   upgrade addresses counters differently.

# Who a bearer-token request is, without a request context (see ``WHO``).
_BEARER_IS = {"anyone": True, "staff": False, "anonymous": False, "bearer": True}


@dataclass
class OutsideCheck:
    """The limits ``check_outside_flask`` applied to one request."""

    strategy: object | None = None
    charged: list = field(default_factory=list)  # (limit item, args): hit already
    on_failure: list = field(default_factory=list)  # (limit item, args, statuses): hit later

    def settle(self, status: int) -> None:
        """Charge the failure-only limits whose statuses include ``status`` (as Flask-Limiter
        does after the view answered)."""
        for item, args, statuses in self.on_failure:
            if status in statuses:
                self.strategy.hit(item, *args)

    def headers(self) -> list[tuple[str, str]]:
        """``X-RateLimit-*`` and ``Retry-After`` for the first limit charged, as Flask-Limiter
        adds them to every answer it limits."""
        if not self.charged:
            return []
        item, args = self.charged[0]
        reset, remaining = self.strategy.get_window_stats(item, *args)
        reset_at = int(reset + 1)
        return [("X-RateLimit-Limit", str(item.amount)), ("X-RateLimit-Remaining", str(remaining)),
                ("X-RateLimit-Reset", str(reset_at)),
                ("Retry-After", str(int(reset_at - time.time())))]


def _rules_of(app: Flask, endpoint: str) -> list[tuple[Rule, list]]:
    """The rules applied to ``endpoint`` with their parsed limits (cached per app)."""
    cache = app.extensions.setdefault("summit_outside_limits", {})
    found = cache.get(endpoint)
    if found is None:
        names = app.extensions["summit_rate_limits"].get(endpoint, [])
        overrides = parse_overrides(app.config.get("RATELIMITS") or {})
        found = [(rule, parse_many(overrides.get(rule.name, rule.limit)))
                 for rule in RULES if rule.name in names]
        cache[endpoint] = found
    return found


def counter_args(app: Flask, rule: Rule, key: str) -> list[str]:
    """The identifiers under which Flask-Limiter counts ``rule`` for ``key`` (``KEYS[...]()``):
    ``_scoped_key``'s value and the rule's scope, after the configured key prefix. Mirrors
    Flask-Limiter's private convention (see above)."""
    prefix = app.config.get("RATELIMIT_KEY_PREFIX") or ""
    args = [f"{rule.name}:{key}", rule.name]
    return [prefix, *args] if prefix else args


def check_outside_flask(app: Flask, endpoint: str, *, method: str, ip: str,
                        token: str) -> OutsideCheck | None:
    """Apply ``endpoint``'s limits to a bearer-token request served without Flask; ``None``
    when a limit refuses it (or a rule needs what only Flask knows): the caller then hands the
    request to Flask, which answers it, 429 included. Failure-only limits are tested first, so
    a refused request charges nothing twice."""
    limiter: Limiter = app.extensions["summit_limiter"]
    check = OutsideCheck()
    if not limiter.enabled:
        return check
    keys = {"ip": f"ip:{ip or 'unknown'}", "token": f"token:{_digest(token)}"}
    hits = []
    strategy = check.strategy = limiter.limiter
    for rule, items in _rules_of(app, endpoint):
        if rule.methods and method not in rule.methods or not _BEARER_IS[rule.who]:
            continue
        if rule.key not in keys:
            return None
        args = counter_args(app, rule, keys[rule.key])
        for item in items:
            if rule.failures:
                if not strategy.test(item, *args):
                    return None
                check.on_failure.append((item, args, rule.failures))
            else:
                hits.append((item, args))
    for item, args in hits:
        if not strategy.hit(item, *args):
            return None
        check.charged.append((item, args))
    return check
