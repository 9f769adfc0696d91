"""Live announcements: post, withdraw, dismiss, and who sees what.

Open pages poll a small banner fragment with ``If-None-Match``; the ETag is built from the
event's ``LiveChannel.seq`` (bumped by every post or withdrawal), the viewer and a 10-minute
time bucket (announcements fade from the banner after ``BANNER_HOURS``). An unchanged poll costs
one HMAC and a 304 from ``LiveFastPath`` (a WSGI middleware), before Flask even runs.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Collection
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from summit import audit
from summit.database import utcnow
from summit.extensions import db
from summit.messages import segments
from summit.messages.models import (
    ANNOUNCEMENT_LEVELS,
    Announcement,
    AnnouncementDismissal,
    LiveChannel,
)
from summit.ttlcache import TTLCache

_UNKNOWN = object()

BANNER_HOURS = 12
MAX_TEXT = 280


class AnnouncementError(ValueError):
    pass


def bump_channel(event_id: int) -> None:
    """Change the banner ETag of an event (atomic; safe with many workers)."""
    done = db.session.execute(
        update(LiveChannel).where(LiveChannel.event_id == event_id)
        .values(seq=LiveChannel.seq + 1).execution_options(synchronize_session=False)
    ).rowcount
    if done:
        return
    try:
        with db.session.begin_nested():
            db.session.add(LiveChannel(event_id=event_id, seq=1))
    except IntegrityError:  # created by a concurrent request: bump that one
        db.session.execute(update(LiveChannel).where(LiveChannel.event_id == event_id)
                           .values(seq=LiveChannel.seq + 1))


def channel_seq(event_id: int) -> int:
    return db.session.scalar(
        select(LiveChannel.seq).where(LiveChannel.event_id == event_id)) or 0


def _bucket() -> int:
    return int(time.time() // 600)


def _signature(secret: str, slug: str, seq: int, viewer: str, bucket: int) -> str:
    mac = hmac.new(secret.encode(), f"{slug}|{seq}|{viewer}|{bucket}".encode(), hashlib.sha256)
    return mac.hexdigest()[:16]


def etag_for(seq: int, viewer: str, *, slug: str, secret: str) -> str:
    """A signed ETag: only a page that was shown the banner can hold a valid one, so the fast
    path may answer 304 to it without loading the session (see ``LiveFastPath``)."""
    bucket = _bucket()
    return f'W/"live-{seq}-{viewer}-{bucket}-{_signature(secret, slug, seq, viewer, bucket)}"'


_ETAG_RE = re.compile(r'^W/"live-(\d+)-([as]\d*)-(\d+)-([0-9a-f]{16})"$')


def etag_still_valid(etag: str, *, slug: str, secret: str, current_seq: int) -> bool:
    match = _ETAG_RE.match(etag.strip())
    if not match:
        return False
    seq, viewer, bucket, sig = int(match[1]), match[2], int(match[3]), match[4]
    if seq != current_seq or bucket != _bucket():
        return False
    return hmac.compare_digest(sig, _signature(secret, slug, seq, viewer, bucket))


class LiveFastPath:
    """WSGI middleware: answer an unchanged banner poll with 304 before Flask runs.

    Costs one HMAC and, at most once a second per process and event, one indexed query, so
    hundreds of open pages cost little. Anything else (a changed seq, no or a bad ETag) goes to
    the normal view, which checks who is asking and renders.

    A bypass of the banner views (``messages.banner`` and ``messages.staff_banner``):
    - repeats their "unchanged?" check: the ETag the view made (``etag_for``: the channel's
      ``seq``, the viewer, the 10-minute bucket, signed with ``SECRET_KEY``) is still the
      current one (``etag_still_valid``, the view's own function);
    - skips who is asking: only a page that was shown the banner holds a validly signed ETag,
      and a 304 carries nothing of the event;
    - may answer 304 for up to ``TTL`` after a change (the ``seq`` is cached that long).
    ``tests/messages/test_outbox_and_live.py::test_banner_polling_uses_etag_and_304`` proves
    that the two agree: the view's ETag is answered 304 here, a forged one reaches the view
    (401), and a new announcement reaches the page after ``TTL``.
    """

    NAME = "live-banner"
    PATH = re.compile(r"^/(?:admin/)?e/([a-z0-9-]{1,64})/live/banner$")
    TTL = 1.0
    MAX_EVENTS = 1024  # slugs whose seq is cached (any slug can be asked for: a bound)

    def __init__(self, wsgi_app, app):
        self.wsgi_app = wsgi_app
        self.app = app
        self._seq_cache = TTLCache(self.TTL, maxsize=self.MAX_EVENTS)

    def _seq(self, slug: str) -> int | None:
        cached = self._seq_cache.get(slug, _UNKNOWN)
        if cached is not _UNKNOWN:
            return cached
        with self.app.app_context():
            engine = db.engine
        # A raw read: no ORM, and on SQLite no BEGIN IMMEDIATE (this is not a write).
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("SELECT e.id, c.seq FROM events e LEFT JOIN live_channels c "
                           f"ON c.event_id = e.id WHERE e.slug = {mark}", (slug,))
            row = cursor.fetchone()
            cursor.close()
            raw.rollback()
        finally:
            raw.close()
        seq = None if row is None else (row[1] or 0)
        self._seq_cache.put(slug, seq)
        return seq

    def __call__(self, environ, start_response):
        etag = environ.get("HTTP_IF_NONE_MATCH")
        if etag and environ.get("REQUEST_METHOD") == "GET":
            match = self.PATH.match(environ.get("PATH_INFO", ""))
            if match:
                slug = match[1]
                seq = self._seq(slug)
                if seq is not None and etag_still_valid(
                        etag, slug=slug, secret=self.app.config["SECRET_KEY"], current_seq=seq):
                    start_response("304 Not Modified", [
                        ("ETag", etag.strip()), ("Cache-Control", "no-store"),
                        ("Vary", "Cookie, HX-Request")])
                    return [b""]
        return self.wsgi_app(environ, start_response)


def clean_link(link: str) -> str:
    link = (link or "").strip()
    if not link:
        return ""
    parts = urlsplit(link)
    if link.startswith("/") and not link.startswith("//"):
        return link
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise AnnouncementError("The link must start with https:// (or be a path such as /e/…).")
    return link[:500]


def post(event, text: str, *, link: str = "", level: str = "info",
         target_kind: str = "everyone", target_key: str = "", user=None) -> Announcement:
    text = " ".join((text or "").split())
    if not text:
        raise AnnouncementError("Write the announcement first.")
    if len(text) > MAX_TEXT:
        raise AnnouncementError(f"Keep it short: at most {MAX_TEXT} characters.")
    if level not in ANNOUNCEMENT_LEVELS:
        raise AnnouncementError("Unknown level.")
    label = "Everyone"
    if target_kind != "everyone":
        kind = segments.get_kind(target_kind)
        if kind is None or kind.keys_for_attendee is None:
            raise AnnouncementError("That target is not available.")
        try:
            label = segments.option_label(event, target_kind, target_key)
        except KeyError as exc:
            raise AnnouncementError("Choose who should see it.") from exc
    else:
        target_key = ""
    announcement = Announcement(
        event_id=event.id, text=text, link=clean_link(link), level=level,
        target_kind=target_kind, target_key=target_key, target_label=label,
        created_by_user_id=getattr(user, "id", None),
    )
    db.session.add(announcement)
    db.session.flush()
    bump_channel(event.id)
    audit.record("announcement.posted", event_id=event.id, target=announcement,
                 after={"text": text, "level": level, "target": label})
    return announcement


def withdraw(announcement: Announcement) -> None:
    if announcement.withdrawn_at is None:
        announcement.withdrawn_at = utcnow()
        bump_channel(announcement.event_id)
        audit.record("announcement.withdrawn", event_id=announcement.event_id,
                     target=announcement)


def dismiss(attendee, announcement_id: int) -> None:
    exists = db.session.scalar(select(AnnouncementDismissal.id).where(
        AnnouncementDismissal.announcement_id == announcement_id,
        AnnouncementDismissal.attendee_id == attendee.id))
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.add(AnnouncementDismissal(announcement_id=announcement_id,
                                                     attendee_id=attendee.id))
        except IntegrityError:
            pass


def _targets_attendee(event, attendee, announcements):
    keys_cache: dict[str, set[str]] = {}
    for a in announcements:
        if a.target_kind == "everyone":
            yield a
            continue
        kind = segments.get_kind(a.target_kind)
        if kind is None or kind.keys_for_attendee is None:
            continue
        if a.target_kind not in keys_cache:
            keys_cache[a.target_kind] = set(kind.keys_for_attendee(event, attendee) or ())
        if a.target_key in keys_cache[a.target_kind]:
            yield a


def for_viewer(event, attendee=None, *, banner: bool = True,
               hidden: Collection[int] = ()) -> list[Announcement]:
    """Announcements for an attendee (``None`` = staff, who see every one).

    ``banner``: only recent, not dismissed ones, urgent first; else the full list, newest first.
    ``hidden``: ids left out of the banner too (what staff dismissed in their browser).
    """
    query = select(Announcement).where(Announcement.event_id == event.id,
                                       Announcement.withdrawn_at.is_(None))
    if banner:
        query = query.where(Announcement.created_at >= utcnow() - timedelta(hours=BANNER_HOURS))
    items = list(db.session.scalars(query.order_by(Announcement.created_at.desc(),
                                                   Announcement.id.desc()).limit(50)))
    if attendee is not None:
        items = list(_targets_attendee(event, attendee, items))
        if banner and items:
            dismissed = set(db.session.scalars(select(AnnouncementDismissal.announcement_id)
                            .where(AnnouncementDismissal.attendee_id == attendee.id)))
            items = [a for a in items if a.id not in dismissed]
    if banner:
        items = [a for a in items if a.id not in hidden]
        items.sort(key=lambda a: (a.level != "urgent", -a.id))
        items = items[:3]
    return items


def dismissed_ids(attendee) -> set[int]:
    return set(db.session.scalars(select(AnnouncementDismissal.announcement_id)
                                  .where(AnnouncementDismissal.attendee_id == attendee.id)))


def recent_for_organizer(event, limit: int = 50) -> list[Announcement]:
    return list(db.session.scalars(
        select(Announcement).where(Announcement.event_id == event.id)
        .order_by(Announcement.created_at.desc(), Announcement.id.desc()).limit(limit)))
