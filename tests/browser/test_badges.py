"""Badges in real Chromium: a batch with a live progress bar and its download; "Print badge"
at the desk loads the PDF into the print frame."""

from __future__ import annotations

import io
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader, PdfWriter

from summit.extensions import db
from tests.badges.helpers import decode_pages
from tests.browser.conftest import htmx_settled, sign_in

pytestmark = pytest.mark.browser

BATCH_SIZE = 300  # above the pool threshold: progress arrives in several steps


@pytest.fixture
def badge_summit(live_server):
    from summit.auth.services import create_user
    from summit.events.services import create_event
    from summit.registration.models import Attendee
    from summit.registration.services import find_or_create_organization

    with live_server.app.app_context():
        event = create_event("badge-browser", "AI Leadership Summit", date(2027, 3, 1))
        create_user("lead@example.org", "organizer", "correct horse battery", event_id=event.id)
        orgs = [find_or_create_organization(f"District {i}", "TN") for i in range(12)]
        db.session.add_all([
            Attendee(event_id=event.id, organization=orgs[i % 12], first_name=f"First{i}",
                     last_name=f"Last{i:04d}", email=f"p{i}@example.org", role="Teacher",
                     status="registered")
            for i in range(BATCH_SIZE)
        ])
        db.session.commit()
    return live_server


def test_batch_progress_bar_then_download(badge_summit, page, monkeypatch):
    from summit.badges import render

    app = badge_summit.app
    app.config.update(JOBS_EMBEDDED_WORKER=True, JOBS_POLL_SECONDS=0.2, BADGES_PROCESSES=2)
    # On an idle machine 300 badges render in about a second, between two polls of the page.
    # The job (the real one, in the live server's worker thread) waits after its first partial
    # progress report until the page has shown it, so the test sees the bar move every time.
    shown_partial = threading.Event()
    real_render = render.render_badges

    def render_waiting_for_the_page(*args, progress=None, **kwargs):
        def report(done, total, **kw):
            progress(done, total, **kw)
            if 0 < done < total and not shown_partial.is_set():
                progress(done, total, force=True)
                shown_partial.wait(60)

        return real_render(*args, progress=report if progress else None, **kwargs)

    monkeypatch.setattr(render, "render_badges", render_waiting_for_the_page)
    try:
        sign_in(page, badge_summit.url, "lead@example.org")
        page.goto(f"{badge_summit.url}/admin/e/badge-browser/")
        nav = page.get_by_role("navigation", name="Event")
        nav.get_by_role("link", name="On the day").click()
        nav.get_by_role("link", name="Badges").click()
        expect(page.get_by_role("heading", name="Print a batch")).to_be_visible()
        expect(page.locator("#batch-preview")).to_contain_text(
            f"{BATCH_SIZE} badges on {BATCH_SIZE // 6} sheets of Avery 5392")
        page.get_by_role("button", name="Make the badge PDF").click()
        expect(page.get_by_role("heading", name="Badge batch")).to_be_visible()

        seen: list[tuple[int, int]] = []
        deadline = time.monotonic() + 180
        download = page.locator("#batch-download")
        while not download.is_visible():
            assert time.monotonic() < deadline, f"batch never finished; progress seen {seen}"
            bar = page.locator("#batch-status progress")
            if bar.count():
                state = (int(bar.get_attribute("value") or 0), int(bar.get_attribute("max")))
                if not seen or seen[-1] != state:
                    seen.append(state)
                if 0 < state[0] < state[1]:
                    shown_partial.set()
            page.wait_for_timeout(100)
        assert any(0 < value < total for value, total in seen), (
            f"the bar showed no step between start and end: {seen}")
        fractions = [value / total for value, total in seen]
        assert fractions == sorted(fractions), f"the bar only moves forward: {seen}"
        expect(page.get_by_role("status")).to_contain_text(f"Ready: {BATCH_SIZE} badges")

        with page.expect_download() as info:
            download.click()
        pdf = Path(info.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF")
        assert len(PdfReader(io.BytesIO(pdf)).pages) == BATCH_SIZE // 6
        writer = PdfWriter()  # decode page 1 only: the view tests decode whole batches
        writer.add_page(PdfReader(io.BytesIO(pdf)).pages[0])
        out = io.BytesIO()
        writer.write(out)
        codes = decode_pages(out.getvalue())[0]
        assert len(codes) == 6 and all(c.startswith(f"{badge_summit.url}/c/") for c in codes)
    finally:
        shown_partial.set()
        app.config["JOBS_EMBEDDED_WORKER"] = False
        worker = app.extensions.pop("summit_jobs_worker", None)
        if worker is not None:
            worker.stop.set()
            worker.wake.set()
            worker.thread.join(30)


def test_desk_print_loads_the_badge_into_the_print_frame(badge_summit, page):
    sign_in(page, badge_summit.url, "lead@example.org")
    page.goto(f"{badge_summit.url}/admin/e/badge-browser/badges")
    page.get_by_label("Name, email or district").fill("Last0007")
    result = page.locator(".desk-result")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("Badge not printed yet")
    htmx_settled(page)
    with page.expect_response(lambda r: "/badge.pdf" in r.url) as info:
        result.get_by_role("button", name="Print badge").click()
    response = info.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    frame = page.locator("iframe.print-frame")
    expect(frame).to_have_attribute("src", response.url.replace(badge_summit.url, ""))
    expect(page.get_by_role("status").filter(has_text="sent to the print dialog")).to_be_visible()
