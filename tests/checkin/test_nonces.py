"""A nonce belongs to its check-in list: it is the idempotency key of one list's scans, so it
never answers another event's scan and never shows another event's attendee."""

from __future__ import annotations

from sqlalchemy import select

from summit.auth.services import issue_token
from summit.checkin.models import Checkin
from summit.extensions import db


def _api(client, event, token, body):
    return client.post(f"/api/v1/events/{event.slug}/checkins", json=body,
                       headers={"Authorization": f"Bearer {token}"})


def _two_events(make_event, make_attendee, make_staff):
    world = {}
    for name in ("a", "b"):
        event = make_event()
        volunteer = make_staff("checkin", event=event)
        world[name] = {
            "event": event, "volunteer": volunteer, "token": issue_token(volunteer, name),
            "person": make_attendee(event, first_name=f"Person{name.upper()}",
                                    last_name="Privé", organization=f"District {name}",
                                    accessibility=f"Needs {name}-side seating"),
        }
    db.session.commit()
    return world["a"], world["b"]


def test_the_same_nonce_in_two_events_checks_in_both_people(client, make_event, make_attendee,
                                                            make_staff):
    a, b = _two_events(make_event, make_attendee, make_staff)
    first = _api(client, a["event"], a["token"], {"code": a["person"].checkin_code,
                                                  "nonce": "lane-1-0001"})
    second = _api(client, b["event"], b["token"], {"code": b["person"].checkin_code,
                                                   "nonce": "lane-1-0001"})
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.get_json()["attendee"]["name"] == "PersonB Privé"
    assert "duplicate_nonce" not in second.get_json()
    stored = {row.attendee_id for row in db.session.scalars(select(Checkin))}
    assert stored == {a["person"].id, b["person"].id}


def test_a_nonce_of_one_event_replayed_at_another_shows_nobody_of_the_first(
        client, auth, make_event, make_attendee, make_staff):
    a, b = _two_events(make_event, make_attendee, make_staff)
    assert _api(client, b["event"], b["token"], {"code": b["person"].checkin_code,
                                                 "nonce": "n-b"}).status_code == 201
    # A's desk sends B's nonce with a code that names nobody: red, and nothing of B's attendee
    # (a nonce of B once showed B's name, district and accessibility note on A's desk).
    auth.login(a["volunteer"])
    html = client.post(f"/admin/e/{a['event'].slug}/checkin/scan",
                       data={"code": "z" * 32, "nonce": "n-b"}).get_data(as_text=True)
    assert 'data-outcome="unknown"' in html
    for secret in ("PersonB", "District b", "b-side"):
        assert secret not in html
    answer = _api(client, a["event"], a["token"], {"code": "z" * 32, "nonce": "n-b"})
    assert answer.status_code == 404 and "PersonB" not in answer.get_data(as_text=True)
    # ... and with A's own attendee: A's attendee is checked in, as a new scan.
    html = client.post(f"/admin/e/{a['event'].slug}/checkin/scan",
                       data={"code": a["person"].checkin_code, "nonce": "n-b",
                             "source": "offline"}).get_data(as_text=True)
    assert 'data-outcome="checked_in"' in html and "PersonA" in html
    assert "already uploaded" not in html
    assert db.session.scalars(select(Checkin.attendee_id).order_by(Checkin.id)).all() == [
        b["person"].id, a["person"].id]


def test_a_replay_on_the_desk_gets_the_first_answer(client, auth, desk):
    auth.login(desk["volunteer"])
    url = f"/admin/e/{desk['event'].slug}/checkin/scan"
    scan = {"code": desk["amber"].checkin_code, "nonce": "q-1", "source": "offline"}
    first = client.post(url, data=scan).get_data(as_text=True)
    replay = client.post(url, data=scan).get_data(as_text=True)
    assert 'data-outcome="checked_in"' in first and 'data-colour="green"' in first
    assert 'data-outcome="checked_in"' in replay and 'data-colour="green"' in replay
    assert "this scan was already uploaded" in replay
    # The panel's undo acts on the one stored check-in.
    (row,) = db.session.scalars(select(Checkin)).all()
    assert f"/checkin/undo/{row.id}" in first and f"/checkin/undo/{row.id}" in replay
