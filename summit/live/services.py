"""Live rooms in the database: asking, upvoting, moderating, polls and votes, and what a room
shows. Rules are in ``rules`` (pure); views stay thin.

Race-safety: an upvote and a vote are inserted with ``ON CONFLICT DO NOTHING`` against a unique
constraint (one per person), so two simultaneous requests from one person count once on both
databases;
counters are then incremented in one ``UPDATE ... SET n = n + 1`` (no read-modify-write).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from summit import audit
from summit.breakouts.api import (
    LEARNING_KINDS,
    block_of,
    program_blocks_of,
    session_of,
    sessions_of,
)
from summit.database import direct_connection, sqlite_write_turn, utcnow
from summit.events.models import Event
from summit.extensions import db
from summit.live import rules
from summit.live.models import (
    LivePoll,
    LivePollOption,
    LivePollVote,
    LiveQuestion,
    LiveRoom,
    LiveUpvote,
)
from summit.live.rules import N_, LiveError, PollClosedError
from summit.registration.api import Attendee, registered_count
from summit.ttlcache import app_cache

log = logging.getLogger(__name__)

_KEY = re.compile(r"^([sb])([1-9][0-9]{0,9})$")


@dataclass(frozen=True)
class RoomRef:
    """What a live room is about: a breakout session (``s12``) or a plenary block (``b3``)."""

    key: str
    kind: str  # "session" | "block"
    target_id: int
    title: str
    day: int | None
    starts: datetime | None
    ends: datetime | None
    place: str


def parse_key(key: str) -> tuple[str, int] | None:
    match = _KEY.match(key or "")
    if not match:
        return None
    return ("session" if match[1] == "s" else "block", int(match[2]))


def resolve(event: Event, key: str) -> RoomRef | None:
    """The session or block ``key`` names in ``event``; ``None`` for anything else."""
    parsed = parse_key(key)
    if parsed is None:
        return None
    kind, target_id = parsed
    found = session_of(event, target_id) if kind == "session" else block_of(event, target_id)
    if found is None:
        return None
    return RoomRef(key, kind, target_id, found.title, found.day, found.starts, found.ends,
                   found.room)


def refs_of(event: Event) -> list[RoomRef]:
    """Every room an event can have: its plenary blocks where people learn (not meals or
    breaks), then its sessions, in program order."""
    blocks = [RoomRef(f"b{b.id}", "block", b.id, b.title, b.day, b.starts, b.ends, b.room)
              for b in program_blocks_of(event) if b.kind in LEARNING_KINDS]
    sessions = [RoomRef(f"s{s.id}", "session", s.id, s.title, s.day, s.starts, s.ends, s.room)
                for s in sessions_of(event)]

    def when(ref):
        return (ref.starts is None, ref.starts or datetime.min, ref.kind, ref.title)

    return sorted(blocks + sessions, key=when)


def happening_now(refs: list[RoomRef], now: datetime, margin_minutes: int = 15) -> list[RoomRef]:
    from datetime import timedelta

    margin = timedelta(minutes=margin_minutes)
    return [r for r in refs if r.starts and r.ends and r.starts - margin <= now <= r.ends + margin]


def phone_poll_seconds(event: Event, ref: RoomRef) -> int:
    """How often phones poll this room (``rules.phone_poll_seconds``): a plenary block may be
    open on every registered attendee's phone, a breakout on a room's worth (cached a
    minute)."""
    if ref.kind != "block":
        return rules.phone_poll_seconds(0)
    cache = app_cache("live-audience", 60.0)
    audience = cache.get(event.id)
    if audience is None:
        audience = registered_count(event.id)
        cache.put(event.id, audience)
    return rules.phone_poll_seconds(audience)


def find_room(event: Event, ref: RoomRef) -> LiveRoom | None:
    column = LiveRoom.session_id if ref.kind == "session" else LiveRoom.block_id
    return db.session.scalar(select(LiveRoom).where(LiveRoom.event_id == event.id,
                                                    column == ref.target_id))


def ensure_room(event: Event, ref: RoomRef) -> LiveRoom:
    """The room's row, made on first use (in a POST: the caller's write transaction). Two
    requests making it at once make one."""
    room = find_room(event, ref)
    if room is not None:
        return room
    fields = {"session_id": ref.target_id} if ref.kind == "session" else {"block_id": ref.target_id}
    try:
        with db.session.begin_nested():
            room = LiveRoom(event_id=event.id, moderation="immediate", seq=0, tally_seq=0,
                            **fields)
            db.session.add(room)
            db.session.flush()
    except IntegrityError:
        room = find_room(event, ref)
    return room


def _insert_once(model, **values) -> bool:
    """``INSERT ... ON CONFLICT DO NOTHING`` (PostgreSQL and SQLite alike): whether the row
    was stored. A person's second upvote or answer, even racing the first, stores nothing
    (the unique constraint decides), without a savepoint's two extra round trips."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(model.__table__).values(**values).on_conflict_do_nothing()
    return db.session.connection().execute(statement.returning(model.__table__.c.id)
                                           ).scalar() is not None


def room_counters(room: LiveRoom | None) -> tuple[int, int]:
    """What pages compare to know if they are current: ``seq`` (what must show at once: a
    poll opened or closed, a question hidden) and the room's counts version, its
    ``tally_seq`` (the question list and its upvotes) plus the open poll's answers (a vote
    writes no room row: 100 votes a second do not queue on one)."""
    if room is None:
        return 0, 0
    votes = db.session.scalar(select(LivePoll.votes).where(
        LivePoll.room_id == room.id, LivePoll.status == "open").limit(1)) or 0
    return room.seq, room.tally_seq + votes


COUNTERS_SQL = ("SELECT r.seq, r.tally_seq + COALESCE((SELECT p.votes FROM live_polls p "
                "WHERE p.room_id = r.id AND p.status = 'open' LIMIT 1), 0) "
                "FROM live_rooms r JOIN events e ON e.id = r.event_id "
                "WHERE e.slug = {mark} AND r.{column} = {mark}")


def bump(room: LiveRoom, *, tally: bool = False) -> None:
    column = LiveRoom.tally_seq if tally else LiveRoom.seq
    db.session.execute(update(LiveRoom).where(LiveRoom.id == room.id)
                       .values({column: column + 1}).execution_options(synchronize_session=False))


def set_moderation(room: LiveRoom, moderation: str) -> None:
    if moderation not in rules.MODERATIONS:
        raise LiveError(N_("Choose how questions appear."))
    room.moderation = moderation
    bump(room)


# --- questions --------------------------------------------------------------------------------


def ask(room: LiveRoom, attendee, text: str, *, anonymous: bool, name: str = "",
        client_key: str = "") -> tuple[LiveQuestion, bool]:
    """A question from ``attendee``; (question, created). A question sent again with the same
    ``client_key`` (a phone's queue retrying) is the one already saved."""
    text = rules.clean_question(text)
    client_key = (client_key or "").strip()[:64] or None
    if client_key:
        existing = db.session.scalar(select(LiveQuestion).where(
            LiveQuestion.room_id == room.id, LiveQuestion.client_key == client_key))
        if existing is not None:
            return existing, False
    display = "" if anonymous else (rules.clean_name(name) or attendee.full_name)
    question = LiveQuestion(room_id=room.id, attendee_id=attendee.id, anonymous=anonymous,
                            display_name=display, text=text, client_key=client_key,
                            status=rules.initial_status(room.moderation), pinned=False,
                            upvotes=0)
    try:
        with db.session.begin_nested():
            db.session.add(question)
            db.session.flush()
    except IntegrityError:  # the same key, sent twice at once
        existing = db.session.scalar(select(LiveQuestion).where(
            LiveQuestion.room_id == room.id, LiveQuestion.client_key == client_key))
        if existing is None:
            raise
        return existing, False
    bump(room, tally=True)  # the list changed: phones take it with their counts
    return question, True


def question_of(room: LiveRoom, question_id: int) -> LiveQuestion | None:
    question = db.session.get(LiveQuestion, question_id)
    return question if question is not None and question.room_id == room.id else None


def upvote(room: LiveRoom, question: LiveQuestion, attendee) -> bool:
    """One upvote per person and question; ``False`` when they had already upvoted."""
    if question.status != "visible":
        raise LiveError(N_("This question is not open for votes."))
    if not _insert_once(LiveUpvote, question_id=question.id, attendee_id=attendee.id,
                        created_at=utcnow()):
        return False
    db.session.execute(update(LiveQuestion).where(LiveQuestion.id == question.id)
                       .values(upvotes=LiveQuestion.upvotes + 1)
                       .execution_options(synchronize_session=False))
    bump(room, tally=True)
    return True


MODERATION_ACTIONS = ("approve", "hide", "show", "answer", "reopen", "pin", "unpin")


def moderate(room: LiveRoom, question: LiveQuestion, action: str, user=None) -> None:
    if action not in MODERATION_ACTIONS:
        raise LiveError(N_("Unknown action."))
    before = (question.status, question.pinned)
    if action in ("approve", "show", "reopen"):
        question.status = "visible"
        question.answered_at = None
    elif action == "hide":
        question.status = "hidden"
        question.pinned = False
    elif action == "answer":
        question.status = "answered"
        question.answered_at = utcnow()
        question.pinned = False
    elif action == "pin":
        if question.status not in ("visible", "pending"):
            raise LiveError(N_("Only a question the room sees can be pinned."))
        question.status = "visible"
        question.pinned = True
    elif action == "unpin":
        question.pinned = False
    if (question.status, question.pinned) != before:
        # Hiding reaches every phone at its next poll; the rest of the list's changes come
        # with the counts (room_counters, polling).
        bump(room, tally=action != "hide")
        audit.record(f"live.question_{action}", event_id=room.event_id, target=question,
                     before={"status": before[0], "pinned": before[1]},
                     after={"status": question.status, "pinned": question.pinned})


def questions_of(room: LiveRoom) -> list[LiveQuestion]:
    return list(db.session.scalars(select(LiveQuestion).where(LiveQuestion.room_id == room.id)
                                   .execution_options(populate_existing=True)))


def upvoted_ids(room: LiveRoom, attendee) -> set[int]:
    return set(db.session.scalars(select(LiveUpvote.question_id).join(LiveQuestion).where(
        LiveQuestion.room_id == room.id, LiveUpvote.attendee_id == attendee.id)))


# --- polls ------------------------------------------------------------------------------------


def create_poll(room: LiveRoom, kind: str, question: str, options: list[str],
                results: str = "voted") -> LivePoll:
    question, labels = rules.clean_poll(kind, question, options, results)
    poll = LivePoll(room_id=room.id, kind=kind, question=question, status="draft",
                    results=results, votes=0)
    poll.options = [LivePollOption(label=label, position=i) for i, label in enumerate(labels)]
    db.session.add(poll)
    db.session.flush()
    bump(room)
    audit.record("live.poll_created", event_id=room.event_id, target=poll,
                 after={"question": question, "kind": kind})
    return poll


def poll_of(room: LiveRoom, poll_id: int) -> LivePoll | None:
    """The room's poll ``poll_id``, with its options (one query: a vote needs both)."""
    return db.session.scalar(select(LivePoll).options(joinedload(LivePoll.options))
                             .where(LivePoll.id == poll_id, LivePoll.room_id == room.id))


def polls_of(room: LiveRoom) -> list[LivePoll]:
    return list(db.session.scalars(select(LivePoll).where(LivePoll.room_id == room.id)
                                   .order_by(LivePoll.created_at, LivePoll.id)))


def open_poll(room: LiveRoom, poll: LivePoll) -> None:
    """Open ``poll``; the poll open before in the room closes (a room answers one at a time)."""
    if poll.status == "open":
        return
    now = utcnow()
    for other in db.session.scalars(select(LivePoll).where(
            LivePoll.room_id == room.id, LivePoll.status == "open", LivePoll.id != poll.id)):
        other.status, other.closed_at = "closed", now
    poll.status, poll.opened_at, poll.closed_at = "open", now, None
    bump(room)
    audit.record("live.poll_opened", event_id=room.event_id, target=poll)


def close_poll(room: LiveRoom, poll: LivePoll) -> None:
    if poll.status != "open":
        raise LiveError(N_("This poll is not open."))
    poll.status, poll.closed_at = "closed", utcnow()
    poll.votes = db.session.scalar(select(func.count()).select_from(LivePollVote)
                                   .where(LivePollVote.poll_id == poll.id))
    bump(room)
    audit.record("live.poll_closed", event_id=room.event_id, target=poll,
                 after={"votes": poll.votes})


def delete_poll(room: LiveRoom, poll: LivePoll) -> None:
    if poll.status != "draft":
        raise LiveError(N_("Only a poll that was never opened can be deleted."))
    db.session.delete(poll)
    bump(room)


def open_poll_of(room: LiveRoom) -> LivePoll | None:
    return db.session.scalar(select(LivePoll).where(LivePoll.room_id == room.id,
                                                    LivePoll.status == "open").limit(1))


def vote(room: LiveRoom, poll: LivePoll, attendee, form_options: list[int | str | None],
         value: int | str | None, text: str | None, *, count: bool = True) -> int:
    """The attendee's answer to ``poll``: the poll's number of answers once theirs is
    counted, or 0 when they had answered it already (their first answer stays: a retried or
    raced request counts once). With ``count=False`` the answer is stored but not yet
    counted (1 is returned): the caller commits, then calls ``count_answer``. Raises
    ``LiveError`` (``PollClosedError`` for a poll that is not open, or that closed before
    the answer was stored)."""
    if poll.status != "open":
        raise PollClosedError(N_("This poll is closed."))
    ballot = rules.parse_vote(poll.kind, [o.id for o in poll.options], form_options, value, text)
    if not _store_answer(db.session.connection(), poll.id, attendee.id, ballot):
        return 0
    if not count:
        return 1
    return db.session.execute(_COUNT_ANSWER, {"poll_id": poll.id}).scalar_one()


def _store_vote_statement(insert):
    """``INSERT ... SELECT ... WHERE the poll is open ON CONFLICT DO NOTHING RETURNING id``:
    an answer is stored once per person (the unique constraint decides, even between racing
    requests) and only while its poll is open (a close that commits first wins)."""
    table = LivePollVote.__table__
    columns = ("poll_id", "attendee_id", "option_ids", "value", "text", "created_at")
    is_open = select(LivePoll.id).where(LivePoll.id == bindparam("poll_id"),
                                        LivePoll.status == "open").exists()
    values = select(*(bindparam(name, type_=table.c[name].type) for name in columns)
                    ).where(is_open)
    return (insert(table).from_select(list(columns), values).on_conflict_do_nothing()
            .returning(table.c.id))


_STORE_VOTE = {name: _store_vote_statement(insert)
               for name, insert in (("postgresql", postgresql_insert), ("sqlite", sqlite_insert))}
_POLL_STATUS = select(LivePoll.status).where(LivePoll.id == bindparam("poll_id"))


def _store_answer(connection, poll_id: int, attendee_id: int, ballot: rules.Ballot) -> bool:
    """Store the attendee's answer on ``connection`` (Core's or a ``DirectConnection``, in
    the caller's transaction): whether it was stored, ``False`` when they had answered
    already. ``PollClosedError`` when the poll is not open any more."""
    stored = connection.execute(_STORE_VOTE[connection.dialect.name], {
        "poll_id": poll_id, "attendee_id": attendee_id,
        "option_ids": ",".join(str(i) for i in ballot.option_ids),
        "value": ballot.value, "text": ballot.text, "created_at": utcnow()}).scalar()
    if stored is None and connection.execute(_POLL_STATUS, {"poll_id": poll_id}
                                             ).scalar() != "open":
        raise PollClosedError(N_("This poll is closed."))
    return stored is not None


# The poll's counter plus one (one statement, built once: the fast path runs it on the driver).
_COUNT_ANSWER = (update(LivePoll).where(LivePoll.id == bindparam("poll_id"))
                 .values(votes=LivePoll.votes + 1).returning(LivePoll.votes)
                 .execution_options(synchronize_session=False))


def count_answer(poll_id: int) -> int:
    """After an answer's commit (``vote(..., count=False)``): the poll's counter plus one, in
    a transaction of its own with nothing else in it. The poll's row is then locked for that one
    statement, not from the answer to the end of its request: 100 answers a second in a
    keynote do not queue on it. Should a process die between the two commits, the counter is set
    from the answers themselves when the poll closes."""
    with db.engine.begin() as connection:
        return connection.execute(_COUNT_ANSWER, {"poll_id": poll_id}).scalar_one()


# --- a vote straight on the driver (``live.fastpath``) ----------------------------------------


@dataclass(frozen=True)
class VoteFacts:
    """What a vote served before Flask must know before it is stored (``vote_facts``): the
    poll as it is now, its options, and the voter's record (for ``access.entry_names``, their
    registration status and their language)."""

    poll_status: str
    kind: str
    results: str
    event_id: int
    option_ids: tuple[int, ...]
    attendee: AttendeeFacts


@dataclass(frozen=True)
class AttendeeFacts:
    event_id: int
    status: str
    personal_secret: str = field(repr=False)
    email_confirmed_at: datetime | None
    preferred_language: str | None


def _vote_facts_statement(column):
    return (select(LivePoll.status, LivePoll.kind, LivePoll.results, Event.id,
                   Attendee.event_id, Attendee.status, Attendee.personal_secret,
                   Attendee.email_confirmed_at, Attendee.preferred_language)
            .select_from(LivePoll)
            .join(LiveRoom, LiveRoom.id == LivePoll.room_id)
            .join(Event, Event.id == LiveRoom.event_id)
            .join(Attendee, Attendee.id == bindparam("attendee_id"))
            .where(LivePoll.id == bindparam("poll_id"), Event.slug == bindparam("slug"),
                   column == bindparam("target_id")))


_VOTE_FACTS = {"session": _vote_facts_statement(LiveRoom.session_id),
               "block": _vote_facts_statement(LiveRoom.block_id)}
_POLL_OPTIONS = select(LivePollOption.id).where(LivePollOption.poll_id == bindparam("poll_id"))


def vote_facts(engine, *, slug: str, key: str, poll_id: int,
               attendee_id: int) -> VoteFacts | None:
    """The poll ``poll_id`` of the room ``key`` of the event ``slug``, with the attendee
    ``attendee_id``, read straight on the driver with no transaction held; ``None`` when any
    of them is not there (the view then answers). Database errors propagate."""
    parsed = parse_key(key)
    if parsed is None:
        return None
    kind, target_id = parsed
    with direct_connection(engine) as conn, conn.autocommit():
        row = conn.execute(_VOTE_FACTS[kind], {"attendee_id": attendee_id, "poll_id": poll_id,
                                               "slug": slug, "target_id": target_id}).first()
        options = tuple(conn.execute(_POLL_OPTIONS, {"poll_id": poll_id}).scalars()) \
            if row is not None else ()
        conn.commit()  # SQLite's driver began nothing; PostgreSQL's autocommit: a no-op
    if row is None:
        return None
    return VoteFacts(row[0], row[1], row[2], row[3], options, AttendeeFacts(*row[4:9]))


def store_vote_alone(engine, poll_id: int, attendee_id: int,
                     ballot: rules.Ballot) -> tuple[bool, int | None]:
    """``vote(..., count=False)`` then ``count_answer``, straight on the driver, each statement
    in a transaction of its own: (stored, the poll's number of answers once this one is
    counted). (False, None) when the attendee had answered it already (the first answer
    stays). Raises ``PollClosedError`` when the poll closed before the answer was stored, and
    database errors storing it (nothing was stored). Once it is stored, a counter that cannot
    be bumped gives (True, None): the answer stands, and the counter is set from the answers
    when the poll closes."""
    with direct_connection(engine) as conn, sqlite_write_turn(engine), conn.autocommit():
        conn.begin()
        stored = _store_answer(conn, poll_id, attendee_id, ballot)
        conn.commit()
    if not stored:
        return False, None
    try:
        with direct_connection(engine) as conn, sqlite_write_turn(engine), conn.autocommit():
            conn.begin()
            votes = conn.execute(_COUNT_ANSWER, {"poll_id": poll_id}).scalar()
            conn.commit()
    except Exception:  # rolled back by direct_connection; the answer is stored
        log.warning("a poll's counter not bumped after an answer", exc_info=True)
        return True, None
    return True, votes


def my_vote(poll: LivePoll, attendee) -> LivePollVote | None:
    return db.session.scalar(select(LivePollVote).where(LivePollVote.poll_id == poll.id,
                                                        LivePollVote.attendee_id == attendee.id))


def tally_of(poll: LivePoll | PollSnapshot) -> rules.Tally:
    """The poll's tally from the database now (identical answers grouped there, so it is one
    short query even for 3,000 answers). Pages that every phone shares cache what they
    render instead (``views.counts_payload``, ``views._voted_section``)."""
    rows = db.session.execute(
        select(LivePollVote.option_ids, LivePollVote.value, LivePollVote.text, func.count())
        .where(LivePollVote.poll_id == poll.id)
        .group_by(LivePollVote.option_ids, LivePollVote.value, LivePollVote.text))
    return rules.weighted_tally(poll.kind, (
        (rules.Ballot(rules.option_ids_of(o), v, t or ""), n) for o, v, t, n in rows))


def result_rows(poll: LivePoll | PollSnapshot, result: rules.Tally) -> list[tuple[str, int, int]]:
    """(label, count, percent) per option of a choice poll, or per value of a scale."""
    if poll.kind == "scale":
        return [(str(v), result.counts.get(v, 0), result.percent(v)) for v in rules.SCALE]
    return [(o.label, result.counts.get(o.id, 0), result.percent(o.id)) for o in poll.options]


# --- what a room shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionSnapshot:
    id: int
    label: str


@dataclass(frozen=True)
class PollSnapshot:
    """A poll as pages show it (not an ORM row: shared by every request of this process that
    sees the same room version)."""

    id: int
    kind: str
    question: str
    status: str
    results: str
    votes: int
    options: tuple[OptionSnapshot, ...]


def snapshot(poll: LivePoll | None) -> PollSnapshot | None:
    """What pages show of a poll, kept apart from the session (it outlives a commit)."""
    if poll is None:
        return None
    return PollSnapshot(poll.id, poll.kind, poll.question, poll.status, poll.results,
                        poll.votes, tuple(OptionSnapshot(o.id, o.label) for o in poll.options))


def _room_polls(room: LiveRoom) -> tuple[PollSnapshot | None, PollSnapshot | None, int]:
    """(open poll, last closed poll, questions pending) of this version of the room, read once
    per process and version (``seq``, ``tally_seq``)."""
    cache = app_cache("live-room-polls", 30.0)
    key = (room.id, room.seq, room.tally_seq)
    found = cache.get(key)
    if found is None:
        poll = db.session.scalar(select(LivePoll).where(LivePoll.room_id == room.id,
                                                        LivePoll.status == "open").limit(1))
        last_closed = None
        if poll is None:
            last_closed = db.session.scalar(select(LivePoll).where(
                LivePoll.room_id == room.id, LivePoll.status == "closed")
                .order_by(LivePoll.closed_at.desc(), LivePoll.id.desc()).limit(1))
        pending = db.session.scalar(select(func.count()).select_from(LiveQuestion).where(
            LiveQuestion.room_id == room.id, LiveQuestion.status == "pending"))
        found = (snapshot(poll), snapshot(last_closed), pending)
        cache.put(key, found)
    return found


@dataclass
class RoomView:
    room: LiveRoom | None
    questions: list  # what the room sees, in order
    hidden: int
    pending: int
    mine_pending: list
    upvoted: set
    poll: LivePoll | None
    voted: LivePollVote | None
    tally: rules.Tally | None
    show_results: bool
    last_closed: LivePoll | None = None


def room_view(room: LiveRoom | None, attendee=None, *, staff: bool = False,
              order: str = "top", limit: int = 60, questions: bool = True) -> RoomView:
    """What a room shows: its questions (unless ``questions=False``: a phone's list comes
    shared and cached, see ``live.views``), the open poll or the last closed one, and what is
    the viewer's (their pending questions, upvotes and vote)."""
    if room is None:
        return RoomView(None, [], 0, 0, [], set(), None, None, None, False)
    shown, hidden = [], 0
    poll, last_closed, pending = _room_polls(room)
    if questions:
        every = questions_of(room)
        shown = rules.order_questions(every, by=order)[:limit]
        hidden = sum(1 for q in every if q.status == "hidden")
    mine = list(db.session.scalars(select(LiveQuestion).where(
        LiveQuestion.room_id == room.id, LiveQuestion.status == "pending",
        LiveQuestion.attendee_id == attendee.id).order_by(LiveQuestion.id))
    ) if attendee is not None and pending else []
    upvoted = upvoted_ids(room, attendee) if attendee is not None else set()
    voted = None
    if poll is not None and attendee is not None:
        voted = db.session.scalar(select(LivePollVote.id).where(
            LivePollVote.poll_id == poll.id, LivePollVote.attendee_id == attendee.id))
    shown_poll = poll or last_closed
    show = shown_poll is not None and rules.results_visible(
        shown_poll.results, shown_poll.status, voted is not None, staff)
    return RoomView(room, shown, hidden, pending, mine, upvoted, poll, voted,
                    tally_of(shown_poll) if show else None, show, last_closed)


def counts(room: LiveRoom) -> dict:
    rows = dict(db.session.execute(select(LiveQuestion.status, func.count())
                                   .where(LiveQuestion.room_id == room.id)
                                   .group_by(LiveQuestion.status)).all())
    return {status: rows.get(status, 0) for status in rules.STATUSES}


def export_rows(room: LiveRoom) -> list[dict]:
    """The room's questions and poll results for the CSV export: a question's asker only by
    the name they chose to show (never for an anonymous one)."""
    rows = []
    for q in sorted(questions_of(room), key=lambda q: (q.created_at, q.id)):
        rows.append({"kind": "question", "text": q.text, "asked_by": q.display_name,
                     "status": q.status, "pinned": "yes" if q.pinned else "",
                     "upvotes": q.upvotes, "answer": "", "votes": "",
                     "at": q.created_at.isoformat(timespec="seconds")})
    for poll in polls_of(room):
        result = tally_of(poll)
        if poll.kind == "text":
            answers = result.words
        else:
            answers = [(label, n) for label, n, _pct in result_rows(poll, result)]
        base = {"kind": f"poll ({poll.kind})", "text": poll.question, "asked_by": "",
                "status": poll.status, "pinned": "", "upvotes": "",
                "at": (poll.opened_at or poll.created_at).isoformat(timespec="seconds")}
        rows.append(base | {"answer": "", "votes": poll.votes})
        rows.extend(base | {"answer": label, "votes": n} for label, n in answers)
    return rows


EXPORT_COLUMNS = ("kind", "text", "asked_by", "status", "pinned", "upvotes", "answer", "votes",
                  "at")


def results_summary(event: Event, key: str) -> dict | None:
    """What the after-action pages show of a room: its question counts and closed polls."""
    ref = resolve(event, key)
    room = find_room(event, ref) if ref else None
    if room is None:
        return None
    polls = [p for p in polls_of(room) if p.status != "draft"]
    if not polls and not any(counts(room).values()):
        return None
    top = rules.order_questions(questions_of(room))[:5]
    return {"ref": ref, "room": room, "counts": counts(room), "top": top,
            "polls": [(p, tally_of(p)) for p in polls]}
