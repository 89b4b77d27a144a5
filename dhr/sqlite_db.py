"""SQLite connections shared by the store's catalog and the embedded search index.

One connection per thread (WAL mode, so readers never block the writer) and explicit
``BEGIN IMMEDIATE`` transactions: a process killed mid-write leaves the database as it was.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class ThreadLocalDB:
    def __init__(self, path: Path, *, busy_ms: int = 30000, pragmas: tuple[str, ...] = ()):
        self.path = path
        self.busy_ms = busy_ms
        self.pragmas = pragmas
        self._local = threading.local()

    def get(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=self.busy_ms / 1000, isolation_level=None,
                                 check_same_thread=False)
            db.row_factory = sqlite3.Row
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL",
                           f"busy_timeout={self.busy_ms}", *self.pragmas):
                db.execute(f"PRAGMA {pragma}")
            self._local.db = db
            self._local.inode = _inode(self.path)
        return db

    def is_stale(self) -> bool:
        """True if this thread's connection is to a file that has since been replaced."""
        db = getattr(self._local, "db", None)
        return db is not None and self._local.inode != _inode(self.path)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.get()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except FileNotFoundError:
        return None
