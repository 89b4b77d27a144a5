"""No silent failure: judge each source's run and remember its last good one.

A source that declares ``should_have_results`` and yields no report links, or far fewer than its
last successful run (``health.min_fraction_of_last_run`` in ``crawler/rules.yaml``), has failed:
the usual causes are a redesigned site, a moved page or a blocked crawler, and they must not pass
as months of quiet "successful" runs. The baseline lives in ``<data_dir>/crawler/health.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dhr.config import SourceConfig
from dhr.files import write_json_atomic

from .rules import Rules


def baseline_path(data_dir: Path) -> Path:
    return Path(data_dir) / "crawler" / "health.json"


def load_baselines(data_dir: Path) -> dict[str, Any]:
    try:
        return json.loads(baseline_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save_baseline(data_dir: Path, source: str, report_links: int, when: str) -> None:
    path = baseline_path(data_dir)
    data = load_baselines(data_dir)
    data[source] = {"last_ok_report_links": report_links, "last_ok_at": when}
    write_json_atomic(path, data, sort_keys=True, ensure_ascii=True)


def assess(source: SourceConfig, *, report_links: int, finish_reason: str,
           start_failed: list[dict[str, str]], baseline: dict[str, Any] | None,
           rules: Rules) -> list[str]:
    """Problems that make this source's run a failure (empty list: healthy)."""
    problems: list[str] = []
    if finish_reason != "finished":
        problems.append(f"crawl did not finish ({finish_reason}); run again to resume")
    n_start = len(source.start_urls)
    if start_failed and len(start_failed) >= n_start:  # (checked again below)
        problems.append("no start page could be fetched: " + "; ".join(
            f"{f['url']} ({f['reason']})" for f in start_failed[:3]))
    all_start_failed = bool(start_failed) and len(start_failed) >= n_start
    if finish_reason == "finished" and source.should_have_results and not all_start_failed:
        last = (baseline or {}).get("last_ok_report_links")
        if report_links == 0:
            problems.append("no report links found, but the source should have results")
        elif last and report_links < rules.min_fraction_of_last_run * last:
            problems.append(f"found {report_links} report links, far fewer than {last} in the last"
                            f" successful run ({(baseline or {}).get('last_ok_at')})")
    return problems
