"""Human corrections of review fields and recommendations (issue 19), kept apart from extraction.

Revision ID: 0007
Revises: 0002
Create Date: 2026-12-04 20:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'corrections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('target', sa.String(length=20), nullable=False),
        sa.Column('review_key', sa.String(length=200), nullable=True),
        sa.Column('review_key_after', sa.String(length=200), nullable=True),
        sa.Column('document_ids', sa.JSON(), nullable=False),
        sa.Column('recommendation_id', sa.String(length=32), nullable=True),
        sa.Column('field', sa.String(length=40), nullable=False),
        sa.Column('old_value', sa.JSON(), nullable=True),
        sa.Column('new_value', sa.JSON(), nullable=True),
        sa.Column('extracted_value', sa.JSON(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.String(length=100), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('removed_at', sa.DateTime(), nullable=True),
        sa.Column('removed_by', sa.Integer(), nullable=True),
        sa.Column('removed_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_corrections_organisation_id_organisations')),
        sa.ForeignKeyConstraint(['recommendation_id'], ['review_recommendations.id'],
                                name=op.f('fk_corrections_recommendation_id_review_recommendations')),
        sa.ForeignKeyConstraint(['removed_by'], ['users.id'],
                                name=op.f('fk_corrections_removed_by_users')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_corrections_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_corrections')),
    )
    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_corrections_review_key'), ['review_key'])
        batch_op.create_index(batch_op.f('ix_corrections_review_key_after'), ['review_key_after'])
        batch_op.create_index(batch_op.f('ix_corrections_recommendation_id'),
                              ['recommendation_id'])


def downgrade() -> None:
    op.drop_table('corrections')
