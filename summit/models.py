"""Every model, imported in one place so Alembic and ``db.create_all`` see the whole schema."""

import summit.badges.models  # noqa: F401  (badge settings, corrections, batches, prints)
import summit.breakouts.models  # noqa: F401  (rooms, slots, sessions, enrollments)
import summit.breakouts.program.models  # noqa: F401  (plenary blocks, embed settings)
import summit.community.models  # noqa: F401  (communities of practice: series, meetings)
import summit.credits.models  # noqa: F401  (credit settings, activities, ledger, certificates)
import summit.homerooms.models  # noqa: F401  (tables, seats, rules)
import summit.live.models  # noqa: F401  (live rooms, questions, upvotes, polls, votes)
import summit.messages.models  # noqa: F401  (outbox, announcements, preferences)
import summit.plans.models  # noqa: F401  (action plans, feedback, topics)
import summit.selfcheckin.models  # noqa: F401  (homeroom presence)
from summit.audit import AuditLog
from summit.auth.models import ApiToken, EventRole, LoginFailure, StaffUser
from summit.checkin.models import Checkin, CheckinList
from summit.events.models import Event, Organization
from summit.jobs import Job
from summit.privacy.models import ErasedAttendee, ErasedCheckin
from summit.registration.models import Attendee, JoinRequest, OrganizationDomain

__all__ = [
    "ApiToken",
    "Attendee",
    "AuditLog",
    "ErasedAttendee",
    "ErasedCheckin",
    "Checkin",
    "CheckinList",
    "Event",
    "EventRole",
    "Job",
    "JoinRequest",
    "LoginFailure",
    "Organization",
    "OrganizationDomain",
    "StaffUser",
]
