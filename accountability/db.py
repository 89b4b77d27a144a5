"""The tracker database: engine, sessions, serialised write transactions and migrations.

SQLite is the embedded default (``sqlite:///<data_dir>/tracker.db``), PostgreSQL the production
database (``postgresql://user@host/db``, driven by psycopg 3). Every write goes through
:func:`write_session`, which serialises writers so the audit chain and per-recommendation
history order are consistent: ``BEGIN IMMEDIATE`` on SQLite, a row lock on ``audit_head`` on
PostgreSQL. :func:`upgrade` runs the Alembic migrations programmatically (``dhr db upgrade``);
:func:`open_tracker_engine` opens the configured database, migrating an embedded SQLite file
by itself but asking for ``dhr db upgrade`` on a server database that is not current.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from .models import AuditHead

MIGRATIONS = Path(__file__).parent / "migrations"
_IMMEDIATE: contextvars.ContextVar[bool] = contextvars.ContextVar("dhr_sqlite_immediate",
                                                                  default=False)


class TrackerNotReady(Exception):
    """The tracker database is missing or behind the code's schema."""


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` URLs use the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def safe_url(url: str) -> str:
    """The URL with any password masked (for messages and logs)."""
    return make_url(normalise_url(url)).render_as_string(hide_password=True)


def create_tracker_engine(url: str, **kwargs: Any) -> Engine:
    # A database error's message never carries the statement's values (a private note, a
    # password hash), so the unhandled-error log cannot leak them.
    kwargs.setdefault("hide_parameters", True)
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False},
                               **kwargs)
        _sqlite_events(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
    return engine


def _sqlite_events(engine: Engine) -> None:
    # pysqlite's own transaction handling is switched off so that SQLAlchemy's BEGIN is ours:
    # write transactions take the write lock at once (BEGIN IMMEDIATE), so two writers never
    # deadlock upgrading a read lock.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _IMMEDIATE.get() else "BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One serialised write transaction: commits on success, rolls back on any error."""
    token = _IMMEDIATE.set(True)
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            if is_sqlite(engine):
                session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE happens here
            else:
                session.execute(select(AuditHead.id).where(AuditHead.id == 1).with_for_update())
            yield session
    finally:
        _IMMEDIATE.reset(token)


# -- migrations ---------------------------------------------------------------------------------
def _alembic_config():
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None  # the migrations have one head
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> str:
    """Create or migrate the schema to the newest revision (idempotent); returns it."""
    from alembic import command

    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return head_revision()


def ensure_current(engine: Engine, *, auto_upgrade_sqlite: bool = True) -> None:
    if current_revision(engine) == head_revision():
        return
    if auto_upgrade_sqlite and is_sqlite(engine):
        upgrade(engine)
        return
    raise TrackerNotReady(f"the tracker database {safe_url(str(engine.url))} is not at the "
                          "current schema: run `dhr db upgrade`")
