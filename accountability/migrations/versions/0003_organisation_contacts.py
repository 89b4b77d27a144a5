"""Organisation notification contacts: e-mail addresses told about new recommendations.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 20:45:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organisation_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_organisation_contacts_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_contacts')),
    sa.UniqueConstraint('organisation_id', 'email',
                        name=op.f('uq_organisation_contacts_organisation_id'))
    )
    op.create_index(op.f('ix_organisation_contacts_organisation_id'), 'organisation_contacts',
                    ['organisation_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_organisation_contacts_organisation_id'),
                  table_name='organisation_contacts')
    op.drop_table('organisation_contacts')
