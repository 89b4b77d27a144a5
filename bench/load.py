"""Benchmark: ordinary searches while expensive ones run (issue 18), on a realistic corpus.

For each backend (SQLite; Elasticsearch too when ``DHR_ELASTICSEARCH_URL`` or ``--es-url`` is
set), the bench builds an index of ``--docs`` generated documents (default 3000; reused from
``--data-dir`` when it already holds them), serves it with waitress on 127.0.0.1 (rate limiting
off: the server's own cost is measured), and runs two phases of ``--seconds`` each:

1. ``alone``: ``--normal`` clients (default 2) send the normal mix (words, a phrase, a prefix,
   facets, recommendations; 20 results a page), one request after another;
2. ``with expensive``: the same normal clients, while ``--expensive`` clients (default 8) send
   the expensive mix: the security review's query (400 two-letter prefixes OR-ed, 100 results
   a page, now refused), queries at the cost limits that are accepted (10 two-letter prefixes
   with 100 results a page, parentheses nested as deep as allowed, as many words OR-ed as a
   query may hold), and a CSV export of a search matching every document. Expensive searches
   beyond ``server.max_expensive_requests`` at once are refused with 503 (admission control);
   the table counts them.

It prints p50 / p95 / max of the normal searches in each phase and their ratio, and for each
expensive query its count, HTTP statuses and p50 / p95. Bounded: loopback only, each phase
stops after ``--seconds`` (a request already sent finishes, at most ``TIMEOUT_S``), each
client sends at most ``--max-requests``.

Run: ``python -m bench.load`` (``make bench`` runs it with the other parts).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from dhr.config import Config, config_from_dict
from dhr.document import Document
from dhr.query import MAX_CLAUSES, MAX_NESTING, MAX_PREFIXES, MAX_QUERY_CHARS
from dhr.search import open_backend
from dhr.search.base import SearchBackend
from search_api import create_app
from search_api.wsgi import BackgroundServer

from .common import CACHE, generated_documents

TIMEOUT_S = 120
TWO_LETTERS = [a + b for a in "abcdefghilmnoprstuw" for b in "aeiouy"]
WORDS = ["risk", "police", "housing", "training", "alcohol", "agency", "review", "family"]

def _longest_or() -> str:
    """As many words OR-ed as a query may hold (characters and words)."""
    words: list[str] = []
    for word in WORDS * MAX_CLAUSES:
        if len(words) == MAX_CLAUSES or len(" OR ".join([*words, word])) > MAX_QUERY_CHARS:
            break
        words.append(word)
    return " OR ".join(words)


NORMAL_MIX: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "words": ("/api/v1/search", [("q", "risk assessment police")]),
    "phrase": ("/api/v1/search", [("q", '"domestic abuse"')]),
    "prefix": ("/api/v1/search", [("q", "safeguard*")]),
    "facets": ("/api/v1/search", [("theme", "risk_assessment"), ("agency", "police")]),
    "recs": ("/api/v1/recommendations", [("q", "training"), ("agency", "police")]),
}
EXPENSIVE_MIX: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "review_400_prefixes": ("/api/v1/search", [
        ("q", " OR ".join(p + "*" for p in (TWO_LETTERS * 4)[:400])), ("page_size", "100")]),
    f"{MAX_PREFIXES}_short_prefixes": ("/api/v1/search", [
        ("q", " OR ".join(p + "*" for p in TWO_LETTERS[:MAX_PREFIXES])), ("page_size", "100")]),
    "nested_at_limit": ("/api/v1/search", [
        ("q", "".join(f"-({w} OR " for w in (WORDS * 2)[:MAX_NESTING]) + "abuse"
         + ")" * MAX_NESTING), ("page_size", "100")]),
    "longest_or": ("/api/v1/search", [("q", _longest_or()), ("page_size", "100")]),
    "export_everything": ("/search.csv", [("q", "co*")]),
}


@dataclass
class Phase:
    name: str
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, Counter] = field(default_factory=dict)

    def record(self, kind: str, ms: float, status: int) -> None:
        self.latencies.setdefault(kind, []).append(ms)
        self.statuses.setdefault(kind, Counter())[status] += 1

    def normal(self) -> list[float]:
        return [ms for k, v in self.latencies.items() if k in NORMAL_MIX for ms in v]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def documents(n: int, seed: int) -> Iterator[Document]:
    for data in generated_documents(n, seed):
        yield Document.model_validate(data)


def make_config(data_dir: Path, backend: str, es_url: str | None, n: int,
                max_expensive: int = 2) -> Config:
    raw: dict[str, Any] = {"storage": {"data_dir": str(data_dir / f"{backend}-{n}")},
                           "search": {"backend": backend},
                           "server": {"max_expensive_requests": max_expensive}}
    if backend == "elasticsearch":
        raw["search"]["elasticsearch"] = {"url": es_url, "index_prefix": f"dhrload{n}",
                                          "request_timeout": TIMEOUT_S}
    return config_from_dict(raw, env={})


def build_index(backend: SearchBackend, n: int, seed: int) -> None:
    backend.ensure_indices()
    if backend.count() == n:
        return
    started = time.perf_counter()
    report = backend.rebuild(documents(n, seed))
    if report.failed:
        raise SystemExit(f"indexing failed for {len(report.failed)} documents")
    print(f"bench.load: indexed {n} documents in {time.perf_counter() - started:.0f} s",
          file=sys.stderr, flush=True)


def run_phase(name: str, base: str, clients: list[tuple[str, dict]], seconds: float,
              max_requests: int) -> Phase:
    """Each client cycles through its mix with its own keep-alive connection until time is up."""
    phase = Phase(name, seconds)
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker(offset: int, mix: dict[str, tuple[str, list[tuple[str, str]]]]) -> None:
        names = list(mix)
        with requests.Session() as session:
            for i in range(offset, offset + max_requests):
                if time.perf_counter() >= stop_at:
                    return
                kind = names[i % len(names)]
                path, params = mix[kind]
                t0 = time.perf_counter()
                try:
                    resp = session.get(base + path, params=params, timeout=TIMEOUT_S)
                    _ = resp.content  # an export is read to its end
                    status = resp.status_code
                except requests.RequestException:
                    status = 0
                with lock:
                    phase.record(kind, (time.perf_counter() - t0) * 1000, status)

    threads = [threading.Thread(target=worker, args=(k, mix), daemon=True)
               for k, (_, mix) in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return phase


def measure(backend_name: str, config: Config, args: argparse.Namespace) -> list[Phase]:
    backend = open_backend(config)
    try:
        print(f"bench.load: {backend_name}, {args.docs} documents: indexing...", file=sys.stderr,
              flush=True)
        build_index(backend, args.docs, args.seed)
        with BackgroundServer(create_app(config, backend=backend), threads=8) as server:
            normal = [("normal", NORMAL_MIX)] * args.normal
            expensive = [("expensive", EXPENSIVE_MIX)] * args.expensive
            run_phase("warm-up", server.url, normal, min(3.0, args.seconds), 20)
            alone = run_phase("alone", server.url, normal, args.seconds, args.max_requests)
            loaded = run_phase("with expensive", server.url, normal + expensive, args.seconds,
                               args.max_requests)
    finally:
        backend.close()
    return [alone, loaded]


def print_report(backend_name: str, docs: int, phases: list[Phase]) -> dict[str, Any]:
    alone, loaded = phases
    a, b = alone.normal(), loaded.normal()
    print(f"\n== {backend_name}, {docs} documents: normal searches, alone and while expensive "
          "ones run (ms)")
    print(f"{'phase':<16}{'requests':>9}{'p50':>9}{'p95':>9}{'max':>9}{'errors':>8}")
    for phase, values in ((alone, a), (loaded, b)):
        errors = sum(n for k, c in phase.statuses.items() if k in NORMAL_MIX
                     for s, n in c.items() if s != 200)
        print(f"{phase.name:<16}{len(values):>9}{statistics.median(values) if values else 0:>9.0f}"
              f"{pct(values, 0.95):>9.0f}{max(values, default=0):>9.0f}{errors:>8}")
    ratio = pct(b, 0.95) / pct(a, 0.95) if a and b else float("nan")
    print(f"p95 with expensive / alone: {ratio:.2f}x")
    print(f"\n{'expensive query':<22}{'n':>5}{'p50':>9}{'p95':>9}  statuses")
    for kind in EXPENSIVE_MIX:
        values = loaded.latencies.get(kind, [])
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(loaded.statuses.get(kind, {}).items()))
        print(f"{kind:<22}{len(values):>5}{statistics.median(values) if values else 0:>9.0f}"
              f"{pct(values, 0.95):>9.0f}  {statuses}")
    return {"backend": backend_name, "docs": docs, "normal_p95_alone": pct(a, 0.95),
            "normal_p95_with_expensive": pct(b, 0.95), "ratio": ratio}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=int(os.environ.get("BENCH_LOAD_DOCS", "3000")))
    ap.add_argument("--backends", default="sqlite,elasticsearch")
    ap.add_argument("--es-url", default=None)
    ap.add_argument("--normal", type=int, default=2, help="clients sending the normal mix")
    ap.add_argument("--expensive", type=int, default=8, help="clients sending the expensive mix")
    ap.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    ap.add_argument("--max-requests", type=int, default=2000, help="per client and phase")
    ap.add_argument("--max-expensive", type=int, default=2,
                    help="server.max_expensive_requests (64: admission control in effect off)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--data-dir", default=str(CACHE / "load"),
                    help="keep and reuse indices here (default: the bench cache)")
    args = ap.parse_args(argv)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # queueing is what we measure
    es_url = args.es_url or os.environ.get("DHR_ELASTICSEARCH_URL")
    backends = [b for b in args.backends.split(",") if b]
    if "elasticsearch" in backends and not es_url:
        print("bench.load: no Elasticsearch (set DHR_ELASTICSEARCH_URL); SQLite only",
              file=sys.stderr)
        backends.remove("elasticsearch")
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="dhr-load-"))
    for name in backends:
        config = make_config(data_dir, name, es_url, args.docs, args.max_expensive)
        print_report(name, args.docs, measure(name, config, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
