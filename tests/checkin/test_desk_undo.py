"""Undo reverses only the scan just made (issue 17, point 2).

- *Undo this scan* is offered only when this very scan created the check-in, and carries that
  scan's nonce; the server undoes a check-in only with the nonce that created it, so a forged
  request (another scan's nonce, none at all, or the id of an earlier arrival) removes nothing.
- An amber "Already checked in" answer offers no undo: it shows when and where the earlier
  arrival was made, "See record" and "Reprint badge".
- An earlier arrival is removed only from the person's record, after a confirmation that names
  its time and the desk it was made at.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from summit.audit import AuditLog
from summit.checkin import services
from summit.checkin.models import Checkin
from summit.extensions import db

HX = {"HX-Request": "true"}


def checkins() -> int:
    return db.session.scalar(select(func.count()).select_from(Checkin))


def undo_token(html: str) -> str | None:
    match = re.search(r'name="scan" value="([^"]+)"', html)
    return match.group(1) if match else None


def scan(client, slug: str, code: str, nonce: str | None = None) -> str:
    data = {"code": code, "source": "wedge"}
    if nonce:
        data["nonce"] = nonce
    return client.post(f"/admin/e/{slug}/checkin/scan", headers=HX, data=data).get_data(
        as_text=True)


def test_undo_takes_back_the_scan_just_made(desk, client, auth):
    slug = desk["event"].slug
    auth.login(desk["volunteer"])
    green = scan(client, slug, desk["amber"].checkin_code, nonce="scan-1")
    assert 'data-outcome="checked_in"' in green and "Undo this scan" in green
    assert undo_token(green) == "scan-1"
    (row,) = db.session.scalars(select(Checkin)).all()
    undone = client.post(f"/admin/e/{slug}/checkin/undo/{row.id}", headers=HX,
                         data={"scan": "scan-1"}).get_data(as_text=True)
    assert 'data-outcome="undone"' in undone and "Amber Okafor" in undone
    assert checkins() == 0
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "checkin.undone"))
    assert entry.before["how"] == "scan"


def test_a_duplicate_scan_offers_no_undo_of_the_earlier_arrival(desk, client, auth):
    slug = desk["event"].slug
    auth.login(desk["volunteer"])
    scan(client, slug, desk["amber"].checkin_code, nonce="first-desk")
    amber = scan(client, slug, desk["amber"].checkin_code, nonce="second-scan")
    assert 'data-outcome="already_checked_in"' in amber
    assert "Undo" not in amber and undo_token(amber) is None
    assert "See record" in amber and "Reprint badge" in amber
    # when and the desk it was made at
    assert re.search(r"Arrived .*: Main entrance, by .* \(scanner\)\.", amber), amber
    assert f"/admin/e/{slug}/checkin/people/{desk['amber'].id}" in amber
    assert checkins() == 1


def test_a_forged_undo_cannot_remove_an_earlier_arrival(desk, client, auth, make_staff):
    slug = desk["event"].slug
    # Another desk checked Amber in earlier.
    other_desk = make_staff("checkin", event=desk["event"])
    auth.login(other_desk)
    scan(client, slug, desk["amber"].checkin_code, nonce="other-desk-secret")
    (earlier,) = db.session.scalars(select(Checkin)).all()
    client.post("/logout")
    auth.login(desk["volunteer"])
    amber = scan(client, slug, desk["amber"].checkin_code, nonce="my-scan")
    assert 'data-outcome="already_checked_in"' in amber
    url = f"/admin/e/{slug}/checkin/undo/{earlier.id}"
    for forged in ({}, {"scan": ""}, {"scan": "my-scan"}, {"scan": "guess"},
                   {"scan": "x" * 500}):
        answer = client.post(url, headers=HX, data=forged)
        assert answer.status_code == 200
        assert 'data-outcome="nothing-to-undo"' in answer.get_data(as_text=True), forged
        assert client.post(url, data=forged).status_code == 409  # without htmx: not this scan's
    assert checkins() == 1
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "checkin.undone")) == 0
    # The service says the same: only the nonce that created it finds it.
    assert services.scan_checkin(desk["event"].id, earlier.id, "my-scan") is None
    assert services.scan_checkin(desk["event"].id, earlier.id, None) is None
    assert services.scan_checkin(desk["event"].id, earlier.id, "other-desk-secret").id == \
        earlier.id


def test_the_nonce_of_another_event_undoes_nothing_here(desk, client, auth, make_event,
                                                       make_attendee, make_staff):
    other = make_event()
    person = make_attendee(other, first_name="Zoe")
    row = services.check_in(person.checkin_code, services.entrance_list(other), nonce="n-1")
    db.session.commit()
    auth.login(desk["volunteer"])
    answer = client.post(f"/admin/e/{desk['event'].slug}/checkin/undo/{row.checkin.id}",
                         headers=HX, data={"scan": "n-1"})
    assert 'data-outcome="nothing-to-undo"' in answer.get_data(as_text=True)
    assert checkins() == 1


def test_a_plain_form_scan_and_the_code_link_get_an_undo_of_their_own(desk, client, auth):
    slug = desk["event"].slug
    auth.login(desk["volunteer"])
    page = client.post(f"/admin/e/{slug}/checkin/scan",
                       data={"code": desk["amber"].checkin_code}).get_data(as_text=True)
    token = undo_token(page)
    (row,) = db.session.scalars(select(Checkin)).all()
    assert token and token == row.nonce
    link = client.get(f"/c/{desk['ben'].checkin_code}").get_data(as_text=True)
    ben = db.session.scalar(select(Checkin).where(Checkin.attendee_id == desk["ben"].id))
    assert undo_token(link) == ben.nonce
    again = client.get(f"/c/{desk['ben'].checkin_code}").get_data(as_text=True)
    assert "Already checked in" in again and undo_token(again) is None


def test_an_earlier_arrival_is_removed_from_the_record_after_a_confirmation(desk, client,
                                                                            auth):
    slug = desk["event"].slug
    auth.login(desk["volunteer"])
    scan(client, slug, desk["amber"].checkin_code, nonce="morning")
    (row,) = db.session.scalars(select(Checkin)).all()
    row_id, when = row.id, desk["event"].local(row.at).strftime("%-I:%M %p")
    record = client.get(f"/admin/e/{slug}/checkin/people/{desk['amber'].id}")
    html = record.get_data(as_text=True)
    assert record.status_code == 200 and "Amber Okafor" in html
    assert "Main entrance, by" in html and "Remove this arrival" in html
    remove = f"/admin/e/{slug}/checkin/people/{desk['amber'].id}/arrivals/{row_id}/remove"
    confirm = client.get(remove).get_data(as_text=True)
    # The confirmation names the time and the desk.
    assert when in confirm and "Main entrance, by" in confirm and "(scanner)" in confirm
    assert checkins() == 1  # asking removes nothing
    done = client.post(remove)
    assert done.status_code == 302 and checkins() == 0
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "checkin.undone"))
    assert entry.before["how"] == "record" and entry.before["checkin_id"] == row_id
    # Asking again finds nothing to remove, and says so.
    again = client.post(remove, follow_redirects=True).get_data(as_text=True)
    assert "already removed" in again and "Not checked in yet" in again


def test_the_record_is_only_this_events(desk, client, auth, make_event, make_attendee):
    other = make_event()
    stranger = make_attendee(other, first_name="Zoe")
    row = services.check_in(stranger.checkin_code, services.entrance_list(other))
    db.session.commit()
    auth.login(desk["volunteer"])
    slug = desk["event"].slug
    assert client.get(f"/admin/e/{slug}/checkin/people/{stranger.id}").status_code == 404
    assert client.post(f"/admin/e/{slug}/checkin/people/{stranger.id}/arrivals/"
                       f"{row.checkin.id}/remove").status_code == 404
    # Amber's record does not reach another person's arrival either.
    answer = client.post(f"/admin/e/{slug}/checkin/people/{desk['amber'].id}/arrivals/"
                         f"{row.checkin.id}/remove")
    assert answer.status_code == 404 and checkins() == 1


def test_name_search_offers_reprint_and_record_for_someone_checked_in(desk, client, auth):
    slug = desk["event"].slug
    auth.login(desk["volunteer"])
    scan(client, slug, desk["amber"].checkin_code, nonce="s")
    html = client.get(f"/admin/e/{slug}/checkin/search?q=okafor", headers=HX).get_data(
        as_text=True)
    assert "checked in" in html and "Reprint badge" in html and "See record" in html
    assert "Check in Amber Okafor" not in html
    ruiz = client.get(f"/admin/e/{slug}/checkin/search?q=ruiz", headers=HX).get_data(
        as_text=True)
    assert "Check in Ben Ruiz" in ruiz and "Reprint badge" not in ruiz
