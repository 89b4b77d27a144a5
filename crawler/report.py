"""The crawl run report (issue 5 item 8): per source and totals, as JSON.

Written to ``<data_dir>/reports/crawl-<timestamp>.json`` and, when asked, to ``--report FILE``.
``exit_code`` is 1 if any source failed (see ``crawler/health.py``) or any report could not be
fetched, else 0 (contract.md section 1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dhr.files import write_json_atomic

# Per-source results of the spiders that ran in this process (filled by crawler/extensions.py).
RESULTS: dict[str, dict[str, Any]] = {}

TOTAL_FIELDS = ("pages_visited", "report_links", "new", "changed", "unchanged", "withdrawn",
                "bytes_downloaded")


def build_report(results: dict[str, dict[str, Any]], *, started: str, finished: str,
                 duration_s: float) -> dict[str, Any]:
    totals: dict[str, Any] = {f: sum(r.get(f, 0) for r in results.values()) for f in TOTAL_FIELDS}
    totals["failed"] = sum(len(r.get("failed", [])) for r in results.values())
    totals["broken_links"] = sum(len(r.get("broken_links", [])) for r in results.values())
    totals["sources"] = len(results)
    totals["sources_failed"] = sum(1 for r in results.values() if not r.get("ok"))
    return {
        "started": started, "finished": finished, "duration_s": round(duration_s, 3),
        "sources": results, "totals": totals,
        "exit_code": 0 if results and all(r.get("ok") for r in results.values()) else 1,
    }




def report_file_name(started: str) -> str:
    return "crawl-" + started.replace("-", "").replace(":", "").replace("Z", "") + ".json"


def write_report(report: dict[str, Any], data_dir: Path, report_path: Path | None = None) -> Path:
    path = Path(data_dir) / "reports" / report_file_name(report["started"])
    n = 1
    while path.exists():
        n += 1
        path = path.with_name(report_file_name(report["started"])[:-5] + f"-{n}.json")
    write_json_atomic(path, report)
    if report_path is not None:
        write_json_atomic(Path(report_path), report)
    return path
