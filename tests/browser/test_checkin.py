"""The check-in desk in real Chromium: fake camera fed a QR code made by the app, a USB
keyboard-wedge scan, going offline and back, and the live dashboard following along."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from summit.auth.services import create_user
from summit.checkin.models import Checkin
from summit.events.services import create_event
from summit.extensions import db
from summit.qr import qr_png
from summit.registration.models import Attendee
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in
from tests.conftest import STAFF_PASSWORD

pytestmark = pytest.mark.browser


def seed(app) -> dict:
    from summit.registration.services import find_or_create_organization

    with app.app_context():
        event = create_event("door", "Door Summit", date(2027, 3, 1), days=2)
        user = create_user("lead@staff.test", "organizer", STAFF_PASSWORD, event_id=event.id)
        org = find_or_create_organization("Knox County Schools", "TN")
        people = {}
        for first, last in (("Amber", "Okafor"), ("Ben", "Ruiz"), ("Cleo", "Park")):
            a = Attendee(event_id=event.id, first_name=first, last_name=last, organization=org,
                         email=f"{first.lower()}@example.org")
            db.session.add(a)
            people[first] = a
        db.session.commit()
        base = app.config["BASE_URL"]
        return {"slug": event.slug, "email": user.email,
                **{name: a.checkin_url(base) for name, a in people.items()}}


def count(app) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(Checkin))
        db.session.remove()
        return n


def _y4m_frame(text: str) -> bytes:
    qr = Image.open(BytesIO(qr_png(text))).convert("L")
    qr = qr.resize((400, 400), Image.NEAREST)
    frame = Image.new("RGB", (640, 480), "white")
    frame.paste(qr, (120, 40))
    y, u, v = frame.convert("YCbCr").split()
    u = u.resize((320, 240))
    v = v.resize((320, 240))
    return y.tobytes() + u.tobytes() + v.tobytes()


def write_y4m(path: Path, text: str, frames: int = 10, then: str | None = None) -> None:
    """A 640x480 clip of the QR code (Chromium's fake camera loops it); with ``then``, as many
    frames of a second code follow (two badges in turn)."""
    shown = [_y4m_frame(text)] * frames
    if then is not None:
        shown += [_y4m_frame(then)] * frames
    with path.open("wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F15:1 Ip A1:1 C420\n")
        for data in shown:
            out.write(b"FRAME\n" + data)


def test_fake_camera_scan_turns_the_desk_green(live_server, playwright_instance, tmp_path):
    data = seed(live_server.app)
    clip = tmp_path / "qr.y4m"
    write_y4m(clip, data["Amber"])
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS + ["--use-fake-ui-for-media-stream",
                              "--use-fake-device-for-media-stream",
                              f"--use-file-for-fake-video-capture={clip}"])
    try:
        context = browser.new_context()
        context.set_default_timeout(15_000)
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        desk = f"/admin/e/{data['slug']}/checkin"
        sign_in(page, live_server.url, data["email"], target=desk)
        page.click("#camera-toggle")
        page.wait_for_selector("#result-panel .result-green", timeout=20_000)
        assert "Amber Okafor" in page.inner_text("#result-panel")
        assert page.get_attribute("#desk", "data-detector") == "polyfill"
        assert page.inner_text("#desk-count") == "1"
        # the same badge still in front of the camera is not scanned again and again
        page.wait_for_timeout(1500)
        assert count(live_server.app) == 1
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        browser.close()


def test_wedge_offline_queue_and_live_counts(live_server, new_context):
    data = seed(live_server.app)
    base = live_server.url
    desk = f"/admin/e/{data['slug']}/checkin"
    context = new_context()
    context.set_default_timeout(20_000)  # a busy CI machine; every wait is on a condition
    page = context.new_page()
    sign_in(page, base, data["email"], target=desk)

    # A keyboard-wedge scanner: the characters arrive a few ms apart, then Enter.
    expect(page.locator("#wedge")).to_be_focused()  # autofocus lands at the next frame
    page.keyboard.type(data["Amber"], delay=5)
    page.keyboard.press("Enter")
    page.wait_for_selector("#result-panel .result-green")
    assert "Amber Okafor" in page.inner_text("#result-panel")
    assert page.evaluate("document.activeElement.id") == "wedge"  # ready for the next one
    page.keyboard.type(data["Amber"], delay=5)
    page.keyboard.press("Enter")
    page.wait_for_selector("#result-panel .result-amber")
    assert "Already checked in" in page.inner_text("#result-panel")

    # Offline: scans queue on the device, with a nonce each.
    context.set_offline(True)
    page.wait_for_selector("#desk-status.offline")
    for waiting, name in enumerate(("Ben", "Cleo", "Ben", "Amber"), start=1):
        page.keyboard.type(data[name], delay=5)
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#desk[data-queued='{waiting}'] #result-panel .result-queued")
    expect(page.locator("#queue-state")).to_have_text("4 scans waiting to upload")
    assert "cannot be validated" in page.inner_text("#result-panel")
    assert count(live_server.app) == 1

    # The first upload reaches the server but its answer is lost: the scan stays queued and is
    # sent again with the same nonce, which the server does not count twice.
    lost = {"n": 0}

    def drop_first_answer(route):
        if lost["n"] == 0:
            lost["n"] += 1
            route.fetch()
            route.abort()
        else:
            route.continue_()

    page.route("**/checkin/scan", drop_first_answer)
    context.set_offline(False)
    page.wait_for_selector("#queue-state", state="hidden", timeout=20_000)
    settled = page.locator("#settled-list li")
    assert settled.count() == 4
    texts = settled.all_inner_texts()
    assert sum("Checked in" in t for t in texts) == 2, texts
    assert sum("Already checked in" in t for t in texts) == 2, texts
    assert lost["n"] == 1
    assert count(live_server.app) == 3
    assert page.inner_text("#desk-count") == "3"

    # An amber answer offers no undo of the earlier arrival: it is removed from the record.
    page.unroute("**/checkin/scan")
    page.fill("#name-search", "Cleo")
    page.wait_for_selector("#search-results >> text=Cleo Park")
    assert "checked in" in page.inner_text("#search-results")
    page.focus("#wedge")
    page.keyboard.type(data["Cleo"], delay=5)
    page.keyboard.press("Enter")
    # the panel still showed Amber's result: wait for the answer to this scan, not any amber
    page.wait_for_selector("#result-panel .result-amber:has-text('Cleo Park')")
    assert page.locator("#result-panel button:has-text('Undo')").count() == 0
    assert page.evaluate("document.activeElement.id") == "wedge"
    page.click("#result-panel a:has-text('See record')")
    page.click("text=Remove this arrival…")
    page.click("button:has-text('Remove the arrival of')")
    expect(page.locator("#arrivals")).to_contain_text("Not checked in yet")
    assert count(live_server.app) == 2

    # The live dashboard follows by polling.
    live = context.new_page()
    live.goto(f"{base}/admin/e/{data['slug']}/checkin/live")
    assert live.inner_text("#live-checked-in") == "2"
    # another desk checks Cleo in: the dashboard shows it within one polling interval
    with live_server.app.app_context():
        from summit.checkin import services

        event = db.session.scalar(select(Attendee).where(Attendee.first_name == "Cleo")).event
        services.check_in(data["Cleo"], services.entrance_list(event), source="api")
        db.session.commit()
        db.session.remove()
    expect(live.locator("#live-checked-in")).to_have_text("3", timeout=20_000)


@pytest.mark.parametrize(("page_path", "box", "found"), [
    ("/admin/e/{slug}/checkin", "name-search", "button[aria-label='Check in Amber Okafor']"),
    ("/admin/e/{slug}/attendees", "q", "#result-count:text-is('1 attendee match')"),
], ids=["desk", "attendee-list"])
def test_a_name_typed_before_the_page_finished_loading_is_searched(live_server, new_context,
                                                                   page_path, box, found):
    """On slow Wi-Fi a search box is on screen before htmx has set the page up; what was typed
    by then is searched once it has, not left waiting for another key (base.html)."""
    data = seed(live_server.app)
    base = live_server.url
    page = new_context().new_page()
    sign_in(page, base, data["email"])
    # The document is parsed but DOMContentLoaded (where htmx processes it) has not fired yet:
    # type into the box exactly then, as a volunteer does while the deferred scripts download.
    page.add_init_script("""
        document.addEventListener("DOMContentLoaded", function () { window.domReady = true; });
        document.addEventListener("readystatechange", function () {
          var box = document.getElementById(BOX);
          if (document.readyState === "interactive" && box) {
            window.typedBeforeHtmx = !window.domReady;  // htmx sets the page up at DOMContentLoaded
            box.value = "Okafor";
            box.dispatchEvent(new Event("input", {bubbles: true}));
          }
        });
    """.replace("BOX", repr(box)))
    page.goto(base + page_path.format(slug=data["slug"]))
    expect(page.locator(found)).to_be_visible()
    assert page.evaluate("window.typedBeforeHtmx") is True
    assert page.input_value(f"#{box}") == "Okafor"


def test_on_a_phone_the_result_is_on_screen_without_scrolling(live_server, new_context):
    """At 360 px the desk is one column and the result panel comes last: it sticks to the bottom
    of the screen, so a volunteer scanning with the phone's camera sees green or red at once."""
    data = seed(live_server.app)
    desk = f"/admin/e/{data['slug']}/checkin"
    page = new_context(phone=True).new_page()
    sign_in(page, live_server.url, data["email"], target=desk)
    panel = page.locator("#result-panel")
    page.fill("#wedge", data["Amber"])
    page.press("#wedge", "Enter")
    expect(panel.locator(".result-green")).to_contain_text("Amber Okafor")
    page.evaluate("window.scrollTo(0, 0)")
    box = panel.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 740, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
