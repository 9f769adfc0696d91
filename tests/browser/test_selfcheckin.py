"""Self check-in in real Chromium: the entrance screen on one device, an attendee's phone on
another. The phone opens the URL decoded (with zxing-cpp) from a screenshot of the screen's QR
code, the way its camera app would."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from summit.auth.services import create_user
from summit.breakouts.models import BreakoutSession, Room, Slot
from summit.checkin.models import Checkin
from summit.database import utcnow
from summit.events.services import create_event
from summit.extensions import db
from summit.homerooms.models import HomeroomTable, Seat
from summit.registration.models import Attendee
from summit.selfcheckin import codes
from summit.selfcheckin.models import HomeroomPresence
from tests.browser.conftest import sign_in
from tests.conftest import STAFF_PASSWORD

pytestmark = pytest.mark.browser



def noon_zone() -> str:
    """A time zone where it is about noon now, so the event's "today" (day 1, and the slot from
    00:00 to 23:59) cannot end while the test runs, whatever the hour of the CI run."""
    offset = 12 - datetime.now(UTC).hour  # -11 .. +12; "Etc/GMT-5" is UTC+5 (POSIX signs)
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


def seed(app) -> dict:
    from summit.registration.services import find_or_create_organization

    with app.app_context():
        zone = noon_zone()
        today = datetime.now(ZoneInfo(zone)).date()
        event = create_event("arrive", "Arrival Summit", today, days=2, timezone=zone)
        user = create_user("door@staff.test", "checkin", STAFF_PASSWORD, event_id=event.id)
        org = find_or_create_organization("Knox County Schools", "TN")
        amber = Attendee(event_id=event.id, first_name="Amber", last_name="Okafor",
                         organization=org, email="amber@example.org")
        ben = Attendee(event_id=event.id, first_name="Ben", last_name="Ruiz", organization=org,
                       email="ben@example.org")
        t12 = HomeroomTable(event_id=event.id, number=12, location="Hall B")
        t7 = HomeroomTable(event_id=event.id, number=7, location="Hall A")
        room = Room(event_id=event.id, name="Room 204", capacity=30)
        slot = Slot(event_id=event.id, day=1, starts=time(0, 0), ends=time(23, 59, 59))
        db.session.add_all([amber, ben, t12, t7, room, slot])
        db.session.flush()
        db.session.add_all([
            Seat(event_id=event.id, table_id=t12.id, attendee_id=amber.id, day=1),
            Seat(event_id=event.id, table_id=t7.id, attendee_id=ben.id, day=1),
            BreakoutSession(event_id=event.id, title="AI policy drafting", room_id=room.id,
                            slot_id=slot.id, mode="open"),
        ])
        db.session.commit()
        return {"slug": event.slug, "event_id": event.id, "email": user.email,
                "amber": amber.personal_secret, "amber_id": amber.id, "t12": t12.id,
                "t7": t7.id, "room": room.id, "secret": app.config["SECRET_KEY"]}


def rows(app, model, **where):
    with app.app_context():
        found = db.session.scalars(select(model).filter_by(**where)).all()
        out = [(r.attendee_id, getattr(r, "source", None)) for r in found]
        db.session.remove()
        return out


def test_phone_scans_the_entrance_screen_and_the_counter_goes_up(live_server, new_context,
                                                                 tmp_path):
    base, app = live_server.url, live_server.app
    data = seed(app)

    # The entrance screen: a check-in volunteer's laptop or a TV.
    screen = new_context(viewport={"width": 1280, "height": 800}).new_page()
    target = f"/admin/e/{data['slug']}/entrance-screen"
    sign_in(screen, base, data["email"], target=target)
    expect(screen.locator("#entrance-here")).to_have_text("0")

    # Amber's phone, holding her personal-link session.
    phone = new_context(phone=True).new_page()
    phone.goto(f"{base}/me/{data['amber']}")
    expect(phone.locator("h1").first).to_be_visible()

    shot = tmp_path / "entrance-qr.png"
    screen.locator("#entrance-qr").screenshot(path=str(shot))
    decoded = zxingcpp.read_barcodes(Image.open(shot))
    assert len(decoded) == 1
    url = decoded[0].text
    assert url.startswith(f"{base}/e/{data['slug']}/here/")

    phone.goto(url)
    expect(phone.locator("#sc-welcome h1")).to_have_text(
        "Welcome, Amber — Homeroom table 12 (Hall B)")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert rows(app, Checkin) == [(data["amber_id"], "self")]
    # The screen's counter follows: it polls every 2 s (waited for with the default timeout, as
    # a loaded CI machine can take seconds to answer one poll).
    expect(screen.locator("#entrance-here")).to_have_text("1")

    # A code shown two minutes ago (a photo posted online) is refused.
    stale = codes.entrance_code(data["secret"], data["event_id"],
                                utcnow() - timedelta(minutes=2))
    phone.goto(f"{base}/e/{data['slug']}/here/{stale}")
    expect(phone.locator("#sc-refused h1")).to_have_text(
        "This code has expired — scan the screen again")
    assert len(rows(app, Checkin)) == 1

    # Table tents: the wrong table points to hers, her own marks her present.
    phone.goto(f"{base}/e/{data['slug']}/t/{data['t7']}")
    expect(phone.locator("#sc-own-table")).to_have_text("Table 12 (Hall B)")
    assert rows(app, HomeroomPresence) == []
    phone.goto(f"{base}/e/{data['slug']}/t/{data['t12']}")
    expect(phone.locator("#sc-table h1")).to_have_text("You're at Table 12")
    expect(phone.get_by_role("link", name="Open my action plan")).to_be_visible()
    assert rows(app, HomeroomPresence, table_id=data["t12"]) == [(data["amber_id"], None)]

    # The room door: attendance for the session running in the room now.
    phone.goto(f"{base}/e/{data['slug']}/rooms/{data['room']}")
    expect(phone.locator("#sc-room h1")).to_have_text("AI policy drafting")
    expect(phone.locator("#sc-feedback")).to_be_visible()
    assert len(rows(app, Checkin)) == 2  # entrance + the session's list
