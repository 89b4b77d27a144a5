"""Notifications: contacts per organisation, the outbox of new recommendations, the sends.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-04 20:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('added_by', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_notification_contacts_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_contacts')),
    sa.UniqueConstraint('organisation_id', 'email',
                        name=op.f('uq_notification_contacts_organisation_id'))
    )
    with op.batch_alter_table('notification_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_contacts_organisation_id'),
                              ['organisation_id'], unique=False)

    op.create_table('notification_sends',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.String(length=100), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('message_id', sa.String(length=300), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_notification_sends_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_sends'))
    )
    with op.batch_alter_table('notification_sends', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_sends_organisation_id'),
                              ['organisation_id'], unique=False)

    op.create_table('notification_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.String(length=100), nullable=False),
    sa.Column('recommendation_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('claim', sa.String(length=32), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('send_id', sa.Integer(), nullable=True),
    sa.Column('gave_up_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_notification_outbox_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['review_recommendations.id'],
                            name=op.f('fk_notification_outbox_recommendation_id_review_recommendations')),
    sa.ForeignKeyConstraint(['send_id'], ['notification_sends.id'],
                            name=op.f('fk_notification_outbox_send_id_notification_sends')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_outbox')),
    sa.UniqueConstraint('organisation_id', 'recommendation_id',
                        name=op.f('uq_notification_outbox_organisation_id'))
    )
    with op.batch_alter_table('notification_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_outbox_organisation_id'),
                              ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_outbox_recommendation_id'),
                              ['recommendation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_outbox_next_attempt_at'),
                              ['next_attempt_at'], unique=False)


def downgrade() -> None:
    op.drop_table('notification_outbox')
    op.drop_table('notification_sends')
    op.drop_table('notification_contacts')
