"""The check-in API's hot path: few statements, a token cache that revocation clears, and the
same answers as before for replays and red codes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import func, select

from summit.audit import AuditLog
from summit.auth.models import ApiToken
from summit.auth.services import issue_token
from summit.checkin.models import Checkin
from summit.events.models import Event
from summit.extensions import db
from summit.homerooms import services as homerooms


def _post(client, slug, token, body):
    return client.post(f"/api/v1/events/{slug}/checkins", json=body,
                       headers={"Authorization": f"Bearer {token}"})


def test_a_warm_check_in_is_four_statements_and_keeps_audit_stats_and_homeroom(
        app, client, desk):
    event = desk["event"]
    token = issue_token(desk["volunteer"], "Lane 1")
    homerooms.create_tables(event, 1, 8, location="Hall B")
    db.session.commit()
    homerooms.move_seat(event, desk["amber"].id, 1, homerooms.tables_of(event)[0].id)
    db.session.commit()
    seq = event.change_seq
    slug = event.slug
    assert _post(client, slug, token, {"code": desk["ben"].checkin_code}).status_code \
        == 201  # warms the token and entrance-list caches

    url = desk["amber"].checkin_url("http://summit.test")
    statements = []

    def count(conn, cursor, statement, *args):
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = _post(client, slug, token, {"code": url})
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 201
    body = response.get_json()
    assert body["attendee"] == {"name": "Amber Okafor", "organization": "Knox County Schools",
                                "homeroom": "Table 1 (Hall B)",
                                "accessibility": "Needs a seat near the aisle"}
    # attendee + organization + table in one SELECT, the insert, the audit row, the bump.
    # PostgreSQL: the insert and the audit row are one statement (a CTE, no transaction round
    # trips), and the bump follows in its own short transaction, "SET LOCAL ...; UPDATE" sent
    # as one query (bump_after_commit).
    # Each receiver of ``checked_in`` adds its own: learning credit's one INSERT into its
    # ledger (credits.receivers), in the check-in's transaction.
    expected = (3 if db.engine.dialect.name == "postgresql" else 4) + 1
    assert len(statements) == expected, "\n".join(statements)
    assert sum("INSERT INTO credit_scans" in statement for statement in statements) == 1
    db.session.expire_all()
    assert db.session.get(Event, event.id).change_seq == seq + 2
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "checkin.created")
                               .order_by(AuditLog.id.desc())).first()
    checkin = db.session.scalar(select(Checkin).where(Checkin.attendee_id == desk["amber"].id))
    # The same row on both databases (written by audit.record_now or by the CTE).
    assert (entry.event_id, entry.target_type, entry.target_id, entry.actor_user_id,
            entry.actor_label, entry.before, entry.after) == (
        event.id, "attendee", desk["amber"].id, desk["volunteer"].id, "", None,
        {"list": "Main entrance", "source": "api", "checkin_id": checkin.id})
    assert abs(entry.at - checkin.at).total_seconds() < 5


def test_revoking_a_token_in_the_ui_refuses_it_at_once(app, client, desk, auth):
    event = desk["event"]
    token = issue_token(desk["volunteer"], "Lane 1")
    db.session.commit()
    assert _post(client, event.slug, token, {"code": desk["ben"].checkin_code}).status_code \
        == 201  # now cached in this worker
    auth.login(desk["volunteer"])
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == desk["volunteer"].id))
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 302
    auth.logout()
    response = _post(client, event.slug, token, {"code": desk["amber"].checkin_code})
    assert response.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 1


def test_a_replayed_offline_upload_stays_a_duplicate_after_the_registration_changed(
        app, client, desk):
    event = desk["event"]
    token = issue_token(desk["volunteer"], "Lane 1")
    db.session.commit()
    first = _post(client, event.slug, token, {"code": desk["amber"].checkin_code,
                                              "nonce": "offline-1"})
    assert first.status_code == 201
    # The registration is cancelled meanwhile; the desk retries the same upload.
    desk["amber"].status = "cancelled"
    db.session.commit()
    replay = _post(client, event.slug, token, {"code": desk["amber"].checkin_code,
                                               "nonce": "offline-1"})
    assert replay.status_code == 201 and replay.get_json()["result"] == "checked_in"
    assert replay.get_json()["duplicate_nonce"] is True
    assert replay.get_json()["attendee"]["name"] == "Amber Okafor"
    # A fresh scan of the same cancelled badge is refused, and nothing was counted twice.
    assert _post(client, event.slug, token,
                 {"code": desk["amber"].checkin_code}).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 1


def test_the_same_nonce_for_another_badge_reports_the_stored_scan(app, client, desk):
    event = desk["event"]
    token = issue_token(desk["volunteer"], "Lane 1")
    db.session.commit()
    assert _post(client, event.slug, token, {"code": desk["amber"].checkin_code,
                                             "nonce": "n-1"}).status_code == 201
    clash = _post(client, event.slug, token, {"code": desk["ben"].checkin_code, "nonce": "n-1"})
    # The nonce is the idempotency key: its first answer, about the person it checked in.
    assert clash.status_code == 201 and clash.get_json()["duplicate_nonce"] is True
    assert clash.get_json()["attendee"]["name"] == "Amber Okafor"
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 1
