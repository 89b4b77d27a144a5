"""Per-client rate limiting for the search endpoints: a small in-memory token bucket.

Each client (by remote address) has a bucket of ``per_minute`` tokens that refills continuously
at ``per_minute / 60`` tokens a second; a request takes one token or is answered 429 with
``Retry-After``. Buckets live in one process (waitress runs one process with threads), bounded by
an LRU so a flood of addresses cannot grow memory. Off unless ``server.rate_limit_per_minute``
is set. Behind a reverse proxy, configure the proxy to pass the client address (the limiter sees
``request.remote_addr``).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request

from .errors import ApiError

F = TypeVar("F", bound=Callable[..., Any])
EXTENSION_KEY = "dhr_rate_limiter"


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int
    retry_after: int  # seconds until one token is back (0 when allowed)


class TokenBucketLimiter:
    """Thread-safe token buckets keyed by client."""

    def __init__(self, per_minute: int, *, burst: int | None = None, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic):
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.capacity = float(burst or per_minute)
        self.rate = per_minute / 60.0  # tokens a second
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str) -> Decision:
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                bucket = _Bucket(self.capacity, now)
                self._buckets[client] = bucket
                if len(self._buckets) > self.max_clients:
                    self._buckets.popitem(last=False)
            else:
                self._buckets.move_to_end(client)
                bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
                bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return Decision(True, int(bucket.tokens), 0)
            wait = (1.0 - bucket.tokens) / self.rate
            return Decision(False, 0, max(1, math.ceil(wait)))


def charge() -> tuple[TokenBucketLimiter, Decision] | None:
    """Take one token from the current client's bucket: for a request, or for more work a
    request goes on to do (an export's next page). None when limiting is off."""
    limiter: TokenBucketLimiter | None = current_app.extensions.get(EXTENSION_KEY)
    if limiter is None:
        return None
    return limiter, limiter.take(request.remote_addr or "unknown")


def rate_limited(view: F) -> F:
    """Decorate a view so each call takes a token from the client's bucket (if limiting is on)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        charged = charge()
        if charged is not None:
            limiter, decision = charged
            headers = {"X-RateLimit-Limit": str(limiter.per_minute),
                       "X-RateLimit-Remaining": str(decision.remaining)}
            if not decision.allowed:
                headers["Retry-After"] = str(decision.retry_after)
                raise ApiError(429, f"too many requests: at most {limiter.per_minute} a minute; "
                               f"retry after {decision.retry_after} s", headers=headers)
            g.rate_limit_headers = headers
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
