"""A bounded search load for the cluster tests: a few threads asking the same questions over and
over, through the HTTP API (as a user would) and straight through the backend, recording every
answer and every error with the time it came."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Self

import requests

from dhr.search.base import DocumentRequest, RecommendationRequest, SearchBackend

# name -> (API path, query parameters); answers are compared on totals and facet counts
API_QUERIES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "words": ("/api/v1/search", [("q", "risk assessment police")]),
    "phrase": ("/api/v1/search", [("q", '"domestic abuse"')]),
    "facets": ("/api/v1/search", [("theme", "risk_assessment"), ("agency", "police")]),
    "everything": ("/api/v1/search", [("sort", "newest")]),
    "recommendations": ("/api/v1/recommendations", [("q", "training")]),
}


def api_answer(session: requests.Session, base_url: str, name: str) -> tuple[int, Any]:
    """(HTTP status, the comparable part of the answer: total and facet counts)."""
    path, params = API_QUERIES[name]
    resp = session.get(base_url + path, params=params, timeout=120)
    if resp.status_code != 200:
        return resp.status_code, resp.text[:300]
    body = resp.json()
    facets = {f: sorted((v["value"], v["count"]) for v in values)
              for f, values in (body.get("facets") or {}).items()}
    return 200, (body["total"], facets)


def direct_answer(backend: SearchBackend, name: str) -> Any:
    path, params = API_QUERIES[name]
    args: dict[str, Any] = {}
    filters: dict[str, list[str]] = {}
    for key, value in params:
        if key in ("q", "sort"):
            args[key] = value
        else:
            filters.setdefault(key, []).append(value)
    if path.endswith("recommendations"):
        return backend.search_recommendations(RecommendationRequest(**args, filters=filters)).total
    return backend.search(DocumentRequest(**args, filters=filters)).total


@dataclass
class Answer:
    at: float
    query: str
    ok: bool
    detail: Any


@dataclass
class QueryLoad:
    """``api_threads`` clients of the API at ``base_url`` and ``direct_threads`` callers of
    ``backend`` cycling through :data:`API_QUERIES` until :meth:`stop`; an answer is ``ok`` when
    it is a 200 equal to ``expected`` (what the cluster answered with every node up)."""

    base_url: str
    backend: SearchBackend
    expected_api: dict[str, Any]
    expected_direct: dict[str, Any]
    api_threads: int = 3
    direct_threads: int = 1
    answers: list[Answer] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> Self:
        for k in range(self.api_threads):
            self._threads.append(threading.Thread(target=self._api_client, args=(k,), daemon=True))
        for k in range(self.direct_threads):
            self._threads.append(threading.Thread(target=self._direct_client, args=(k,),
                                                  daemon=True))
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=180)

    def _record(self, query: str, ok: bool, detail: Any) -> None:
        with self._lock:
            self.answers.append(Answer(time.monotonic(), query, ok, detail))

    def _api_client(self, offset: int) -> None:
        names = list(API_QUERIES)
        with requests.Session() as session:
            i = offset
            while not self._stop.is_set():
                name = names[i % len(names)]
                try:
                    status, got = api_answer(session, self.base_url, name)
                    ok = status == 200 and got == self.expected_api[name]
                    self._record(f"api {name}", ok, got if ok else (status, got))
                except requests.RequestException as err:
                    self._record(f"api {name}", False, repr(err))
                i += 1

    def _direct_client(self, offset: int) -> None:
        names = list(API_QUERIES)
        i = offset
        while not self._stop.is_set():
            name = names[i % len(names)]
            try:
                got = direct_answer(self.backend, name)
                self._record(f"direct {name}", got == self.expected_direct[name], got)
            except Exception as err:  # noqa: BLE001 - any failure is what the test looks for
                self._record(f"direct {name}", False, repr(err))
            i += 1

    def wait_for_answers(self, n: int, since: float, timeout: float = 120.0) -> None:
        """Block until at least ``n`` answers arrived after ``since`` (the load really ran)."""
        deadline = time.monotonic() + timeout
        while len(self.since(since)) < n:
            if time.monotonic() > deadline:
                raise AssertionError(f"only {len(self.since(since))} answers in {timeout:.0f}s")
            time.sleep(0.1)

    def since(self, t: float) -> list[Answer]:
        with self._lock:
            return [a for a in self.answers if a.at >= t]

    @property
    def failures(self) -> list[Answer]:
        with self._lock:
            return [a for a in self.answers if not a.ok]
