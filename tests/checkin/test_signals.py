"""``signals.checked_in``: every way in sends it exactly once per new check-in, inside the
check-in's transaction, and never for a scan that found one stored (amber) or a replayed nonce.
Also ``signals.event_created``: a new event gets its entrance list from check-in's receiver."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import request_started
from sqlalchemy import func, select

from summit import audit, signals
from summit.auth.services import issue_token
from summit.checkin.models import Checkin, CheckinList
from summit.events.services import create_event
from summit.extensions import db
from summit.selfcheckin import codes
from tests.selfcheckin.conftest import NOW, frozen, summit_setup  # noqa: F401  (fixtures)


@pytest.fixture
def sent():
    """Every ``checked_in`` sent while the test runs: ``(sender, keywords)``."""
    seen: list[tuple[int, dict]] = []

    def receiver(sender, **keywords):
        seen.append((sender, keywords))

    signals.checked_in.connect(receiver)
    yield seen
    signals.checked_in.disconnect(receiver)


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Checkin))


@pytest.fixture
def door(summit_setup, make_staff, frozen):  # noqa: F811  (the fixtures imported above)
    world = dict(summit_setup)
    world["volunteer"] = make_staff("checkin", event=world["event"])
    world["token"] = issue_token(world["volunteer"], "Lane 1")
    db.session.commit()
    return world


def _api(client, world, body):
    return client.post(f"/api/v1/events/{world['event'].slug}/checkins", json=body,
                       headers={"Authorization": f"Bearer {world['token']}"})


def _expect_one(sent, world, attendee, *, source, list_kind="entrance", session_id=None):
    assert len(sent) == 1, sent
    sender, keywords = sent.pop()
    stored = db.session.scalar(select(Checkin).where(Checkin.attendee_id == attendee.id)
                               .order_by(Checkin.id.desc()))
    assert sender == world["event"].id
    assert {k: v for k, v in keywords.items() if k != "connection"} == {
        "attendee_id": attendee.id, "list_id": stored.list_id, "list_kind": list_kind,
        "session_id": session_id, "at": stored.at, "source": source, "checkin_id": stored.id}
    assert keywords["connection"] is not None


def test_the_desk_the_link_the_search_and_the_kiosk_send_it_once(client, auth, door, sent,
                                                                 make_attendee):
    event, amber, ben = door["event"], door["amber"], door["ben"]
    slug = event.slug
    auth.login(door["volunteer"])
    scan = {"code": amber.checkin_code, "source": "camera", "nonce": "n-1"}
    assert client.post(f"/admin/e/{slug}/checkin/scan", data=scan).status_code == 200
    _expect_one(sent, door, amber, source="camera")
    # A replayed upload, and another scan of the same badge: nothing new, no signal.
    assert client.post(f"/admin/e/{slug}/checkin/scan", data=scan).status_code == 200
    client.post(f"/admin/e/{slug}/checkin/scan", data={"code": amber.checkin_code})
    assert sent == [] and count() == 1

    client.get(f"/c/{ben.checkin_code}")
    _expect_one(sent, door, ben, source="url")
    client.get(f"/c/{ben.checkin_code}")
    assert sent == []

    cleo = make_attendee(event, first_name="Cleo")
    client.post(f"/admin/e/{slug}/checkin/attendee/{cleo.id}")
    _expect_one(sent, door, cleo, source="search")
    client.post(f"/admin/e/{slug}/checkin/attendee/{cleo.id}")
    assert sent == []

    dana = make_attendee(event, first_name="Dana")
    client.post(f"/admin/e/{slug}/checkin/kiosk")
    assert client.post(f"/kiosk/{slug}/scan", data={"code": dana.checkin_code}).status_code \
        == 200
    _expect_one(sent, door, dana, source="kiosk")
    client.post(f"/kiosk/{slug}/scan", data={"code": dana.checkin_code})
    assert sent == [] and count() == 4


@pytest.mark.parametrize("fast", [True, False], ids=["fast-path", "flask-view"])
def test_the_api_sends_it_once_on_either_path(app, client, door, sent, fast):
    app.config["API_FAST_PATH"] = fast
    flask_saw = []

    def saw(sender, **_):
        flask_saw.append(1)

    request_started.connect(saw, app)
    amber, ben = door["amber"], door["ben"]
    assert _api(client, door, {"code": ben.checkin_code}).status_code == 201  # warms caches
    sent.clear()
    seen_by_flask = len(flask_saw)
    first = _api(client, door, {"code": amber.checkin_code, "nonce": "n-1"})
    assert first.status_code == 201
    assert (len(flask_saw) == seen_by_flask) is fast  # the way in this case is about
    _expect_one(sent, door, amber, source="api")
    replay = _api(client, door, {"code": amber.checkin_code, "nonce": "n-1"})
    amber_again = _api(client, door, {"code": amber.checkin_code})
    assert (replay.status_code, amber_again.status_code) == (201, 200)
    assert sent == [] and count() == 2
    request_started.disconnect(saw, app)


def test_self_check_in_and_the_room_door_send_it_once(app, client, auth, door, sent, frozen):  # noqa: F811
    event, amber = door["event"], door["amber"]
    auth.as_attendee(amber)
    here = f"/e/{event.slug}/here/{codes.entrance_code(app.config['SECRET_KEY'], event.id, NOW)}"
    assert client.get(here).status_code == 302
    _expect_one(sent, door, amber, source="self")
    client.get(here)
    assert sent == []

    frozen(NOW + timedelta(minutes=10))  # 09:10 in Chicago: "AI policy drafting" runs
    room = f"/e/{event.slug}/rooms/{door['room'].id}"
    assert "AI policy drafting" in client.get(room).get_data(as_text=True)
    _expect_one(sent, door, amber, source="self", list_kind="session",
                session_id=door["talk"].id)
    client.get(room)
    assert sent == [] and count() == 2


def test_receivers_run_inside_the_check_in_transaction(app, client, auth, door):
    """What a receiver writes on ``connection`` commits with the check-in; a receiver that
    fails takes the check-in back with it, on the session's path and the API's."""
    failing = {"on": False}

    def receiver(sender, *, connection, attendee_id, **_):
        audit.record_now(connection, "test.heard", event_id=sender, target_type="attendee",
                         target_id=attendee_id)
        if failing["on"]:
            raise RuntimeError("the receiver failed")

    def heard() -> int:
        return db.session.scalar(select(func.count()).select_from(audit.AuditLog)
                                 .where(audit.AuditLog.action == "test.heard"))

    signals.checked_in.connect(receiver)
    try:
        auth.login(door["volunteer"])
        slug = door["event"].slug
        client.post(f"/admin/e/{slug}/checkin/scan", data={"code": door["amber"].checkin_code})
        assert _api(client, door, {"code": door["ben"].checkin_code}).status_code == 201
        assert (count(), heard()) == (2, 2)

        failing["on"] = True
        cleo, dana = (door["amber"].__class__(event_id=door["event"].id, first_name=name,
                                               last_name="X", email=f"{name}@example.org")
                      for name in ("cleo", "dana"))
        db.session.add_all([cleo, dana])
        db.session.commit()
        with pytest.raises(RuntimeError):  # the test client re-raises what a 500 would hide
            client.post(f"/admin/e/{slug}/checkin/scan", data={"code": cleo.checkin_code})
        api = _api(client, door, {"code": dana.checkin_code})  # a warm token: the fast path
        assert api.status_code == 500
        db.session.expire_all()
        assert (count(), heard()) == (2, 2)  # neither check-in, nor what the receiver wrote
    finally:
        signals.checked_in.disconnect(receiver)


def test_a_new_event_gets_its_entrance_list_from_check_in(app):
    from datetime import date

    event = create_event("signal", "Signal Summit", date(2027, 5, 1))
    lists = db.session.scalars(select(CheckinList).where(CheckinList.event_id == event.id)).all()
    assert [(row.kind, row.name) for row in lists] == [("entrance", "Main entrance")]
