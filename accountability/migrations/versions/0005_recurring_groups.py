"""Recurring recommendation groups and their members (issue 16).

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-04 21:25:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'recurring_groups',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('label', sa.Text(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('reviews', sa.Integer(), nullable=False),
        sa.Column('first_year', sa.Integer(), nullable=True),
        sa.Column('last_year', sa.Integer(), nullable=True),
        sa.Column('merged_into', sa.String(length=32), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recurring_groups')))
    op.create_index(op.f('ix_recurring_groups_size'), 'recurring_groups', ['size'])
    op.create_table(
        'recurring_members',
        sa.Column('recommendation_id', sa.String(length=32), nullable=False),
        sa.Column('group_id', sa.String(length=32), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('review_key', sa.String(length=200), nullable=False),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('features', sa.JSON(), nullable=False),
        sa.Column('repeat', sa.Boolean(), nullable=False),
        sa.Column('assigned_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['recommendation_id'], ['review_recommendations.id'],
                                name=op.f('fk_recurring_members_recommendation_id_review_recommendations')),
        sa.ForeignKeyConstraint(['group_id'], ['recurring_groups.id'],
                                name=op.f('fk_recurring_members_group_id_recurring_groups')),
        sa.PrimaryKeyConstraint('recommendation_id', name=op.f('pk_recurring_members')))
    op.create_index(op.f('ix_recurring_members_group_id'), 'recurring_members', ['group_id'])
    op.create_index(op.f('ix_recurring_members_seq'), 'recurring_members', ['seq'])
    op.create_index(op.f('ix_recurring_members_repeat'), 'recurring_members', ['repeat'])


def downgrade() -> None:
    op.drop_table('recurring_members')
    op.drop_table('recurring_groups')
