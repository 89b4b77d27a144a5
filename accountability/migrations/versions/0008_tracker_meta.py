"""Facts the tracker keeps about itself: the recurring grouping method that built the groups.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 03:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'tracker_meta',
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_tracker_meta')),
    )


def downgrade() -> None:
    op.drop_table('tracker_meta')
