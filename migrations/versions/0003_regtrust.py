"""registration trust: a cancelled registration stays its own row; district teams need proof

- attendees: the unique (event_id, email) becomes a partial unique index over registrations
  that are not cancelled, so registering again after cancelling makes a new attendee;
  ``email_confirmed_at`` records when a link that went to the address was first opened.
- organization_domains: email domains organizers confirmed as an organization's, per event.
- team_join_requests: requests to join a district team and the decisions on them.

No existing row needs repair: every address is unique today, and nobody's address is proven
until they next open their personal link.

Revision ID: 0003_regtrust
Revises: 0002
Create Date: 2026-12-05 07:34:17.705171

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_regtrust'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organization_domains',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=253), nullable=False),
    sa.Column('confirmed_by', sa.String(length=254), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_organization_domains_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_domains_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_domains')),
    sa.UniqueConstraint('event_id', 'domain', name=op.f('uq_organization_domains_event_id_domain'))
    )
    with op.batch_alter_table('organization_domains', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_domains_organization_id'), ['organization_id'], unique=False)

    op.create_table('team_join_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('attendee_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_attendee_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_staff', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['attendee_id'], ['attendees.id'], name=op.f('fk_team_join_requests_attendee_id_attendees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_attendee_id'], ['attendees.id'], name=op.f('fk_team_join_requests_decided_by_attendee_id_attendees'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_team_join_requests_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_team_join_requests_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_join_requests')),
    sa.UniqueConstraint('attendee_id', name=op.f('uq_team_join_requests_attendee_id'))
    )
    with op.batch_alter_table('team_join_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_join_requests_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_join_requests_organization_id'), ['organization_id'], unique=False)

    with op.batch_alter_table('attendees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_attendees_event_id_email'), type_='unique')
        batch_op.create_index('ix_attendees_event_email', ['event_id', 'email'], unique=False)
        batch_op.create_index('uq_attendees_event_active_email', ['event_id', 'email'], unique=True, sqlite_where=sa.text("status <> 'cancelled'"), postgresql_where=sa.text("status <> 'cancelled'"))



def downgrade():
    # The old unique constraint cannot hold once someone registered again after cancelling.
    repeated = op.get_bind().exec_driver_sql(
        "SELECT count(*) FROM (SELECT event_id, email FROM attendees "
        "GROUP BY event_id, email HAVING count(*) > 1) AS repeated").scalar()
    if repeated:
        raise RuntimeError(
            "Some addresses have more than one registration for an event (someone registered "
            f"again after cancelling; {repeated} addresses): erase or merge them before "
            "downgrading.")
    with op.batch_alter_table('attendees', schema=None) as batch_op:
        batch_op.drop_index('uq_attendees_event_active_email', sqlite_where=sa.text("status <> 'cancelled'"), postgresql_where=sa.text("status <> 'cancelled'"))
        batch_op.drop_index('ix_attendees_event_email')
        batch_op.create_unique_constraint(batch_op.f('uq_attendees_event_id_email'), ['event_id', 'email'])
        batch_op.drop_column('email_confirmed_at')

    with op.batch_alter_table('team_join_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_join_requests_organization_id'))
        batch_op.drop_index(batch_op.f('ix_team_join_requests_event_id'))

    op.drop_table('team_join_requests')
    with op.batch_alter_table('organization_domains', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_domains_organization_id'))

    op.drop_table('organization_domains')
