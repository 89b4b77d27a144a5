"""End-of-run bookkeeping for each source spider (a Scrapy extension).

When a source's spider closes: judge its health (``crawler/health.py``), mark reports that are no
longer linked as withdrawn (only after a complete, healthy crawl with no failed pages: a broken
site must not look like mass withdrawal), remember a good run as the new baseline, and put the
source's result into ``crawler.report.RESULTS`` (``dhr crawl`` assembles the run report from it;
``scrapy crawl <source>`` writes a one-source report itself).

Registered before Scrapy's ``SpiderState`` extension so that the run state it updates is what
JOBDIR persists for a resumed crawl.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import signals

from dhr.store import utcnow

from .health import assess, load_baselines, save_baseline
from .report import RESULTS, build_report, write_report


class RunHealth:
    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.t0 = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunHealth:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        self.t0 = time.monotonic()

    def spider_closed(self, spider: Any, reason: str) -> None:
        if not hasattr(spider, "run"):
            return
        result = source_result(spider, reason, time.monotonic() - self.t0)
        RESULTS[spider.source.name] = result
        if self.crawler.settings.getbool("DHR_WRITE_REPORT", True):
            report = build_report({spider.source.name: result}, started=result["started"],
                                  finished=utcnow(), duration_s=result["duration_s"])
            path = write_report(report, spider.dhr_config.data_dir)
            spider.logger.info("run report written to %s", path)


def source_result(spider: Any, reason: str, elapsed: float) -> dict[str, Any]:
    run = spider.run
    run["parts"] = run.get("parts", 0) + 1
    run["elapsed_before"] = run.get("elapsed_before", 0.0) + elapsed
    source = spider.source
    data_dir = spider.dhr_config.data_dir
    baseline = load_baselines(data_dir).get(source.name)
    report_links = len(run["report_urls"])
    problems = assess(source, report_links=report_links, finish_reason=reason,
                      start_failed=run["start_failed"], baseline=baseline, rules=spider.rules)
    notes: list[str] = []
    withdrawn_urls: list[str] = []
    if reason == "finished" and not problems:
        if run["pages_failed"]:
            notes.append(f"withdrawal check skipped: {run['pages_failed']} page(s) could not be"
                         " fetched, so a missing link may only be unreachable")
        else:
            for info in spider.store.urls_for_source(source.name):
                if (info["online"] and info["url"] not in run["report_urls"]
                        and spider.store.mark_offline(info["url"])):
                    withdrawn_urls.append(info["url"])
            spider.count("withdrawn", len(withdrawn_urls))
    counts = run["counts"]
    failed = sorted(run["failed"].values(), key=lambda f: f["url"])
    ok = not problems and not failed
    if ok and reason == "finished":
        save_baseline(data_dir, source.name, report_links, utcnow())
    return {
        "kind": source.kind,
        "ok": ok,
        "problems": problems,
        "pages_visited": counts["pages_visited"],
        "report_links": report_links,
        "new": counts["new"],
        "changed": counts["changed"],
        "unchanged": counts["unchanged"],
        "withdrawn": counts["withdrawn"],
        "failed": failed,
        "broken_links": sorted(run["broken_links"].values(), key=lambda b: b["url"]),
        "withdrawn_unlinked": sorted(withdrawn_urls),
        "skipped": {k.removeprefix("skipped_"): v for k, v in counts.items()
                    if k.startswith("skipped_")},
        "bytes_downloaded": counts["bytes_downloaded"],
        "duration_s": round(run["elapsed_before"], 3),
        "started": run["started"],
        "finish_reason": reason,
        "resumed": run["parts"] > 1,
        "notes": notes,
    }
