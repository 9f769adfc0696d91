"""``database.direct_connection`` and ``sqlite_write_turn``: the check-in hot path's way to the
database stores and reads what Core would, fails as Core would, and SQLite writers in
different processes take turns instead of polling the lock."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from summit import audit
from summit.audit import AuditLog
from summit.checkin import services
from summit.checkin.models import Checkin
from summit.database import direct_connection, sqlite_write_turn
from summit.extensions import db

_AUDIT = AuditLog.__table__
READ_AUDIT = select(_AUDIT.c.at, _AUDIT.c.after).where(_AUDIT.c.id == bindparam("id"))
INSERT_CHECKIN = insert(Checkin.__table__)


def test_values_go_in_and_come_out_as_core_converts_them(app, make_event):
    event = make_event()
    # An aware time in another zone: stored as naive UTC, read back aware, as UTCDateTime does.
    at = datetime(2027, 3, 1, 8, 30, 15, 123456, tzinfo=timezone(timedelta(hours=-6)))
    after = {"list": "Main entrance", "source": "api", "names": ["Côté", "<script>"]}
    event_id = event.id
    db.session.commit()  # the test's session must not keep reading an older snapshot
    with direct_connection(db.engine) as conn:
        conn.begin()
        conn.execute(audit._INSERT, {
            "event_id": event_id, "actor_user_id": None, "actor_label": "api",
            "action": "checkin.created", "target_type": "attendee", "target_id": 7,
            "before": None, "after": after, "at": at})
        conn.commit()
    row = db.session.scalar(select(AuditLog).order_by(AuditLog.id.desc()))
    assert row.after == after and row.before is None
    assert row.at == at and row.at.tzinfo == UTC
    with direct_connection(db.engine) as conn:
        stored_at, stored_after = conn.execute(READ_AUDIT, {"id": row.id}).first()
        assert conn.execute(READ_AUDIT, {"id": -1}).first() is None
    assert stored_at == at and stored_at.tzinfo is not None and stored_after == after


def test_a_failed_statement_raises_sqlalchemys_error_and_keeps_nothing(
        app, make_event, make_attendee):
    event = make_event()
    amber, ben = make_attendee(event), make_attendee(event)
    now = datetime.now(UTC)
    rows = {name: {
        "list_id": services.entrance_list(event).id, "attendee_id": attendee.id, "at": now,
        "by_user_id": None, "source": "api", "nonce": None}
        for name, attendee in (("amber", amber), ("ben", ben))}
    db.session.commit()  # the test's session must not keep reading an older snapshot

    def stored() -> int:
        count = db.session.scalar(select(sa.func.count()).select_from(Checkin))
        db.session.commit()
        return count

    with pytest.raises(IntegrityError), direct_connection(db.engine) as conn:
        conn.begin()
        conn.execute(INSERT_CHECKIN, rows["ben"])
        conn.execute(INSERT_CHECKIN, rows["amber"])
        conn.execute(INSERT_CHECKIN, rows["amber"])  # (list, attendee) is unique
    assert stored() == 0
    with direct_connection(db.engine) as conn:  # the pool's connection still works
        conn.begin()
        conn.execute(INSERT_CHECKIN, rows["amber"])
        conn.commit()
    assert stored() == 1


def test_statement_listeners_see_direct_statements(app, make_event):
    event_id = make_event().id
    db.session.commit()
    seen = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.split()[0])

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with direct_connection(db.engine) as conn:
            conn.begin()
            services._bump(event_id, conn)
            conn.commit()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert "UPDATE" in seen


def _hold_turn(url: str, holding, release) -> None:
    engine = sa.create_engine(url)
    with sqlite_write_turn(engine):
        holding.set()
        release.wait(20)


def test_sqlite_writers_in_two_processes_take_turns(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    context = multiprocessing.get_context("fork")
    holding, release = context.Event(), context.Event()
    other = context.Process(target=_hold_turn, args=(str(engine.url), holding, release))
    other.start()
    try:
        assert holding.wait(20), "the other process never took its turn"
        mine = threading.Event()

        def take_turn():
            with sqlite_write_turn(engine):
                mine.set()

        waiter = threading.Thread(target=take_turn)
        waiter.start()
        assert not mine.wait(0.5), "took the turn while another process held it"
        release.set()
        assert mine.wait(20), "the turn was not handed over"
        waiter.join(20)
    finally:
        release.set()
        other.join(20)
    assert other.exitcode == 0


def test_kept_connections_close_with_their_engine(app):
    from summit.database import _WARM

    engine = db.engine
    with direct_connection(engine) as conn:
        conn.begin()
        conn.commit()
    kept = list(_WARM.idle[engine][1])
    assert len(kept) == 1
    engine.dispose()
    assert engine not in _WARM.idle
    assert kept[0].dbapi_connection is None  # closed, back out of the pool
