"""A two-day summit: scans arrive through the real paths (the desk, the API with ``session``
and ``scanned_at``, a table tent), and every attendee's hours come out exact."""

from __future__ import annotations

from sqlalchemy import func, select

from summit.audit import AuditLog
from summit.breakouts.program.models import ProgramBlock
from summit.checkin.models import Checkin
from summit.credits import services
from summit.credits.models import Certificate, CreditActivity
from summit.extensions import db
from tests.credits.conftest import iso, local

WORKSHOP_CSV = ("title,day,start,end,credit_minutes,evidence,room\n"
                "Leadership Action Planning Workshop,2,10:15,12:00,90,entrance,\n")


def desk_scan(app, auth_client, event, person):
    return auth_client.post(f"/admin/e/{event.slug}/checkin/scan",
                            data={"code": person.checkin_code, "source": "camera"})


def api_scan(client, setup, person, **extra):
    return client.post(f"/api/v1/events/{setup['event'].slug}/checkins",
                       json={"code": person.checkin_code, **extra},
                       headers={"Authorization": f"Bearer {setup['token']}"})


def staff_client(app, user):
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    return client


def hours_of(app, setup, name):
    book = services.ledger_for(setup["event"], setup[name], app.config["SECRET_KEY"])
    return book


def run_the_summit(app, client, auth, runner, setup, clock):
    event, sessions = setup["event"], setup["sessions"]
    # The workshop comes from the organizer's CSV, through the command.
    path = app.instance_path + "/workshop.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(WORKSHOP_CSV)
    result = runner.invoke(args=["credits", "activities", event.slug, path])
    assert result.exit_code == 0, result.output
    desk = staff_client(app, setup["volunteer"])
    # Day 1: Amber at the desk at 08:45, Ben late at 09:20; Cora's scan was made offline at
    # 08:30 by a scanner that uploads it in the evening, with the room-door scans.
    clock(local(1, 8, 45))
    assert desk_scan(app, desk, event, setup["Amber"]).status_code == 200
    clock(local(1, 9, 20))
    assert desk_scan(app, desk, event, setup["Ben"]).status_code == 200
    clock(local(1, 19))
    assert api_scan(client, setup, setup["Cora"], scanned_at=iso(1, 8, 30)).status_code == 201
    assert api_scan(client, setup, setup["Amber"], session=sessions["A"].id,
                    scanned_at=iso(1, 13, 2)).status_code == 201
    assert api_scan(client, setup, setup["Ben"], session=sessions["B"].id,
                    scanned_at=iso(1, 13, 10)).status_code == 201
    assert api_scan(client, setup, setup["Cora"], session=sessions["A"].id,
                    scanned_at=iso(1, 13, 20)).status_code == 201     # late
    # Day 2: Amber at the desk again (already checked in: that day's arrival), at her table at
    # 09:05; Ben at his table at 09:30 (late); Amber at session C's door.
    clock(local(2, 8, 50))
    assert desk_scan(app, desk, event, setup["Amber"]).status_code == 200
    clock(local(2, 9, 5))
    auth.as_attendee(setup["Amber"])
    assert client.get(f"/e/{event.slug}/t/{setup['table'].id}").status_code == 200
    ben = app.test_client()
    ben.get(f"/me/{setup['Ben'].personal_secret}")
    clock(local(2, 9, 30))
    assert ben.get(f"/e/{event.slug}/t/{setup['table'].id}").status_code == 200
    clock(local(2, 13, 1))
    assert api_scan(client, setup, setup["Amber"], session=sessions["C"].id).status_code == 201
    # Cora forgot to scan at session A in time: the organizer grants it, with a reason.
    services.correct(event, setup["Cora"], f"s{sessions['A'].id}", granted=True,
                     reason="Seen by the facilitator", by_user=setup["organizer"])
    db.session.commit()


def test_every_attendees_hours_come_out_exact(app, client, auth, runner, two_days, clock):
    run_the_summit(app, client, auth, runner, two_days, clock)
    amber = hours_of(app, two_days, "Amber")
    # keynote 90 + session A 75 + homeroom 60 + workshop 90 + session C 60 = 375 min (6.25 h),
    # rounded down to the half hour.
    assert [(line.activity.title, line.minutes, line.evidence) for line in amber.lines] == [
        ("Opening keynote", 90, "entrance"),
        ("AI policy drafting", 75, "room"), ("Coaching with AI", 0, None),
        ("Homeroom time", 60, "table"),
        ("Leadership Action Planning Workshop", 90, "entrance"),
        ("Data privacy for leaders", 60, "room")]
    assert (amber.earned_minutes, amber.total_minutes) == (375, 360)
    ben = hours_of(app, two_days, "Ben")
    assert {line.activity.title: line.problem for line in ben.lines if line.problem} == {
        "Opening keynote": "late", "AI policy drafting": "no_scan",
        "Homeroom time": "late", "Leadership Action Planning Workshop": "no_scan",
        "Data privacy for leaders": "no_scan"}
    assert (ben.earned_minutes, ben.total_minutes) == (75, 60)
    cora = hours_of(app, two_days, "Cora")
    assert [(line.activity.title, line.evidence) for line in cora.lines if line.minutes] == [
        ("Opening keynote", "entrance"), ("AI policy drafting", "granted")]
    assert (cora.earned_minutes, cora.total_minutes) == (165, 150)


def test_the_audit_log_keeps_the_scan_time_and_the_upload_time(app, client, two_days, clock):
    clock(local(1, 19))
    assert api_scan(client, two_days, two_days["Cora"], scanned_at=iso(1, 8, 30)
                    ).status_code == 201
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "checkin.created"))
    assert row.after["scanned_at"] == local(1, 8, 30).isoformat()
    assert row.at == local(1, 19)
    checkin = db.session.scalar(select(Checkin))
    assert checkin.at == local(1, 8, 30)


def test_feedback_unlocks_a_days_hours(app, client, auth, runner, two_days, clock):
    run_the_summit(app, client, auth, runner, two_days, clock)
    settings = services.settings_of(two_days["event"], create=True)
    settings.feedback_required = True
    db.session.commit()
    amber = hours_of(app, two_days, "Amber")
    assert amber.locked_by_day == {1: 165, 2: 210} and amber.total_minutes == 0
    auth.as_attendee(two_days["Amber"])
    clock(local(2, 16))
    page = client.get(f"/e/{two_days['event'].slug}/credits").get_data(as_text=True)
    assert "Give feedback on Day 2 to unlock 3.5 hours" in page
    for day in (1, 2):
        answer = client.post(f"/e/{two_days['event'].slug}/feedback/d{day}",
                             data={"rating": "5", "learned": "Much"})
        assert answer.status_code == 302
    assert hours_of(app, two_days, "Amber").total_minutes == 360


def test_the_certificate_and_its_verification(app, client, auth, runner, two_days, clock):
    run_the_summit(app, client, auth, runner, two_days, clock)
    auth.as_attendee(two_days["Amber"])
    page = client.get(f"/e/{two_days['event'].slug}/credits").get_data(as_text=True)
    assert "Download your certificate" in page
    pdf = client.get(f"/e/{two_days['event'].slug}/credits/certificate.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    certificate = db.session.scalar(select(Certificate).where(
        Certificate.attendee_id == two_days["Amber"].id))
    shown = app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "This certificate is valid." in shown and "Amber Tester" in shown
    assert "amber@example.org" not in shown and "Knox" not in shown
    assert ">6<" in shown
    # A correction makes a new certificate; the old code says so.
    services.correct(two_days["event"], two_days["Amber"], f"s{two_days['sessions']['C'].id}",
                     granted=False, reason="Left at once", by_user=two_days["organizer"])
    db.session.commit()
    client.get(f"/e/{two_days['event'].slug}/credits")
    old = app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "This certificate was corrected" in old
    assert app.test_client().get("/verify/" + "a" * 20).status_code == 404


def test_exports_have_the_issues_columns(app, client, auth, runner, two_days, clock, tmp_path):
    run_the_summit(app, client, auth, runner, two_days, clock)
    out = tmp_path / "rows.csv"
    result = runner.invoke(args=["credits", "export", two_days["event"].slug, "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0] == ("email,first_name,last_name,organization,role,activity,date,start,end,"
                        "evidence,credited_minutes")
    assert len(lines) == 1 + 5 + 1 + 2
    result = runner.invoke(args=["credits", "export", two_days["event"].slug, "--summary"])
    rows = result.output.splitlines()
    assert rows[0] == ("email,first_name,last_name,organization,role,total_hours,"
                       "requirements_met,certificate_code,verify_url")
    amber = next(r for r in rows if r.startswith("amber@"))
    assert ",6,yes," in amber and "http://summit.test/verify/" in amber


def test_the_certificates_command_renders_one_pdf(app, client, auth, runner, two_days, clock,
                                                  tmp_path):
    run_the_summit(app, client, auth, runner, two_days, clock)
    out = tmp_path / "all.pdf"
    result = runner.invoke(args=["credits", "certificates", two_days["event"].slug, "-o",
                                 str(out)])
    assert result.exit_code == 0, result.output
    import pypdfium2

    assert len(pypdfium2.PdfDocument(str(out))) == 3


# --- bad input: a clear message, nothing changed ------------------------------------------------


def counts():
    return (db.session.scalar(select(func.count()).select_from(ProgramBlock)),
            db.session.scalar(select(func.count()).select_from(CreditActivity)))


def test_bad_activity_files_change_nothing(app, runner, two_days, tmp_path):
    before = counts()
    cases = {
        "overlap": "Deep dive,1,09:30,10:00,30,entrance,\n",
        "outside": "Day three,3,09:00,10:00,60,entrance,\n",
        "zero": "Nothing,2,14:30,15:00,0,entrance,\n",
        "negative": "Less,2,14:30,15:00,-30,entrance,\n",
        "absurd": "Forever,2,14:30,15:00,100000,entrance,\n",
        "evidence": "Odd,2,14:30,15:00,30,badge,\n",
    }
    for name, row in cases.items():
        path = tmp_path / f"{name}.csv"
        path.write_text("title,day,start,end,credit_minutes,evidence,room\n"
                        "Fine row,2,15:00,15:30,30,entrance,\n" + row)
        result = runner.invoke(args=["credits", "activities", two_days["event"].slug,
                                     str(path)])
        assert result.exit_code != 0, name
        assert "row 3:" in result.output and "nothing was imported" in result.output, name
        assert counts() == before, name


def test_bad_scan_times_are_refused_and_store_nothing(app, client, two_days, clock):
    clock(local(2, 12))
    session = two_days["sessions"]["A"].id
    for value, says in (("2027-03-02T13:00:00-06:00", "future"),
                        ("2028-03-01T09:00:00-06:00", "future"),
                        ("2026-03-01T09:00:00-06:00", "not one of the event's days"),
                        ("2027-03-01T09:00:00", "offset"),
                        ("soon", "ISO 8601")):
        answer = api_scan(client, two_days, two_days["Amber"], session=session,
                          scanned_at=value)
        assert answer.status_code == 422 and says in answer.get_json()["error"], value
    assert api_scan(client, two_days, two_days["Amber"], session=999999).status_code == 404
    assert api_scan(client, two_days, two_days["Amber"], session="A").status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 0


def test_bad_block_credit_is_refused(app, two_days):
    from summit.breakouts.api import program_blocks_of

    keynote = next(b for b in program_blocks_of(two_days["event"])
                   if b.title == "Opening keynote")
    lunch = next(b for b in program_blocks_of(two_days["event"]) if b.title == "Lunch")
    for minutes in (0, -5, 91, 10**9, None):
        try:
            services.set_block_credit(two_days["event"], keynote.id, minutes, "entrance")
        except services.CreditError as exc:
            assert str(exc)
        else:
            raise AssertionError(minutes)
    try:
        services.set_block_credit(two_days["event"], lunch.id, 30, "entrance")
    except services.CreditError as exc:
        assert "Meals" in str(exc)
    db.session.rollback()
    assert counts()[1] == 0


def test_the_sessions_endpoint_lists_ids_titles_rooms_and_times(client, two_days):
    answer = client.get(f"/api/v1/events/{two_days['event'].slug}/sessions",
                        headers={"Authorization": f"Bearer {two_days['token']}"})
    assert answer.status_code == 200
    first = answer.get_json()["sessions"][0]
    assert first["title"] == "AI policy drafting" and first["room"] == "Room 204"
    assert first["starts"] == "2027-03-01T13:00:00-06:00" and first["day"] == 1
    assert client.get(f"/api/v1/events/{two_days['event'].slug}/sessions").status_code == 401


# --- after the event ------------------------------------------------------------------------


def test_certificates_are_emailed_once_in_each_attendees_language(app, client, auth, runner,
                                                                   two_days, clock):
    from summit.messages.models import MessageRecipient

    run_the_summit(app, client, auth, runner, two_days, clock)
    two_days["Cora"].preferred_language = "fr"
    db.session.commit()
    # Before the event has ended: nothing.
    from datetime import date

    from summit.credits import documents

    assert documents.email_certificates(two_days["event"], app.config["SECRET_KEY"],
                                        today=date(2027, 3, 2)) == 0
    for _ in range(2):
        result = runner.invoke(args=["credits", "email", "--today", "2027-03-03"])
        assert result.exit_code == 0, result.output
    rows = {row.to_address: row for row in db.session.scalars(select(MessageRecipient))}
    assert set(rows) == {"amber@example.org", "ben@example.org", "cora@example.org"}
    assert "certificate of professional learning" in rows["amber@example.org"].subject
    assert "attestation de formation professionnelle" in rows["cora@example.org"].subject
    assert "http://summit.test/verify/" in rows["cora@example.org"].body_text


def test_credit_records_outlive_the_attendees_erasure(app, client, auth, runner, two_days,
                                                      clock):
    from summit.credits.models import CreditScan
    from summit.privacy.services import erase_attendee

    run_the_summit(app, client, auth, runner, two_days, clock)
    amber_id = two_days["Amber"].id
    erase_attendee(two_days["Amber"], reason="retention")
    db.session.commit()
    kept = db.session.scalar(select(Certificate).where(Certificate.email == "amber@example.org"))
    assert kept is not None and kept.attendee_id is None and kept.total_minutes == 360
    assert kept.keep_until.year == 2034
    assert not db.session.scalars(select(CreditScan).where(
        CreditScan.attendee_id == amber_id)).all()
    assert "This certificate is valid." in app.test_client().get(
        f"/verify/{kept.code}").get_data(as_text=True)
    result = runner.invoke(args=["credits", "purge"])
    assert "0 expired" in result.output
    services.purge_expired(today=kept.keep_until.replace(year=kept.keep_until.year + 1))
    db.session.commit()
    assert db.session.get(Certificate, kept.id) is None


# --- the organizer's page -------------------------------------------------------------------


def test_organizer_settings_corrections_requests_and_a_batch(app, client, auth, runner,
                                                             two_days, clock):
    from summit import jobs
    from summit.credits.models import CertificateBatch, CreditRequest

    run_the_summit(app, client, auth, runner, two_days, clock)
    event = two_days["event"]
    # Ben asks for a correction from his ledger.
    ben = app.test_client()
    ben.get(f"/me/{two_days['Ben'].personal_secret}")
    keynote = next(a for a in services.activities_of(event) if a.title == "Opening keynote")
    assert ben.post(f"/e/{event.slug}/credits", data={
        "activity": keynote.key, "message": "The line was long"}).status_code == 302
    assert "Correction requested" in ben.get(f"/e/{event.slug}/credits").get_data(as_text=True)
    organizer = staff_client(app, two_days["organizer"])
    page = organizer.get(f"/admin/e/{event.slug}/credits")
    assert page.status_code == 200 and "The line was long" in page.get_data(as_text=True)
    request_row = db.session.scalar(select(CreditRequest))
    assert organizer.post(f"/admin/e/{event.slug}/credits", data={
        "action": "answer_grant", "request_id": request_row.id,
        "answer": "Checked with the desk"}).status_code == 302
    assert hours_of(app, two_days, "Ben").total_minutes == 150  # 75 + 90 = 165 -> 2.5 h
    # A removal needs a reason; without one nothing changes.
    refused = organizer.post(f"/admin/e/{event.slug}/credits", data={
        "action": "remove", "attendee_id": two_days["Ben"].id, "activity": keynote.key,
        "reason": " "})
    assert refused.status_code == 400 and "reason" in refused.get_data(as_text=True)
    assert hours_of(app, two_days, "Ben").total_minutes == 150
    # Settings: quarter-hour rounding; a bad window is refused with a message.
    bad = organizer.post(f"/admin/e/{event.slug}/credits", data={
        "action": "settings", "credit_name": "Clock hours", "arrival_window": "-3",
        "exit_min_share": "75", "rounding": "quarter", "retention_years": "7"})
    assert bad.status_code == 400 and "arrival window" in bad.get_data(as_text=True)
    assert organizer.post(f"/admin/e/{event.slug}/credits", data={
        "action": "settings", "credit_name": "Clock hours", "provider_name": "Puget Sound ESD",
        "arrival_window": "15", "exit_min_share": "75", "rounding": "quarter",
        "retention_years": "7"}).status_code == 302
    assert hours_of(app, two_days, "Ben").total_minutes == 165
    # Every certificate, as a background job with progress.
    assert organizer.post(f"/admin/e/{event.slug}/credits",
                          data={"action": "batch"}).status_code == 302
    batch = db.session.scalar(select(CertificateBatch))
    jobs.run_pending_jobs()
    db.session.expire_all()
    batch = db.session.get(CertificateBatch, batch.id)
    assert batch.status == "done" and batch.pdf.startswith(b"%PDF")
    assert len(batch.certificate_ids) == 3
    status = organizer.get(f"/admin/e/{event.slug}/credits/batches").get_data(as_text=True)
    assert "Download the PDF" in status
    pdf = organizer.get(f"/admin/e/{event.slug}/credits/batches/{batch.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    export = organizer.get(f"/admin/e/{event.slug}/credits/export.csv?summary=1")
    assert export.mimetype == "text/csv" and "requirements_met" in export.get_data(as_text=True)


def test_an_exit_scan_at_the_door_proves_the_share(app, client, two_days, clock):
    settings = services.settings_of(two_days["event"], create=True)
    settings.exit_scan, settings.exit_min_share = True, 75
    db.session.commit()
    clock(local(1, 19))
    session_a, session_b = two_days["sessions"]["A"].id, two_days["sessions"]["B"].id
    for person, session, arrived, left in (("Amber", session_a, (13, 2), (14, 10)),
                                           ("Ben", session_b, (13, 5), (13, 40)),
                                           ("Cora", session_a, (13, 0), None)):
        assert api_scan(client, two_days, two_days[person], session=session,
                        scanned_at=iso(1, *arrived)).status_code == 201
        if left:  # the second scan at the same door: already checked in, and leaving
            answer = api_scan(client, two_days, two_days[person], session=session,
                              scanned_at=iso(1, *left))
            assert answer.status_code == 200
    lines = {name: {line.activity.title: line for line in hours_of(app, two_days, name).lines}
             for name in ("Amber", "Ben", "Cora")}
    assert lines["Amber"]["AI policy drafting"].minutes == 75        # 68 of 75 minutes
    assert lines["Ben"]["Coaching with AI"].problem == "left_early"   # 35 of 75
    assert lines["Cora"]["AI policy drafting"].problem == "no_exit"
