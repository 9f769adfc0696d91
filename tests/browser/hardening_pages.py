"""Shared by the CSP and accessibility browser tests: the pages an attendee and the staff
open, a realistic summit behind them, and signing in."""

from __future__ import annotations

from tests.browser.conftest import htmx_settled, sign_in
from tests.security.world import PASSWORD, World, build_world

# (name, path) with {slug}; opened by a signed-in attendee (Amber: seated at a homeroom
# table, signed up for a breakout, a started action plan).
ATTENDEE_PAGES = [
    ("event page", "/e/{slug}/"),  # with the public program
    ("program embed", "/e/{slug}/program/embed"),
    ("my summit", "/e/{slug}/me"),
    ("breakouts browse", "/e/{slug}/breakouts"),
    ("agenda", "/e/{slug}/agenda"),
    ("plan worksheet", "/e/{slug}/plan"),
    ("topics", "/e/{slug}/topics"),
    ("feedback list", "/e/{slug}/feedback"),
    ("feedback form", "/e/{slug}/feedback/d1"),
]
# Opened by the organizer.
STAFF_PAGES = [
    ("organizer event home", "/admin/e/{slug}/"),
    ("attendees", "/admin/e/{slug}/attendees"),
    ("attendee detail", "/admin/e/{slug}/attendees/{amber_id}"),
    ("import", "/admin/e/{slug}/import"),
    ("breakouts grid", "/admin/e/{slug}/breakouts"),
    ("program", "/admin/e/{slug}/program"),
    ("seating board", "/admin/e/{slug}/homerooms"),
    ("check-in desk", "/admin/e/{slug}/checkin"),
    ("live counts", "/admin/e/{slug}/checkin/live"),
    ("messages", "/admin/e/{slug}/messages"),
    ("compose message", "/admin/e/{slug}/messages/new"),
    ("announcements", "/admin/e/{slug}/announcements"),
    ("plans dashboard", "/admin/e/{slug}/plans"),
]
DESK_PAGES = [("check-in desk", "/admin/e/{slug}/checkin"),
              ("live counts", "/admin/e/{slug}/checkin/live")]


def seed(live_server) -> World:
    return build_world(live_server.app)


def url(live_server, world: World, path: str) -> str:
    return live_server.url + path.format(slug=world.slug, amber_id=world.amber_id)


def sign_in_staff(page, live_server, email: str) -> None:
    sign_in(page, live_server.url, email, PASSWORD)


def sign_in_attendee(page, live_server, world: World) -> None:
    page.goto(f"{live_server.url}/me/{world.amber_secret}")
    page.wait_for_url(f"**/e/{world.slug}/me")


def settle(page) -> None:
    """Wait until htmx has no request in flight (content loaded on page load)."""
    page.wait_for_load_state("load")
    htmx_settled(page)
