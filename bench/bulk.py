"""Benchmark: bulk loading into Elasticsearch, the current settings side by side with the old.

Both load the same generated Documents (about 30 KB of text each, ``samples.reports``) with the
backend's ``rebuild`` (what ``dhr index --rebuild`` does), into the node ``make bench`` starts:

- ``before``: the settings this project used until the bulk work of issue 12: one bulk request
  at a time, up to 200 actions or 50 MB per request, and the mapping's index-time analysis of
  the pre-tokenised ``text`` with the ``standard`` tokenizer;
- ``now``: the backend as it is (``ElasticsearchBackend.bulk_workers`` concurrent requests of at
  most ``bulk_bytes``, mappings from ``mappings/``).

Both load without refreshes or per-request fsync, and without replicas (on one node there are
none anyway). The runs alternate (before, now, now, before, ...) so that both see the same load
from whatever else the machine is doing, and besides documents per second (wall clock) each run
reports the CPU it cost: Elasticsearch's own (``_nodes/stats``) and this process's, per document,
which a busy shared machine disturbs much less than the wall clock. Both settings load 500
documents twice first, unmeasured, so that the node's JIT warm-up does not fall on the first run.

Run: ``scripts/esnode.sh with -- python -m bench.bulk [--docs 1000] [--rounds 1]``; against a
cluster: ``python -m bench.bulk --es-url URL1,URL2,URL3 --shards 3 --replicas 1`` (there ``before``
also keeps the replicas while loading, as it used to, and ``now`` loads without them and waits
for them to be copied afterwards).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from typing import Any

from dhr.config import ElasticsearchConfig
from dhr.document import Document
from dhr.search.elasticsearch import ElasticsearchBackend

from .common import generated_documents


class BeforeBackend(ElasticsearchBackend):
    """The backend with the bulk settings it had before: one request at a time, 200 actions or
    50 MB a request, replicas kept while loading, ``standard`` tokenizer at index time on the
    pre-tokenised fields."""

    bulk_workers = 1
    bulk_actions = 200
    bulk_bytes = 50 * 1024 * 1024

    def _create_index(self, kind: str, **load_settings: Any) -> str:
        import dhr.search.elasticsearch as es_module

        original = es_module.load_index_body

        def old_body(kind: str, shards: int, replicas: int) -> dict[str, Any]:
            body = original(kind, shards, replicas)
            for analyzer in body["settings"]["analysis"]["analyzer"].values():
                if analyzer.get("type") == "custom":
                    analyzer["tokenizer"] = "standard"
            return body

        es_module.load_index_body = old_body
        load_settings.pop("number_of_replicas", None)
        try:
            return super()._create_index(kind, **load_settings)
        finally:
            es_module.load_index_body = original


def es_cpu_ms(backend: ElasticsearchBackend) -> float:
    nodes = backend.es.nodes.stats(metric="process")["nodes"].values()
    return float(sum(n["process"]["cpu"]["total_in_millis"] for n in nodes))


def load_once(cls: type[ElasticsearchBackend], url: str, docs: list[Document], *,
              shards: int = 1, replicas: int = 0) -> dict[str, float]:
    backend = cls(ElasticsearchConfig(url=url.split(","), request_timeout=120, shards=shards,
                                      replicas=replicas,
                                      index_prefix=f"benchbulk{uuid.uuid4().hex[:8]}"))
    try:
        cpu0, es0, t0 = time.process_time(), es_cpu_ms(backend), time.perf_counter()
        report = backend.rebuild(iter(docs))
        wall = time.perf_counter() - t0
        es_ms, client_s = es_cpu_ms(backend) - es0, time.process_time() - cpu0
        if report.indexed != len(docs) or report.failed:
            raise SystemExit(f"bulk load incomplete: {report.indexed} indexed, "
                             f"{len(report.failed)} failed {report.failed[:2]}")
    finally:
        backend.drop()
        backend.close()
    return {"docs_s": len(docs) / wall, "wall_s": wall, "es_ms_doc": es_ms / len(docs),
            "client_ms_doc": client_s * 1000 / len(docs)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(prog="bench.bulk", description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=int(os.environ.get("BENCH_BULK_DOCS", "1000")))
    ap.add_argument("--rounds", type=int, default=1,
                    help="each round loads before, now, now, before")
    ap.add_argument("--es-url", default=os.environ.get("DHR_ELASTICSEARCH_URL"),
                    help="one node, or a cluster's nodes comma-separated")
    ap.add_argument("--shards", type=int, default=1)
    ap.add_argument("--replicas", type=int, default=0,
                    help="on a cluster: kept while loading before, restored after loading now")
    args = ap.parse_args(argv)
    if not args.es_url:
        print("(no DHR_ELASTICSEARCH_URL: bulk loading not measured; run through `make bench`)")
        return {}
    docs = [Document.model_validate(d) for d in generated_documents(args.docs, seed=1)]
    mb = sum(len(p) for d in docs for p in d.pages) / 1e6
    runs: dict[str, list[dict[str, float]]] = {"before": [], "now": []}
    load_before = os.getloadavg()[0]  # what else the machine is doing shows in the wall clock
    # Warm the JVM up on both code paths first: a fresh node's first thousand or so documents
    # cost it up to twice the CPU of later ones (JIT compilation), which would otherwise fall
    # on the first loads measured.
    for cls in (BeforeBackend, ElasticsearchBackend, BeforeBackend, ElasticsearchBackend):
        load_once(cls, args.es_url, docs[:min(len(docs), 500)])
    for _ in range(args.rounds):
        for name in ("before", "now", "now", "before"):
            cls = BeforeBackend if name == "before" else ElasticsearchBackend
            result = load_once(cls, args.es_url, docs, shards=args.shards,
                               replicas=args.replicas)
            runs[name].append(result)
            print(f"bench: bulk {name}: {result['docs_s']:.1f} docs/s", file=sys.stderr,
                  flush=True)
    summary = {name: {k: statistics.mean(r[k] for r in rs) for k in rs[0]}
               for name, rs in runs.items()}
    print(f"\n== bulk loading into {args.shards} shard(s), {args.replicas} replica(s): "
          f"{len(docs)} documents ({mb:.1f} MB of page text, "
          f"{mb * 1000 / len(docs):.0f} KB each), {2 * args.rounds} loads each, mean; "
          f"{os.cpu_count()} CPUs, load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after")
    print(f"{'settings':<10}{'docs/s':>9}{'wall s':>9}{'ES CPU ms/doc':>15}"
          f"{'client CPU ms/doc':>19}")
    for name, s in summary.items():
        print(f"{name:<10}{s['docs_s']:>9.1f}{s['wall_s']:>9.1f}{s['es_ms_doc']:>15.1f}"
              f"{s['client_ms_doc']:>19.1f}")
    before, now = summary["before"], summary["now"]
    print(f"now / before: {now['docs_s'] / before['docs_s']:.2f}x documents per second, "
          f"{now['es_ms_doc'] / before['es_ms_doc']:.2f}x Elasticsearch CPU per document")
    print(f"now: {ElasticsearchBackend.bulk_workers} concurrent requests of at most "
          f"{ElasticsearchBackend.bulk_bytes // (1024 * 1024)} MB; before: 1 request of at most "
          f"200 actions / 50 MB")
    return {"runs": runs, "summary": summary}


if __name__ == "__main__":
    main()
