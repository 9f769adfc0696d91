"""check-in: a session's list belongs to its session; a nonce belongs to its list

- ``checkin_lists.session_id`` gets a foreign key to ``breakout_sessions`` (ON DELETE CASCADE):
  a deleted session takes its list and its attendance with it.
- ``checkins.nonce`` is unique per list instead of across every event.

Data repair, before the constraint can hold:

- attendance a session inherited: SQLite gives a new row the highest id + 1, so a session made
  after the last one was deleted got its id, and with it the deleted session's list. The audit
  log says when each session was deleted; check-ins on that id's list from before then are the
  deleted session's, and go. The list takes its session's current title.
- orphan lists: session lists whose session no longer exists (or never named one) go, with their
  check-ins and anonymous tallies.

Revision ID: 0003_checkin
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_checkin"
down_revision = "0003_throttle"
branch_labels = None
depends_on = None

lists = sa.table("checkin_lists", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                 sa.column("session_id", sa.Integer), sa.column("name", sa.String))
checkins = sa.table("checkins", sa.column("id", sa.Integer), sa.column("list_id", sa.Integer),
                    sa.column("at", sa.DateTime), sa.column("nonce", sa.String))
erased = sa.table("erased_checkins", sa.column("list_id", sa.Integer),
                  sa.column("at", sa.DateTime))
sessions = sa.table("breakout_sessions", sa.column("id", sa.Integer),
                    sa.column("title", sa.String))
audit = sa.table("audit_log", sa.column("action", sa.String), sa.column("target_type", sa.String),
                 sa.column("target_id", sa.Integer), sa.column("at", sa.DateTime))


def _repair_session_lists(conn) -> None:
    existing = sa.select(sessions.c.id)
    deletions = conn.execute(
        sa.select(audit.c.target_id, sa.func.max(audit.c.at))
        .where(audit.c.action == "breakouts.session_deleted",
               audit.c.target_type == "breakoutsession",
               audit.c.target_id.in_(existing))
        .group_by(audit.c.target_id)).all()
    for session_id, deleted_at in deletions:
        inherited = sa.select(lists.c.id).where(lists.c.kind == "session",
                                                lists.c.session_id == session_id)
        for table in (checkins, erased):
            conn.execute(sa.delete(table).where(table.c.list_id.in_(inherited),
                                                table.c.at <= deleted_at))
    conn.execute(
        sa.update(lists).where(lists.c.kind == "session", lists.c.session_id.in_(existing))
        .values(name=sa.select(sessions.c.title).where(sessions.c.id == lists.c.session_id)
                .scalar_subquery()))
    orphans = [row[0] for row in conn.execute(sa.select(lists.c.id).where(
        lists.c.kind == "session",
        lists.c.session_id.is_(None) | lists.c.session_id.not_in(existing)))]
    if orphans:
        for table in (checkins, erased):
            conn.execute(sa.delete(table).where(table.c.list_id.in_(orphans)))
        conn.execute(sa.delete(lists).where(lists.c.id.in_(orphans)))
    # Only a session's list names a session.
    conn.execute(sa.update(lists).where(lists.c.kind != "session",
                                        lists.c.session_id.is_not(None)).values(session_id=None))


def upgrade():
    _repair_session_lists(op.get_bind())
    with op.batch_alter_table("checkin_lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkin_lists_session_id"), ["session_id"],
                              unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_checkin_lists_session_id_breakout_sessions"), "breakout_sessions",
            ["session_id"], ["id"], ondelete="CASCADE")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_constraint("uq_checkins_nonce", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_checkins_list_id_nonce"),
                                          ["list_id", "nonce"])


def downgrade():
    conn = op.get_bind()
    # One nonce across every list again: where two lists used the same one, the later row
    # forgets it (its check-in stays).
    first = (sa.select(sa.func.min(checkins.c.id)).where(checkins.c.nonce.is_not(None))
             .group_by(checkins.c.nonce))
    conn.execute(sa.update(checkins).where(checkins.c.nonce.is_not(None),
                                           checkins.c.id.not_in(first)).values(nonce=None))
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_checkins_list_id_nonce"), type_="unique")
        batch_op.create_unique_constraint("uq_checkins_nonce", ["nonce"])
    with op.batch_alter_table("checkin_lists", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_checkin_lists_session_id_breakout_sessions"),
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_checkin_lists_session_id"))
