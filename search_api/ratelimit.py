"""Per-client rate limiting for the search endpoints, on the ``limits`` library.

``limits`` is the rate-limiting library under Flask-Limiter (which guards the sign-in form); the
search endpoints use it directly because they charge more than one hit for some requests (each
page of an export after the first, :func:`charge`), which a route decorator cannot express.
Each client (by remote address) may make ``server.rate_limit_per_minute`` requests in any moving
60-second window; one more is answered 429 with ``Retry-After`` (seconds until the oldest request
of the window leaves it). Counts live in ``server.rate_limit_storage``: ``memory://`` (default:
one process, as waitress runs) or a shared store such as ``redis://host:6379`` when several
app servers must share one limit (``limits`` storage URIs). Off unless
``server.rate_limit_per_minute`` is set. Behind a reverse proxy, configure the proxy to pass the
client address (the limiter sees ``request.remote_addr``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request
from limits import RateLimitItemPerMinute, storage, strategies

from .errors import ApiError

F = TypeVar("F", bound=Callable[..., Any])
EXTENSION_KEY = "dhr_rate_limiter"
NAMESPACE = "dhr-search"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int
    retry_after: int  # seconds until one more request is allowed (0 when allowed)


class ClientLimiter:
    """At most ``per_minute`` requests per client in any moving 60-second window."""

    def __init__(self, per_minute: int, *, storage_uri: str = "memory://") -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.item = RateLimitItemPerMinute(per_minute, namespace=NAMESPACE)
        self.strategy = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_uri))

    def take(self, client: str) -> Decision:
        allowed = self.strategy.hit(self.item, client)
        stats = self.strategy.get_window_stats(self.item, client)
        retry = 0 if allowed else max(1, math.ceil(stats.reset_time - time.time()))
        return Decision(allowed, stats.remaining, retry)


def charge() -> tuple[ClientLimiter, Decision] | None:
    """Count one request against the current client's limit: for a request, or for more work a
    request goes on to do (an export's next page). None when limiting is off."""
    limiter: ClientLimiter | None = current_app.extensions.get(EXTENSION_KEY)
    if limiter is None:
        return None
    return limiter, limiter.take(request.remote_addr or "unknown")


def rate_limited(view: F) -> F:
    """Decorate a view so each call counts against the client's limit (if limiting is on)."""

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
