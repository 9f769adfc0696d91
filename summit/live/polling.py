"""How open live pages learn of changes: ETag/304 polling (as the announcement banner does).

- A phone polls its room every ``PHONE_POLL_SECONDS``. Its ETag is signed (``SECRET_KEY``) and
  names the room's ``seq`` and ``tally_seq``, a ``rules.PHONE_COUNTS_SECONDS`` time bucket and
  the viewer. It is still valid while ``seq`` is unchanged and either the counts are unchanged
  or the bucket is the same: questions shown, hidden or answered and polls opened or closed
  reach phones at the next poll; new vote and upvote counts at most every 30 s. So 3,000 phones
  in a keynote do not all re-render every time someone votes, and since each viewer's windows
  are offset (by a hash of its id), they do not all re-render in the same second either.
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

from summit.live.rules import PHONE_COUNTS_SECONDS
from summit.ttlcache import TTLCache

PHONE_POLL_SECONDS = 3
SCREEN_POLL_SECONDS = 1

_UNKNOWN = object()


def _bucket(viewer: str, now: float | None = None) -> int:
    """The viewer's count window. Each viewer's windows are offset by a few seconds (from its
    id), so 3,000 phones do not all fetch new counts in the same second."""
    offset = int(hashlib.sha256(viewer.encode()).hexdigest()[:4], 16) % PHONE_COUNTS_SECONDS
    return int(((now if now is not None else time.time()) + offset) // PHONE_COUNTS_SECONDS)


def _signature(secret: str, slug: str, key: str, seq: int, tally: int, bucket: int,
               viewer: str) -> str:
    message = f"{slug}|{key}|{seq}|{tally}|{bucket}|{viewer}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:16]


def phone_etag(*, secret: str, slug: str, key: str, seq: int, tally: int, viewer: str,
               now: float | None = None) -> str:
    bucket = _bucket(viewer, now)
    sig = _signature(secret, slug, key, seq, tally, bucket, viewer)
    return f'W/"lq-{seq}-{tally}-{bucket}-{viewer}-{sig}"'


_PHONE_ETAG = re.compile(r'^W/"lq-(\d+)-(\d+)-(\d+)-(a\d+)-([0-9a-f]{16})"$')


def phone_etag_valid(etag: str, *, secret: str, slug: str, key: str, seq: int, tally: int,
                     now: float | None = None) -> bool:
    """Whether a phone holding ``etag`` already shows what it should (see the module's
    docstring)."""
    match = _PHONE_ETAG.match((etag or "").strip())
    if not match:
        return False
    e_seq, e_tally, e_bucket, viewer, sig = (int(match[1]), int(match[2]), int(match[3]),
                                             match[4], match[5])
    if e_seq != seq or (e_tally != tally and e_bucket != _bucket(viewer, now)):
        return False
    return hmac.compare_digest(sig, _signature(secret, slug, key, e_seq, e_tally, e_bucket,
                                               viewer))


def screen_etag(room_seq: int, tally: int, extra: str = "") -> str:
    return f"ls-{room_seq}-{tally}{extra}"


class LiveRoomFastPath:
    """WSGI middleware: answer an unchanged phone poll of a live room with 304 before Flask
    runs.

    A bypass of ``live.room_live`` (the phone's fragment):
    - repeats its "unchanged?" check, with the view's own function (``phone_etag_valid``) on
      the room's counters;
    - skips who is asking: only a page that was shown the fragment holds a validly signed ETag
      (it names the event, the room and the viewer), and a 304 carries nothing;
    - may answer 304 for up to ``TTL`` after a change (the counters are cached that long).
    ``tests/live/test_pages.py::test_fast_path_agrees_with_the_view`` proves that the two
    agree: the view's ETag is answered 304 here, a forged one reaches the view, and a change
    reaches the page after ``TTL``.
    """

    NAME = "live-room"
    PATH = re.compile(r"^/e/([a-z0-9-]{1,64})/qa/([sb][1-9][0-9]{0,9})/live$")
    TTL = 1.0
    MAX_ROOMS = 4096

    def __init__(self, wsgi_app, app):
        self.wsgi_app = wsgi_app
        self.app = app
        self._cache = TTLCache(self.TTL, maxsize=self.MAX_ROOMS)

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
            cursor.execute("SELECT r.seq, r.tally_seq FROM live_rooms r JOIN events e ON "
                           f"e.id = r.event_id WHERE e.slug = {mark} AND r.{column} = {mark}",
                           (slug, int(key[1:])))
            row = cursor.fetchone()
            cursor.close()
            raw.rollback()
        finally:
            raw.close()
        counters = (row[0] or 0, row[1] or 0) if row else (0, 0)
        self._cache.put((slug, key), counters)
        return counters

    def __call__(self, environ, start_response):
        etag = environ.get("HTTP_IF_NONE_MATCH")
        if etag and environ.get("REQUEST_METHOD") == "GET":
            match = self.PATH.match(environ.get("PATH_INFO", ""))
            if match:
                slug, key = match[1], match[2]
                seq, tally = self._counters(slug, key)
                if phone_etag_valid(etag, secret=self.app.config["SECRET_KEY"], slug=slug,
                                    key=key, seq=seq, tally=tally):
                    start_response("304 Not Modified", [
                        ("ETag", etag.strip()), ("Cache-Control", "no-store"),
                        ("Vary", "Cookie, HX-Request")])
                    return [b""]
        return self.wsgi_app(environ, start_response)
