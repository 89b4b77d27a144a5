"""Search backends side by side: indexing throughput and latency of a fixed 200-query mix.

Both engines index the same generated Documents and answer the same requests in one run, so
the figures compare like with like. Elasticsearch is the node ``make bench`` starts
(``DHR_ELASTICSEARCH_URL``).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from pathlib import Path

from dhr.document import Document
from dhr.search.base import DocumentRequest, RecommendationRequest

from .common import generated_documents, percentile, print_table

WORDS = ["risk", "police", "housing", "alcohol", "mental health", "training", "children",
         "gp", "idva", "marac", "coercive control", "information sharing", "probation",
         "covid", "carer", "strangulation", "interpreter", "eviction", "overdose", "dementia"]
PHRASES = ['"risk assessment"', '"information sharing"', '"professional curiosity"',
           '"domestic abuse"', '"mental health"', '"routine enquiry"']
FILTERS = [{"theme": ["risk_assessment"]}, {"agency": ["police"]},
           {"theme": ["alcohol", "drugs"]}, {"review_type": ["adult_family"]},
           {"region": ["North West"]}, {"doc_type": ["overview_report"]},
           {"theme": ["mental_health"], "agency": ["gp_primary_care"]}]


def query_mix(n: int = 200, seed: int = 11) -> list[tuple[str, dict]]:
    rng = random.Random(seed)
    mix: list[tuple[str, dict]] = []
    for i in range(n):
        kind = i % 8
        if kind in (0, 1):
            mix.append(("words", {"q": rng.choice(WORDS)}))
        elif kind == 2:
            mix.append(("phrase", {"q": rng.choice(PHRASES)}))
        elif kind == 3:
            mix.append(("words+facets", {"q": rng.choice(WORDS), "filters": rng.choice(FILTERS)}))
        elif kind == 4:
            mix.append(("facets only", {"filters": rng.choice(FILTERS), "sort": "newest"}))
        elif kind == 5:
            mix.append(("bool", {"q": f"{rng.choice(WORDS)} OR {rng.choice(WORDS)} -covid"}))
        elif kind == 6:
            mix.append(("prefix+years", {"q": rng.choice(["assess*", "safeguard*", "refer*"]),
                                         "year_from": 2015, "year_to": 2020}))
        else:
            mix.append(("recommendations", {"q": rng.choice(WORDS), "_kind": "rec"}))
    return mix


def main(argv: list[str] | None = None) -> list[list]:
    ap = argparse.ArgumentParser(prog="bench.search")
    ap.add_argument("--docs", type=int, default=int(os.environ.get("BENCH_DOCS", "10000")))
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args(argv)

    from dhr.search.sqlite import SqliteBackend

    docs = [Document.model_validate(d) for d in generated_documents(args.docs)]
    pages = sum(len(d.pages) for d in docs)
    engines = [("sqlite", SqliteBackend(Path(tempfile.mkdtemp()) / "bench.sqlite"))]
    es_url = os.environ.get("DHR_ELASTICSEARCH_URL")
    if es_url:
        from dhr.config import ElasticsearchConfig
        from dhr.search.elasticsearch import ElasticsearchBackend

        engines.append(("elasticsearch", ElasticsearchBackend(ElasticsearchConfig(
            url=es_url, index_prefix=f"bench{uuid.uuid4().hex[:8]}", request_timeout=120))))
    else:
        print("(no DHR_ELASTICSEARCH_URL: Elasticsearch skipped; run through `make bench`)")

    mix = query_mix(args.queries)
    rows = []
    for name, backend in engines:
        backend.ensure_indices()
        t0 = time.perf_counter()
        backend.rebuild(iter(docs))  # a bulk load is what `dhr index --rebuild` does
        backend.refresh()
        index_s = time.perf_counter() - t0
        for _, params in mix[:10]:  # warm caches
            _run(backend, params)
        lat: dict[str, list[float]] = {}
        for kind, params in mix:
            t = time.perf_counter()
            _run(backend, params)
            lat.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
        every = [v for vs in lat.values() for v in vs]
        rows.append([name, len(docs), pages, round(index_s, 1), len(docs) / index_s,
                     percentile(every, 50), percentile(every, 95)])
        for kind, vs in sorted(lat.items()):
            rows.append([f"  {name}: {kind}", "", "", "", "", percentile(vs, 50),
                         percentile(vs, 95)])
        if hasattr(backend, "drop"):
            backend.drop()
    print_table(f"search backends, {len(docs)} documents, {len(mix)} queries",
                ["backend", "docs", "pages", "bulk load s", "docs/s", "p50 ms", "p95 ms"], rows)
    main_rows = [r for r in rows if not str(r[0]).startswith(" ")]
    if len(main_rows) == 2:
        s, e = main_rows
        print(f"ratios (sqlite / elasticsearch): indexing docs/s {s[4] / e[4]:.2f}, "
              f"p50 {s[5] / e[5]:.2f}, p95 {s[6] / e[6]:.2f}")
    return rows


def _run(backend, params: dict) -> None:
    params = dict(params)
    if params.pop("_kind", None) == "rec":
        backend.search_recommendations(RecommendationRequest(**params))
    else:
        backend.search(DocumentRequest(**params))


if __name__ == "__main__":
    main()
