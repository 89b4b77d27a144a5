"""Alembic environment for the tracker: runs on the connection :func:`accountability.db.upgrade`
passes in (``config.attributes['connection']``), or on ``sqlalchemy.url`` for the alembic CLI."""

from alembic import context
from sqlalchemy import create_engine

from accountability.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from accountability.db import normalise_url

    engine = create_engine(normalise_url(config.get_main_option("sqlalchemy.url") or ""))
    with engine.begin() as conn:
        _run(conn)
