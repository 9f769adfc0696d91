"""The badge pages: batches through the job queue, "only unprinted", the desk (print one badge,
correct its text), walk-ins, the logo, calibration sheets and access rules.

Every PDF is rasterized (pypdfium2, 150 dpi) and every QR code decoded (zxing-cpp)."""

from __future__ import annotations

import io
import re
import time

from PIL import Image
from sqlalchemy import func, select

from summit.audit import AuditLog
from summit.badges.models import BadgeBatch, BadgeOverride, BadgePrint
from summit.events.models import Organization
from summit.extensions import db
from summit.jobs import Job, run_pending_jobs
from summit.registration.models import Attendee

from .conftest import url_of
from .helpers import decode_pages, pdf_text, squash

HX = {"HX-Request": "true"}


def base(event) -> str:
    return f"/admin/e/{event.slug}/badges"


def org_id(name: str) -> int:
    return db.session.scalar(select(Organization.id).where(Organization.name == name))


def start_batch(client, event, **form):
    response = client.post(f"{base(event)}/batches", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    match = re.search(r"/batches/(\d+)$", response.headers["Location"])
    return int(match.group(1))


def finish_batch(client, event, batch_id: int) -> bytes:
    page = client.get(f"{base(event)}/batches/{batch_id}", headers=HX).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in page and "Waiting for a worker" in page
    assert run_pending_jobs() == 1
    page = client.get(f"{base(event)}/batches/{batch_id}", headers=HX).get_data(as_text=True)
    assert "hx-trigger" not in page, "polling stops once the batch is done"
    assert "Download the PDF" in page
    response = client.get(f"{base(event)}/batches/{batch_id}/download")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    return response.data


def all_codes(pdf: bytes) -> list[str]:
    return [code for page in decode_pages(pdf) for code in page]


def test_district_batch_runs_as_a_job_and_finds_exactly_that_district(client, auth, badge_world):
    w = badge_world
    auth.login(w.organizer)
    page = client.get(base(w.event)).get_data(as_text=True)
    assert "Print a batch" in page and "Knox County Schools" in page
    preview = client.get(f"{base(w.event)}/batches/preview",
                         query_string={"organization_id": org_id("Knox County Schools"),
                                       "stock": "avery-5392"}).get_data(as_text=True)
    assert "4 badges on 1 sheet" in preview

    batch_id = start_batch(client, w.event, stock="avery-5392",
                           organization_id=org_id("Knox County Schools"))
    assert "Waiting for a worker" in client.get(f"{base(w.event)}/batches/{batch_id}").get_data(
        as_text=True)
    pdf = finish_batch(client, w.event, batch_id)

    codes = all_codes(pdf)
    assert sorted(codes) == sorted(url_of(a) for a in w.knox), "exactly the district, no one else"
    text = squash("".join(pdf_text(pdf)))
    for a in w.knox:
        assert a.first_name in text and a.last_name in text
    assert "Shelby" not in text and "Gone" not in text

    prints = db.session.scalars(select(BadgePrint)).all()
    assert sorted(p.attendee_id for p in prints) == sorted(a.id for a in w.knox)
    assert {(p.by_user_id, p.batch_id, p.stock, p.source) for p in prints} == {
        (w.organizer.id, batch_id, "avery-5392", "batch")}
    job = db.session.scalar(select(Job))
    assert (job.kind, job.status, job.progress, job.total) == ("badges.batch", "done", 4, 4)
    assert job.created_by_user_id == w.organizer.id


def test_only_unprinted_after_a_first_batch(client, auth, badge_world, make_attendee):
    w = badge_world
    auth.login(w.organizer)
    first = finish_batch(client, w.event, start_batch(client, w.event, stock="avery-5390"))
    assert sorted(all_codes(first)) == sorted(url_of(a) for a in w.knox + w.shelby)

    late = [make_attendee(w.event, first_name=f"Late{i}", last_name="Comer",
                          organization="Shelby County Schools", state="TN") for i in range(2)]
    desk_printed = make_attendee(w.event, first_name="Desk", last_name="Printed")
    assert client.post(f"{base(w.event)}/attendees/{desk_printed.id}/print",
                       headers=HX).status_code == 200

    batch_id = start_batch(client, w.event, stock="avery-5392", only_unprinted="1")
    second = finish_batch(client, w.event, batch_id)
    assert sorted(all_codes(second)) == sorted(url_of(a) for a in late)
    batch = db.session.get(BadgeBatch, batch_id)
    assert batch.description == "not printed yet" and batch.count == 2

    # Nothing left: the organizer is told, no empty job is queued.
    response = client.post(f"{base(w.event)}/batches", data={"only_unprinted": "1"})
    assert response.status_code == 422
    assert "No registered attendee matches" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Job.id))) == 2


def test_badges_for_people_picked_by_hand(client, auth, badge_world):
    """Ticked in the attendee list: exactly those people, whatever the filters; someone not
    registered is left out and the organizer is told."""
    w = badge_world
    auth.login(w.organizer)
    page = client.get(f"/admin/e/{w.event.slug}/attendees").get_data(as_text=True)
    picked = [w.knox[1], w.shelby[0]]
    for person in picked:
        assert (f'<input type="checkbox" name="attendee_id" value="{person.id}" '
                f'form="badge-pick"') in page
    assert f'name="attendee_id" value="{w.cancelled.id}"' not in page  # not registered
    assert f'action="{base(w.event)}/batches"' in page
    response = client.post(f"{base(w.event)}/batches", data={
        "picked": "1", "stock": "avery-5392",
        "attendee_id": [str(p.id) for p in picked] + [str(w.cancelled.id)]})
    assert response.status_code == 303
    batch_id = int(re.search(r"/batches/(\d+)$", response.headers["Location"]).group(1))
    batch = db.session.get(BadgeBatch, batch_id)
    assert batch.description == "Picked by hand (3 people)" and batch.count == 2
    assert "1 of the people ticked is not registered" in client.get(
        response.headers["Location"]).get_data(as_text=True)
    pdf = finish_batch(client, w.event, batch_id)
    assert sorted(all_codes(pdf)) == sorted(url_of(a) for a in picked)
    # Nobody ticked: a clear message, no batch.
    refused = client.post(f"{base(w.event)}/batches", data={"picked": "1"})
    assert refused.status_code == 422
    assert "Tick the people whose badges you want" in refused.get_data(as_text=True)
    bad = client.post(f"{base(w.event)}/batches", data={"picked": "1", "attendee_id": "x"})
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count(BadgeBatch.id))) == 1


def test_role_and_registered_since_filters(client, auth, badge_world):
    w = badge_world
    auth.login(w.organizer)
    batch_id = start_batch(client, w.event, role="Teacher")
    assert sorted(all_codes(finish_batch(client, w.event, batch_id))) == sorted(
        url_of(a) for a in w.shelby)
    response = client.post(f"{base(w.event)}/batches", data={"registered_since": "2999-01-01"})
    assert response.status_code == 422
    response = client.post(f"{base(w.event)}/batches", data={"registered_since": "soon"})
    assert response.status_code == 422 and "YYYY-MM-DD" in response.get_data(as_text=True)


def test_desk_print_with_a_script_name_and_a_logged_correction(client, auth, badge_world,
                                                                make_attendee):
    w = badge_world
    odd = make_attendee(w.event, first_name="<script>alert(1)</script>", last_name="Smyth",
                        organization="Knox County Schools", state="TN")
    auth.login(w.checkin)
    found = client.get(f"{base(w.event)}/desk/search", query_string={"q": "Smyth"})
    html = found.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "Print badge" in html and "Correct badge text" in html

    response = client.post(f"{base(w.event)}/attendees/{odd.id}/correct", headers=HX,
                           data={"last_name": "Smith", "first_name": odd.first_name,
                                 "ribbon": "Speaker"})
    assert response.status_code == 200 and "Badge text saved" in response.get_data(as_text=True)
    override = db.session.scalar(select(BadgeOverride))
    assert (override.last_name, override.first_name, override.ribbon) == ("Smith", "", "")
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "badge.corrected"))
    assert entry.before == {"last_name": ""} and entry.after == {"last_name": "Smith"}
    assert entry.actor_user_id == w.checkin.id and entry.target_id == odd.id

    response = client.post(f"{base(w.event)}/attendees/{odd.id}/print", headers=HX)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "data-autoprint" in fragment
    pdf_url = re.search(r'data-src="([^"]+)"', fragment).group(1).replace("&amp;", "&")
    client.get(pdf_url)  # warm the renderer for this stock
    started = time.perf_counter()
    response = client.get(pdf_url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert elapsed < 1.0, f"single badge took {elapsed:.2f} s"
    assert decode_pages(response.data) == [[url_of(odd)]]
    text = squash("".join(pdf_text(response.data)))
    assert "<script>alert(1)</script>" in text and "Smith" in text and "Smyth" not in text
    desk = db.session.scalar(select(BadgePrint))
    assert (desk.attendee_id, desk.source, desk.by_user_id, desk.stock) == (
        odd.id, "desk", w.checkin.id, "thermal-4x6")

    # Reverting to the registered spelling removes the correction, and is logged too.
    client.post(f"{base(w.event)}/attendees/{odd.id}/correct", headers=HX,
                data={"last_name": "Smyth"})
    db.session.expire_all()
    assert db.session.scalar(select(BadgeOverride)).last_name == ""


def test_organizer_sets_a_ribbon_and_it_prints(client, auth, badge_world):
    w = badge_world
    person = w.knox[0]
    auth.login(w.organizer)
    page = client.get(f"/admin/e/{w.event.slug}/attendees/{person.id}").get_data(as_text=True)
    assert "Print badge" in page and "Ribbon" in page
    client.post(f"{base(w.event)}/attendees/{person.id}/correct",
                data={"ribbon": "Facilitator", "first_name": "Kay",
                      "next": f"/admin/e/{w.event.slug}/attendees/{person.id}"})
    bad = client.post(f"{base(w.event)}/attendees/{person.id}/correct", headers=HX,
                      data={"ribbon": "Emperor"})
    assert bad.status_code == 422 and "Choose a ribbon" in bad.get_data(as_text=True)
    pdf = client.get(f"{base(w.event)}/attendees/{person.id}/badge.pdf",
                     query_string={"stock": "avery-5392"}).data
    text = squash(pdf_text(pdf)[0])
    assert "FACILITATOR" in text and "Kay" in text and person.first_name not in text
    history = client.get(f"/admin/e/{w.event.slug}/attendees/{person.id}").get_data(as_text=True)
    assert ">Badge text corrected</td>" in history, "the correction is in the attendee's history"
    assert "Facilitator" in history


def test_walk_in_registers_and_prints(client, auth, badge_world):
    w = badge_world
    auth.login(w.checkin)
    response = client.post(f"{base(w.event)}/walk-in", headers=HX, data={
        "first_name": "Wanda", "last_name": "Walker", "email": "wanda@example.org",
        "organization": "Maury County Public Schools", "state": "TN", "role": "Teacher"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "is registered (walk-in)" in html
    person = db.session.scalar(select(Attendee).where(Attendee.email == "wanda@example.org"))
    assert (person.source, person.status) == ("walk-in", "registered")
    pdf_url = re.search(r'data-src="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert decode_pages(client.get(pdf_url).data) == [[url_of(person)]]
    printed = db.session.scalar(select(BadgePrint).where(BadgePrint.attendee_id == person.id))
    assert printed.source == "walk-in"

    again = client.post(f"{base(w.event)}/walk-in", headers=HX, data={
        "first_name": "Wanda", "last_name": "Walker", "email": "wanda@example.org",
        "organization": "Maury", "state": "TN", "role": "Teacher"})
    assert again.status_code == 409 and "already registered" in again.get_data(as_text=True)
    missing = client.post(f"{base(w.event)}/walk-in", headers=HX, data={"first_name": "X"})
    assert missing.status_code == 422 and "Enter the last name" in missing.get_data(as_text=True)


def test_logo_upload_is_checked_and_printed(client, auth, badge_world):
    w = badge_world
    auth.login(w.organizer)
    response = client.post(f"{base(w.event)}/logo", data={
        "logo": (io.BytesIO(b"%PDF-1.4 definitely not an image"), "logo.png")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "not an image we can read" in response.get_data(as_text=True)

    image = Image.new("RGB", (3000, 1000), "#1f4e9c")
    out = io.BytesIO()
    image.save(out, format="JPEG")
    response = client.post(f"{base(w.event)}/logo", data={"logo": (io.BytesIO(out.getvalue()),
                                                                    "logo.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    served = client.get(f"{base(w.event)}/logo.png")
    assert served.mimetype == "image/png"
    assert Image.open(io.BytesIO(served.data)).size == (1200, 400), "downscaled"
    pdf = client.get(f"{base(w.event)}/attendees/{w.knox[0].id}/badge.pdf").data
    assert decode_pages(pdf) == [[url_of(w.knox[0])]]
    from pypdf import PdfReader

    images = PdfReader(io.BytesIO(pdf)).pages[0].images
    assert any(img.image.size == (1200, 400) for img in images), "the logo is on the badge"

    big = io.BytesIO(b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 10))
    response = client.post(f"{base(w.event)}/logo", data={"logo": (big, "big.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "too large" in response.get_data(as_text=True)
    assert client.post(f"{base(w.event)}/logo/remove").status_code == 303
    assert client.get(f"{base(w.event)}/logo.png").status_code == 404


def test_calibration_sheets_and_access(client, auth, badge_world):
    w = badge_world
    auth.login(w.checkin)
    page = client.get(base(w.event)).get_data(as_text=True)
    assert "Print at the desk" in page and "Walk-in" in page
    assert "Print a batch" not in page, "batches are for organizers"
    assert ">Badges</a>" in page, "the nav item shows for check-in staff"
    for slug in ("avery-5392", "avery-5390", "a4-a6", "thermal-4x6", "cr80"):
        response = client.get(f"{base(w.event)}/calibration/{slug}.pdf")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert client.get(f"{base(w.event)}/calibration/nope.pdf").status_code == 404
    assert client.post(f"{base(w.event)}/batches", data={}).status_code == 403
    assert client.post(f"{base(w.event)}/logo").status_code == 403
    # Waitlisted or cancelled people get no badge.
    response = client.post(f"{base(w.event)}/attendees/{w.cancelled.id}/print", headers=HX)
    assert response.status_code == 409
    assert client.get(f"{base(w.event)}/attendees/{w.cancelled.id}/badge.pdf").status_code == 404


def test_a_district_id_beyond_any_database_integer_is_a_message(client, auth, badge_world):
    """Found by the form fuzzer: PostgreSQL refuses such a number outright (a 500 before)."""
    auth.login(badge_world.organizer)
    for raw in ("99999999999999999999999", "-5", "0"):
        response = client.post(f"{base(badge_world.event)}/batches",
                               data={"stock": "avery-5392", "organization_id": raw})
        assert response.status_code in (200, 422), raw
        assert "Choose a district from the list." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
