"""The organizer's seating board, tables, PDFs, the facilitator's table and My summit."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from summit.extensions import db
from summit.homerooms import services
from summit.homerooms.models import HomeroomTable, Seat, TableLock

HTMX = {"HX-Request": "true"}


def seat_of(attendee_id, day):
    return db.session.scalar(select(Seat).where(Seat.attendee_id == attendee_id, Seat.day == day))


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_board_shows_tables_chips_warnings_and_score(app, client, auth, summit_world):
    event, people, organizer = summit_world()
    services.assign(event, seed=1)
    auth.login(organizer)
    home = client.get(f"/admin/e/{event.slug}/")
    assert 'href="/admin/e/hr-summit/homerooms"' in home.text  # nav item and panel
    page = client.get(f"/admin/e/{event.slug}/homerooms?day=2")
    assert page.status_code == 200
    html = page.text
    for table in services.tables_of(event):
        assert f'id="hr-table-{table.id}"' in html
    assert html.count('class="hr-chip ') == len(people)
    assert "Ana00 Ruiz00" in html and "Knox County Schools" in html
    assert 'id="hr-score"' in html and "lower bound" in html
    assert "Re-run for day 2 keeping locks" in html
    assert "the engine took" in html
    assert 'src="/static/js/seating-board.js"' in html
    assert "style=" not in html and "onclick" not in html and "hx-on" not in html
    # 6 districts of 4 on 6 tables of 4-5: warnings, when any, sit on the table they concern.
    data = services.board(event, 2)
    assert any(tv.warnings for tv in data.tables)  # 3 states of 8 on 6 tables: 2 per table
    for tv in data.tables:
        for note in tv.warnings:
            section = re.search(rf'id="hr-table-{tv.table.id}".*?</section>', html, re.S).group(0)
            assert note.reason.replace("'", "&#39;") in section
    role_page = client.get(f"/admin/e/{event.slug}/homerooms?day=1&color=role")
    assert 'class="hr-legend"' in role_page.text


def test_board_redirects_to_tables_when_there_are_none(app, client, auth, make_event, make_staff):
    event = make_event("bare")
    auth.login(make_staff("organizer", event))
    response = client.get(f"/admin/e/{event.slug}/homerooms")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/admin/e/{event.slug}/homerooms/tables")


def test_move_via_htmx_swaps_both_tables_and_the_score(app, client, auth, summit_world):
    event, people, organizer = summit_world()
    services.assign(event, seed=1)
    auth.login(organizer)
    person = people[0]
    source = seat_of(person.id, 1).table_id
    target = next(t for t in services.tables_of(event)
                  if t.id != source and services.seated_count(t.id, 1) < t.seats)
    response = client.post(f"/admin/e/{event.slug}/homerooms/move", headers=HTMX,
                           data={"attendee_id": person.id, "day": 1, "table_id": target.id})
    assert response.status_code == 200
    html = response.text
    assert f'id="hr-table-{source}"' in html and f'id="hr-table-{target.id}"' in html
    assert html.count('hx-swap-oob="true"') == 3  # two tables and the score
    assert 'id="hr-score"' in html
    # The answer: in the toast's live region (its content replaced, so it is announced)...
    assert html.count('<div id="hr-status" hx-swap-oob="innerHTML">') == 1
    assert f"Ana00 Ruiz00 moved to {target.label} for day 1." in html
    target_html = re.search(rf'id="hr-table-{target.id}".*?</section>', html, re.S).group(0)
    assert "Ana00 Ruiz00" in target_html
    # ... and next to the table, where the person was dropped; the chip is marked.
    assert re.search(r'class="hr-note is-ok" id="hr-table-\d+-note">Ana00 Ruiz00 moved here',
                     target_html)
    assert f'is-moved" draggable="true" data-attendee-id="{person.id}"' in target_html
    seat = seat_of(person.id, 1)
    assert seat.table_id == target.id and seat.locked
    assert seat_of(person.id, 2).table_id is not None  # other days untouched


def test_move_to_a_full_table_is_refused_with_a_message(app, client, auth, summit_world):
    event, people, organizer = summit_world(people=10, tables=2, seats=5)
    services.assign(event, seed=1)
    auth.login(organizer)
    person = people[0]
    source = seat_of(person.id, 1).table_id
    other = next(t for t in services.tables_of(event) if t.id != source)
    response = client.post(f"/admin/e/{event.slug}/homerooms/move", headers=HTMX,
                           data={"attendee_id": person.id, "day": 1, "table_id": other.id})
    assert response.status_code == 200
    assert "is full (5 seats) on day 1" in response.text
    assert f'<p class="hr-note is-error" id="hr-table-{other.id}-note" hx-swap-oob="true">' \
        in response.text  # the refusal also sits on the table it was aimed at
    assert 'id="hr-table-' + str(other.id) + '"' not in response.text  # nothing else changed
    assert seat_of(person.id, 1).table_id == source
    # Without htmx the board reloads with the message.
    plain = client.post(f"/admin/e/{event.slug}/homerooms/move",
                        data={"attendee_id": person.id, "day": 1, "table_id": other.id})
    assert plain.status_code == 302
    assert "is full" in client.get(plain.headers["Location"]).text


def test_move_to_the_tray_unseats(app, client, auth, summit_world):
    event, people, organizer = summit_world()
    services.assign(event, seed=1)
    auth.login(organizer)
    response = client.post(f"/admin/e/{event.slug}/homerooms/move", headers=HTMX,
                           data={"attendee_id": people[1].id, "day": 3, "table_id": ""})
    assert 'id="hr-unseated"' in response.text and "Not seated on day 3 (1)" in response.text
    assert seat_of(people[1].id, 3) is None


def test_locks_from_the_board_and_re_run_keeping_them(app, client, auth, summit_world):
    event, people, organizer = summit_world()
    services.assign(event, seed=1)
    auth.login(organizer)
    table = services.tables_of(event)[2]
    response = client.post(f"/admin/e/{event.slug}/homerooms/tables/{table.id}/lock",
                           headers=HTMX, data={"day": 2})
    assert "Unlock table" in response.text and f'id="hr-table-{table.id}"' in response.text
    assert db.session.scalar(select(TableLock).where(TableLock.table_id == table.id))
    response = client.post(f"/admin/e/{event.slug}/homerooms/seat-lock", headers=HTMX,
                           data={"day": 2, "attendee_id": people[0].id})
    assert "Unlock Ana00 Ruiz00's seat" in response.text
    assert seat_of(people[0].id, 2).locked
    pin = client.post(f"/admin/e/{event.slug}/homerooms/seat-pin", headers=HTMX,
                      data={"day": 2, "attendee_id": people[0].id})
    assert "Unpin Ana00 Ruiz00" in pin.text and seat_of(people[0].id, 2).pinned
    members = {s.attendee_id for s in db.session.scalars(
        select(Seat).where(Seat.table_id == table.id, Seat.day == 2))}
    locked_at = seat_of(people[0].id, 2).table_id
    rerun = client.post(f"/admin/e/{event.slug}/homerooms/assign",
                        data={"only_day": 2, "seed": 42})
    assert rerun.status_code == 302
    page = client.get(rerun.headers["Location"])
    assert re.search(r"Seated 1 day\(s\) in \d+\.\d\d s", page.text)
    assert {s.attendee_id for s in db.session.scalars(
        select(Seat).where(Seat.table_id == table.id, Seat.day == 2))} == members
    assert seat_of(people[0].id, 2).table_id == locked_at


def test_assign_and_rebalance_buttons(app, client, auth, summit_world, make_attendee):
    event, people, organizer = summit_world()
    auth.login(organizer)
    page = client.get(f"/admin/e/{event.slug}/homerooms")
    assert "Assign all days" in page.text and "Not seated on day 1 (24)" in page.text
    response = client.post(f"/admin/e/{event.slug}/homerooms/assign", data={"seed": "5"},
                           follow_redirects=True)
    assert "Seated 3 day(s) in" in response.text
    assert "Everyone registered has a seat on day 1." in response.text
    walk_in = make_attendee(event, email="walk@example.org", first_name="Walk", last_name="In")
    page = client.get(f"/admin/e/{event.slug}/homerooms")
    assert "Not seated on day 1 (1)" in page.text
    response = client.post(f"/admin/e/{event.slug}/homerooms/rebalance", data={"from_day": 1},
                           follow_redirects=True)
    assert "Re-balanced from day 1" in response.text
    assert all(seat_of(walk_in.id, d) for d in (1, 2, 3))


def test_tables_page_bulk_create_and_edit(app, client, auth, make_event, make_staff,
                                          make_attendee):
    event = make_event("tables")
    auth.login(make_staff("organizer", event))
    facilitator = make_staff("facilitator", event, email="fac@staff.test")
    person = make_attendee(event, email="lead@example.org", first_name="Lee", last_name="Ader")
    response = client.post(f"/admin/e/{event.slug}/homerooms/tables",
                           data={"count": 60, "seats": 8, "location": "Hall B",
                                 "accessible_every": 10})
    assert response.status_code == 302
    tables = services.tables_of(event)
    assert len(tables) == 60 and {t.seats for t in tables} == {8}
    assert sum(t.accessible for t in tables) == 6
    page = client.get(f"/admin/e/{event.slug}/homerooms/tables")
    assert "60 tables, 480 seats" in page.text
    bad = client.post(f"/admin/e/{event.slug}/homerooms/tables", data={"count": 0, "seats": 8})
    assert bad.status_code == 400
    table = tables[11]
    form = client.get(f"/admin/e/{event.slug}/homerooms/tables/{table.id}")
    assert "fac@staff.test" in form.text
    response = client.post(f"/admin/e/{event.slug}/homerooms/tables/{table.id}", data={
        "number": 12, "name": "", "seats": 10, "location": "Hall C", "accessible": "y",
        "facilitator_user_id": str(facilitator.id), "facilitator_email": person.email})
    assert response.status_code == 302
    db.session.refresh(table)
    assert (table.seats, table.location, table.accessible) == (10, "Hall C", True)
    assert table.facilitator_user_id == facilitator.id
    assert table.facilitator_attendee_id == person.id
    clash = client.post(f"/admin/e/{event.slug}/homerooms/tables/{table.id}", data={
        "number": 1, "seats": 10, "facilitator_user_id": ""})
    assert clash.status_code == 400 and "already has number 1" in clash.text
    table_id = table.id
    client.post(f"/admin/e/{event.slug}/homerooms/tables/{table_id}/delete")
    db.session.expire_all()
    assert db.session.get(HomeroomTable, table_id) is None


def test_rules_prompt_and_accessibility_forms(app, client, auth, summit_world, make_attendee):
    event, people, organizer = summit_world()
    auth.login(organizer)
    response = client.post(f"/admin/e/{event.slug}/homerooms/rules", data={
        "day": 1, "keep_together": f"{people[0].email}, {people[1].email}",
        "keep_apart": "nobody@example.org ana02@example.org"}, follow_redirects=True)
    assert "Not registered for this event: nobody@example.org" in response.text
    response = client.post(f"/admin/e/{event.slug}/homerooms/rules", data={
        "day": 1, "keep_together": f"{people[0].email}, {people[1].email}",
        "keep_apart": f"{people[2].email} {people[3].email}"}, follow_redirects=True)
    assert "Seating rules saved" in response.text
    assert f"{people[0].email}, {people[1].email}" in response.text
    services.assign(event, seed=2)
    for day in (1, 2, 3):
        assert seat_of(people[0].id, day).table_id == seat_of(people[1].id, day).table_id
        assert seat_of(people[2].id, day).table_id != seat_of(people[3].id, day).table_id

    client.post(f"/admin/e/{event.slug}/homerooms/prompt",
                data={"day": 2, "prompt": "Which AI use would you ban tomorrow?"})
    assert services.discussion_prompt(event, 2) == "Which AI use would you ban tomorrow?"
    assert "Which AI use would you ban tomorrow?" in client.get(
        f"/admin/e/{event.slug}/homerooms?day=2").text

    chair = make_attendee(event, email="chair@example.org", accessibility="Wheelchair user")
    page = client.get(f"/admin/e/{event.slug}/homerooms")
    assert "(from the note)" in page.text
    client.post(f"/admin/e/{event.slug}/homerooms/accessibility",
                data={"day": 1, "attendee_id": chair.id, "needs": "0"})
    built = services.build_problem(event)
    assert not next(p for p in built.problem.people if int(p.id) == chair.id).needs_accessible
    client.post(f"/admin/e/{event.slug}/homerooms/accessibility",
                data={"day": 1, "email": people[4].email, "needs": "1"})
    built = services.build_problem(event)
    assert next(p for p in built.problem.people if int(p.id) == people[4].id).needs_accessible


def test_rosters_and_table_tents_pdfs(app, client, auth, summit_world):
    event, people, organizer = summit_world()
    tables = services.tables_of(event)
    tables[0].location = "Hall B"
    db.session.commit()
    services.assign(event, seed=1)
    services.set_prompt(event, 1, "How will your district use AI next year?")
    db.session.commit()
    auth.login(organizer)
    response = client.get(f"/admin/e/{event.slug}/homerooms/rosters.pdf?day=1")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages, text = pdf_text(response.data)
    assert pages == len(tables)
    for person in people:
        assert person.full_name in text
    assert "Knox County Schools" in text and "Principal" in text and "Hall B" in text
    every_day, _ = pdf_text(client.get(f"/admin/e/{event.slug}/homerooms/rosters.pdf").data)
    assert every_day == len(tables) * 3

    tents = client.get(f"/admin/e/{event.slug}/homerooms/tents.pdf?day=1")
    assert tents.status_code == 200
    pages, text = pdf_text(tents.data)
    assert pages == len(tables)
    assert text.count("Table 1") >= 2  # printed on both halves of the fold
    assert "How will your district use AI" in text
    assert "Day 1" in text


def test_export_csv_from_the_board(app, client, auth, summit_world):
    event, people, organizer = summit_world()
    services.assign(event, seed=1)
    auth.login(organizer)
    response = client.get(f"/admin/e/{event.slug}/homerooms/export.csv")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.text.startswith("\ufeff")  # so Excel reads UTF-8 names
    lines = response.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "day,table,email,first_name,last_name,organization,state,role"
    assert len(lines) == 1 + 3 * len(people)


def test_who_may_see_the_board(app, client, auth, summit_world, make_staff):
    event, _, _ = summit_world()
    for role in ("checkin", "facilitator"):
        auth.login(make_staff(role, event))
        assert client.get(f"/admin/e/{event.slug}/homerooms").status_code == 403
        assert client.post(f"/admin/e/{event.slug}/homerooms/assign").status_code == 403
        assert client.get(f"/admin/e/{event.slug}/homerooms/rosters.pdf").status_code == 403
        auth.logout()
    assert client.get(f"/admin/e/{event.slug}/homerooms").status_code == 302  # to sign in


def test_facilitator_sees_their_own_table(app, client, auth, summit_world, make_staff,
                                          make_attendee):
    event, people, organizer = summit_world()
    facilitator = make_staff("facilitator", event)
    other = make_staff("facilitator", event)
    tables = services.tables_of(event)
    tables[1].facilitator_user_id = facilitator.id
    tables[1].accessible = True
    chair = make_attendee(event, email="chair@example.org", first_name="Cara",
                          last_name="Wheels", accessibility="Wheelchair user")
    db.session.commit()
    services.assign(event, seed=1)
    services.set_prompt(event, 1, "What did your district try first?")
    db.session.commit()
    auth.login(facilitator)
    home = client.get(f"/admin/e/{event.slug}/")
    assert "You facilitate Table 2" in home.text
    page = client.get(f"/admin/e/{event.slug}/my-table?day=1")
    assert page.status_code == 200
    assert "<h1>Table 2" in page.text
    assert "What did your district try first?" in page.text
    members = services.members_of(tables[1], 1)
    assert members and all(a.full_name in page.text for a in members)
    assert chair.id in {a.id for a in members}
    # The table's facilitator sees its people's accessibility needs (personal_fields.py).
    assert "Needs an accessible place." in page.text and "Wheelchair user" in page.text
    assert client.get(f"/admin/e/{event.slug}/my-table?table={tables[0].id}").status_code == 404
    auth.logout()
    auth.login(organizer)
    page = client.get(f"/admin/e/{event.slug}/my-table?day=1&table={tables[1].id}")
    assert "Needs an accessible place." in page.text and "Wheelchair user" in page.text
    auth.logout()
    auth.login(other)
    page = client.get(f"/admin/e/{event.slug}/my-table")
    assert "You are not the facilitator of a homeroom table" in page.text


def test_my_summit_panel_shows_each_day_and_consenting_tablemates(app, client, auth,
                                                                   summit_world):
    event, people, _ = summit_world()
    services.assign(event, seed=1)
    me = people[1]
    auth.as_attendee(me)
    page = client.get(f"/e/{event.slug}/me")
    assert page.status_code == 200
    assert 'id="my-homerooms"' in page.text
    for day in (1, 2, 3):
        seat = seat_of(me.id, day)
        assert f"Day {day} · " in page.text and seat.table.label in page.text
        mates = [a for a in services.members_of(seat.table, day) if a.id != me.id]
        for mate in mates:
            if mate.share_contact:
                assert mate.full_name in page.text
    # The count is of the people not listed, and says so (it used to read "with 3 others:"
    # above a list of four names).
    day_one = [a for a in services.members_of(seat_of(me.id, 1).table, 1) if a.id != me.id]
    private = sum(1 for a in day_one if not a.share_contact)
    assert private
    assert f"…and {private} more " in page.text and "keep" in page.text
    hidden = [a for a in people if not a.share_contact and a.id != me.id]
    assert not any(a.full_name in page.text for a in hidden)
    # The foundation's day-one line shows the table too.
    assert 'id="my-homeroom"' in page.text


def test_my_summit_and_the_agenda_name_todays_table(app, client, auth, summit_world):
    """Seating changes every day: the one table shown at the top is today's, and says so."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    event, people, _ = summit_world()
    services.assign(event, seed=1)
    me = people[1]
    assert seat_of(me.id, 1).table.label != seat_of(me.id, 2).table.label
    # Day 2 is today, in a zone where it is about noon (the test cannot cross midnight).
    offset = 12 - datetime.now(UTC).hour
    event.timezone = f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"
    event.start_date = datetime.now(ZoneInfo(event.timezone)).date() - timedelta(days=1)
    db.session.commit()
    auth.as_attendee(me)
    today = seat_of(me.id, 2).table.label
    page = client.get(f"/e/{event.slug}/me").text
    assert f'Homeroom today</dt><dd id="my-homeroom">{today}</dd>' in page
    agenda = client.get(f"/e/{event.slug}/agenda").text
    assert f'Your homeroom today: <strong id="agenda-homeroom">{today}</strong>' in agenda

    event.start_date = datetime.now(ZoneInfo(event.timezone)).date() + timedelta(days=30)
    db.session.commit()
    first = seat_of(me.id, 1).table.label
    page = client.get(f"/e/{event.slug}/me").text
    assert f'Homeroom on day 1</dt><dd id="my-homeroom">{first}</dd>' in page


def test_add_tables_proposes_a_seat_for_everyone_registered(app, client, auth, make_event,
                                                            make_staff, make_attendee):
    event = make_event("proposal")
    for _ in range(13):
        make_attendee(event)
    auth.login(make_staff("organizer", event))

    def proposed() -> tuple[int, int]:
        html = client.get(f"/admin/e/{event.slug}/homerooms/tables").text
        count = re.search(r'id="count"[^>]*value="(\d+)"', html).group(1)
        seats = re.search(r'id="seats"[^>]*value="(\d+)"', html).group(1)
        return int(count), int(seats)

    assert proposed() == (2, 8)  # 16 seats for 13
    services.create_tables(event, 1, 6)
    db.session.commit()
    assert proposed() == (2, 6)  # 6 + 12 seats for 13, at the size already used
    services.create_tables(event, 2, 6)
    db.session.commit()
    assert proposed() == (1, 6)  # 18 seats already: the form still offers one more table
    page = client.get(f"/admin/e/{event.slug}/homerooms/tables").text
    assert "Adds 6 seats: 24 in all for 13 registered, a seat for everyone." in page


def test_a_facilitator_sees_the_accessibility_needs_of_their_own_table_only(
        app, client, auth, make_event, make_staff, make_attendee):
    """summit/personal_fields.py: the facilitator of a homeroom table sees the accessibility
    needs of the people at that table; not their dietary notes, not another table's people."""
    event = make_event("hosts", days=1)
    paula = make_attendee(event, first_name="Paula", accessibility="Hearing loop, front seat",
                          dietary="Vegan")
    olga = make_attendee(event, first_name="Olga", accessibility="Uses a wheelchair")
    fiona, frank = make_staff("facilitator", event), make_staff("facilitator", event)
    first, second = services.create_tables(event, 2, 4)
    first.facilitator_user_id, second.facilitator_user_id = fiona.id, frank.id
    db.session.add_all([Seat(event_id=event.id, table_id=first.id, attendee_id=paula.id, day=1),
                        Seat(event_id=event.id, table_id=second.id, attendee_id=olga.id, day=1)])
    db.session.commit()

    auth.login(fiona)
    page = client.get(f"/admin/e/{event.slug}/my-table?day=1").text
    assert "Paula" in page and "Hearing loop, front seat" in page
    assert "Vegan" not in page and "Olga" not in page and "wheelchair" not in page
    assert client.get(f"/admin/e/{event.slug}/my-table?table={second.id}").status_code == 404
    auth.logout()

    auth.login(frank)
    page = client.get(f"/admin/e/{event.slug}/my-table?day=1").text
    assert "Uses a wheelchair" in page and "Needs an accessible place." in page
    assert "Hearing loop" not in page
    auth.logout()

    # A check-in volunteer has no table page; an organizer may look at any table.
    auth.login(make_staff("organizer", event))
    page = client.get(f"/admin/e/{event.slug}/my-table?table={first.id}&day=1").text
    assert "Hearing loop, front seat" in page


def test_the_boards_buttons_refuse_values_that_do_not_fit_and_change_nothing(
        app, client, auth, summit_world):
    """The board's hidden fields go through form classes: an unreadable id or day, or a day
    the event does not have, is a bad request (400) and no seat moves."""
    event, people, organizer = summit_world()
    services.assign(event, seed=1)
    auth.login(organizer)
    person = people[0]
    seated = seat_of(person.id, 1).table_id
    base = f"/admin/e/{event.slug}/homerooms"
    for data in ({"attendee_id": person.id, "day": 1, "table_id": "abc"},
                 {"attendee_id": "", "day": 1, "table_id": seated},
                 {"attendee_id": person.id, "day": event.days + 1, "table_id": ""},
                 {"attendee_id": person.id, "day": "one", "table_id": ""},
                 {"attendee_id": str(2**70), "day": 1, "table_id": ""}):
        assert client.post(f"{base}/move", headers=HTMX, data=data).status_code == 400, data
    assert seat_of(person.id, 1).table_id == seated
    assert client.post(f"{base}/seat-lock", data={"attendee_id": "x", "day": 1}
                       ).status_code == 400
    assert client.post(f"{base}/assign", data={"seed": "lucky"}).status_code == 400
    assert client.post(f"{base}/rebalance", data={"from_day": "two"}).status_code == 400
    assert client.post(f"{base}/prompt", data={"day": 1, "prompt": "x" * 2001}
                       ).status_code == 400
    assert client.post(f"{base}/accessibility", data={"day": 1}).status_code == 400
    # Missing day: day 1, as before.
    assert client.post(f"{base}/prompt", data={"prompt": "Say hello."}).status_code == 302
