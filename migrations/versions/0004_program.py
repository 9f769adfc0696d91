"""program: plenary blocks and the embed settings of the public program

- program_blocks: the keynote, homeroom time, meals and workshops of an event (day, start,
  end, title, kind, description, room), shown with the breakout sessions on the public program.
- program_settings: per event, the websites (origins) allowed to show the program in a frame.

New tables only: no existing row needs repair.

Revision ID: 0004_program
Revises: 0003_regtrust
Create Date: 2026-12-05 09:02:02.286200

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_program'
down_revision = '0003_checkin'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('program_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('embed_origins', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_program_settings_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_settings')),
    sa.UniqueConstraint('event_id', name=op.f('uq_program_settings_event_id'))
    )
    op.create_table('program_blocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('starts', sa.Time(), nullable=False),
    sa.Column('ends', sa.Time(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_program_blocks_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['breakout_rooms.id'], name=op.f('fk_program_blocks_room_id_breakout_rooms'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_blocks'))
    )
    with op.batch_alter_table('program_blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_blocks_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_program_blocks_room_id'), ['room_id'], unique=False)



def downgrade():
    with op.batch_alter_table('program_blocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_blocks_room_id'))
        batch_op.drop_index(batch_op.f('ix_program_blocks_event_id'))

    op.drop_table('program_blocks')
    op.drop_table('program_settings')
