"""What the tracker's views share: the tracker database engine, opened on first use.

:func:`install` (called by :func:`search_api.create_app`) sets the session secret and cookie
flags; the engine is opened lazily so an app that never touches the tracker (a read-only
search server, most tests) never opens or migrates a tracker database. An embedded SQLite
tracker is migrated on first use; a PostgreSQL one must be current (``dhr db upgrade``).
The session secret comes from ``DHR_SECRET_KEY`` (set it, the same on every app server, in
production), else from ``<data_dir>/secret_key``, created with mode 0600 on first run.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy.engine import Engine

from dhr.config import Config

EXTENSION_KEY = "dhr_tracker"


class TrackerState:
    def __init__(self, config: Config, engine: Engine | None = None):
        self.config = config
        self._engine = engine
        self._ready = False
        self._lock = threading.Lock()

    @property
    def public_status(self) -> bool:
        return self.config.tracker.public_status

    @property
    def engine(self) -> Engine:
        if not self._ready:
            with self._lock:
                if not self._ready:
                    from accountability.db import create_tracker_engine, ensure_current
                    from accountability.organisations import seed_registry

                    if self._engine is None:
                        self._engine = create_tracker_engine(self.config.tracker_database_url)
                    ensure_current(self._engine)
                    seed_registry(self._engine)
                    self._ready = True
        assert self._engine is not None
        return self._engine


def tracker() -> TrackerState:
    return current_app.extensions[EXTENSION_KEY]


MIN_SECRET_KEY = 32


class SecretKeyError(RuntimeError):
    """The session key file cannot be trusted (readable by others, or too short)."""


def secret_key(config: Config) -> str:
    env = os.environ.get("DHR_SECRET_KEY")
    if env:
        return env
    path = Path(config.data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole under a temporary name, then linked into place: two servers starting
        # at once never read a half-written key, and the first one's key wins.
        tmp = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            tmp.unlink()
    if path.stat().st_mode & 0o077:
        raise SecretKeyError(f"{path} can be read by other users: make it private "
                             f"(chmod 600 {path}) and, as it may have been read, replace it")
    key = path.read_text().strip()
    if len(key) < MIN_SECRET_KEY:
        raise SecretKeyError(f"{path} holds a key shorter than {MIN_SECRET_KEY} characters: "
                             "delete it and a new one is made")
    return key


def install(app: Flask, config: Config, engine: Engine | None = None) -> None:
    app.extensions[EXTENSION_KEY] = TrackerState(config, engine)
    app.config.update(
        SECRET_KEY=secret_key(config),
        # The __Host- prefix makes browsers accept the cookie only if it is Secure, has Path=/
        # and no Domain (so no subdomain can set or shadow it): keep those three as they are.
        SESSION_COOKIE_NAME="__Host-dhr_session",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_PATH="/",
        SESSION_COOKIE_DOMAIN=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        REMEMBER_COOKIE_SECURE=True,
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=8 * 3600,
    )
