"""How many refused requests from one address the audit log records, so refusals cannot flood it.

Every refused request is audited (accountability.md: "the attempt is logged"), but an anonymous
client can send refused requests as fast as it likes, and each one would append a row to a log
that is never pruned. :class:`RefusalBudget` gives each client address a budget of audited
refusals per window (a fixed window, default 30 per 60 s). Beyond it, refusals in that window are
counted, not written; the first refusal of the next window writes one summary entry
(``request.refused.throttled``) with the number left out, so the log still says that it happened
and how often. The budget is per process (like the sign-in limiter): with N app servers an
address can write at most N times the budget, which still bounds the log's growth.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_LIMIT = 30
DEFAULT_WINDOW_S = 60.0
MAX_TRACKED_ADDRESSES = 10_000


@dataclass
class _Window:
    started: float
    written: int = 0
    dropped: int = 0


@dataclass(frozen=True)
class Admission:
    """What to write for one refusal: the entry itself or not, and a summary of earlier drops."""

    record: bool
    dropped_before: int  # refusals left out in this address's previous window (0: none)


class RefusalBudget:
    def __init__(self, limit: int = DEFAULT_LIMIT, window_s: float = DEFAULT_WINDOW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("a refusal budget needs limit >= 1 and a positive window")
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def admit(self, address: str | None) -> Admission:
        key = address or "-"
        now = self._clock()
        with self._lock:
            window = self._windows.get(key)
            dropped_before = 0
            if window is None or now - window.started >= self.window_s:
                dropped_before = window.dropped if window else 0
                if window is None and len(self._windows) >= MAX_TRACKED_ADDRESSES:
                    self._forget_expired(now)
                window = self._windows[key] = _Window(started=now)
            if window.written < self.limit:
                window.written += 1
                return Admission(True, dropped_before)
            window.dropped += 1
            return Admission(False, dropped_before)

    def _forget_expired(self, now: float) -> None:
        expired = [k for k, w in self._windows.items() if now - w.started >= self.window_s]
        for k in expired:
            if self._windows[k].dropped == 0:
                del self._windows[k]
        if len(self._windows) >= MAX_TRACKED_ADDRESSES:
            # Under a spread-out flood, forget the oldest windows; their drop counts are lost
            # from the summary, never the budget's bound.
            for k in sorted(self._windows, key=lambda k: self._windows[k].started)[
                    : len(self._windows) // 2]:
                del self._windows[k]
