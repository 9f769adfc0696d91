"""community: series, members, retired invitation links, meetings, topics, votes, RSVPs, attendance, groups, progress notes

Communities of practice that meet after the summit (summit/community/models.py). New tables
only: no existing row needs repair.

Revision ID: 0005_community
Revises: 0004_program
Create Date: 2026-12-05 11:09:23.064040

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_community'
down_revision = "0005_credits"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('community_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('rrule', sa.String(length=500), nullable=False),
    sa.Column('first_date', sa.Date(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('starts', sa.Time(), nullable=False),
    sa.Column('ends', sa.Time(), nullable=False),
    sa.Column('video_url', sa.String(length=500), nullable=False),
    sa.Column('room', sa.String(length=200), nullable=False),
    sa.Column('group_size', sa.Integer(), nullable=False),
    sa.Column('agenda_days_before', sa.Integer(), nullable=False),
    sa.Column('invite_secret', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_community_series_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_series')),
    sa.UniqueConstraint('invite_secret', name=op.f('uq_community_series_invite_secret'))
    )
    with op.batch_alter_table('community_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_series_event_id'), ['event_id'], unique=False)

    op.create_table('community_retired_invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.String(length=40), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['community_series.id'], name=op.f('fk_community_retired_invites_series_id_community_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_retired_invites')),
    sa.UniqueConstraint('secret', name=op.f('uq_community_retired_invites_secret'))
    )
    with op.batch_alter_table('community_retired_invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_retired_invites_series_id'), ['series_id'], unique=False)

    op.create_table('community_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('occurrence', sa.Date(), nullable=True),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('agenda_published_at', sa.DateTime(), nullable=True),
    sa.Column('group_prompt', sa.Text(), nullable=False),
    sa.Column('groups_report', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['community_series.id'], name=op.f('fk_community_meetings_series_id_community_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_meetings')),
    sa.UniqueConstraint('series_id', 'occurrence', name=op.f('uq_community_meetings_series_id_occurrence'))
    )
    with op.batch_alter_table('community_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_meetings_series_id'), ['series_id'], unique=False)

    op.create_table('community_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('attendee_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('show_name', sa.Boolean(), nullable=False),
    sa.Column('calendar_secret', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=True),
    sa.Column('left_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['attendee_id'], ['attendees.id'], name=op.f('fk_community_members_attendee_id_attendees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['series_id'], ['community_series.id'], name=op.f('fk_community_members_series_id_community_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_members')),
    sa.UniqueConstraint('calendar_secret', name=op.f('uq_community_members_calendar_secret')),
    sa.UniqueConstraint('series_id', 'attendee_id', name=op.f('uq_community_members_series_id_attendee_id'))
    )
    with op.batch_alter_table('community_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_members_attendee_id'), ['attendee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_members_series_id'), ['series_id'], unique=False)

    op.create_table('community_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['community_meetings.id'], name=op.f('fk_community_attendance_meeting_id_community_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['community_members.id'], name=op.f('fk_community_attendance_member_id_community_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_attendance')),
    sa.UniqueConstraint('meeting_id', 'member_id', name=op.f('uq_community_attendance_meeting_id_member_id'))
    )
    with op.batch_alter_table('community_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_attendance_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_attendance_member_id'), ['member_id'], unique=False)

    op.create_table('community_group_seats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['community_meetings.id'], name=op.f('fk_community_group_seats_meeting_id_community_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['community_members.id'], name=op.f('fk_community_group_seats_member_id_community_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_group_seats')),
    sa.UniqueConstraint('meeting_id', 'member_id', name=op.f('uq_community_group_seats_meeting_id_member_id'))
    )
    with op.batch_alter_table('community_group_seats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_group_seats_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_group_seats_member_id'), ['member_id'], unique=False)

    op.create_table('community_progress_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('item_key', sa.String(length=64), nullable=False),
    sa.Column('item_text', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['community_meetings.id'], name=op.f('fk_community_progress_notes_meeting_id_community_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['community_members.id'], name=op.f('fk_community_progress_notes_member_id_community_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_progress_notes')),
    sa.UniqueConstraint('meeting_id', 'member_id', 'item_key', name=op.f('uq_community_progress_notes_meeting_id_member_id_item_key'))
    )
    with op.batch_alter_table('community_progress_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_progress_notes_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_progress_notes_member_id'), ['member_id'], unique=False)

    op.create_table('community_rsvps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=8), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['community_meetings.id'], name=op.f('fk_community_rsvps_meeting_id_community_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['community_members.id'], name=op.f('fk_community_rsvps_member_id_community_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_rsvps')),
    sa.UniqueConstraint('meeting_id', 'member_id', name=op.f('uq_community_rsvps_meeting_id_member_id'))
    )
    with op.batch_alter_table('community_rsvps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_rsvps_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_rsvps_member_id'), ['member_id'], unique=False)

    op.create_table('community_topics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('carried_over', sa.Integer(), nullable=False),
    sa.Column('vote_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['community_meetings.id'], name=op.f('fk_community_topics_meeting_id_community_meetings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['community_members.id'], name=op.f('fk_community_topics_member_id_community_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['series_id'], ['community_series.id'], name=op.f('fk_community_topics_series_id_community_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_topics'))
    )
    with op.batch_alter_table('community_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_topics_series_id'), ['series_id'], unique=False)

    op.create_table('community_topic_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['community_members.id'], name=op.f('fk_community_topic_votes_member_id_community_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['community_topics.id'], name=op.f('fk_community_topic_votes_topic_id_community_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_topic_votes')),
    sa.UniqueConstraint('topic_id', 'member_id', name=op.f('uq_community_topic_votes_topic_id_member_id'))
    )
    with op.batch_alter_table('community_topic_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_topic_votes_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_topic_votes_topic_id'), ['topic_id'], unique=False)



def downgrade():
    with op.batch_alter_table('community_topic_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_topic_votes_topic_id'))
        batch_op.drop_index(batch_op.f('ix_community_topic_votes_member_id'))

    op.drop_table('community_topic_votes')
    with op.batch_alter_table('community_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_topics_series_id'))

    op.drop_table('community_topics')
    with op.batch_alter_table('community_rsvps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_rsvps_member_id'))
        batch_op.drop_index(batch_op.f('ix_community_rsvps_meeting_id'))

    op.drop_table('community_rsvps')
    with op.batch_alter_table('community_progress_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_progress_notes_member_id'))
        batch_op.drop_index(batch_op.f('ix_community_progress_notes_meeting_id'))

    op.drop_table('community_progress_notes')
    with op.batch_alter_table('community_group_seats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_group_seats_member_id'))
        batch_op.drop_index(batch_op.f('ix_community_group_seats_meeting_id'))

    op.drop_table('community_group_seats')
    with op.batch_alter_table('community_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_attendance_member_id'))
        batch_op.drop_index(batch_op.f('ix_community_attendance_meeting_id'))

    op.drop_table('community_attendance')
    with op.batch_alter_table('community_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_members_series_id'))
        batch_op.drop_index(batch_op.f('ix_community_members_attendee_id'))

    op.drop_table('community_members')
    with op.batch_alter_table('community_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_meetings_series_id'))

    op.drop_table('community_meetings')
    with op.batch_alter_table('community_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_series_event_id'))

    with op.batch_alter_table('community_retired_invites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_retired_invites_series_id'))

    op.drop_table('community_retired_invites')
    op.drop_table('community_series')
