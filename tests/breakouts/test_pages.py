"""The pages: organizer grid (htmx), import upload, PDFs, attendee pages, ETags, feeds."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from summit.breakouts import services
from summit.breakouts.models import BreakoutSession, Enrollment
from summit.checkin import services as checkin_services
from summit.extensions import db

HX = {"HX-Request": "true"}


def organizer(client, auth, make_staff, event):
    auth.login(make_staff("organizer", event))


def test_grid_shows_sessions_and_edits_in_place(client, auth, make_staff, schedule):
    s = schedule
    organizer(client, auth, make_staff, s.event)
    page = client.get(f"/admin/e/{s.event.slug}/breakouts")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Drafting a district AI policy" in html and "Ballroom A" in html
    assert "No conflicts" in html
    assert f'href="/admin/e/{s.event.slug}/breakouts"' in html  # the nav item
    # Open the editor as a fragment, then save a move into a double booking.
    form = client.get(f"/admin/e/{s.event.slug}/breakouts/sessions/{s.policy.id}/edit",
                      headers=HX)
    assert form.status_code == 200
    assert form.get_data(as_text=True).startswith('<div id="breakout-board">')
    saved = client.post(
        f"/admin/e/{s.event.slug}/breakouts/sessions/{s.policy.id}/edit", headers=HX,
        data={"title": "Drafting a district AI policy", "room_id": s.big.id,
              "slot_id": s.morning.id, "capacity": "", "mode": "signup",
              "facilitators": "dana@example.org", "tags": "Policy"})
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200
    assert "Ballroom A is booked twice" in html
    assert "bk-clash" in html
    # Move it away with the move endpoint (what drag-and-drop calls): the conflict clears.
    moved = client.post(f"/admin/e/{s.event.slug}/breakouts/sessions/{s.policy.id}/move",
                        headers=HX, data={"room_id": s.small.id, "slot_id": s.late.id})
    assert "No conflicts" in moved.get_data(as_text=True)
    assert db.session.get(BreakoutSession, s.policy.id).slot_id == s.late.id


def test_new_session_form_errors_and_create(client, auth, make_staff, schedule):
    s = schedule
    organizer(client, auth, make_staff, s.event)
    bad = client.post(f"/admin/e/{s.event.slug}/breakouts/sessions/new", headers=HX,
                      data={"title": "", "capacity": "lots", "facilitators": "nope"})
    html = bad.get_data(as_text=True)
    assert "Please give the session a title." in html
    assert "A number from 1 to 10,000" in html and "not valid" in html
    good = client.post(f"/admin/e/{s.event.slug}/breakouts/sessions/new", headers=HX,
                       data={"title": "Coaching with AI", "room_id": s.small.id,
                             "slot_id": s.late.id, "capacity": "5", "mode": "signup",
                             "tags": "Coaching, Teaching", "facilitators": ""})
    assert "Coaching with AI" in good.get_data(as_text=True)
    assert "allows 5 people but Room 101 seats 2" in good.get_data(as_text=True)
    made = db.session.scalar(select(BreakoutSession).where(
        BreakoutSession.title == "Coaching with AI"))
    assert made.tag_names == ["Coaching", "Teaching"]


def test_rooms_and_slots_forms(client, auth, make_staff, make_event):
    event = make_event()
    organizer(client, auth, make_staff, event)
    client.post(f"/admin/e/{event.slug}/breakouts/rooms",
                data={"name": "Library", "capacity": "12"})
    client.post(f"/admin/e/{event.slug}/breakouts/slots",
                data={"day": "2", "starts": "9am", "ends": "10:15"})
    bad = client.post(f"/admin/e/{event.slug}/breakouts/slots",
                      data={"day": "2", "starts": "11:00", "ends": "10:00", "label": "Late"})
    # The page again, with the message in the slots section (not at the top of a page that
    # jumped to #slots) and what was typed still there, its first field focused.
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    slots_section = html[html.index('id="slots"'):html.index('id="import"')]
    assert "The end time must be after the start time." in slots_section
    assert 'value="11:00" autofocus' in slots_section and 'value="10:00"' in slots_section
    assert 'value="Late"' in slots_section and '<option value="2" selected>' in slots_section
    no_seats = client.post(f"/admin/e/{event.slug}/breakouts/rooms",
                           data={"name": "Annex", "capacity": "0"}).get_data(as_text=True)
    rooms_section = no_seats[no_seats.index('id="rooms"'):no_seats.index('id="slots"')]
    assert "a capacity from 1 to 10,000" in rooms_section and 'value="Annex"' in rooms_section
    saved = client.post(f"/admin/e/{event.slug}/breakouts/rooms",
                        data={"name": "Studio", "capacity": "8"}, follow_redirects=True)
    page = saved.get_data(as_text=True)
    rooms_section = page[page.index('id="rooms"'):page.index('id="slots"')]
    assert "Room “Studio” saved." in rooms_section and page.count("Room “Studio” saved.") == 1
    room, _studio = services.rooms_of(event)
    slot, = services.slots_of(event)
    assert (room.name, room.capacity, room.accessible) == ("Library", 12, False)
    assert (slot.day, slot.time_range) == (2, "09:00–10:15")

    # Longer than the columns: a message, not a 500 (PostgreSQL refuses to truncate).
    long_name = client.post(f"/admin/e/{event.slug}/breakouts/rooms/{room.id}",
                            data={"name": "y" * 121, "capacity": "12"}, follow_redirects=True)
    assert long_name.status_code == 200
    assert "A room name can have at most 120 characters." in long_name.get_data(as_text=True)
    long_label = client.post(f"/admin/e/{event.slug}/breakouts/slots",
                             data={"day": "1", "starts": "9:00", "ends": "10:00",
                                   "label": "z" * 101}, follow_redirects=True)
    assert "label can have at most 100 characters." in long_label.get_data(
        as_text=True)
    db.session.expire_all()
    assert [r.name for r in services.rooms_of(event)] == ["Library", "Studio"]
    assert len(services.slots_of(event)) == 1


def test_import_upload_reports_row_errors(client, auth, make_staff, make_event):
    event = make_event()
    organizer(client, auth, make_staff, event)
    csv = (b"title,description,day,start,end,room,capacity,facilitators,tags\n"
           b"Good,,1,09:00,10:00,Room 1,,,\nBad,,1,10:00,09:00,Room 1,,,\n")
    response = client.post(f"/admin/e/{event.slug}/breakouts/import",
                           data={"file": (io.BytesIO(csv), "s.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Nothing was imported" in response.get_data(as_text=True)
    assert "end is not after start" in response.get_data(as_text=True)
    assert services.sessions_of(event) == []
    ok = client.post(f"/admin/e/{event.slug}/breakouts/import",
                     data={"file": (io.BytesIO(csv.split(b"Bad")[0]), "s.csv")},
                     content_type="multipart/form-data", follow_redirects=True)
    assert "Imported 1 new session(s)" in ok.get_data(as_text=True)


def test_pdfs(client, auth, make_staff, schedule):
    from pypdf import PdfReader

    s = schedule
    organizer(client, auth, make_staff, s.event)
    pdf = client.get(f"/admin/e/{s.event.slug}/breakouts/schedule.pdf")
    assert pdf.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Drafting a district AI policy" in text and "10:30–11:30" in text
    signs = client.get(f"/admin/e/{s.event.slug}/breakouts/signs.pdf?day=1")
    reader = PdfReader(io.BytesIO(signs.data))
    assert len(reader.pages) == 2  # one sign per room
    first = reader.pages[0].extract_text()
    assert "Ballroom A" in first and "Assessment redesign" in first


def test_attendee_browse_join_swap_and_etag(client, auth, make_attendee, schedule):
    s = schedule
    amy = make_attendee(s.event)
    auth.as_attendee(amy)
    page = client.get(f"/e/{s.event.slug}/breakouts")
    assert page.status_code == 200
    assert "HX-Request" in page.headers["Vary"]
    etag = page.headers["ETag"]
    html = page.get_data(as_text=True)
    # Every seat free: no label ("Limited" would read wrong), the count says it.
    assert "Take a seat" in html and 'class="bk-label ' not in html
    assert "30</span> of 30 seats left" in html
    # Nothing changed: 304 without rendering.
    again = client.get(f"/e/{s.event.slug}/breakouts", headers={**HX, "If-None-Match": etag})
    assert again.status_code == 304
    joined = client.post(f"/e/{s.event.slug}/breakouts/{s.policy.id}/join", headers=HX)
    html = joined.get_data(as_text=True)
    assert "You have a seat in “Drafting a district AI policy”" in html
    assert "Switch to this session" in html  # privacy, same slot
    changed = client.get(f"/e/{s.event.slug}/breakouts", headers={**HX, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    swapped = client.post(f"/e/{s.event.slug}/breakouts/{s.privacy.id}/join", headers=HX)
    assert "went back to the pool" in swapped.get_data(as_text=True)
    tagged = client.get(f"/e/{s.event.slug}/breakouts?tag=assessment")
    assert "Assessment redesign" in tagged.get_data(as_text=True)
    assert "Data privacy for staff" not in tagged.get_data(as_text=True)


def test_a_page_revalidated_with_304_keeps_the_policy_of_the_copy_it_holds(
        client, auth, make_attendee, schedule):
    """A browser revisiting the full breakout page or agenda gets 304 and shows its cached
    copy; a new CSP nonce on the 304 would replace the stored policy and block that copy's
    inline scripts (the htmx fallback among them, on venue Wi-Fi without the CDN)."""
    s = schedule
    auth.as_attendee(make_attendee(s.event))
    for path in ("breakouts", "agenda"):
        first = client.get(f"/e/{s.event.slug}/{path}")
        nonce = first.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
        assert f'nonce="{nonce}"' in first.get_data(as_text=True)
        again = client.get(f"/e/{s.event.slug}/{path}",
                           headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
        assert "Content-Security-Policy" not in again.headers
        assert again.headers["X-Content-Type-Options"] == "nosniff"


def card(html, session):
    start = html.index(f'id="session-{session.id}"')
    return html[start:html.index("</article>", start)]


def test_labels_filling_and_full_and_waitlist(client, auth, make_attendee, schedule):
    s = schedule
    services.save_session(s.event, services.SessionData(
        title=s.privacy.title, room_id=s.big.id, slot_id=s.morning.id, capacity=4), s.privacy)
    others = [make_attendee(s.event) for _ in range(5)]
    services.sign_up(others[0], s.policy)
    for person in others[2:]:
        services.sign_up(person, s.privacy)  # 3 of 4
    db.session.commit()
    amy = make_attendee(s.event)
    auth.as_attendee(amy)
    html = client.get(f"/e/{s.event.slug}/breakouts").get_data(as_text=True)
    assert "Limited" in card(html, s.policy) and "1</span> of 2 seats left" in card(html, s.policy)
    assert "Filling" in card(html, s.privacy)
    services.sign_up(others[1], s.policy)
    db.session.commit()
    html = client.get(f"/e/{s.event.slug}/breakouts").get_data(as_text=True)
    assert "Full" in card(html, s.policy) and "Join the waitlist" in card(html, s.policy)
    joined = client.post(f"/e/{s.event.slug}/breakouts/{s.policy.id}/join", headers=HX)
    assert "You are number 1 on the waitlist" in joined.get_data(as_text=True)
    assert "Waitlist: number 1" in card(joined.get_data(as_text=True), s.policy)


def test_agenda_panel_and_feeds(client, auth, make_attendee, schedule):
    from icalendar import Calendar

    s = schedule
    amy = make_attendee(s.event)
    services.sign_up(amy, s.policy)
    services.sign_up(amy, s.assessment)
    db.session.commit()
    auth.as_attendee(amy)
    me = client.get(f"/e/{s.event.slug}/me").get_data(as_text=True)
    assert "My breakouts" in me and "Drafting a district AI policy" in me
    agenda = client.get(f"/e/{s.event.slug}/agenda")
    html = agenda.get_data(as_text=True)
    assert "Room 101" in html and "Seat confirmed" in html
    feed_path = html.split('id="private-feed"')[0].rsplit('href="', 1)[1].split('"')[0]
    feed_path = feed_path.replace("http://summit.test", "")
    assert amy.personal_secret not in feed_path
    anonymous = client.application.test_client()
    feed = anonymous.get(feed_path)
    assert feed.mimetype == "text/calendar"
    cal = Calendar.from_ical(feed.data)
    events = sorted(cal.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert [str(e["summary"]) for e in events] == ["Drafting a district AI policy",
                                                   "Assessment redesign"]
    start = events[0].decoded("dtstart")
    chicago = ZoneInfo("America/Chicago")
    assert start == datetime(2027, 3, 1, 9, 0, tzinfo=chicago)
    assert start.utcoffset().total_seconds() == -6 * 3600
    assert events[0]["dtstart"].params["TZID"] == "America/Chicago"
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["America/Chicago"]
    assert "Room 101" in str(events[0]["location"])
    public = anonymous.get(f"/e/{s.event.slug}/breakouts.ics")
    assert len(Calendar.from_ical(public.data).walk("VEVENT")) == 3
    assert anonymous.get(f"/e/{s.event.slug}/calendar/{'x' * 32}.ics").status_code == 404


def test_access_rules(client, auth, make_attendee, make_staff, schedule):
    s = schedule
    amy = make_attendee(s.event)
    auth.as_attendee(amy)
    assert client.get(f"/admin/e/{s.event.slug}/breakouts").status_code == 302
    other = make_attendee(s.event)
    services.sign_up(other, s.policy)
    db.session.commit()
    checker = make_staff("checkin", s.event)
    auth.login(checker)
    assert client.get(f"/admin/e/{s.event.slug}/breakouts").status_code == 403
    anonymous = client.application.test_client()
    assert anonymous.get(f"/e/{s.event.slug}/breakouts").status_code == 302


def test_facilitator_sees_own_sessions_with_roster(client, auth, make_staff, make_attendee,
                                                   schedule):
    s = schedule
    dana = make_staff("facilitator", s.event, email="dana@example.org")
    amy = make_attendee(s.event, first_name="Amy", last_name="Zhou")
    services.sign_up(amy, s.policy)
    db.session.commit()
    auth.login(dana)
    page = client.get(f"/admin/e/{s.event.slug}/my-sessions")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Drafting a district AI policy" in html and "Amy Zhou" in html
    assert "Data privacy for staff" not in html
    assert client.get(f"/admin/e/{s.event.slug}/breakouts").status_code == 403


def test_session_detail_shows_attendance(client, auth, make_staff, make_attendee, schedule):
    from summit.checkin.models import Checkin

    s = schedule
    organizer(client, auth, make_staff, s.event)
    amy = make_attendee(s.event)
    services.sign_up(amy, s.privacy)
    lst = checkin_services.session_list(s.event.id, s.privacy.id, s.privacy.title)
    db.session.add(Checkin(list_id=lst.id, attendee_id=amy.id))
    db.session.commit()
    html = client.get(f"/admin/e/{s.event.slug}/breakouts/sessions/{s.privacy.id}"
                      ).get_data(as_text=True)
    assert "attended without signing up" in html
    table = client.get(f"/admin/e/{s.event.slug}/breakouts/attendance").get_data(as_text=True)
    assert "Data privacy for staff" in table
    assert db.session.scalar(select(Enrollment)).status == "enrolled"


def test_event_home_panel_and_public_room_page(client, auth, make_staff, make_attendee,
                                               schedule):
    s = schedule
    services.sign_up(make_attendee(s.event), s.policy)
    db.session.commit()
    organizer(client, auth, make_staff, s.event)
    home = client.get(f"/admin/e/{s.event.slug}/").get_data(as_text=True)
    assert 'id="breakouts-panel"' in home and "3 sessions · 1 seat taken" in home
    room = client.application.test_client().get(f"/e/{s.event.slug}/rooms/{s.small.id}")
    assert room.status_code == 200
    assert "Room 101" in room.get_data(as_text=True)
    assert "Drafting a district AI policy" in room.get_data(as_text=True)
    assert "Assessment redesign" not in room.get_data(as_text=True)
