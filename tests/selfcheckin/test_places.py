"""Table tents and room doors: they name a place, never a person."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from summit.checkin.models import Checkin
from summit.checkin.services import session_list
from summit.extensions import db
from summit.plans.models import DiscussionPrompt
from summit.selfcheckin.models import HomeroomPresence
from tests.selfcheckin.conftest import NOW


def presence(table):
    return list(db.session.scalars(select(HomeroomPresence).where(
        HomeroomPresence.table_id == table.id)))


def test_own_table_marks_presence_once_and_opens_prompt_and_plan(client, auth, summit_setup,
                                                                 frozen):
    event, amber, t12 = summit_setup["event"], summit_setup["amber"], summit_setup["t12"]
    db.session.add(DiscussionPrompt(event_id=event.id, day=2,
                                    text="What should your district pilot first?"))
    db.session.commit()
    auth.as_attendee(amber)
    page = client.get(f"/e/{event.slug}/t/{t12.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "You're at Table 12" in html
    assert "What should your district pilot first?" in html
    assert f"/e/{event.slug}/plan" in html
    rows = presence(t12)
    assert [(r.attendee_id, r.day) for r in rows] == [(amber.id, 2)]
    again = client.get(f"/e/{event.slug}/t/{t12.id}").get_data(as_text=True)
    assert "Already marked present" in again
    assert len(presence(t12)) == 1
    # The next day is a new presence.
    frozen(NOW + timedelta(days=1))
    client.get(f"/e/{event.slug}/t/{t12.id}")
    assert sorted(r.day for r in presence(t12)) == [2, 3]


def test_wrong_table_points_to_the_right_one(client, auth, summit_setup, frozen):
    event, amber = summit_setup["event"], summit_setup["amber"]
    auth.as_attendee(amber)
    html = client.get(f"/e/{event.slug}/t/{summit_setup['t7'].id}").get_data(as_text=True)
    assert "This is Table 7 (Hall A)" in html
    assert "Your table today is <strong id=\"sc-own-table\">Table 12 (Hall B)</strong>" in html
    assert presence(summit_setup["t7"]) == [] and presence(summit_setup["t12"]) == []


def test_table_without_session_or_outside_event_days_records_nothing(client, auth, summit_setup,
                                                                     frozen):
    event, t12 = summit_setup["event"], summit_setup["t12"]
    html = client.get(f"/e/{event.slug}/t/{t12.id}").get_data(as_text=True)
    assert "open your personal link" in html and "Email my link" in html
    auth.as_attendee(summit_setup["amber"])
    frozen(NOW + timedelta(days=10))
    html = client.get(f"/e/{event.slug}/t/{t12.id}").get_data(as_text=True)
    assert "Homeroom tables meet during the event" in html
    assert presence(t12) == []
    assert client.get(f"/e/{event.slug}/t/999999").status_code == 404


def test_facilitator_sees_the_table_fill_up(client, auth, make_staff, summit_setup, frozen,
                                            app):
    event, t12, amber = summit_setup["event"], summit_setup["t12"], summit_setup["amber"]
    facilitator = make_staff("facilitator", event)
    t12.facilitator_user_id = facilitator.id
    db.session.commit()
    url = f"/admin/e/{event.slug}/my-table/presence?table={t12.id}&day=2"
    auth.login(facilitator)
    page = client.get(f"/admin/e/{event.slug}/my-table?day=2").get_data(as_text=True)
    assert 'id="sc-presence"' in page
    assert 'Here now: <span id="sc-presence-count">0</span> of 1' in page
    first = client.get(url, headers={"HX-Request": "true"})
    etag = first.headers["ETag"]
    assert client.get(url, headers={"HX-Request": "true",
                                    "If-None-Match": etag}).status_code == 304
    # Amber scans her table on her phone.
    phone = app.test_client()
    phone.get(f"/me/{amber.personal_secret}")
    phone.get(f"/e/{event.slug}/t/{t12.id}")
    fresh = client.get(url, headers={"HX-Request": "true", "If-None-Match": etag})
    assert fresh.status_code == 200
    assert "Here now: <span id=\"sc-presence-count\">1</span> of 1" in fresh.get_data(as_text=True)
    # Another facilitator's table is not visible.
    assert client.get(f"/admin/e/{event.slug}/my-table/presence?table="
                      f"{summit_setup['t7'].id}&day=2").status_code == 404


def test_room_door_records_attendance_for_the_session_now(client, auth, summit_setup, frozen):
    event, amber, room = summit_setup["event"], summit_setup["amber"], summit_setup["room"]
    talk, later = summit_setup["talk"], summit_setup["later"]
    # Anonymous: the public room page, nothing recorded.
    anonymous = client.get(f"/e/{event.slug}/rooms/{room.id}").get_data(as_text=True)
    assert "Open your personal link on this phone" in anonymous
    auth.as_attendee(amber)
    # 09:00: five minutes before the 09:05 session (allowed), open seating, no sign-up.
    html = client.get(f"/e/{event.slug}/rooms/{room.id}").get_data(as_text=True)
    assert "AI policy drafting" in html and "Your attendance is recorded" in html
    assert f"/e/{event.slug}/feedback/s{talk.id}" in html
    rows = db.session.scalars(select(Checkin).where(
        Checkin.list_id == session_list(event.id, talk.id, talk.title).id)).all()
    assert [(r.attendee_id, r.source) for r in rows] == [(amber.id, "self")]
    again = client.get(f"/e/{event.slug}/rooms/{room.id}").get_data(as_text=True)
    assert "already recorded" in again
    # 11:00: between sessions; nothing recorded, the next one is named.
    frozen(NOW + timedelta(hours=2))
    html = client.get(f"/e/{event.slug}/rooms/{room.id}").get_data(as_text=True)
    assert "No session is running in this room right now" in html
    assert "Coaching with AI" in html
    assert len(db.session.scalars(select(Checkin).where(
        Checkin.list_id == session_list(event.id, later.id, later.title).id)).all()) == 0
    # 13:30: the sign-up session; attended without signing up still counts.
    frozen(NOW + timedelta(hours=4, minutes=30))
    client.get(f"/e/{event.slug}/rooms/{room.id}")
    assert len(db.session.scalars(select(Checkin).where(
        Checkin.list_id == session_list(event.id, later.id, later.title).id)).all()) == 1


def test_table_tents_now_print_the_table_scan_address(app, client, auth, summit_setup, frozen):
    from summit.homerooms.printing import table_checkin_url

    event, t12 = summit_setup["event"], summit_setup["t12"]
    url = table_checkin_url(event, t12)
    assert url == f"http://summit.test/e/{event.slug}/t/{t12.id}"
    auth.as_attendee(summit_setup["amber"])
    assert "You're at Table 12" in client.get(url.removeprefix("http://summit.test")).get_data(
        as_text=True)
