"""throttle: login failures per device, API token expiry

Revision ID: 0003_throttle
Revises: 0002

"""

from alembic import op
import sqlalchemy as sa


revision = "0003_throttle"
down_revision = "0003_regtrust"
branch_labels = None
depends_on = None


def upgrade():
    # Failures recorded before this revision name no device: they were counted per account
    # (the lock-out this revision replaces), so they are forgotten rather than guessed at.
    op.execute("DELETE FROM login_failures")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device", sa.String(length=24), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("known_device", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.alter_column("device", server_default=None)
        batch_op.alter_column("known_device", server_default=None)
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_column("known_device")
        batch_op.drop_column("device")
