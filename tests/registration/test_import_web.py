"""The organizer's spreadsheet import and export pages."""

from __future__ import annotations

import io

import pytest

from summit.audit import AuditLog
from summit.extensions import db
from summit.registration.models import Attendee

GOOD = ("First Name,Last Name,E-mail,District,State/Province,Role\n"
        "Ana,Ruiz,ana@example.org,Austin ISD,TX,Coach\n"
        "Ben,Cho,ben@example.org,Austin ISD,TX,Teacher\n")


@pytest.fixture
def organizer_client(client, make_event, make_staff, auth):
    event = make_event("import-test")
    auth.login(make_staff("organizer", event))
    return client, event


def upload(client, event, text: str | bytes, name="people.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(f"/admin/e/{event.slug}/import",
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_bad_file_imports_nothing_and_lists_every_bad_row(organizer_client):
    client, event = organizer_client
    response = upload(client, event, GOOD + "Cy,,cy@example.org,Austin ISD,TX,Teacher\n"
                      "Di,Lee,bad-email,Austin ISD,TX,Teacher\n")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was imported" in html
    assert "<td>4</td>" in html and "<td>5</td>" in html
    assert db.session.query(Attendee).count() == 0


def test_good_file_imports_and_reimport_adds_nobody(organizer_client):
    client, event = organizer_client
    first = upload(client, event, GOOD)
    assert first.status_code == 200 and b"Added 2 attendees" in first.data
    second = upload(client, event, GOOD.replace("Coach", "Principal"))
    assert b"Added 0 attendees" in second.data and b"1 updated" in second.data
    assert db.session.query(Attendee).count() == 2
    assert db.session.query(AuditLog).filter_by(action="attendee.updated").count() == 1


@pytest.mark.parametrize("payload", [b"", b"\x89PNG\r\n\x1a\n\x00\x00", b"a,b\n1,2\n",
                                     b'"unterminated,quote\n' * 3, "é".encode("latin-1")])
def test_malformed_files_are_explained_not_500(organizer_client, payload):
    client, event = organizer_client
    response = upload(client, event, payload)
    assert response.status_code == 422
    assert db.session.query(Attendee).count() == 0


def test_imported_people_can_be_sent_their_confirmation_once(organizer_client):
    """An import sends no email; the page offers the confirmation (link and QR code) to those
    who never had one, and nobody gets it twice."""
    from summit.jobs import run_pending_jobs
    from summit.messages.models import MessageRecipient
    from summit.registration.services import NewRegistration, register

    client, event = organizer_client
    register(event, NewRegistration("Cleo", "Park", "cleo@example.org", "Austin ISD", "TX"))
    db.session.commit()
    upload(client, event, GOOD)
    assert db.session.query(MessageRecipient).count() == 1  # Cleo's own confirmation
    page = client.get(f"/admin/e/{event.slug}/import").get_data(as_text=True)
    assert "2 people have not been sent a confirmation" in page and "Email 2 confirmations" in page

    sent = client.post(f"/admin/e/{event.slug}/import/welcome", follow_redirects=True)
    assert "2 confirmation emails with the personal link and QR code are on their way" in \
        sent.get_data(as_text=True)
    rows = db.session.query(MessageRecipient).order_by(MessageRecipient.id).all()
    assert sorted(r.to_address for r in rows[1:]) == ["ana@example.org", "ben@example.org"]
    assert all(r.reason_key.startswith("confirmation:") for r in rows)
    assert "not been sent a confirmation" not in sent.get_data(as_text=True)
    again = client.post(f"/admin/e/{event.slug}/import/welcome", follow_redirects=True)
    assert "Everyone has had their confirmation email already." in again.get_data(as_text=True)
    assert db.session.query(MessageRecipient).count() == 3
    run_pending_jobs()
    db.session.expire_all()
    assert {r.status for r in db.session.query(MessageRecipient)} == {"sent"}


def test_export_csv_has_a_bom_for_excel(organizer_client):
    client, event = organizer_client
    upload(client, event, GOOD)
    response = client.get(f"/admin/e/{event.slug}/export.csv")
    assert response.mimetype == "text/csv"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufefffirst_name,")
    assert "ana@example.org" in text


def test_attendee_search_and_filters_return_a_fragment_to_htmx(organizer_client, make_attendee):
    client, event = organizer_client
    make_attendee(event, first_name="Zoë", last_name="Alvarez", organization="Knox County",
                  state="TN")
    make_attendee(event, first_name="Mark", last_name="Brown", organization="Surrey SD",
                  state="BC", status="waitlisted")
    url = f"/admin/e/{event.slug}/attendees"
    full = client.post(url, data={"q": "zo"})
    assert b"<html" in full.data and b"Alvarez" in full.data and b"Brown" not in full.data
    fragment = client.get(f"{url}?state=BC", headers={"HX-Request": "true"})
    assert b"<html" not in fragment.data
    assert b"Brown" in fragment.data and b"Alvarez" not in fragment.data
    waitlisted = client.get(f"{url}?status=waitlisted").get_data(as_text=True)
    assert "Brown" in waitlisted
    assert '<span class="badge waitlisted">Waitlisted</span>' in waitlisted
    assert b"1 attendee" in client.post(url, data={"checked_in": "no", "q": "mark"},
                                        headers={"HX-Request": "true"}).data
    assert b"No attendees match" in client.post(
        url, data={"q": "%_\\"}, headers={"HX-Request": "true"}).data


def test_search_ignores_accents_and_sorts_like_a_reader(organizer_client, make_attendee):
    """A US keyboard finds Côté with "cote"; Bélanger is listed before Brown, not after."""
    client, event = organizer_client
    make_attendee(event, first_name="Émilie", last_name="Côté", organization="CSS des Découvreurs")
    make_attendee(event, first_name="Luc", last_name="Bélanger")
    make_attendee(event, first_name="Mark", last_name="Brown")
    url = f"/admin/e/{event.slug}/attendees"
    hx = {"HX-Request": "true"}
    for query in ("cote", "COTE", "emilie cote", "decouvreurs", "Côté"):
        found = client.post(url, data={"q": query}, headers=hx).get_data(as_text=True)
        assert "Côté, Émilie" in found and "Brown" not in found, query
    listing = client.get(url).get_data(as_text=True)
    assert listing.index("Bélanger") < listing.index("Brown") < listing.index("Côté")


def test_search_text_never_goes_into_an_address(organizer_client, make_attendee):
    """Names and emails typed in the search travel in POST bodies; filters stay shareable."""
    client, event = organizer_client
    make_attendee(event, first_name="Zoë", last_name="Alvarez", email="zoe@example.org")
    make_attendee(event, first_name="Mark", last_name="Brown", state="BC")
    url = f"/admin/e/{event.slug}/attendees"
    response = client.post(url, data={"q": "zoe@example.org", "state": "TN", "page": "1"},
                           headers={"HX-Request": "true"})
    assert b"Alvarez" in response.data and b"Brown" not in response.data
    assert response.headers["HX-Replace-Url"] == f"{url}?state=TN"
    # A search text in an old link is ignored rather than acted on.
    assert b"Brown" in client.get(f"{url}?q=zoe").data
    page = client.get(url).get_data(as_text=True)
    assert 'hx-post="' in page and "hx-push-url" not in page and 'hx-history="false"' in page


def test_organizer_edit_is_logged_with_who_and_when(organizer_client, make_attendee):
    client, event = organizer_client
    person = make_attendee(event, first_name="Jon", email="jon@example.org")
    response = client.post(f"/admin/e/{event.slug}/attendees/{person.id}", data={
        "first_name": "John", "last_name": person.last_name, "email": "jon@example.org",
        "organization": "Knox County Schools", "state": "TN", "role": "Teacher",
        "dietary": "", "accessibility": "Wheelchair"})
    assert response.status_code == 302
    entry = db.session.query(AuditLog).filter_by(action="attendee.updated").one()
    assert entry.before == {"first_name": "Jon", "accessibility": ""}
    assert entry.after == {"first_name": "John", "accessibility": "Wheelchair"}
    assert entry.actor is not None and entry.at is not None
    page = client.get(f"/admin/e/{event.slug}/attendees/{person.id}").get_data(as_text=True)
    assert "attendee.updated" in page and "Jon → John" in page


def test_organizer_promotes_from_the_waitlist(organizer_client, make_attendee):
    client, event = organizer_client
    person = make_attendee(event, status="waitlisted", waitlist_position=1)
    client.post(f"/admin/e/{event.slug}/attendees/{person.id}/promote")
    db.session.refresh(person)
    assert person.status == "registered"


def test_the_log_reads_in_words_for_people(organizer_client, make_attendee):
    """The event log and an attendee's history say "Checked in", not "checkin.created"."""
    from summit.audit import ACTION_LABELS
    from summit.checkin import services as checkin

    client, event = organizer_client
    amber = make_attendee(event, first_name="Amber")
    checkin.check_in(amber, checkin.entrance_list(event), source="wedge")
    db.session.commit()
    page = client.get(f"/admin/e/{event.slug}/log").get_data(as_text=True)
    assert '<td title="checkin.created">Checked in</td>' in page
    assert "<td>Command line</td>" in page  # the check-in above ran outside a request
    history = client.get(f"/admin/e/{event.slug}/attendees/{amber.id}").get_data(as_text=True)
    assert ">Checked in</td>" in history
    # Every action the code records has its words (a new one must add them).
    import re
    from pathlib import Path

    import summit

    source = "".join(p.read_text(encoding="utf-8")
                     for p in Path(summit.__file__).parent.rglob("*.py"))
    recorded = set(re.findall(r'record(?:_now)?\(\s*"([a-z_]+\.[a-z_]+)"', source))
    assert len(recorded) > 40
    assert recorded <= set(ACTION_LABELS), recorded - set(ACTION_LABELS)
