"""Crawl benchmark: a fixture council site with N report links (BENCH_CRAWL_REPORTS, default 1000).

Politeness delays off (no download delay, no AutoThrottle; still at most 2 concurrent requests per
domain, robots.txt obeyed). Three runs over one store, printed side by side:

1. first crawl: requests/s, documents/s, MB/s;
2. second, unchanged crawl against a server that honours conditional requests: bytes of file
   bodies re-downloaded (target: 0) and duration ratio second/first;
3. the same unchanged crawl against a server that ignores them (new ETag every time): everything
   is downloaded again and the sha256 alone decides that nothing changed.

    python -m bench crawl
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path

from bench.common import print_table
from crawler.run import run_crawl
from dhr.config import Config, config_from_dict
from samples.sites import BULK, FixtureSites


def _run(sites: FixtureSites, config: Config, doc_paths: set[str]) -> dict:
    sites.clear_log()
    t = time.perf_counter()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = run_crawl(config)
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter() - t
    result = report["sources"]["bulk"]
    reqs = [r for r in sites.requests if r["host"] == BULK]
    docs = [r for r in reqs if r["path"] in doc_paths]
    crawl_s = result["duration_s"]
    total_bytes = sum(r["bytes"] for r in reqs)
    return {
        "requests": len(reqs), "docs_200": sum(1 for r in docs if r["status"] == 200),
        "docs_304": sum(1 for r in docs if r["status"] == 304),
        "doc_bytes": sum(r["bytes"] for r in docs), "bytes": total_bytes,
        "crawl_s": crawl_s, "wall_s": wall,
        # CPU of the crawler process: steadier than wall time on a shared machine.
        "cpu_s": (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime),
        "new": result["new"], "unchanged": result["unchanged"],
        "changed": result["changed"], "ok": result["ok"],
        "req_per_s": len(reqs) / crawl_s if crawl_s else 0.0,
        "docs_per_s": (result["new"] + result["unchanged"]) / crawl_s if crawl_s else 0.0,
        "mb_per_s": total_bytes / 1e6 / crawl_s if crawl_s else 0.0,
    }


def main(argv: list[str]) -> None:
    n = int(os.environ.get("BENCH_CRAWL_REPORTS", "1000"))
    with tempfile.TemporaryDirectory(prefix="dhr-bench-crawl-") as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        with FixtureSites(root / "sites", bulk_reports=n) as sites:
            build_s = time.perf_counter() - t
            doc_paths = {"/" + u.split("/", 3)[3] for u in sites.expected_reports("bulk")}
            config = config_from_dict(sites.config_dict(root / "data", sources=["bulk"],
                                                        concurrent_requests_per_domain=2))
            first = _run(sites, config, doc_paths)
            second = _run(sites, config, doc_paths)
            for path in doc_paths:  # now a server that ignores conditional requests
                sites.set_route(BULK, path, conditional=False, etag="random")
            third = _run(sites, config, doc_paths)
    print(f"fixture site: {n} report links, {first['bytes'] / 1e6:.1f} MB served in the first run"
          f" (built in {build_s:.1f} s); politeness delays off, 2 concurrent requests per domain")
    rows = []
    for name, r in (("1st crawl", first), ("2nd, unchanged (304s)", second),
                    ("3rd, unchanged (no conditional support)", third)):
        rows.append([name, r["requests"], r["docs_200"], r["docs_304"], r["new"], r["unchanged"],
                     r["changed"], r["doc_bytes"] / 1e6, r["crawl_s"], r["wall_s"], r["cpu_s"],
                     r["req_per_s"],
                     r["docs_per_s"], r["mb_per_s"]])
    print_table("crawl", ["run", "requests", "docs 200", "docs 304", "new", "unchanged", "changed",
                          "doc MB downloaded", "crawl s", "wall s", "crawler CPU s", "req/s",
                          "docs/s",
                          "MB/s"], rows)
    print_table("second run vs first", ["measure", "value"], [
        ["file bodies re-downloaded (conditional server)", second["docs_200"]],
        ["bytes of file bodies re-downloaded", second["doc_bytes"]],
        ["duration ratio second/first (crawl time)", second["crawl_s"] / first["crawl_s"]],
        ["duration ratio second/first (wall, incl. process start)",
         second["wall_s"] / first["wall_s"]],
        ["crawler CPU ratio second/first", second["cpu_s"] / first["cpu_s"]],
        ["bytes re-downloaded, server ignoring conditions (MB)", third["doc_bytes"] / 1e6],
        ["all runs ok", all(r["ok"] for r in (first, second, third))],
    ])


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
