"""Initial tracker schema: organisations, accounts, review recommendations, updates, audit log.

Also seeds the audit chain's head row and installs triggers that refuse UPDATE and DELETE on
the append-only tables (``updates``, ``audit_log``) on SQLite and PostgreSQL.

Revision ID: 0001
Revises:
Create Date: 2026-12-04 17:55:34.652431
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=320), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('target_type', sa.String(length=40), nullable=True),
    sa.Column('target_id', sa.String(length=200), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sa.UniqueConstraint('seq', name=op.f('uq_audit_log_seq'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)

    op.create_table('organisations',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('agency', sa.String(length=60), nullable=True),
    sa.Column('region', sa.String(length=60), nullable=True),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations'))
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_kind'), ['kind'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_signins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_memberships_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships')),
    sa.UniqueConstraint('user_id', 'organisation_id', 'role', name=op.f('uq_memberships_user_id'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_organisation_id'), ['organisation_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_user_id'), ['user_id'], unique=False)

    op.create_table('reviews',
    sa.Column('review_key', sa.String(length=200), nullable=False),
    sa.Column('area', sa.String(length=200), nullable=True),
    sa.Column('region', sa.String(length=60), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('pseudonym', sa.String(length=200), nullable=True),
    sa.Column('csp_organisation_id', sa.String(length=100), nullable=True),
    sa.Column('source_hash', sa.String(length=64), nullable=True),
    sa.Column('synced_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['csp_organisation_id'], ['organisations.id'],
                            name=op.f('fk_reviews_csp_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('review_key', name=op.f('pk_reviews'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_area'), ['area'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_csp_organisation_id'), ['csp_organisation_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_year'), ['year'], unique=False)

    op.create_table('review_recommendations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('review_key', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('agency', sa.String(length=60), nullable=True),
    sa.Column('scope', sa.String(length=20), nullable=True),
    sa.Column('smart_score', sa.Integer(), nullable=True),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('owner_source', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_updated_at', sa.DateTime(), nullable=True),
    sa.Column('target_date', sa.String(length=10), nullable=True),
    sa.Column('target_due', sa.Date(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('recurring_group', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('synced_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['review_key'], ['reviews.review_key'],
                            name=op.f('fk_review_recommendations_review_key_reviews')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_recommendations'))
    )
    with op.batch_alter_table('review_recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_recommendations_review_key'), ['review_key'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_review_recommendations_status'), ['status'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_review_recommendations_target_due'), ['target_due'],
                              unique=False)

    op.create_table('action_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_key', sa.String(length=200), nullable=False),
    sa.Column('recommendation_id', sa.String(length=32), nullable=True),
    sa.Column('document_id', sa.String(length=64), nullable=False),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('action', sa.Text(), nullable=True),
    sa.Column('lead_organisation_id', sa.String(length=100), nullable=True),
    sa.Column('lead_name', sa.String(length=300), nullable=True),
    sa.Column('milestones', sa.Text(), nullable=True),
    sa.Column('target_date', sa.String(length=10), nullable=True),
    sa.Column('completed_date', sa.String(length=10), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['recommendation_id'], ['review_recommendations.id'],
                            name=op.f('fk_action_rows_recommendation_id_review_recommendations')),
    sa.ForeignKeyConstraint(['review_key'], ['reviews.review_key'],
                            name=op.f('fk_action_rows_review_key_reviews')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_rows'))
    )
    with op.batch_alter_table('action_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_rows_recommendation_id'), ['recommendation_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_action_rows_review_key'), ['review_key'], unique=False)

    op.create_table('appearances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.String(length=32), nullable=False),
    sa.Column('document_id', sa.String(length=64), nullable=False),
    sa.Column('doc_type', sa.String(length=40), nullable=True),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('extractor_version', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['recommendation_id'], ['review_recommendations.id'],
                            name=op.f('fk_appearances_recommendation_id_review_recommendations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appearances'))
    )
    with op.batch_alter_table('appearances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appearances_document_id'), ['document_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_appearances_recommendation_id'), ['recommendation_id'],
                              unique=False)

    op.create_table('recommendation_owners',
    sa.Column('recommendation_id', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.String(length=100), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_recommendation_owners_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['review_recommendations.id'],
                            name=op.f('fk_recommendation_owners_recommendation_id_review_recommendations')),
    sa.PrimaryKeyConstraint('recommendation_id', 'position', name=op.f('pk_recommendation_owners'))
    )
    with op.batch_alter_table('recommendation_owners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendation_owners_organisation_id'),
                              ['organisation_id'], unique=False)

    op.create_table('relink_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_key', sa.String(length=200), nullable=False),
    sa.Column('recommendation_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('candidate_id', sa.String(length=32), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolution', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['review_recommendations.id'],
                            name=op.f('fk_relink_flags_candidate_id_review_recommendations')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['review_recommendations.id'],
                            name=op.f('fk_relink_flags_recommendation_id_review_recommendations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relink_flags'))
    )
    with op.batch_alter_table('relink_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relink_flags_recommendation_id'),
                              ['recommendation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relink_flags_review_key'), ['review_key'],
                              unique=False)

    op.create_table('updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('evidence_url', sa.String(length=2000), nullable=True),
    sa.Column('evidence_sha256', sa.String(length=64), nullable=True),
    sa.Column('evidence_filename', sa.String(length=300), nullable=True),
    sa.Column('target_date', sa.String(length=10), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.String(length=100), nullable=True),
    sa.Column('document_id', sa.String(length=64), nullable=True),
    sa.Column('published_key', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_updates_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['review_recommendations.id'],
                            name=op.f('fk_updates_recommendation_id_review_recommendations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_updates_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_updates')),
    sa.UniqueConstraint('recommendation_id', 'published_key', name='uq_updates_published_key'),
    sa.UniqueConstraint('recommendation_id', 'seq', name=op.f('uq_updates_recommendation_id'))
    )
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_updates_recommendation_id'), ['recommendation_id'],
                              unique=False)

    op.create_index('ix_recommendation_owners_org_rec', 'recommendation_owners',
                    ['organisation_id', 'recommendation_id'])
    op.bulk_insert(sa.table('audit_head', sa.column('id', sa.Integer),
                            sa.column('last_seq', sa.Integer), sa.column('last_hash', sa.String)),
                   [{'id': 1, 'last_seq': 0, 'last_hash': '0' * 64}])
    _append_only(APPEND_ONLY)


APPEND_ONLY = ('updates', 'audit_log')


def _append_only(tables) -> None:
    """Triggers that refuse UPDATE and DELETE: history is changed only by appending."""
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute("""
            CREATE OR REPLACE FUNCTION dhr_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
            END;
            $$ LANGUAGE plpgsql""")
        for table in tables:
            op.execute(f'CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} '
                       'FOR EACH ROW EXECUTE FUNCTION dhr_append_only()')
    elif dialect == 'sqlite':
        for table in tables:
            for event in ('UPDATE', 'DELETE'):
                op.execute(f'CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} '
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def _drop_append_only(tables) -> None:
    dialect = op.get_bind().dialect.name
    for table in tables:
        if dialect == 'postgresql':
            op.execute(f'DROP TRIGGER IF EXISTS {table}_append_only ON {table}')
        elif dialect == 'sqlite':
            for event in ('update', 'delete'):
                op.execute(f'DROP TRIGGER IF EXISTS {table}_no_{event}')
    if dialect == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS dhr_append_only()')



def downgrade() -> None:
    _drop_append_only(APPEND_ONLY)
    op.drop_index('ix_recommendation_owners_org_rec', table_name='recommendation_owners')
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_updates_recommendation_id'))

    op.drop_table('updates')
    with op.batch_alter_table('relink_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relink_flags_review_key'))
        batch_op.drop_index(batch_op.f('ix_relink_flags_recommendation_id'))

    op.drop_table('relink_flags')
    with op.batch_alter_table('recommendation_owners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendation_owners_organisation_id'))

    op.drop_table('recommendation_owners')
    with op.batch_alter_table('appearances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appearances_recommendation_id'))
        batch_op.drop_index(batch_op.f('ix_appearances_document_id'))

    op.drop_table('appearances')
    with op.batch_alter_table('action_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_rows_review_key'))
        batch_op.drop_index(batch_op.f('ix_action_rows_recommendation_id'))

    op.drop_table('action_rows')
    with op.batch_alter_table('review_recommendations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_recommendations_target_due'))
        batch_op.drop_index(batch_op.f('ix_review_recommendations_status'))
        batch_op.drop_index(batch_op.f('ix_review_recommendations_review_key'))

    op.drop_table('review_recommendations')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_year'))
        batch_op.drop_index(batch_op.f('ix_reviews_csp_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_reviews_area'))

    op.drop_table('reviews')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_user_id'))
        batch_op.drop_index(batch_op.f('ix_memberships_organisation_id'))

    op.drop_table('memberships')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('users')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_kind'))

    op.drop_table('organisations')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')
    op.drop_table('audit_head')
