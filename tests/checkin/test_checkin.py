"""Check-in rules, the desk, the /c/<code> link, undo, kiosk mode and live counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from summit.audit import AuditLog
from summit.checkin import services
from summit.checkin.models import Checkin
from summit.codes import ALPHABET
from summit.database import utcnow
from summit.events.models import Event
from summit.extensions import db


def count_checkins() -> int:
    return db.session.scalar(select(func.count()).select_from(Checkin))


def undo_token(html: str) -> str:
    """The scan's token in a result panel's *Undo this scan* form."""
    match = re.search(r'name="scan" value="([^"]+)"', html)
    assert match, "no Undo in this answer"
    return match.group(1)


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_codes_are_long_and_unambiguous(desk):
    code = desk["amber"].checkin_code
    assert len(code) == 32 and set(code) <= set(ALPHABET)
    assert desk["amber"].checkin_code != desk["ben"].checkin_code


def test_check_in_is_idempotent_and_audited(desk):
    entrance = services.entrance_list(desk["event"])
    url = desk["amber"].checkin_url("http://summit.test")
    first = services.check_in(url, entrance, by_user=desk["volunteer"], source="camera")
    db.session.commit()
    again = services.check_in(desk["amber"].checkin_code.upper(), entrance,
                              by_user=desk["volunteer"])
    db.session.commit()
    assert first.outcome == "checked_in" and first.colour == "green"
    assert again.outcome == "already_checked_in" and again.colour == "amber"
    assert again.checkin.id == first.checkin.id
    assert count_checkins() == 1
    assert actions().count("checkin.created") == 1
    assert db.session.get(Event, desk["event"].id).change_seq >= 1


def test_red_outcomes(desk, make_event, make_attendee):
    entrance = services.entrance_list(desk["event"])
    other = make_attendee(make_event(), first_name="Elsewhere")
    assert services.check_in("nonsense", entrance).outcome == "unknown"
    assert services.check_in("a" * 32, entrance).outcome == "unknown"
    assert services.check_in(desk["cancelled"].checkin_code, entrance).outcome == "cancelled"
    assert services.check_in(desk["waitlisted"].checkin_code, entrance).outcome == "waitlisted"
    assert services.check_in(other.checkin_code, entrance).outcome == "wrong_event"
    assert count_checkins() == 0


def test_nonce_is_counted_once_and_backdates_within_limit(desk):
    entrance = services.entrance_list(desk["event"])
    scanned = utcnow() - timedelta(minutes=20)
    first = services.check_in(desk["ben"].checkin_code, entrance, nonce="n-1", at=scanned,
                              source="offline")
    db.session.commit()
    repeat = services.check_in(desk["ben"].checkin_code, entrance, nonce="n-1")
    assert first.outcome == "checked_in"
    assert abs((first.checkin.at - scanned).total_seconds()) < 1
    assert repeat.replayed and repeat.outcome == "checked_in" and not repeat.counted
    assert repeat.checkin == first.checkin
    assert count_checkins() == 1
    far = services.check_in(desk["amber"].checkin_code, entrance, nonce="n-2",
                            at=utcnow() - timedelta(days=3))
    assert (utcnow() - far.checkin.at) < timedelta(minutes=1)  # clamped to "now"
    with pytest.raises(services.CheckinError):
        services.check_in(desk["amber"].checkin_code, entrance, nonce="x" * 65)


def test_session_lists_are_separate(desk):
    from summit.breakouts.models import BreakoutSession

    talk = BreakoutSession(event_id=desk["event"].id, title="Breakout 7: AI policy")
    db.session.add(talk)
    db.session.flush()
    entrance = services.entrance_list(desk["event"])
    room = services.session_list(desk["event"].id, talk.id, talk.title)
    assert services.session_list(desk["event"].id, talk.id, "again").id == room.id
    assert services.check_in(desk["amber"], entrance).outcome == "checked_in"
    assert services.check_in(desk["amber"], room, source="door").outcome == "checked_in"
    assert services.check_in(desk["amber"], room).outcome == "already_checked_in"
    db.session.commit()
    assert count_checkins() == 2
    assert services.live_stats(desk["event"])["checked_in"] == 1


def test_staff_opening_the_code_link_checks_in(desk, client, auth):
    auth.login(desk["volunteer"])
    response = client.get(f"/c/{desk['amber'].checkin_code}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "result-green" in html and "Amber Okafor" in html
    assert "Needs a seat near the aisle" in html
    again = client.get(f"/c/{desk['amber'].checkin_code}").get_data(as_text=True)
    assert "result-amber" in again and "Already checked in" in again
    assert count_checkins() == 1


def test_anyone_else_sees_a_neutral_page(desk, client, auth, make_staff, make_event):
    code = desk["amber"].checkin_code
    response = client.get(f"/c/{code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and desk["event"].name in html
    assert "Amber" not in html and "Knox" not in html
    assert client.get("/c/" + "b" * 32).status_code == 404
    # an attendee signed in through their personal link is not staff
    auth.as_attendee(desk["ben"])
    assert "Amber" not in client.get(f"/c/{code}").get_data(as_text=True)
    # staff for another event only
    auth.login(make_staff("checkin", event=make_event()))
    assert "Amber" not in client.get(f"/c/{code}").get_data(as_text=True)
    assert count_checkins() == 0
    # and the code did not sign anybody in
    client.post("/logout")
    assert client.get(f"/admin/e/{desk['event'].slug}/checkin").status_code == 302


def test_desk_scan_search_and_undo(desk, client, auth):
    slug = desk["event"].slug
    auth.login(desk["volunteer"])
    page = client.get(f"/admin/e/{slug}/checkin").get_data(as_text=True)
    assert 'id="wedge"' in page and "autofocus" in page
    hx = {"HX-Request": "true"}
    green = client.post(f"/admin/e/{slug}/checkin/scan", headers=hx,
                        data={"code": desk["amber"].checkin_url("http://x"), "source": "wedge"})
    html = green.get_data(as_text=True)
    assert 'data-outcome="checked_in"' in html and 'data-count="1"' in html
    assert "<html" not in html
    red = client.post(f"/admin/e/{slug}/checkin/scan", headers=hx,
                      data={"code": desk["cancelled"].checkin_code})
    assert "result-red" in red.get_data(as_text=True)
    results = client.get(f"/admin/e/{slug}/checkin/search?q=ruiz", headers=hx)
    assert "Ben Ruiz" in results.get_data(as_text=True)
    one_click = client.post(f"/admin/e/{slug}/checkin/attendee/{desk['ben'].id}", headers=hx)
    assert "result-green" in one_click.get_data(as_text=True)
    assert count_checkins() == 2
    record = db.session.scalar(select(Checkin).where(Checkin.attendee_id == desk["ben"].id))
    token = undo_token(one_click.get_data(as_text=True))
    assert token == record.nonce  # the server made the click's nonce: its undo token
    undone = client.post(f"/admin/e/{slug}/checkin/undo/{record.id}", headers=hx,
                         data={"scan": token})
    assert 'data-outcome="undone"' in undone.get_data(as_text=True)
    assert count_checkins() == 1
    assert actions().count("checkin.created") == 2 and actions().count("checkin.undone") == 1
    # no-JavaScript fallback: a plain form post renders the whole desk page
    full = client.post(f"/admin/e/{slug}/checkin/scan", data={"code": "not a code"})
    assert "<html" in full.get_data(as_text=True) and "Unknown code" in full.get_data(
        as_text=True)


def test_desk_name_search_ignores_accents(desk, client, auth, make_attendee):
    """Volunteers on US keyboards: "cote" finds Côté, "belanger" finds Bélanger."""
    slug = desk["event"].slug
    make_attendee(desk["event"], first_name="Émilie", last_name="Côté")
    make_attendee(desk["event"], first_name="Luc", last_name="Bélanger")
    auth.login(desk["volunteer"])
    hx = {"HX-Request": "true"}
    for query, name in (("cote", "Émilie Côté"), ("emilie", "Émilie Côté"),
                        ("BELANGER", "Luc Bélanger"), ("Bélanger", "Luc Bélanger")):
        html = client.get(f"/admin/e/{slug}/checkin/search", query_string={"q": query},
                          headers=hx).get_data(as_text=True)
        assert name in html, query


def test_desk_needs_the_role(desk, client, auth, make_staff):
    slug = desk["event"].slug
    auth.login(make_staff("facilitator", event=desk["event"]))
    assert client.get(f"/admin/e/{slug}/checkin").status_code == 403
    assert client.post(f"/admin/e/{slug}/checkin/scan",
                       data={"code": desk["amber"].checkin_code}).status_code == 403
    assert count_checkins() == 0


def test_regenerated_code_replaces_the_old_one(desk, client, auth, make_staff):
    old = desk["amber"].checkin_code
    auth.login(make_staff("organizer", event=desk["event"]))
    response = client.post(
        f"/admin/e/{desk['event'].slug}/attendees/{desk['amber'].id}/regenerate-code")
    assert response.status_code == 302
    db.session.expire_all()
    new = desk["amber"].checkin_code
    assert new != old
    entrance = services.entrance_list(desk["event"])
    assert services.check_in(old, entrance).outcome == "unknown"
    assert services.check_in(new, entrance).outcome == "checked_in"
    assert "attendee.code_regenerated" in actions()


def test_kiosk_mode(desk, client, auth):
    slug = desk["event"].slug
    auth.login(desk["volunteer"])
    started = client.post(f"/admin/e/{slug}/checkin/kiosk")
    assert started.status_code == 302 and started.location.endswith(f"/kiosk/{slug}")
    # the staff session is gone: the desk needs a sign-in again
    assert client.get(f"/admin/e/{slug}/checkin").status_code == 302
    assert client.get(f"/kiosk/{slug}").status_code == 200
    hx = {"HX-Request": "true"}
    html = client.post(f"/kiosk/{slug}/scan", headers=hx,
                       data={"code": desk["amber"].checkin_code}).get_data(as_text=True)
    assert "Welcome, Amber!" in html
    assert "Okafor" not in html and "Knox" not in html and "aisle" not in html
    refused = client.post(f"/kiosk/{slug}/scan", headers=hx,
                          data={"code": desk["cancelled"].checkin_code}).get_data(as_text=True)
    assert "Cora" not in refused and "check-in desk" in refused
    # leaving needs a staff password
    wrong = client.post(f"/kiosk/{slug}/exit", data={"email": desk["volunteer"].email,
                                                    "password": "nope"})
    assert wrong.status_code == 401
    assert client.get(f"/kiosk/{slug}").status_code == 200
    ok = client.post(f"/kiosk/{slug}/exit", data={"email": desk["volunteer"].email,
                                                 "password": "correct horse battery"})
    assert ok.status_code == 302
    assert client.get(f"/kiosk/{slug}").status_code == 403
    assert client.get(f"/admin/e/{slug}/checkin").status_code == 200


def test_kiosk_scan_needs_kiosk_mode(desk, client):
    response = client.post(f"/kiosk/{desk['event'].slug}/scan",
                           data={"code": desk["amber"].checkin_code})
    assert response.status_code == 403
    assert count_checkins() == 0


def test_live_counts_use_etags(desk, client, auth, make_staff):
    slug = desk["event"].slug
    auth.login(make_staff("organizer", event=desk["event"]))
    page = client.get(f"/admin/e/{slug}/checkin/live")
    assert page.status_code == 200 and 'hx-trigger="every 2s"' in page.get_data(as_text=True)
    assert "HX-Request" in page.headers["Vary"]
    hx = {"HX-Request": "true"}
    first = client.get(f"/admin/e/{slug}/checkin/live", headers=hx)
    etag = first.headers["ETag"]
    assert "HX-Request" in first.headers["Vary"]
    same = client.get(f"/admin/e/{slug}/checkin/live", headers={**hx, "If-None-Match": etag})
    assert same.status_code == 304 and same.data == b""
    services.check_in(desk["amber"], services.entrance_list(desk["event"]))
    db.session.commit()
    changed = client.get(f"/admin/e/{slug}/checkin/live", headers={**hx, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    html = changed.get_data(as_text=True)
    assert 'id="live-checked-in">1<' in html and "Knox County Schools" in html
    # on the event home and in the navigation
    home = client.get(f"/admin/e/{slug}/").get_data(as_text=True)
    assert "Open the check-in desk" in home and "Live counts" in home


def test_live_stats_buckets(desk):
    event = desk["event"]
    entrance = services.entrance_list(event)
    base = utcnow().replace(minute=1, second=0, microsecond=0) - timedelta(hours=1)
    services.check_in(desk["amber"], entrance, nonce="a", at=base)
    services.check_in(desk["ben"], entrance, nonce="b", at=base + timedelta(minutes=46))
    db.session.commit()
    stats = services.live_stats(event)
    assert stats["registered"] == 2 and stats["checked_in"] == 2 and stats["percent"] == 100
    assert [n for _, n in stats["arrivals"]] == [1, 0, 0, 1]
    knox = next(d for d in stats["districts"] if d["name"] == "Knox County Schools")
    assert knox == {"name": "Knox County Schools", "state": "TN", "registered": 1,
                    "checked_in": 1}


def test_wasm_is_served_with_its_type(client):
    response = client.get("/static/vendor/barcode-detector-3.2.2/zxing_reader.wasm")
    assert response.status_code == 200
    assert response.mimetype == "application/wasm"
