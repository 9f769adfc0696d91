"""How open live pages learn of changes: ETag/304 polling (as the announcement banner does).

- A phone polls its room every ``rules.phone_poll_seconds(audience)``: 3 s, up to 10 s in a
  keynote of 3,000. Its ETag is signed (``SECRET_KEY``) and names the room's counters
  (``services.room_counters``: ``seq``, and the counts version: ``tally_seq`` plus the open
  poll's answers), a ``rules.PHONE_COUNTS_SECONDS`` time bucket, the viewer, the page's
  language and whether it shows the open poll's results.
- What must show at once (``seq``: a poll opened or closed, a question hidden) reaches phones
  at their next poll, as a fragment rendered for the viewer.
- The rest (the counts version: new, answered or pinned questions, upvotes, answers) reaches
  a phone at most once per count window (30 s, offset per viewer so 3,000 phones do not all
  ask in the same second), and not as a render: ``LiveRoomFastPath`` answers with the room's
  question list and, if the ETag says the phone shows them, the results (JSON), built once a
  second per process and the same bytes for every phone; ``static/js/live.js`` writes them
  in, keeping the viewer's own marks. A new question in a keynote thus costs a few renders
  per process, not 3,000, and a vote costs no render for anyone but the voter (whose answer
  carries their poll section, ``views._answered_poll``).
- ``LiveRoomFastPath`` answers an unchanged phone poll with 304 before Flask runs (one HMAC,
  and at most once a second per process and room one indexed query).
- The projector and the moderator's page poll every second with a plain ETag of both
  counters: every change shows within 2 s.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass

from summit.live.rules import PHONE_COUNTS_SECONDS
from summit.live.services import COUNTERS_SQL
from summit.ttlcache import TTLCache

SCREEN_POLL_SECONDS = 1
COUNTS_HEADER = "X-Live-Counts"  # on a counts answer (static/js/live.js writes them in)

_UNKNOWN = object()


def _bucket(viewer: str, now: float | None = None) -> int:
    """The viewer's count window. Each viewer's windows are offset by a few seconds (from its
    id), so 3,000 phones do not all fetch new counts in the same second."""
    offset = int(hashlib.sha256(viewer.encode()).hexdigest()[:4], 16) % PHONE_COUNTS_SECONDS
    return int(((now if now is not None else time.time()) + offset) // PHONE_COUNTS_SECONDS)


def _signature(secret: str, slug: str, key: str, seq: int, tally: int, bucket: int,
               viewer: str, flags: str) -> str:
    message = f"{slug}|{key}|{seq}|{tally}|{bucket}|{viewer}|{flags}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:16]


def phone_etag(*, secret: str, slug: str, key: str, seq: int, tally: int, viewer: str,
               lang: str = "en", results: bool = False, now: float | None = None) -> str:
    """The ETag of a phone's fragment. Besides the counters and the viewer it names the
    page's language and whether it shows the open poll's results (``results``), so that the
    fast path can send that phone new counts without asking who it is."""
    bucket = _bucket(viewer, now)
    flags = f"{lang}{int(results)}"
    sig = _signature(secret, slug, key, seq, tally, bucket, viewer, flags)
    return f'W/"lq-{seq}-{tally}-{bucket}-{viewer}-{flags}-{sig}"'


_PHONE_ETAG = re.compile(
    r'^W/"lq-(\d+)-(\d+)-(\d+)-(a\d+)-([a-z]{2}[01])-([0-9a-f]{16})"$')


@dataclass(frozen=True)
class PhoneTag:
    """What a phone's ETag, once its signature is checked, says the phone shows."""

    seq: int
    tally: int
    bucket: int
    viewer: str
    lang: str
    results: bool


def read_phone_etag(etag: str, *, secret: str, slug: str, key: str) -> PhoneTag | None:
    """The phone's ETag for this room, or ``None`` if it is malformed, forged or another
    room's."""
    match = _PHONE_ETAG.match((etag or "").strip())
    if not match:
        return None
    seq, tally, bucket, viewer, flags, sig = (int(match[1]), int(match[2]), int(match[3]),
                                              match[4], match[5], match[6])
    if not hmac.compare_digest(sig, _signature(secret, slug, key, seq, tally, bucket, viewer,
                                               flags)):
        return None
    return PhoneTag(seq, tally, bucket, viewer, flags[:2], flags[2] == "1")


CURRENT, COUNTS, STALE = "current", "counts", "stale"


def phone_state(tag: PhoneTag | None, *, seq: int, tally: int,
                now: float | None = None) -> str:
    """``CURRENT``: the phone shows what it should (answer 304). ``COUNTS``: only counts
    changed and the viewer's count window has turned (new counts will do). ``STALE``:
    something shown changed, or the ETag is not valid (render the fragment)."""
    if tag is None or tag.seq != seq:
        return STALE
    if tag.tally == tally or tag.bucket == _bucket(tag.viewer, now):
        return CURRENT
    return COUNTS


def phone_etag_valid(etag: str, *, secret: str, slug: str, key: str, seq: int, tally: int,
                     now: float | None = None) -> bool:
    """Whether a phone holding ``etag`` already shows what it should (see the module's
    docstring)."""
    tag = read_phone_etag(etag, secret=secret, slug=slug, key=key)
    return phone_state(tag, seq=seq, tally=tally, now=now) == CURRENT


def screen_etag(room_seq: int, tally: int, extra: str = "") -> str:
    return f"ls-{room_seq}-{tally}{extra}"


class LiveRoomFastPath:
    """WSGI middleware: answer a phone's poll of a live room before Flask runs, when it can.

    A bypass of ``live.room_live`` (the phone's fragment):
    - repeats its "unchanged?" check (``read_phone_etag``, ``phone_state``) on the room's
      counters, and answers 304;
    - when only counts changed and the phone's count window has turned, answers with the
      room's counts (``views.counts_payload``, the same bytes for every phone of a language)
      and a new ETag, instead of a render per phone;
    - skips who is asking: only a page that was shown the fragment holds a validly signed ETag
      (it names the event, the room, the viewer, and whether the viewer sees the results), and
      neither answer carries anything that ETag did not entitle the page to;
    - may answer for up to ``TTL`` after a change (counters and counts are cached that long).
    ``tests/live/test_pages.py::test_fast_path_agrees_with_the_view`` proves that the two
    agree: the view's ETag is answered 304 here, a forged one reaches the view, and a change
    reaches the page after ``TTL``; ``test_phones_get_new_counts_without_a_render`` proves
    the counts.
    """

    NAME = "live-room"
    PATH = re.compile(r"^/e/([a-z0-9-]{1,64})/qa/([sb][1-9][0-9]{0,9})/live$")
    TTL = 1.0
    MAX_ROOMS = 4096

    def __init__(self, wsgi_app, app):
        self.wsgi_app = wsgi_app
        self.app = app
        self._cache = TTLCache(self.TTL, maxsize=self.MAX_ROOMS)
        self._payloads = TTLCache(self.TTL, maxsize=self.MAX_ROOMS)

    def _counters(self, slug: str, key: str) -> tuple[int, int]:
        cached = self._cache.get((slug, key), _UNKNOWN)
        if cached is not _UNKNOWN:
            return cached
        from summit.extensions import db

        with self.app.app_context():
            engine = db.engine
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        column = "session_id" if key[0] == "s" else "block_id"
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(COUNTERS_SQL.format(mark=mark, column=column), (slug, int(key[1:])))
            row = cursor.fetchone()
            cursor.close()
            raw.rollback()
        finally:
            raw.close()
        counters = (row[0] or 0, row[1] or 0) if row else (0, 0)
        self._cache.put((slug, key), counters)
        return counters

    def _counts_payload(self, slug: str, key: str, lang: str, results: bool, order: str):
        """(seq, tally, JSON bytes) of the room's counts, built at most once per ``TTL``
        per process and variant; ``None`` for a room that is gone."""
        variant = (slug, key, lang, results, order)
        cached = self._payloads.get(variant, _UNKNOWN)
        if cached is not _UNKNOWN:
            return cached
        from flask_babel import force_locale

        from summit.live.views import counts_payload

        with self.app.test_request_context(f"/e/{slug}/qa/{key}/live"), force_locale(lang):
            payload = counts_payload(slug, key, results, order)
        self._payloads.put(variant, payload)
        return payload

    def __call__(self, environ, start_response):
        etag = environ.get("HTTP_IF_NONE_MATCH")
        if etag and environ.get("REQUEST_METHOD") == "GET":
            match = self.PATH.match(environ.get("PATH_INFO", ""))
            if match:
                slug, key = match[1], match[2]
                secret = self.app.config["SECRET_KEY"]
                tag = read_phone_etag(etag, secret=secret, slug=slug, key=key)
                seq, tally = self._counters(slug, key) if tag else (0, 0)
                state = phone_state(tag, seq=seq, tally=tally)
                if state == CURRENT:
                    start_response("304 Not Modified", [
                        ("ETag", etag.strip()), ("Cache-Control", "no-store"),
                        ("Vary", "Cookie, HX-Request")])
                    return [b""]
                if state == COUNTS:
                    order = "new" if "order=new" in environ.get("QUERY_STRING", "") else "top"
                    payload = self._counts_payload(slug, key, tag.lang, tag.results, order)
                    if payload is not None and payload[0] == tag.seq:
                        new_etag = phone_etag(secret=secret, slug=slug, key=key, seq=tag.seq,
                                              tally=payload[1], viewer=tag.viewer,
                                              lang=tag.lang, results=tag.results)
                        start_response("200 OK", [
                            ("Content-Type", "application/json"),
                            ("Content-Length", str(len(payload[2]))),
                            ("ETag", new_etag), (COUNTS_HEADER, "1"),
                            ("Cache-Control", "no-store"), ("Vary", "Cookie, HX-Request")])
                        return [payload[2]]
        return self.wsgi_app(environ, start_response)
