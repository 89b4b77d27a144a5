"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL: a table,
column or index added to one and not the other (a model without its migration, or the reverse)
fails here rather than on a deployment's `dhr db upgrade`."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from accountability.db import current_revision, head_revision
from accountability.models import Base


def test_the_migrated_schema_is_the_models_schema(engine):
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []
