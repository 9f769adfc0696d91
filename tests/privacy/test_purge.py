"""``flask --app summit purge``: retention periods, dry runs and the anonymous counts kept."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from summit.admin.queries import event_counts
from summit.checkin.api import arrivals
from summit.extensions import db
from summit.plans.models import ActionPlan
from summit.privacy.models import ErasedAttendee
from summit.registration.models import Attendee

from .conftest import checkin


def attendees_of(event) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Attendee)
                             .where(Attendee.event_id == event.id))


def test_purge_respects_each_events_retention(runner, world, make_event, make_attendee):
    old = world.event  # March 1-3, 2027, kept 365 days by default
    old.retention_days = 30  # now kept until April 2, 2027
    recent = make_event("recent-summit", start_date=date(2027, 3, 20), days=1,
                        retention_days=60)  # kept until May 19, 2027
    keep = make_attendee(recent, email="keep@example.org")
    checkin(recent, keep, datetime(2027, 3, 20, 13, 0, tzinfo=UTC))
    db.session.commit()
    counts, curve = event_counts(old), arrivals(old)

    # On the last day of the retention period nothing is purged.
    result = runner.invoke(args=["purge", "--today", "2027-04-02"])
    assert result.exit_code == 0, result.output
    assert "Nothing to purge" in result.output
    assert attendees_of(old) == 3

    dry = runner.invoke(args=["purge", "--dry-run", "--today", "2027-04-03"])
    assert dry.exit_code == 0, dry.output
    assert "privacy-summit: would erase 3 attendees (kept until 2027-04-02)" in dry.output
    assert "recent-summit" not in dry.output and "nothing was changed" in dry.output
    db.session.expire_all()
    assert attendees_of(old) == 3

    real = runner.invoke(args=["purge", "--today", "2027-04-03"])
    assert real.exit_code == 0, real.output
    assert "privacy-summit: erased 3 attendees" in real.output
    db.session.expire_all()
    assert attendees_of(old) == 0 and attendees_of(recent) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionPlan)
                             .where(ActionPlan.attendee_id.is_not(None))) == 0
    # The anonymous aggregates stay: check-ins, the arrival curve, registrations per district.
    assert event_counts(old)["checked_in"] == counts["checked_in"] == 3
    assert arrivals(old) == curve
    tallies = db.session.scalars(sa.select(ErasedAttendee)
                                 .where(ErasedAttendee.event_id == old.id)).all()
    assert sorted(t.reason for t in tallies) == ["retention"] * 3
    assert event_counts(recent)["checked_in"] == 1

    again = runner.invoke(args=["purge", "--today", "2027-04-03"])
    assert "Nothing to purge" in again.output
    later = runner.invoke(args=["purge", "--today", "2027-05-20"])
    assert "recent-summit: erased 1 attendees" in later.output


def test_purge_rejects_a_bad_date(runner, app):
    result = runner.invoke(args=["purge", "--today", "tomorrow"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output
