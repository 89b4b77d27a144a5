"""Shared helpers for benchmarks: cached generated documents, percentiles, table printing."""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CACHE = Path(os.environ.get("DHR_CACHE", Path.home() / ".cache" / "dhr")) / "bench"


def generated_documents(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """``n`` generated Document dicts, cached as JSON lines (generation is slower than indexing)."""
    path = CACHE / f"docs-{n}-{seed}.jsonl"
    if not path.exists():
        from samples.reports import generate_documents

        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for doc in generate_documents(n, seed=seed):
                fh.write(json.dumps(doc) + "\n")
        tmp.replace(path)
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def print_table(title: str, header: list[str], rows: list[list[Any]]) -> None:
    cells = [[str(c) for c in header]] + [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n== {title}")
    for j, r in enumerate(cells):
        print("  ".join(c.rjust(w) if i else c.ljust(w)
                        for i, (c, w) in enumerate(zip(r, widths, strict=False))))
        if j == 0:
            print("  ".join("-" * w for w in widths))


def _fmt(c: Any) -> str:
    if isinstance(c, float):
        return f"{c:,.1f}" if abs(c) >= 10 else f"{c:.2f}"
    return str(c)
