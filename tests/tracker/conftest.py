"""Fixtures for the tracker suite: every test runs on SQLite AND on a real PostgreSQL server.

One PostgreSQL server (Debian's ``postgresql`` package, started by :mod:`tests.tracker.pgserver`
as an unprivileged user, on 127.0.0.1) is shared by the session; each test gets a database of
its own. Without the binaries the PostgreSQL half is skipped on a developer machine, but under
``CI=true`` a server that cannot start FAILS the run: CI never passes with it skipped.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from accountability.accounts import add_user, create_token
from accountability.db import create_tracker_engine, upgrade
from accountability.organisations import seed_registry
from accountability.sync import sync_documents
from tests.conftest import IN_CI, make_config

from .docs import document
from .pgserver import PostgresServer, PostgresUnavailable

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def pg_server():
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as err:
        if IN_CI:
            pytest.fail(f"CI=true but the PostgreSQL test server cannot start: {err}")
        pytest.skip(f"no PostgreSQL server: {err}")
    yield server
    server.stop()


FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """argon2id with small parameters in tests (the production parameters have a test of
    their own): thousands of hashes would otherwise dominate the suite's time."""
    from accountability import accounts

    saved = accounts._hasher, accounts._DUMMY_HASH
    accounts._hasher, accounts._DUMMY_HASH = FAST_HASHER, FAST_HASHER.hash("dummy-password")
    yield
    accounts._hasher, accounts._DUMMY_HASH = saved


@dataclass
class World:
    """A synced review and accounts: editors of GMP, of the Home Office and of the CSP, an
    oversight user, an admin and an org_admin, each with a write token (``read``: the GMP
    editor's read-scope token)."""

    recs: dict[str, str]  # number -> id
    tokens: dict[str, str]


PEOPLE = {"gmp": ("gmp-editor@example.org", "greater-manchester-police", "editor"),
          "home_office": ("ho-editor@example.org", "home-office", "editor"),
          "csp": ("csp-editor@example.org", "bolton-csp", "editor"),
          "oversight": ("oversight@example.org", "domestic-abuse-commissioner", "oversight"),
          "admin": ("admin@example.org", "home-office", "admin"),
          "gmp_admin": ("gmp-admin@example.org", "greater-manchester-police", "org_admin")}


def build_world(engine) -> World:
    upgrade(engine)
    seed_registry(engine)
    sync_documents(engine, standard_review())
    from sqlalchemy import select

    from accountability.db import read_session
    from accountability.models import ReviewRecommendation

    with read_session(engine) as s:
        recs = {r.number: r.id for r in s.scalars(select(ReviewRecommendation))}
    tokens = {}
    for key, (email, org, role) in PEOPLE.items():
        add_user(engine, email, PASSWORD, org, role)
        tokens[key] = create_token(engine, email, scope="write")[0]
    tokens["read"] = create_token(engine, "gmp-editor@example.org", scope="read")[0]
    return World(recs, tokens)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, fast_password_hashing):
    """A migrated SQLite tracker with the world in it, copied for each test."""
    path = tmp_path_factory.mktemp("tracker-template") / "template.db"
    engine = create_tracker_engine(f"sqlite:///{path}")
    world = build_world(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, world


@pytest.fixture(scope="session")
def pg_template(pg_server, fast_password_hashing):
    """The same in a PostgreSQL database, used as the TEMPLATE of each test's database."""
    url = pg_server.create_database("tracker_template")
    engine = create_tracker_engine(url)
    world = build_world(engine)
    engine.dispose()
    return "tracker_template", world


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path: Path) -> tuple[str, World]:
    if request.param == "sqlite":
        template, world = request.getfixturevalue("sqlite_template")
        target = tmp_path / "tracker.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}", world
    name, world = request.getfixturevalue("pg_template")
    server = request.getfixturevalue("pg_server")
    return server.create_database(template=name), world


@pytest.fixture
def db_url(database) -> str:
    return database[0]


@pytest.fixture
def world(database) -> World:
    return database[1]


@pytest.fixture
def engine(db_url: str):
    engine = create_tracker_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def cfg(tmp_path: Path, db_url: str):
    # The batteries below send many refused requests from one address within a minute; the
    # audit budget for refusals has its own test (test_refusal_budget.py).
    return make_config(tmp_path, "sqlite", tracker={"database_url": db_url,
                                                     "refusal_audit_per_minute": 100_000})


@pytest.fixture
def app(cfg, engine):
    from search_api.app import create_app

    app = create_app(cfg, tracker_engine=engine)
    app.config["TESTING"] = False  # CSRF and rate limits stay on, as in production
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def standard_review() -> list:
    """A review printed in an overview report and an executive summary, with an action plan."""
    return [document("overview"),
            document("summary", doc_type="executive_summary"),
            document("plan", doc_type="action_plan", recs=[], actions=[
                {"recommendation": "1", "action": "Revise the recording guidance",
                 "lead": {"id": "greater-manchester-police", "name": "GMP"},
                 "target_date": "2021-06", "status": "in_progress", "page": 2}])]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    ran = [r for key in ("passed", "failed") for r in terminalreporter.stats.get(key, [])
           if "[postgresql" in r.nodeid and r.when == "call"]
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "[postgresql" in r.nodeid]
    if ran or skipped:
        terminalreporter.write_line(f"PostgreSQL tracker tests run: {len(ran)}, "
                                    f"skipped: {len(skipped)}")
