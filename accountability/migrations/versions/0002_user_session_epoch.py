"""Per-user session epoch: signing out ends every web session of the account.

A web session records the account's ``session_epoch`` when it signs in; the session is honoured
only while the number is unchanged. Signing out adds one, so a copy of the session cookie taken
before sign-out no longer signs anyone in.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 19:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch rebuild of ``users`` on SQLite would
    # drop the table that memberships and tokens reference, which foreign keys refuse.
    op.execute('ALTER TABLE users DROP COLUMN session_epoch')
