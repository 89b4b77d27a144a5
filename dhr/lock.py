"""The run lock of ``dhr nightly``: two runs never overlap, a killed run never blocks the next.

``fcntl.flock`` on ``<data_dir>/nightly.lock``: the kernel releases the lock when its holder
exits, however it exits (SIGKILL, a reboot), so a lock that can be taken is never held by a live
run. The holder writes its pid, host and start time into the file, so a second run can say who
holds the lock, and a run that finds a previous holder's record in a lock it could take knows
that run died without cleaning up (a *stale* lock, taken over and reported).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from .store import utcnow


class LockHeld(RuntimeError):
    """Another live run holds the lock."""

    def __init__(self, path: Path, holder: dict[str, Any]):
        self.path = path
        self.holder = holder
        who = f"pid {holder.get('pid', '?')}" + (f" on {holder['host']}" if holder.get("host")
                                                 else "")
        since = f" since {holder['started']}" if holder.get("started") else ""
        super().__init__(f"another run is in progress ({who}{since}); lock file {path}")


@dataclass
class RunLock:
    """``with RunLock(path) as lock:`` holds the lock or raises :class:`LockHeld` at once."""

    path: Path
    stale: dict[str, Any] | None = None  # the record a killed previous holder left behind
    _fd: int | None = field(default=None, repr=False)

    def acquire(self) -> Self:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_record(fd)
            os.close(fd)
            raise LockHeld(self.path, holder) from None
        previous = _read_record(fd)
        self.stale = previous or None
        record = {"pid": os.getpid(), "host": socket.gethostname(), "started": utcnow()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(record) + "\n").encode(), 0)
        os.fsync(fd)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            # a clean exit leaves no record: the next run sees no stale lock
            os.ftruncate(self._fd, 0)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def read_holder(path: Path) -> dict[str, Any]:
    """What the lock file says about its holder (empty if none)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return {}
    try:
        return _read_record(fd)
    finally:
        os.close(fd)


def _read_record(fd: int) -> dict[str, Any]:
    raw = os.pread(fd, 4096, 0)
    if not raw.strip():
        return {}
    try:
        record = json.loads(raw)
    except ValueError:
        return {"raw": raw.decode("utf-8", "replace").strip()[:200]}
    return record if isinstance(record, dict) else {}
