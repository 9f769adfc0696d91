"""The public program in a real browser, signed in as nobody: on a 360 px phone and a 1366 px
laptop it shows the days, plenary blocks and breakout sessions, filters by day and by topic
(htmx, with the address following; the same links work without script), and switches to
French. The embed shows in a frame on a page of another website that the organizer listed,
sized by the snippet's script; the event page, and the embed on an unlisted website, do not."""

from __future__ import annotations

import threading
from datetime import date, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from summit.extensions import db
from tests.browser.conftest import htmx_settled, sign_in

pytestmark = pytest.mark.browser



class Website:
    """The organizer's own website: a second server, so another origin than Summit's (a page
    Playwright made up would count as a public website, and Chromium's Local Network Access
    checks stop it from framing anything on 127.0.0.1 before the headers are even read).
    ``http://127.0.0.1:<port>`` is the organizer's site; ``http://localhost:<port>``, the same
    server under another name, is another origin, one the organizer did not list."""

    def __init__(self):
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802  (http.server's name)
                body = pages.get(self.path, "").encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        port = self.server.server_port
        self.origin, self.other_origin = f"http://127.0.0.1:{port}", f"http://localhost:{port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def website():
    site = Website()
    yield site
    site.close()


def _summit(app, *, origins: str = "") -> str:
    from summit.auth.services import create_user
    from summit.breakouts import services as breakouts
    from summit.breakouts.program import services as program
    from summit.events.services import create_event

    with app.app_context():
        event = create_event("program", "AI Leadership Summit", date(2027, 3, 1), days=2,
                             venue="Music City Center")
        create_user("lead@program.test", "organizer", "correct horse battery",
                    event_id=event.id)
        hall = breakouts.save_room(event, "Hall B", 400, True)
        ballroom = breakouts.save_room(event, "Grand Ballroom", 400, True)
        r101 = breakouts.save_room(event, "Room 101", 40, True)
        r102 = breakouts.save_room(event, "Room 102", 40, True)
        for day, starts, ends, kind, title, room, text in (
                (1, time(8, 30), time(9, 30), "plenary", "Opening keynote", ballroom,
                 "Leading schools when AI is everywhere."),
                (1, time(12), time(13), "meal", "Lunch", hall, ""),
                (2, time(9), time(9, 45), "homeroom", "Homeroom time", hall,
                 "Meet your table."),
                (2, time(13), time(14, 30), "workshop",
                 "Leadership Action Planning Workshop", ballroom, "Bring your team.")):
            program.save_block(event, program.BlockData(
                title=title, day=day, starts=starts, ends=ends, kind=kind, room_id=room.id,
                description=text))
        round1 = breakouts.save_slot(event, 1, time(10), time(11), "Round 1")
        round2 = breakouts.save_slot(event, 2, time(10), time(11), "Round 2")
        for title, slot, room, tags, person in (
                ("Drafting a district AI policy", round1, r101, ["Policy"], "Dana Ruiz"),
                ("Data privacy for staff", round1, r102, ["Privacy", "Policy"], "Lee Chan"),
                ("Rethinking assessment", round2, r101, ["Assessment"], "Sam Okafor"),
                ("Family conversations about AI", round2, r102, ["Equity"], "Ana Roy")):
            breakouts.save_session(event, breakouts.SessionData(
                title=title, slot_id=slot.id, room_id=room.id, tags=tags,
                description=f"About {title.lower()}.",
                facilitators=[(person, f"{person.split()[0].lower()}@example.org")]))
        if origins:
            program.save_embed_origins(event, origins)
        db.session.commit()
        return event.slug


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def _filter_to_day_two_then_policy(page, base: str, slug: str, tmp_path, size: str) -> None:
    program = page.locator("#program")
    expect(program.get_by_role("heading", name="Day 1")).to_be_visible()
    expect(program).to_contain_text("Opening keynote")
    expect(program).to_contain_text("Homeroom time")
    expect(program.locator("#session-1")).to_contain_text("Room 101 · Dana Ruiz")
    expect(program.locator("#session-1")).to_contain_text("About drafting a district ai policy.")
    assert "dana@example.org" not in program.inner_text()
    _no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / f"program-{size}.png"))
    htmx_settled(page)

    # A day: htmx swaps the program and the address follows (the back button works).
    with page.expect_response(f"{base}/e/{slug}/?day=2") as answer:
        program.get_by_role("link", name="Tue Mar 2").click()
    assert answer.value.request.headers.get("hx-target") == "program"
    page.wait_for_url(f"{base}/e/{slug}/?day=2")
    expect(program.get_by_role("heading", name="Day 2")).to_be_visible()
    expect(program.get_by_role("heading", name="Day 1")).to_have_count(0)
    expect(program).to_contain_text("Leadership Action Planning Workshop")
    expect(program).not_to_contain_text("Opening keynote")
    expect(program.get_by_role("link", name="Tue Mar 2")).to_have_attribute(
        "aria-current", "page")
    htmx_settled(page)
    page.screenshot(path=str(tmp_path / f"program-{size}-day2.png"))

    # A topic, on every day: only the sessions that carry it, and no plenary block.
    program.get_by_role("link", name="All days").click()
    page.wait_for_url(f"{base}/e/{slug}/")
    htmx_settled(page)
    program.get_by_role("navigation", name="Topics").get_by_role("link", name="Policy").click()
    page.wait_for_url(f"{base}/e/{slug}/?tag=Policy")
    expect(program).to_contain_text("Breakout sessions on “Policy”.")
    expect(program.locator(".pg-session")).to_have_count(2)
    expect(program).not_to_contain_text("Rethinking assessment")
    expect(program).not_to_contain_text("Lunch")
    _no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / f"program-{size}-policy.png"))
    htmx_settled(page)
    page.go_back()
    page.wait_for_url(f"{base}/e/{slug}/")
    expect(program).to_contain_text("Rethinking assessment")


def _switch_to_french(page, base: str, slug: str, tmp_path, size: str) -> None:
    page.get_by_role("button", name="Français").click()
    program = page.locator("#program")
    expect(program.get_by_role("heading", name="Programme")).to_be_visible()
    expect(program.get_by_role("heading", name="Jour 1")).to_be_visible()
    expect(program).to_contain_text("Plénière")
    expect(program).to_contain_text("Ateliers au choix")
    expect(program).to_contain_text("8 h 30")
    htmx_settled(page)
    program.get_by_role("link", name="mar. 2 mars").click()
    page.wait_for_url(f"{base}/e/{slug}/?day=2")
    expect(program.get_by_role("heading", name="Jour 2")).to_be_visible()
    expect(program).to_contain_text("Temps à la table d’attache")
    _no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / f"program-{size}-fr.png"))


def test_the_program_on_a_phone_without_signing_in(live_server, new_context, tmp_path):
    slug = _summit(live_server.app)
    base = live_server.url
    page = new_context(phone=True, device_scale_factor=2).new_page()
    page.goto(f"{base}/e/{slug}/register")
    page.get_by_role("link", name="See the program").click()
    page.wait_for_url(f"{base}/e/{slug}/#program")
    _filter_to_day_two_then_policy(page, base, slug, tmp_path, "phone")
    # The chosen topic is scrolled into view in its row of chips (the row scrolls sideways).
    page.goto(f"{base}/e/{slug}/?tag=Privacy")
    chip = page.get_by_role("navigation", name="Topics").get_by_role("link", name="Privacy")
    expect(chip).to_be_in_viewport()
    # Below the program, registering is one tap away.
    page.goto(f"{base}/e/{slug}/")
    page.locator(".pg-cta").get_by_role("link").click()
    page.wait_for_url(f"{base}/e/{slug}/register")
    page.goto(f"{base}/e/{slug}/")
    _switch_to_french(page, base, slug, tmp_path, "phone")


def test_the_program_on_a_laptop_without_signing_in(live_server, new_context, tmp_path):
    slug = _summit(live_server.app)
    base = live_server.url
    page = new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(f"{base}/e/{slug}/")
    _filter_to_day_two_then_policy(page, base, slug, tmp_path, "laptop")
    # Two sessions of a slot sit side by side.
    first, second = page.locator("#program .pg-session").all()[:2]
    assert abs(first.bounding_box()["y"] - second.bounding_box()["y"]) < 2
    _switch_to_french(page, base, slug, tmp_path, "laptop")


def test_the_filters_are_real_links_without_javascript(live_server, new_context):
    slug = _summit(live_server.app)
    base = live_server.url
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{base}/e/{slug}/")
    page.locator("#program").get_by_role("link", name="Tue Mar 2").click()
    page.wait_for_url(f"{base}/e/{slug}/?day=2#program")
    expect(page.locator("#program")).to_contain_text("Homeroom time")
    expect(page.locator("#program")).not_to_contain_text("Opening keynote")
    page.locator("#program .pg-tag-list").get_by_role("link", name="Equity").click()
    page.wait_for_url(f"{base}/e/{slug}/?day=2&tag=Equity#program")
    expect(page.locator("#program .pg-session")).to_have_count(1)


def _host_page(html_body: str) -> str:
    return (f"<!doctype html><html lang='en'><head><title>District website</title></head>"
            f"<body><h1>Our summit</h1>{html_body}</body></html>")


def test_the_embed_shows_on_the_listed_website_and_nothing_else_does(live_server, new_context,
                                                                     website, tmp_path):
    slug = _summit(live_server.app)
    base = live_server.url
    context = new_context(viewport={"width": 1366, "height": 768})
    organizer = context.new_page()
    sign_in(organizer, base, "lead@program.test", target=f"/admin/e/{slug}/program")
    organizer.get_by_label("Websites that may show the program").fill(
        website.origin + "/summit-2027")
    organizer.get_by_role("button", name="Save the websites").click()
    organizer.wait_for_url(f"{base}/admin/e/{slug}/program#embed")
    snippet = organizer.locator("#embed-snippet").input_value()
    assert f'src="{base}/e/{slug}/program/embed"' in snippet
    organizer.locator("#embed").screenshot(path=str(tmp_path / "embed-settings.png"))

    # The organizer's website pastes the snippet; it also tries two pages of Summit that may
    # not be framed: the event page and the registration form.
    website.pages["/summit-2027"] = _host_page(
        snippet + f'<iframe id="event-page" title="event" src="{base}/e/{slug}/"></iframe>'
        f'<iframe id="register" title="register" src="{base}/e/{slug}/register"></iframe>')
    page = context.new_page()
    with page.expect_response(f"{base}/e/{slug}/program/embed") as embed_answer:
        page.goto(f"{website.origin}/summit-2027")
    assert "x-frame-options" not in embed_answer.value.headers
    frame = page.frame_locator("#summit-program")
    expect(frame.get_by_role("heading", name="AI Leadership Summit")).to_be_visible()
    expect(frame.get_by_role("heading", name="Program")).to_be_visible()
    expect(frame.locator("#program")).to_contain_text("Opening keynote")
    # The snippet's script sizes the frame to the program (taller than the 900 px it starts at).
    page.wait_for_function(
        "document.getElementById('summit-program').getBoundingClientRect().height > 900")
    # Filtering works inside the frame (htmx), and registering opens a new tab.
    embedded = page.frame(url=f"{base}/e/{slug}/program/embed")
    embedded.wait_for_function("() => window.htmx && !document.querySelector('.htmx-request')")
    with page.expect_response(f"{base}/e/{slug}/program/embed?day=2"):
        frame.get_by_role("link", name="Tue Mar 2").click()
    expect(frame.locator("#program")).to_contain_text("Homeroom time")
    expect(frame.locator("#program")).not_to_contain_text("Opening keynote")
    expect(frame.get_by_role("link", name="Register").first).to_have_attribute(
        "target", "_blank")
    page.screenshot(path=str(tmp_path / "embed-on-host.png"), full_page=True)

    # The event page and the registration form refuse to be framed: Chromium shows its error
    # page in their place.
    for frame_id in ("event-page", "register"):
        shown = page.locator(f"#{frame_id}").element_handle().content_frame()
        assert shown.url.startswith("chrome-error://"), (frame_id, shown.url)

    # The same snippet on a website the organizer did not list: the error page, not the
    # program.
    website.pages["/copied"] = _host_page(snippet)
    other = context.new_page()
    with other.expect_response(f"{base}/e/{slug}/program/embed"):
        other.goto(f"{website.other_origin}/copied")
    refused = other.locator("#summit-program").element_handle().content_frame()
    assert refused.url.startswith("chrome-error://"), refused.url
    assert page.locator("#summit-program").element_handle().content_frame().url.startswith(
        base)
