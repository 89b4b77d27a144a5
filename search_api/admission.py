"""Admission for expensive searches: a few at a time, so ordinary searches keep answering.

The query language bounds what one query may cost (dhr/query.py: nesting, prefixes, words),
but a query within those bounds can still cost a hundred ordinary ones: a two-letter prefix
matches thousands of words, and an export runs up to 50 searches. Without a bound on how many
run at once, eight clients sending them fill every server thread and an ordinary search waits
seconds behind them (``make bench``, bench.load). So requests are sorted in two:

- expensive: every export; a search whose query has a prefix shorter than
  :data:`SHORT_PREFIX` letters or more than :data:`MANY_LEAVES` words and phrases (after
  synonyms);
- ordinary: everything else, never held back.

At most ``server.max_expensive_requests`` (default 2) expensive requests run at once, per
process; one more is answered at once with 503 and ``Retry-After`` (it never waits holding a
server thread). The slot of an export is held until its last row is sent.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, Response, current_app

from dhr.query import And, Node, Not, Or, Prefix
from dhr.search.base import DocumentRequest, RecommendationRequest

from .errors import ApiError

EXTENSION_KEY = "dhr_admission"
SHORT_PREFIX = 4
MANY_LEAVES = 50
RETRY_AFTER_S = 5


def _leaves(node: Node | None) -> list[Any]:
    if node is None:
        return []
    if isinstance(node, (And, Or)):
        return [leaf for child in node.children for leaf in _leaves(child)]
    if isinstance(node, Not):
        return _leaves(node.child)
    return [node]


def is_expensive(request: DocumentRequest | RecommendationRequest) -> bool:
    leaves = _leaves(request.query)
    return len(leaves) > MANY_LEAVES or any(
        isinstance(leaf, Prefix) and len(leaf.prefix) < SHORT_PREFIX for leaf in leaves)


class Admission:
    """Counts the expensive requests running in this process."""

    def __init__(self, limit: int):
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)

    def enter(self) -> None:
        if not self._slots.acquire(blocking=False):
            raise ApiError(503, f"the service is busy with other large searches (at most "
                           f"{self.limit} at once); retry in a few seconds, or use longer "
                           "prefixes and fewer words", code="busy",
                           headers={"Retry-After": str(RETRY_AFTER_S)})

    def leave(self) -> None:
        self._slots.release()


def install(app: Flask, limit: int) -> None:
    app.extensions[EXTENSION_KEY] = Admission(limit)


def _admission() -> Admission | None:
    return current_app.extensions.get(EXTENSION_KEY)


class admitted:
    """``with admitted(request):`` runs the block, holding a slot if the request is expensive
    (503 when none is free)."""

    def __init__(self, request: DocumentRequest | RecommendationRequest):
        self.admission = _admission() if is_expensive(request) else None

    def __enter__(self) -> None:
        if self.admission is not None:
            self.admission.enter()

    def __exit__(self, *exc: object) -> None:
        if self.admission is not None:
            self.admission.leave()


def admit_streaming(resp: Response) -> Response:
    """Hold a slot for a streamed answer (an export) until the server closes it."""
    admission = _admission()
    if admission is None:
        return resp
    admission.enter()
    released = threading.Event()

    def leave() -> None:
        if not released.is_set():
            released.set()
            admission.leave()

    resp.call_on_close(leave)
    return resp
