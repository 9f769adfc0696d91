"""A breakout session's check-in list belongs to its session: deleting the session deletes its
attendance, so a session made afterwards (which SQLite gives the same id) starts empty."""

from __future__ import annotations

from sqlalchemy import func, select

from summit.breakouts import services as breakouts
from summit.checkin import api as checkin
from summit.checkin.models import Checkin, CheckinList
from summit.extensions import db


def test_a_new_session_inherits_no_attendance_from_a_deleted_one(client, auth, desk,
                                                                  make_staff):
    event = desk["event"]
    talk = breakouts.save_session(event, breakouts.SessionData(title="AI policy drafting"))
    db.session.commit()
    door = checkin.session_list(event.id, talk.id, talk.title)
    for person in (desk["amber"], desk["ben"]):
        assert checkin.check_in(person, door, source="door").outcome == "checked_in"
    db.session.commit()
    old_id = talk.id
    assert breakouts.attendance_stats([talk])[old_id].attended == 2

    auth.login(make_staff("organizer", event=event))
    deleted = client.post(f"/admin/e/{event.slug}/breakouts/sessions/{old_id}/delete")
    assert deleted.status_code in (200, 302)
    auth.logout()
    # The list and its check-ins went with the session.
    assert db.session.scalar(select(func.count()).select_from(CheckinList)
                             .where(CheckinList.kind == "session")) == 0
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 0

    again = breakouts.save_session(event, breakouts.SessionData(title="Coaching with AI"))
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        assert again.id == old_id  # the case that used to inherit the attendance
    assert breakouts.attendance_stats([again])[again.id].attended == 0
    fresh = checkin.session_list(event.id, again.id, again.title)
    assert fresh.name == "Coaching with AI" and checkin.attendee_ids_on(fresh) == set()
    assert checkin.check_in(desk["amber"], fresh, source="door").outcome == "checked_in"
