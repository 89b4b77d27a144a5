"""Run the crawler for the configured sources and produce the run report (``dhr crawl``).

:func:`run_crawl` is what the CLI and ``dhr nightly`` call. Twisted's reactor can start only once
per process, so the crawl itself runs in a child process (``python -m crawler.run``), one Scrapy
crawler per source, all in one ``CrawlerProcess``. Each source gets a JOBDIR under
``<data_dir>/crawl-jobs/<source>``: if a crawl is interrupted (Ctrl-C, SIGTERM, a reboot) the next
run resumes it; a crawl that finishes removes its JOBDIR so the next run starts afresh.

The report (``crawler/report.py``) goes to ``<data_dir>/reports/crawl-<timestamp>.json`` and to
``report_path``; Scrapy's log to ``<data_dir>/logs/crawl-<timestamp>.log``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _stop_with_parent() -> None:
    """Linux: if the ``run_crawl`` process dies (SIGKILL), this child gets SIGINT and stops
    gracefully, keeping its JOBDIR state, instead of crawling on as an orphan. Called before the
    heavy imports so that the window in which a parent's death goes unnoticed is short."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGINT))
    except (OSError, AttributeError):
        return
    expected = os.environ.get("DHR_CRAWL_PARENT")
    if expected and str(os.getppid()) != expected:  # the parent died before prctl took effect
        sys.exit(1)


if __name__ == "__main__" and "--config-json" in sys.argv:
    _stop_with_parent()

from dhr.config import Config, ConfigError, SourceConfig, config_from_dict, load_config
from dhr.store import utcnow

from .report import RESULTS, build_report, report_file_name, write_report


def select_sources(config: Config, names: list[str] | None) -> list[SourceConfig]:
    """The enabled sources, or exactly the named ones (a named disabled source runs too)."""
    if names:
        by_name = {s.name: s for s in config.sources}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise ConfigError(f"unknown source(s): {', '.join(unknown)} (configured: "
                              f"{', '.join(by_name) or 'none'})")
        return [by_name[n] for n in dict.fromkeys(names)]
    selected = [s for s in config.sources if s.enabled]
    if not selected:
        where = config.path or "config.yaml"
        raise ConfigError(f"{where}: no enabled sources to crawl")
    return selected


def default_jobdir(config: Config) -> Path:
    return Path(config.data_dir) / "crawl-jobs"


def run_crawl(config: Config, *, sources: list[str] | None = None, report_path: Path | None = None,
              jobdir: Path | None = None, extra_settings: dict[str, Any] | None = None) -> dict:
    """Crawl (in a child process) and return the run report; see the module docstring.

    Raises :class:`dhr.config.ConfigError` for unknown source names or no enabled source.
    ``extra_settings`` are Scrapy settings for tests and benchmarks (e.g. a short retry backoff).
    """
    select_sources(config, sources)  # fail fast, in the caller's process
    with tempfile.TemporaryDirectory(prefix="dhr-crawl-") as tmp:
        cfg_file = Path(tmp) / "config.json"
        cfg_file.write_text(json.dumps({
            "config": config.model_dump(mode="json"),
            "path": str(config.path) if config.path else "<config>",
            "settings": extra_settings or {},
        }), encoding="utf-8")
        out = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "crawler.run", "--config-json", str(cfg_file), "--out",
               str(out),
               "--jobdir", str(jobdir or default_jobdir(config))]
        for name in sources or []:
            cmd += ["--source", name]
        if report_path is not None:
            cmd += ["--report", str(report_path)]
        t0 = time.monotonic()
        started = utcnow()
        proc = subprocess.Popen(cmd, env={**os.environ, "DHR_CRAWLER_NO_CONFIG": "1",
                                          "DHR_CRAWL_PARENT": str(os.getpid())})
        try:
            code = proc.wait()
        except KeyboardInterrupt:
            # The child got the same Ctrl-C and is shutting down gracefully (state kept in JOBDIR).
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()
            raise
        if out.exists():
            return json.loads(out.read_text(encoding="utf-8"))
        # The child died before writing a report: say so, per source, never silently.
        selected = select_sources(config, sources)
        results = {s.name: {"kind": s.kind, "ok": False, "problems": [
            f"crawler process failed (exit code {code}); see {Path(config.data_dir) / 'logs'}"],
            "pages_visited": 0, "report_links": 0, "new": 0, "changed": 0, "unchanged": 0,
            "withdrawn": 0, "failed": [], "duration_s": 0.0} for s in selected}
        report = build_report(results, started=started, finished=utcnow(),
                              duration_s=time.monotonic() - t0)
        write_report(report, config.data_dir, report_path)
        return report


# -- the child process ---------------------------------------------------------------------
def _crawl_in_this_process(config: Config, selected: list[SourceConfig], jobdir: Path,
                           extra_settings: dict[str, Any]) -> dict:
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from .config_settings import settings_from_config
    from .spiders import spider_for_source

    started = utcnow()
    t0 = time.monotonic()
    logs = Path(config.data_dir) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(settings_from_config(config), priority="cmdline")
    settings.setdict({"DHR_WRITE_REPORT": False,
                      "LOG_FILE": str(logs / report_file_name(started).replace(".json", ".log")),
                      "LOG_FILE_APPEND": False}, priority="cmdline")
    settings.setdict(extra_settings, priority="cmdline")
    process = CrawlerProcess(settings)
    for source in selected:
        cls = spider_for_source(source, config)
        cls.custom_settings = {"JOBDIR": str(jobdir / source.name)}
        process.crawl(cls)
    process.start()
    results: dict[str, dict] = {}
    for source in selected:
        result = RESULTS.get(source.name)
        if result is None:
            result = {"kind": source.kind, "ok": False,
                      "problems": ["the spider did not run (see the crawl log)"],
                      "pages_visited": 0, "report_links": 0, "new": 0, "changed": 0,
                      "unchanged": 0, "withdrawn": 0, "failed": [], "duration_s": 0.0}
        elif result.get("finish_reason") == "finished":
            shutil.rmtree(jobdir / source.name, ignore_errors=True)
        results[source.name] = result
    return build_report(results, started=started, finished=utcnow(),
                        duration_s=time.monotonic() - t0)


def main(argv: list[str] | None = None) -> int:
    os.environ["DHR_CRAWLER_NO_CONFIG"] = "1"  # the config comes from the arguments below
    parser = argparse.ArgumentParser(prog="python -m crawler.run",
                                     description="Crawl the configured DHR sources.")
    parser.add_argument("--config", help="config.yaml (default: $DHR_CONFIG or ./config.yaml)")
    parser.add_argument("--config-json", help=argparse.SUPPRESS)
    parser.add_argument("--source", action="append", help="crawl only this source (repeatable)")
    parser.add_argument("--report", help="also write the JSON run report here")
    parser.add_argument("--jobdir", help="resumable crawl state (default: <data_dir>/crawl-jobs)")
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    extra: dict[str, Any] = {}
    try:
        if args.config_json:
            raw = json.loads(Path(args.config_json).read_text(encoding="utf-8"))
            config = config_from_dict(raw["config"], raw["path"], env={})
            extra = raw.get("settings") or {}
        else:
            config = load_config(args.config)
        selected = select_sources(config, args.source)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    jobdir = Path(args.jobdir) if args.jobdir else default_jobdir(config)
    report = _crawl_in_this_process(config, selected, jobdir, extra)
    write_report(report, config.data_dir, Path(args.report) if args.report else None)
    if args.out:
        Path(args.out).write_text(json.dumps(report), encoding="utf-8")
    if not args.config_json:
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
    return int(report["exit_code"])


if __name__ == "__main__":
    sys.exit(main())
