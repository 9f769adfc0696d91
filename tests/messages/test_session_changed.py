"""A moved breakout's notices: sent by the job queue through the outbox, one per person and
change, in each person's language, to a real SMTP server; and the mail guards that keep SMTP
out of web requests and out of open transactions."""

from __future__ import annotations

from datetime import time as clock

import pytest
from flask import g
from sqlalchemy import select

from summit.breakouts import services as breakouts
from summit.breakouts.models import Enrollment
from summit.database import TransactionOpenError
from summit.extensions import db
from summit.jobs import Job, run_pending_jobs
from summit.messages import mail
from summit.messages.models import MessageRecipient


@pytest.fixture
def moved(make_event, make_attendee):
    """A session in Room 101 (2 seats) with Amber (English) and Béa (French) in it, Cy
    waiting, and Dee who signed up then cancelled her registration."""
    event = make_event(name="AI Summit")
    small = breakouts.save_room(event, "Room 101", 2, True)
    big = breakouts.save_room(event, "Ballroom A", 2, True)
    slot = breakouts.save_slot(event, 1, clock(9), clock(10))
    session = breakouts.save_session(event, breakouts.SessionData(
        title="AI policy", room_id=small.id, slot_id=slot.id))
    amber = make_attendee(event, first_name="Amber", email="amber@example.org")
    bea = make_attendee(event, first_name="Béa", email="bea@example.org",
                        preferred_language="fr")
    cy = make_attendee(event, first_name="Cy", email="cy@example.org")
    dee = make_attendee(event, first_name="Dee", email="dee@example.org")
    for person in (amber, bea, cy, dee):
        breakouts.sign_up(person, session)
    db.session.commit()
    dee.status = "cancelled"
    db.session.commit()
    return {"event": event, "session": session, "big": big, "slot": slot}


def test_each_person_gets_one_notice_in_their_language(app, smtp, moved):
    told = breakouts.move_session(moved["event"], moved["session"], moved["big"].id,
                                  moved["slot"].id)
    db.session.commit()
    assert told == 4
    assert smtp.messages == [] and db.session.scalar(select(MessageRecipient)) is None
    [job] = db.session.scalars(select(Job)).all()
    assert job.kind == "messages.session_changed"

    assert run_pending_jobs() == 1
    by_address = {str(m["To"]): m for m in smtp.messages}
    assert sorted(by_address) == ["amber@example.org", "bea@example.org", "cy@example.org"]
    english = by_address["amber@example.org"]
    assert english["Subject"] == "Moved: AI policy (AI Summit)"
    text = english.get_content()
    assert "A breakout session you signed up for at AI Summit has moved" in text
    assert "Before: Room 101, Monday, March 1, 09:00–10:00" in text
    assert "Your seat is kept." in text and "/agenda" in text
    french = by_address["bea@example.org"]
    assert french["Subject"] == "Changement : AI policy (AI Summit)"
    text = french.get_content()
    assert "Avant : Room 101, lundi 1 mars" in text and "Maintenant" in text
    assert "Votre place est conservée." in text
    waiting = by_address["cy@example.org"].get_content()
    assert "you are waiting for" in waiting and "Your place on the waitlist is kept." in waiting

    rows = db.session.scalars(select(MessageRecipient)).all()
    assert {r.status for r in rows} == {"sent"} and len({r.reason_key for r in rows}) == 1
    # The same change told again (a retried job, a signal sent twice): nothing more goes out.
    job = db.session.get(Job, job.id)
    job.status, job.attempts = "queued", 0
    db.session.commit()
    assert run_pending_jobs() == 1
    assert len(smtp.messages) == 3
    # A new change is news again.
    breakouts.move_session(moved["event"], moved["session"], None, moved["slot"].id)
    db.session.commit()
    run_pending_jobs()
    assert len(smtp.messages) == 6
    again = {str(m["To"]): m.get_content() for m in smtp.messages[3:]}
    assert "Now:    room to be announced" in again["amber@example.org"]
    assert "salle à confirmer" in again["bea@example.org"]


def test_a_refused_notice_stays_in_the_outbox_and_the_move_stands(app, client, auth, smtp,
                                                                   moved, make_staff):
    """It used to answer 500 after emailing some, with no outbox record."""
    smtp.refusals = ["550 5.1.1 No such mailbox"]
    auth.login(make_staff("organizer", event=moved["event"]))
    answer = client.post(f"/admin/e/{moved['event'].slug}/breakouts/sessions/"
                         f"{moved['session'].id}/move",
                         data={"room_id": moved["big"].id, "slot_id": moved["slot"].id})
    assert answer.status_code == 302
    assert db.session.get(type(moved["session"]), moved["session"].id).room_id == \
        moved["big"].id
    run_pending_jobs()
    rows = db.session.scalars(select(MessageRecipient).order_by(MessageRecipient.id)).all()
    assert [r.status for r in rows] == ["failed", "sent", "sent"]
    assert "550" in rows[0].last_error
    assert len(smtp.messages) == 2
    assert db.session.scalar(select(Enrollment).where(Enrollment.attendee_id == rows[0]
                                                      .attendee_id)) is not None


def test_no_smtp_inside_a_web_request_or_an_open_transaction(app, smtp):
    message = mail.new_message("Hello", "amber@example.org")
    message.set_content("Hi")
    with app.test_request_context("/e/x/plan/1/email", method="POST"), \
            pytest.raises(mail.SmtpInWebRequest):
        mail.transmit(message)
    db.session.execute(select(1))  # a transaction is open now
    with pytest.raises(TransactionOpenError):
        mail.transmit(message)
    db.session.commit()
    with app.test_request_context("/", method="GET"):
        g.job_id = 1  # how the job runner marks its request context
        assert mail.transmit(message) is None
    assert len(smtp.messages) == 1 and smtp.messages[0]["To"] == "amber@example.org"
