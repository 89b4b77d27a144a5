"""Benchmark: API v1 latency and throughput against direct queries, on both backends.

For each corpus size (``--docs 10000,100000``; text-only generated Documents from
``samples.reports.generate_documents``) and each backend, the bench builds an index (or reuses one
of the same size under ``--data-dir``), serves the API with waitress on loopback, and runs a fixed
query mix (plain words, a phrase, two facets, a deep cursor page, a recommendation search):

- ``direct``: the same query straight to the engine. Elasticsearch: the exact request body the
  backend sends, replayed with the official client. SQLite (embedded, no server): the backend's
  ``search()`` call in process.
- ``api``: the HTTP request through the API (parsing, validation, JSON, waitress, loopback).
- Elasticsearch's shard request cache is switched off on the bench indices, so repeated facet
  counts are computed each time (production keeps it on);
- the overhead ratio api/direct at p50 (target: at most 1.5x on Elasticsearch), and
- queries per second with ``--clients`` (8) concurrent loopback clients for ``--seconds``.

Run: ``python -m bench.api --docs 10000`` (Elasticsearch from ``DHR_ELASTICSEARCH_URL`` or
``--es-url``, else only SQLite is measured; ``scripts/esnode.sh with -- python -m bench.api``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from werkzeug.datastructures import MultiDict

from dhr.config import Config, config_from_dict
from dhr.document import Document
from dhr.search import open_backend
from dhr.search.base import SearchBackend
from search_api import create_app, params
from search_api.wsgi import BackgroundServer

TIMEOUT_S = 120  # a query slower than this through the API is reported as a timeout
DEEP_PAGES = 50  # the deep-cursor query fetches page 51 (results 1001-1020)

# name -> (endpoint, query parameters)
QUERY_MIX: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "words": ("search", [("q", "risk assessment police")]),
    "phrase": ("search", [("q", '"domestic abuse"')]),
    "two_facets": ("search", [("theme", "risk_assessment"), ("agency", "police")]),
    "deep_cursor": ("search", [("sort", "newest")]),
    "recs_words": ("recommendations", [("q", "training"), ("agency", "police")]),
}


@dataclass
class Row:
    backend: str
    docs: int
    query: str
    direct_p50: float
    direct_p95: float
    api_p50: float
    api_p95: float
    reps: int
    direct_cpu_p50: float = float("nan")  # CPU time of this process for the direct call

    @property
    def ratio(self) -> float:
        return self.api_p50 / self.direct_p50 if self.direct_p50 else float("nan")


@dataclass
class Load:
    backend: str
    docs: int
    clients: int
    seconds: float
    requests: int
    errors: int
    latencies: list[float] = field(default_factory=list)

    @property
    def qps(self) -> float:
        return self.requests / self.seconds


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def documents(n: int, seed: int) -> Iterator[Document]:
    from samples.reports import generate_documents

    for data in generate_documents(n, seed):
        yield Document.model_validate(data)


def make_config(data_dir: Path, backend: str, es_url: str | None, n: int) -> Config:
    raw: dict[str, Any] = {"storage": {"data_dir": str(data_dir / f"{backend}-{n}")},
                           "search": {"backend": backend}}
    if backend == "elasticsearch":
        raw["search"]["elasticsearch"] = {"url": es_url, "index_prefix": f"dhrbench{n}",
                                          "request_timeout": 120}
    return config_from_dict(raw, env={})


def build_index(backend: SearchBackend, n: int, seed: int) -> float | None:
    """Index n generated documents unless the index already holds them; docs/s or None."""
    backend.ensure_indices()
    if backend.count() == n:
        return None
    started = time.perf_counter()
    report = backend.rebuild(documents(n, seed))  # a bulk load: what `dhr index --rebuild` does
    if report.failed:
        raise SystemExit(f"indexing failed for {len(report.failed)} documents: {report.failed[:2]}")
    return n / (time.perf_counter() - started)


def timed_pair(a: Callable[[], Any], b: Callable[[], Any], reps: int, warmup: int = 2,
               budget_s: float = 60.0, cpu: list[float] | None = None
               ) -> tuple[list[float], list[float]]:
    """Milliseconds of ``a`` and ``b``, interleaved (alternating which goes first) so that both
    see the same machine load and caches. Stops early (after at least 5 pairs) once
    ``budget_s`` is spent, so a slow engine still finishes the run. ``cpu`` collects the CPU
    milliseconds of this process during each call of ``a`` (on a shared machine the wall clock
    includes waiting for the other processes; for the in-process SQLite call, CPU does not)."""
    for _ in range(warmup):
        a()
        b()
    times: tuple[list[float], list[float]] = ([], [])
    started = time.perf_counter()
    for i in range(reps):
        if i >= 5 and time.perf_counter() - started > budget_s:
            break
        order = ((0, a), (1, b)) if i % 2 == 0 else ((1, b), (0, a))
        for slot, fn in order:
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            times[slot].append((time.perf_counter() - t0) * 1000)
            if slot == 0 and cpu is not None:
                cpu.append((time.process_time() - c0) * 1000)
    return times


def deep_cursor(session: requests.Session, base: str, args: list[tuple[str, str]]) -> str:
    cursor = None
    for _ in range(DEEP_PAGES):
        page = session.get(f"{base}/api/v1/search", timeout=120,
                           params=args + [("facets", "0")]
                           + ([("cursor", cursor)] if cursor else [])
                           ).json()
        cursor = page["next_cursor"]
        if cursor is None:
            raise SystemExit("the corpus is too small for the deep-cursor query")
    return cursor


def direct_call(backend: SearchBackend, endpoint: str, args: list[tuple[str, str]]
                ) -> Callable[[], Any]:
    """The same query without the API: Elasticsearch's own request, or the SQLite call."""
    raw = "&".join(f"{k}={v}" for k, v in args).encode()
    if endpoint == "search":
        req = params.document_request(MultiDict(args), raw)
        run = lambda: backend.search(req)
    else:
        req = params.recommendation_request(MultiDict(args), raw)
        run = lambda: backend.search_recommendations(req)
    es = getattr(backend, "es", None)
    if es is None:
        return run
    # Every request the backend sends for this query, replayed as the backend sends them: the
    # counts (size 0) in parallel with the hits and then the highlights for the page of hits.
    captured: list[dict[str, Any]] = []
    original = es.search

    def record(**kwargs: Any) -> Any:
        captured.append(kwargs)
        return original(**kwargs)

    es.search = record
    try:
        run()
    finally:
        es.search = original

    background = [kw for kw in captured if kw.get("size") == 0]
    foreground = [kw for kw in captured if kw.get("size") != 0]
    pool = ThreadPoolExecutor(max_workers=max(1, len(background)))

    def replay() -> None:
        pending = [pool.submit(lambda kw=kw: es.search(**kw)) for kw in background]
        for kwargs in foreground:
            es.search(**kwargs)
        for f in pending:
            f.result()

    return replay


def measure(backend_name: str, backend: SearchBackend, base: str, n: int, reps: int,
            budget_s: float) -> list[Row]:
    rows = []
    with requests.Session() as session:
        for name, (endpoint, args) in QUERY_MIX.items():
            args = list(args)
            if name == "deep_cursor":
                args.append(("cursor", deep_cursor(session, base, args)))
            url = f"{base}/api/v1/{endpoint}"

            def api_call(url: str = url, args: list = args) -> None:
                resp = session.get(url, params=args, timeout=TIMEOUT_S)
                if resp.status_code != 200:
                    raise SystemExit(f"{url} {args}: HTTP {resp.status_code} {resp.text[:200]}")

            cpu: list[float] = []
            try:
                direct, api = timed_pair(direct_call(backend, endpoint, args), api_call, reps,
                                         budget_s=budget_s, cpu=cpu)
            except requests.Timeout:
                print(f"bench: {backend_name} {n} {name}: TIMEOUT (over {TIMEOUT_S} s through "
                      "the API)", file=sys.stderr, flush=True)
                nan = float("nan")
                rows.append(Row(backend_name, n, name + " TIMEOUT", nan, nan, nan, nan, 0))
                continue
            rows.append(Row(backend_name, n, name, statistics.median(direct), pct(direct, 0.95),
                            statistics.median(api), pct(api, 0.95), len(api),
                            statistics.median(cpu)))
            print(f"bench: {backend_name} {n} {name}: api p50 {rows[-1].api_p50:.1f} ms",
                  file=sys.stderr, flush=True)
    return rows


def load_test(backend_name: str, base: str, n: int, clients: int, seconds: float) -> Load:
    """``clients`` threads, each with its own keep-alive connection, cycling through the mix."""
    load = Load(backend_name, n, clients, seconds, 0, 0)
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    mix = [(f"{base}/api/v1/{ep}", args) for ep, args in QUERY_MIX.values()
           if ("sort", "newest") not in args]

    def worker(offset: int) -> None:
        with requests.Session() as s:
            i = offset
            while time.perf_counter() < stop_at:
                url, args = mix[i % len(mix)]
                t0 = time.perf_counter()
                try:
                    ok = s.get(url, params=args, timeout=TIMEOUT_S).status_code == 200
                except requests.RequestException:
                    ok = False
                ms = (time.perf_counter() - t0) * 1000
                with lock:
                    load.requests += 1
                    load.errors += not ok
                    load.latencies.append(ms)
                i += 1

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return load


def run(args: argparse.Namespace) -> dict[str, Any]:
    es_url = args.es_url or os.environ.get("DHR_ELASTICSEARCH_URL")
    backends = [b for b in args.backends.split(",") if b]
    if "elasticsearch" in backends and not es_url:
        print("bench: no Elasticsearch (set DHR_ELASTICSEARCH_URL or --es-url); SQLite only",
              file=sys.stderr)
        backends.remove("elasticsearch")
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="dhr-bench-"))
    rows: list[Row] = []
    loads: list[Load] = []
    indexing: dict[str, float | None] = {}
    for n in [int(x) for x in args.docs.split(",")]:
        for name in backends:
            config = make_config(data_dir, name, es_url, n)
            backend = open_backend(config)
            print(f"bench: {name}, {n} documents: indexing...", file=sys.stderr, flush=True)
            indexing[f"{name}-{n}"] = build_index(backend, n, args.seed)
            if name == "elasticsearch":
                # Every timed query computed in full: the shard request cache would otherwise
                # answer the repeated facet counts (a production benefit, not a measurement).
                backend.es.indices.put_settings(index=list(backend.alias.values()),
                                                settings={"index.requests.cache.enable": False})
            with BackgroundServer(create_app(config, backend=backend), threads=8) as server:
                print(f"bench: {name}, {n} documents: measuring...", file=sys.stderr, flush=True)
                rows += measure(name, backend, server.url, n, args.reps, args.query_budget)
                loads.append(load_test(name, server.url, n, args.clients, args.seconds))
            backend.close()
    print_table(rows, loads, indexing)
    return {"rows": [r.__dict__ | {"ratio": r.ratio} for r in rows],
            "load": [{"backend": x.backend, "docs": x.docs, "clients": x.clients,
                      "qps": x.qps, "errors": x.errors, "p50": statistics.median(x.latencies),
                      "p95": pct(x.latencies, 0.95)} for x in loads],
            "indexing_docs_per_s": indexing}


def print_table(rows: list[Row], loads: list[Load], indexing: dict[str, float | None]) -> None:
    print("latency in ms; direct = the same query straight to the engine; n = timed pairs;"
          " cpu = this process's CPU during the direct call (SQLite: the query's own work)")
    print(f"{'backend':<14}{'docs':>7}  {'query':<12}{'direct p50':>11}{'p95':>9}{'api p50':>10}"
          f"{'p95':>9}{'api/direct':>11}{'n':>4}{'cpu p50':>9}")
    for r in rows:
        print(f"{r.backend:<14}{r.docs:>7}  {r.query:<12}{r.direct_p50:>11.1f}{r.direct_p95:>9.1f}"
              f"{r.api_p50:>10.1f}{r.api_p95:>9.1f}{r.ratio:>10.2f}x{r.reps:>4}"
              f"{r.direct_cpu_p50:>9.1f}")
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print()
    print(f"{'backend':<14}{'docs':>7}  {'clients':>7}{'seconds':>8}{'QPS':>8}{'p50 ms':>9}"
          f"{'p95 ms':>9}{'errors':>7}")
    for x in loads:
        print(f"{x.backend:<14}{x.docs:>7}  {x.clients:>7}{x.seconds:>8.0f}{x.qps:>8.1f}"
              f"{statistics.median(x.latencies):>9.1f}{pct(x.latencies, 0.95):>9.1f}{x.errors:>7}")
    built = {k: v for k, v in indexing.items() if v}
    if built:
        print()
        print("indexing: " + ", ".join(f"{k} {v:.0f} docs/s" for k, v in built.items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", default=os.environ.get("BENCH_DOCS", "10000"),
                    help="corpus sizes, comma-separated (default: $BENCH_DOCS or 10000)")
    ap.add_argument("--backends", default="sqlite,elasticsearch")
    ap.add_argument("--es-url", default=None)
    ap.add_argument("--reps", type=int, default=30, help="timed repetitions per query")
    ap.add_argument("--query-budget", type=float, default=60.0,
                    help="seconds of timing per query before stopping early (min 5 pairs)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=10.0, help="duration of the load test")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data-dir", default=None, help="keep and reuse indices here")
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    args = ap.parse_args(argv)
    result = run(args)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
