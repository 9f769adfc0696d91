"""After-action reviews of each day and each breakout: four questions and a 1–5 rating.

Anonymous feedback stores no link to the attendee. A second submission is still refused: the
row keeps ``submitter_token``, a keyed hash of (event, attendee, target) that cannot be turned
back into the attendee without the application's secret key.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from summit.breakouts.api import attended_session_ids, sessions_of
from summit.database import utcnow
from summit.events.models import Event
from summit.extensions import db
from summit.plans.models import N_, Feedback
from summit.registration.api import Attendee

QUESTIONS = [
    ("supposed", N_("What was supposed to happen?")),
    ("actual", N_("What actually happened?")),
    ("learned", N_("What did we learn?")),
    ("adjust", N_("What will we adjust?")),
]


class AlreadyGiven(Exception):
    pass


class FeedbackError(ValueError):
    pass


@dataclass(frozen=True)
class Target:
    day: int
    session_id: int | None
    label: str

    @property
    def key(self) -> str:
        return f"s{self.session_id}" if self.session_id else f"d{self.day}"


def targets(event: Event) -> list[Target]:
    """Every day of the event, then every breakout session, each on its own day (a session not
    yet in a time slot is filed on day 1)."""
    return [target for target, _starts in _targets_with_starts(event)]


def _targets_with_starts(event: Event) -> list[tuple[Target, datetime | None]]:
    tz = event.tz
    out = [(Target(day=n, session_id=None, label=f"Day {n} · {d:%A %-d %B}"),
            datetime.combine(d, time(0), tzinfo=tz))
           for n, d in enumerate(event.day_dates(), start=1)]
    out.extend((Target(day=session.day or 1, session_id=session.id, label=session.title),
                session.starts)
               for session in sessions_of(event))
    return out


def offered_targets(event: Event, attendee: Attendee, now: datetime | None = None
                    ) -> list[Target]:
    """What ``attendee`` is asked about: each day once it has started (in the event's time
    zone), and each breakout session once it has started, if they took part in it (checked in
    at its door, or holding a seat where the door was not scanned: ``attended_session_ids``)."""
    now = now or utcnow()
    attended = attended_session_ids(event, attendee.id)
    return [target for target, starts in _targets_with_starts(event)
            if starts is not None and starts <= now
            and (target.session_id is None or target.session_id in attended)]


def why_not_offered(event: Event, attendee: Attendee, target: Target,
                    now: datetime | None = None) -> str | None:
    """``None`` when ``target`` is offered to ``attendee``; else ``"not_started"`` or
    ``"not_attended"``."""
    now = now or utcnow()
    starts = next((st for t, st in _targets_with_starts(event) if t.key == target.key), None)
    if starts is None or starts > now:
        return "not_started"
    if target.session_id is not None and \
            target.session_id not in attended_session_ids(event, attendee.id):
        return "not_attended"
    return None


def find_target(event: Event, day: int | None, session_id: int | None) -> Target | None:
    for target in targets(event):
        if session_id and target.session_id == session_id:
            return target
        if not session_id and target.session_id is None and target.day == day:
            return target
    return None


def submitter_token(secret_key: str, event: Event, attendee: Attendee, target: Target) -> str:
    message = f"feedback:{event.id}:{attendee.id}:{target.key}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def given_keys(secret_key: str, event: Event, attendee: Attendee) -> set[str]:
    tokens = {submitter_token(secret_key, event, attendee, t): t.key for t in targets(event)}
    found = db.session.scalars(select(Feedback.submitter_token).where(
        Feedback.event_id == event.id, Feedback.submitter_token.in_(list(tokens))))
    return {tokens[t] for t in found}


def submit(secret_key: str, event: Event, attendee: Attendee, target: Target, answers: dict,
           rating: int | None, anonymous: bool) -> Feedback:
    if rating not in (1, 2, 3, 4, 5):
        raise FeedbackError(N_("Please give a rating from 1 to 5."))
    texts = {key: (answers.get(key) or "").strip()[:5000] for key, _ in QUESTIONS}
    row = Feedback(event_id=event.id, day=target.day, session_id=target.session_id,
                   target_key=target.key, label=target.label[:300],
                   attendee_id=None if anonymous else attendee.id, anonymous=anonymous,
                   submitter_token=submitter_token(secret_key, event, attendee, target),
                   rating=rating, **texts)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError as exc:
        raise AlreadyGiven() from exc
    return row


def summary(event: Event) -> list[dict]:
    """Per target: count, average rating, rating histogram, and the answers."""
    stats = {key: (count, avg) for key, count, avg in db.session.execute(
        select(Feedback.target_key, func.count(Feedback.id), func.avg(Feedback.rating))
        .where(Feedback.event_id == event.id).group_by(Feedback.target_key))}
    known = {t.key: t for t in targets(event)}
    rows = []
    for key in list(known) + sorted(k for k in stats if k not in known):
        count, avg = stats.get(key, (0, None))
        target = known.get(key)
        label = target.label if target else db.session.scalar(
            select(Feedback.label).where(Feedback.event_id == event.id,
                                         Feedback.target_key == key).limit(1))
        rows.append({"key": key, "label": label, "count": count,
                     "average": round(float(avg), 2) if avg is not None else None,
                     "is_session": key.startswith("s"),
                     "day": target.day if target else None})
    return rows


def entries(event: Event, key: str) -> list[Feedback]:
    return list(db.session.scalars(
        select(Feedback).where(Feedback.event_id == event.id, Feedback.target_key == key)
        .order_by(Feedback.created_at)))


RATINGS = (1, 2, 3, 4, 5)


def distributions(event: Event) -> dict[str, list[int]]:
    """Per target key: how many gave each rating, ``[ones, twos, threes, fours, fives]``."""
    out: dict[str, list[int]] = {}
    for key, rating, count in db.session.execute(
            select(Feedback.target_key, Feedback.rating, func.count(Feedback.id))
            .where(Feedback.event_id == event.id)
            .group_by(Feedback.target_key, Feedback.rating)):
        if rating in RATINGS:
            out.setdefault(key, [0] * len(RATINGS))[rating - 1] = count
    return out


def answer_counts(rows: list[Feedback]) -> dict[str, int]:
    """How many of ``rows`` answered each question (an empty answer is no answer)."""
    return {key: sum(1 for row in rows if getattr(row, key).strip()) for key, _ in QUESTIONS}


EXPORT_COLUMNS = ("day", "session", "rating", *(key for key, _ in QUESTIONS), "anonymous",
                  "first_name", "last_name", "submitted_at")


def export_rows(event: Event, key: str | None = None) -> list[dict[str, str]]:
    """Every feedback row (or one target's) for the CSV export; names only where the person
    did not choose to stay anonymous."""
    query = select(Feedback).where(Feedback.event_id == event.id)
    if key:
        query = query.where(Feedback.target_key == key)
    rows = []
    for row in db.session.scalars(query.order_by(Feedback.day, Feedback.target_key,
                                                 Feedback.created_at, Feedback.id)):
        named = row.attendee if row.attendee is not None and not row.anonymous else None
        rows.append({
            "day": str(row.day), "session": row.label if row.session_id else "",
            "rating": str(row.rating),
            **{k: getattr(row, k) for k, _ in QUESTIONS},
            "anonymous": "yes" if row.anonymous else "",
            "first_name": named.first_name if named else "",
            "last_name": named.last_name if named else "",
            "submitted_at": event.local(row.created_at).strftime("%Y-%m-%d %H:%M"),
        })
    return rows
