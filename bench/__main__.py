"""``make bench``: every benchmark in one run, each printing its figures side by side.

    python -m bench                 # all
    python -m bench search api      # some
Sizes: BENCH_DOCS (search backends, default 10000), BENCH_LOAD_DOCS (bench.load: normal
searches while expensive ones run, default 3000). Each part is independent: one that fails
is reported and the others still run.
"""

from __future__ import annotations

import importlib
import sys
import time
import traceback

PARTS = ["search", "relevance", "extraction", "quick_extract", "understanding", "crawl", "api",
         "bulk", "load", "tracker", "recurring"]


def main(argv: list[str]) -> int:
    wanted = argv or PARTS
    failed = []
    for name in wanted:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as err:
            if err.name == f"bench.{name}":
                print(f"\n== {name}: not available yet")
                continue
            raise
        print(f"\n#### bench.{name}", flush=True)
        t = time.perf_counter()
        try:
            module.main([])
        except Exception:  # noqa: BLE001 - report and go on with the other parts
            traceback.print_exc()
            failed.append(name)
        print(f"(bench.{name} took {time.perf_counter() - t:.0f} s)", flush=True)
    if failed:
        print(f"\nbenchmarks that failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
