"""Homerooms, breakouts and messages declare their personal data: exported, then erased."""

from __future__ import annotations

from datetime import time

import sqlalchemy as sa

from summit.extensions import db
from summit.privacy.services import erase_attendee, export_attendee


def test_seats_signups_and_emails_are_exported_and_erased(app, make_event, make_attendee):
    from summit.breakouts.models import (
        BreakoutSession,
        CalendarKey,
        Enrollment,
        Room,
        SessionFacilitator,
        Slot,
    )
    from summit.homerooms.models import HomeroomRules, HomeroomTable, Seat
    from summit.messages.models import MailPreference, MessageRecipient

    event = make_event()
    ada = make_attendee(event, first_name="Ada", email="ada@example.org")
    grace = make_attendee(event, first_name="Grace", email="grace@example.org")
    table = HomeroomTable(event_id=event.id, number=7, seats=8, location="Hall B",
                          facilitator_attendee_id=ada.id)
    room = Room(event_id=event.id, name="Room 101", capacity=1)
    slot = Slot(event_id=event.id, day=1, starts=time(10), ends=time(11))
    db.session.add_all([table, room, slot])
    db.session.flush()
    session = BreakoutSession(event_id=event.id, title="AI policy", room_id=room.id,
                              slot_id=slot.id, capacity=1)
    db.session.add(session)
    db.session.flush()
    db.session.add_all([
        Seat(event_id=event.id, table_id=table.id, attendee_id=ada.id, day=1),
        Enrollment(session_id=session.id, attendee_id=ada.id, status="enrolled"),
        Enrollment(session_id=session.id, attendee_id=grace.id, status="waitlisted",
                   waitlist_position=1),
        SessionFacilitator(session_id=session.id, email="ada@example.org", name="Ada",
                           attendee_id=ada.id),
        CalendarKey(attendee_id=ada.id, secret="s" * 40),
        MailPreference(attendee_id=ada.id, optional_mail=False),
        MessageRecipient(event_id=event.id, attendee_id=ada.id, reason_key="confirmation",
                         to_address="ada@example.org", subject="Welcome Ada",
                         body_text="Hello Ada"),
        HomeroomRules(event_id=event.id, keep_together=[["ada@example.org", "grace@example.org"]],
                      keep_apart=[["ada@example.org", "x@example.org"]], seed=0),
    ])
    db.session.commit()

    data = export_attendee(ada)
    assert data["homerooms"]["tables"] == [{"day": 1, "table": 7, "location": "Hall B"}]
    assert data["breakouts"]["sessions"][0]["title"] == "AI policy"
    assert data["messages"]["emails"][0]["subject"] == "Welcome Ada"
    assert data["messages"]["optional_mail"] is False

    ada_id = ada.id
    erase_attendee(ada)
    db.session.commit()
    for model in (Seat, Enrollment, CalendarKey, MailPreference, MessageRecipient):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)
                                 .where(model.attendee_id == ada_id)) == 0, model
    # Grace was waiting for Ada's seat: she has it now.
    assert db.session.scalar(sa.select(Enrollment.status)
                             .where(Enrollment.attendee_id == grace.id)) == "enrolled"
    rules = db.session.scalar(sa.select(HomeroomRules))
    assert rules.keep_together == [] and rules.keep_apart == []
    assert db.session.get(HomeroomTable, table.id).facilitator_attendee_id is None
    assert db.session.scalar(sa.select(SessionFacilitator.email)) == ""


def test_live_check_in_counts_survive_an_erasure(app, make_event, make_attendee):
    from summit.checkin.services import check_in, entrance_list, live_stats

    event = make_event()
    ada, grace = make_attendee(event), make_attendee(event)
    check_in(ada, entrance_list(event), by_user=None, source="desk")
    check_in(grace, entrance_list(event), by_user=None, source="desk")
    db.session.commit()
    before = live_stats(event)
    erase_attendee(ada)
    db.session.commit()
    after = live_stats(event)
    for key in ("registered", "checked_in", "arrivals", "percent"):
        assert after[key] == before[key], key
    assert sum(d["checked_in"] for d in after["districts"]) == 2


def test_badge_corrections_prints_and_batch_pdfs_are_erased(app, make_event, make_attendee):
    from summit.badges.models import BadgeBatch, BadgeOverride, BadgePrint

    event = make_event()
    ada = make_attendee(event, first_name="Ada")
    batch = BadgeBatch(event_id=event.id, stock="avery-5392", attendee_ids=[ada.id], count=1,
                       pdf=b"%PDF-1.7 Ada", pdf_size=12)
    db.session.add_all([batch, BadgeOverride(attendee_id=ada.id, first_name="Addie")])
    db.session.flush()
    db.session.add(BadgePrint(event_id=event.id, attendee_id=ada.id, batch_id=batch.id,
                              stock="avery-5392"))
    db.session.commit()
    assert export_attendee(ada)["badges"]["badge_text_corrections"]["first_name"] == "Addie"
    ada_id = ada.id
    erase_attendee(ada)
    db.session.commit()
    for model in (BadgeOverride, BadgePrint):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)
                                 .where(model.attendee_id == ada_id)) == 0
    db.session.refresh(batch)
    assert batch.pdf is None and batch.attendee_ids == []
