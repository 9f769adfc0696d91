"""Rate limits for the doors an attacker would knock on: sign-in, personal links, check-in codes,
self check-in codes, API tokens and the "email me my link" forms.

One table (``RULES``) says which endpoints get which limits; ``init_rate_limits(app)`` applies
it once every blueprint is registered, by wrapping ``app.view_functions[endpoint]``. A rule names
endpoints by glob (``"api.*"``) and/or URL prefixes (``"/c/"``), so endpoints that do not exist
yet are simply skipped and get their limits when they appear.

**Throttle the failing device, never a venue.** At a summit every phone shares the venue Wi-Fi's
one public address, so the client IP says nothing about who failed. Who is counted:
- a device: the random id in its signed session cookie (``summit.devices``);
- devices that arrive without one (a first visit, or a client dropping its cookie to escape its
  budget): together, per IP, on a budget of their own that no real phone needs;
- the IP itself only as a ceiling sized for 3,000 people behind one address;
- staff signed in: their user id; a request with ``Authorization: Bearer``: the token (hashed).

**Never refuse a valid secret.** On the doors that check a secret (personal links, check-in
codes, self check-in codes and arrival links, API tokens) the limits count failures only, and
the secret is always checked: a valid one is answered whatever the counters say; an unknown one
past a budget is answered 429 instead of 404 (or 401), with ``Retry-After``. Those secrets carry
128 bits or more, so guessing is hopeless anyway; the budgets stop a device from scanning, and
they can only ever slow that device (or a flood of cookie-less requests, or past the ceiling,
bad secrets from that address), never someone holding a valid one.

Passwords are guessable, so sign-in is the other way round: a device past its budget of failed
sign-ins is refused before its password is checked (the right one included), and
``summit.auth.services`` adds a progressive delay per account and device.

Counters live in memory by default (one set per process) and in Redis when ``REDIS_URL`` or
``RATELIMIT_STORAGE_URI`` is set, so several gunicorn workers and hosts share them. A Redis
outage falls back to memory instead of failing requests. ``RATELIMIT_ENABLED=False`` turns
everything off (tests do by default); ``RATELIMITS = {"rule name": "N per minute"}`` overrides a
rule's limit (the environment variable takes ``login=10/minute,api_token=3000/minute``).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import wraps

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_login import current_user
from limits import parse_many
from limits.storage import Storage
from werkzeug.exceptions import HTTPException, TooManyRequests

from summit.devices import device_id, ensure_device_id
from summit.i18n import N_

log = logging.getLogger(__name__)

EXEMPT_ENDPOINTS = frozenset({"static", "ops.healthz"})

# Attendees read these (translated when the 429 page is rendered: summit/__init__.py).
TOO_MANY = N_("Too many attempts from this device. Please wait a minute and try again.")


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
    # A hash: the id itself never reaches Redis or a log line.
    "device": lambda: f"device:{_digest(device_id() or '')}",
    "user": lambda: f"user:{_staff_id()}",
    "token": lambda: f"token:{_digest(bearer_token() or '')}",
    # Read before the view and its form (a limit is decided first); only a digest is kept.
    "email": lambda: "email:" + _digest((request.form.get("email") or "").strip().lower()),
}

WHO: dict[str, Callable[[], bool]] = {
    "anyone": lambda: True,
    "staff": lambda: _staff_id() is not None,
    "anonymous": lambda: _staff_id() is None and bearer_token() is None,
    "bearer": lambda: bearer_token() is not None,
}

# Which devices a rule counts: any, those that arrived with a device id, those without one.
DEVICES: dict[str, Callable[[], bool]] = {
    "any": lambda: True,
    "known": lambda: device_id() is not None,
    "unknown": lambda: device_id() is None,
}


@dataclass(frozen=True)
class Rule:
    """One limit, applied to every endpoint it matches."""

    name: str
    limit: str
    key: str = "ip"  # see KEYS
    who: str = "anyone"  # see WHO: the rule is skipped for other requests
    devices: str = "any"  # see DEVICES: the rule is skipped for other requests
    endpoints: tuple[str, ...] = ()  # endpoint globs: "auth.login", "api.*"
    paths: tuple[str, ...] = ()  # URL rule prefixes: "/c/" matches "/c/<code>"
    methods: tuple[str, ...] | None = None  # None: every method
    failures: frozenset[int] | None = None  # count only answers with these status codes
    # Answer every request that succeeds, whatever the counters: only a failure past the limit
    # is refused (for doors that check a secret; needs ``failures``).
    spare_successes: bool = False
    message: str = TOO_MANY
    exclude: tuple[str, ...] = field(default=())  # endpoint globs never matched

    def __post_init__(self) -> None:
        if self.spare_successes and not self.failures:
            raise ValueError(f"rule {self.name}: spare_successes counts failures only")
        if self.key == "device" and self.devices != "known":
            raise ValueError(f"rule {self.name}: a device key needs devices='known'")

    def matches(self, endpoint: str, rule_paths: list[str]) -> bool:
        if any(fnmatchcase(endpoint, pattern) for pattern in self.exclude):
            return False
        if any(fnmatchcase(endpoint, pattern) for pattern in self.endpoints):
            return True
        return any(path.startswith(prefix) for path in rule_paths for prefix in self.paths)

    def applies(self) -> bool:
        """Whether this request is one the rule counts (method, who, which device)."""
        if self.methods and request.method not in self.methods:
            return False
        return WHO[self.who]() and DEVICES[self.devices]()


FAILED = frozenset({400, 401, 403, 429})
NOT_FOUND = frozenset({404})

# A ceiling for one address, sized for 3,000 attendees behind the venue's single NAT IP: each
# may mistype a link or scan a damaged code now and then without anyone noticing the ceiling.
VENUE_CEILING = "300 per minute;3000 per hour"


def secret_door(name: str, *, device: str, new_device: str, ip: str = VENUE_CEILING,
                message: str = TOO_MANY, **matching) -> tuple[Rule, ...]:
    """The three failure budgets of a door that checks a secret (valid secrets are never
    refused): ``name`` per device, ``name_new_device`` for devices without an id (together,
    per IP) and ``name_ip``, the address's ceiling."""
    common = {"failures": NOT_FOUND, "spare_successes": True, "message": message, **matching}
    return (
        Rule(name, device, key="device", devices="known", **common),
        Rule(f"{name}_new_device", new_device, key="ip", devices="unknown", **common),
        Rule(f"{name}_ip", ip, key="ip", **common),
    )


BAD_LINK = N_("Too many invalid links were opened from this device. "
              "Please wait a minute, or ask for your link again.")
BAD_CODE = N_("Too many unknown codes were scanned from this device. "
              "Please wait a minute, or ask at the check-in desk.")
ENTRANCE = ("/e/<slug>/here/", "/e/<slug>/arrive/", "/e/<slug>/t/")

# Generous enough for a check-in desk scanning 10 badges a second (counted by user), a kiosk at
# the door (a device) and 3,000 attendees behind the venue's single NAT IP.
RULES: tuple[Rule, ...] = (
    # Passwords can be guessed: a device past its budget waits, even with the right password.
    # The progressive delay per account and device is in summit.auth.services.
    Rule("login", "10 per minute;100 per hour", key="device", devices="known",
         endpoints=("auth.login", "checkin.kiosk_exit"), methods=("POST",), failures=FAILED,
         message="Too many sign-in attempts from this device. Please wait a minute."),
    Rule("login_new_device", "10 per minute;100 per hour", devices="unknown",
         endpoints=("auth.login", "checkin.kiosk_exit"), methods=("POST",), failures=FAILED,
         message="Too many sign-in attempts. Please reload the page and try again in a "
                 "minute."),
    *secret_door("personal_link", device="10 per minute;60 per hour",
                 new_device="30 per minute;300 per hour", message=BAD_LINK,
                 endpoints=("registration.personal_link",), paths=("/me/",)),
    Rule("checkin_staff", "1200 per minute", key="user", who="staff",
         endpoints=("checkin.code_link", "checkin.scan", "checkin.check_in_attendee",
                    "checkin.kiosk_scan"),
         paths=("/c/", "/k/", "/kiosk/")),
    Rule("checkin_anonymous", "1800 per minute", key="device", who="anonymous", devices="known",
         endpoints=("checkin.code_link", "checkin.kiosk_scan"), paths=("/c/", "/k/", "/kiosk/")),
    *secret_door("checkin_unknown_code", device="20 per minute;200 per hour",
                 new_device="60 per minute;600 per hour", message=BAD_CODE, who="anonymous",
                 endpoints=("checkin.code_link",), paths=("/c/", "/k/")),
    # Self check-in (summit/selfcheckin): attendees' own phones behind the venue's one NAT IP.
    Rule("selfcheckin_scan", "120 per minute", key="device", devices="known",
         endpoints=("selfcheckin.entrance_scan", "selfcheckin.arrive", "selfcheckin.table_scan",
                    "selfcheckin.welcome", "breakouts.room_page"), paths=ENTRANCE),
    *secret_door("selfcheckin_bad_code", device="20 per minute;200 per hour",
                 new_device="60 per minute;600 per hour", message=BAD_CODE,
                 endpoints=("selfcheckin.entrance_scan", "selfcheckin.arrive",
                            "selfcheckin.table_scan")),
    # The email forms send mail, so they are counted per device and per address whatever the
    # answer; the address's ceiling stays far above what 3,000 arrivals need.
    Rule("selfcheckin_email", "10 per minute;30 per hour", key="device", devices="known",
         endpoints=("selfcheckin.ask_email",), methods=("POST",)),
    Rule("selfcheckin_email_new_device", "10 per minute;100 per hour", devices="unknown",
         endpoints=("selfcheckin.ask_email",), methods=("POST",)),
    Rule("selfcheckin_email_ip", VENUE_CEILING, endpoints=("selfcheckin.ask_email",),
         methods=("POST",)),
    Rule("selfcheckin_email_address", "5 per hour", key="email",
         endpoints=("selfcheckin.ask_email",), methods=("POST",),
         message=N_("This address was sent its link several times already. "
                    "Please check your inbox and spam folder, or ask at the check-in desk.")),
    # Live Q&A (summit/live): a flood of questions, upvotes or votes from one phone slows that
    # phone only. Counted per device (a signed-in attendee's phone always has one); the room's
    # other phones, behind the same venue address, are never counted with it.
    Rule("live_post", "30 per minute;300 per hour", key="device", devices="known",
         endpoints=("live.ask", "live.upvote", "live.vote"), methods=("POST",),
         message=N_("Too many questions and votes from this device. Please wait a minute.")),
    Rule("api_token", "1200 per minute", key="token", who="bearer", endpoints=("*",)),
    # Scanner apps keep no cookies: a refused token is counted per IP, and a valid token is
    # answered whatever that count (another scanner's wrong token must not stop the door).
    Rule("api_bad_token", "60 per minute;600 per hour", endpoints=("api.*",), paths=("/api/",),
         failures=frozenset({401}), spare_successes=True),
    Rule("resend_link", "10 per minute;30 per hour", key="device", devices="known",
         endpoints=("registration.resend",), methods=("POST",)),
    Rule("resend_link_new_device", "10 per minute;100 per hour", devices="unknown",
         endpoints=("registration.resend",), methods=("POST",)),
    Rule("resend_link_ip", VENUE_CEILING, endpoints=("registration.resend",), methods=("POST",)),
    Rule("resend_link_email", "5 per hour", key="email", endpoints=("registration.resend",),
         methods=("POST",),
         message=N_("This address was sent its link several times already. "
                    "Please check your inbox and spam folder, or try again in an hour.")),
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
        spared = [(rule, parse_many(overrides.get(rule.name, rule.limit)))
                  for rule in matching if rule.spare_successes]
        if spared:
            view = _count_failures_after(view, limiter, spared)
        for rule in matching:
            if rule.spare_successes:
                continue
            # Shared: one counter per rule and key across every endpoint the rule covers (a
            # token's requests add up wherever they go; alternating doors buys nothing).
            view = limiter.shared_limit(
                overrides.get(rule.name, rule.limit),
                scope=rule.name,
                key_func=_scoped_key(rule),
                methods=list(rule.methods) if rule.methods else None,
                exempt_when=_exempt_unless(rule.applies),
                deduct_when=_deduct_on(rule.failures) if rule.failures else None,
                error_message=rule.message,
            )(view)
        app.view_functions[endpoint] = view
    return applied


def _count_failures_after(view: Callable, limiter: Limiter,
                          spared: list[tuple[Rule, list]]) -> Callable:
    """Wrap a door that checks a secret: the view always runs (a valid secret is answered
    whatever the counters say); a failure is counted for the device, for devices without an id
    and for the address, and answered 429 once one of them is past its limit."""

    @wraps(view)
    def counted(*args, **kwargs):
        if not limiter.enabled:
            return view(*args, **kwargs)
        # Who is counted is decided before the view runs: it may give the device an id.
        counting = [(rule, items, _limit_args(rule)) for rule, items in spared if rule.applies()]
        if not counting:
            return view(*args, **kwargs)
        try:
            response = current_app.make_response(view(*args, **kwargs))
            status, raised = response.status_code, None
        except HTTPException as exc:
            status, raised = exc.code, exc
        breached = None
        for rule, items, limit_args in counting:
            if status not in rule.failures:
                continue
            if rule.devices != "any":
                ensure_device_id()  # from its next request on, this device has its own budget
            for item in items:
                if not _hit(limiter, item, limit_args) and breached is None:
                    breached = (rule, item, limit_args)
        if breached is not None:
            return _too_many(limiter, *breached)
        if raised is not None:
            raise raised
        return response

    return counted


def _limit_args(rule: Rule) -> list[str]:
    """The storage key of ``rule`` for this request, as Flask-Limiter builds it."""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    args = [_scoped_key(rule)(), rule.name]
    return [prefix, *args] if prefix else args


def _hit(limiter: Limiter, item, args: list[str]) -> bool:
    """Count one hit; ``False`` past the limit. A storage outage (Redis) falls back to memory,
    as Flask-Limiter does (``_storage_dead`` is how it records the switch), and a failing
    fallback never fails the request."""
    try:
        return limiter.limiter.hit(item, *args)
    except Exception:
        if limiter._storage_dead or not current_app.config.get(
                "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"):
            log.warning("rate limit storage unavailable; not counted", exc_info=True)
            return True
        log.warning("Rate limit storage unreachable - falling back to in-memory storage")
        limiter._storage_dead = True
        return _hit(limiter, item, args)


def _too_many(limiter: Limiter, rule: Rule, item, args: list[str]):
    """The 429 answer of ``rule``: the app's friendly page (JSON under /api/), Retry-After."""
    response = current_app.make_response(
        current_app.handle_http_exception(TooManyRequests(description=rule.message)))
    try:
        reset, _remaining = limiter.limiter.get_window_stats(item, *args)
        retry_after = max(1, int(reset - time.time() + 1))
    except Exception:
        retry_after = int(item.get_expiry())
    response.headers["Retry-After"] = str(retry_after)
    response.headers["Cache-Control"] = "no-store"
    return response


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
# ... and a browser's, with no staff member signed in on it.
_BROWSER_IS = {"anyone": True, "staff": False, "anonymous": True, "bearer": False}


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
                        token: str | None = None, device: str | None = None
                        ) -> OutsideCheck | None:
    """Apply ``endpoint``'s limits to a request served without Flask; ``None`` when a limit
    refuses it (or a rule needs what only Flask knows): the caller then hands the request to
    Flask, which answers it, 429 included. Either a bearer-token request (``token``: a
    scanner app, which keeps no cookie) or a browser's with no staff signed in (``device``:
    the id its session cookie carries, ``None`` for none). Failure-only limits are tested
    first, so a refused request charges nothing twice; those that spare successes are only
    charged (by ``OutsideCheck.settle``) when the answer is a failure. A storage that fails
    (Redis down) gives ``None`` too: Flask-Limiter then falls back as it does."""
    limiter: Limiter = app.extensions["summit_limiter"]
    check = OutsideCheck()
    if not limiter.enabled:
        return check
    try:
        return _check_outside_flask(app, limiter, check, endpoint, method=method, ip=ip,
                                    token=token, device=device)
    except Exception:
        log.warning("rate limits unavailable outside Flask", exc_info=True)
        return None


def _check_outside_flask(app: Flask, limiter: Limiter, check: OutsideCheck, endpoint: str, *,
                         method: str, ip: str, token: str | None,
                         device: str | None) -> OutsideCheck | None:
    keys = {"ip": f"ip:{ip or 'unknown'}"}
    if token is not None:
        keys["token"] = f"token:{_digest(token)}"
        device = None  # a scanner app keeps no cookie
    if device is not None:
        keys["device"] = f"device:{_digest(device)}"
    who_is = _BEARER_IS if token is not None else _BROWSER_IS
    hits = []
    strategy = check.strategy = limiter.limiter
    for rule, items in _rules_of(app, endpoint):
        if rule.methods and method not in rule.methods or not who_is[rule.who]:
            continue
        if rule.devices == "known" and device is None \
                or rule.devices == "unknown" and device is not None:
            continue
        if rule.key not in keys:
            return None
        args = counter_args(app, rule, keys[rule.key])
        for item in items:
            if rule.failures:
                # A limit that spares successes never refuses beforehand.
                if not rule.spare_successes and not strategy.test(item, *args):
                    return None
                check.on_failure.append((item, args, rule.failures))
            else:
                hits.append((item, args))
    # Every limit tested before any is charged: a request handed to Flask is counted there,
    # once, not also here for the limits it had not reached.
    if not all(strategy.test(item, *args) for item, args in hits):
        return None
    for item, args in hits:
        if not strategy.hit(item, *args):
            return None
        check.charged.append((item, args))
    return check
