"""A room holds one thing at a time, even when organizers save blocks at the same moment:
simultaneous requests to a real server put exactly one block in the room (both databases)."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import date

from sqlalchemy import select

from summit.extensions import db

PASSWORD = "correct horse battery"


class Browser:
    """An organizer's browser: cookies and the CSRF token of the page it loaded."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""

    def load(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            page = response.read().decode()
        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
            re.search(r'"X-CSRFToken": "([^"]+)"', page)
        self.token = found.group(1)
        return page

    def post(self, path: str, form: dict) -> int:
        body = urllib.parse.urlencode(form | {"csrf_token": self.token}).encode()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body),
                                  timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code


def test_simultaneous_blocks_never_share_a_room(live_server):
    from summit.auth.services import create_user
    from summit.breakouts import services as breakouts
    from summit.breakouts.program.models import ProgramBlock
    from summit.events.services import create_event

    app = live_server.app
    with app.app_context():
        event = create_event("race", "Race Summit", date(2027, 3, 1), days=1)
        room = breakouts.save_room(event, "Grand Ballroom", 400, True)
        create_user("lead@race.test", "organizer", PASSWORD, event_id=event.id)
        db.session.commit()
        slug, room_id = event.slug, room.id
    browsers = []
    for _ in range(6):
        browser = Browser(live_server.url)
        browser.load("/login")
        assert browser.post("/login", {"email": "lead@race.test", "password": PASSWORD}) == 200
        browser.load(f"/admin/e/{slug}/program")
        browsers.append(browser)

    barrier = threading.Barrier(len(browsers))
    statuses: list[int | BaseException] = [0] * len(browsers)

    def save(i: int) -> None:
        barrier.wait()
        try:  # overlapping times: 9:00-10:00, 9:10-10:10, ...
            statuses[i] = browsers[i].post(f"/admin/e/{slug}/program/blocks", {
                "title": f"Keynote {i}", "kind": "plenary", "day": "1",
                "starts": f"09:{i * 10:02d}", "ends": f"10:{i * 10:02d}",
                "room_id": str(room_id), "description": ""})
        except BaseException as exc:  # noqa: BLE001 - reported below
            statuses[i] = exc

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    # Redirects are followed: a saved block answers 200 (the program page), a refused one 400.
    assert sorted(statuses) == [200] + [400] * (len(browsers) - 1), statuses
    with app.app_context():
        blocks = db.session.scalars(select(ProgramBlock)).all()
        assert len(blocks) == 1 and blocks[0].room_id == room_id
        db.session.remove()
