"""An interrupted crawl resumes; failures are reported per URL with a reason and never stop a batch;
private addresses are refused; ``scrapy list`` / ``scrapy crawl`` work from the repository root."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from crawler.run import run_crawl
from crawler.urls import canonical_url
from dhr.config import config_from_dict
from dhr.store import CorpusStore
from samples.sites import BULK, WESTVALE, FixtureSites
from samples.sites.documents import make_report

pytestmark = pytest.mark.timeout(600)
REPO = Path(__file__).resolve().parents[2]
FAST = {"DHR_RETRY_BACKOFF": 0.05}


def _write_config(path: Path, cfg: dict) -> Path:
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


def test_interrupted_crawl_resumes_without_fetching_again(tmp_path: Path) -> None:
    with FixtureSites(tmp_path / "sites", bulk_reports=40) as sites:
        docs = sites.expected_reports("bulk")
        for u in docs:  # slow enough to interrupt half-way
            sites.set_route(BULK, "/" + u.split("/", 3)[3], delay=0.2)
        cfg = sites.config_dict(tmp_path / "data", sources=["bulk"])
        cfg_path = _write_config(tmp_path / "config.yaml", cfg)
        jobdir = tmp_path / "jobs"
        child = subprocess.Popen(
            [sys.executable, "-m", "crawler.run", "--config", str(cfg_path), "--jobdir",
             str(jobdir)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if sum(1 for r in sites.requests if r["path"].startswith("/media/")
                   and r["status"] == 200) >= 10:
                break
            time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)
        first = json.loads(out)
        assert child.returncode == 1, err[-2000:]
        assert first["sources"]["bulk"]["problems"] == [
            "crawl did not finish (shutdown); run again to resume"]
        assert (jobdir / "bulk" / "requests.seen").exists()
        done_first = {r["path"] for r in sites.requests if r["path"].startswith("/media/")
                      and r["status"] == 200}
        stored_first = len(CorpusStore(tmp_path / "data").urls_for_source("bulk"))
        assert 10 <= stored_first < len(docs)
        assert stored_first == len(done_first)

        sites.clear_log()
        report = run_crawl(config_from_dict(cfg), jobdir=jobdir, extra_settings=FAST)
        result = report["sources"]["bulk"]
        assert report["exit_code"] == 0 and result["ok"] and result["resumed"]
        assert result["new"] == len(docs) and result["report_links"] == len(docs)
        stored = {i["url"] for i in CorpusStore(tmp_path / "data").urls_for_source("bulk")}
        assert stored == {canonical_url(u) for u in docs}
        again = {r["path"] for r in sites.requests if r["path"] in done_first}
        assert again == set(), "documents fetched before the interruption were fetched again"
        assert not (jobdir / "bulk").exists(), "a finished crawl removes its job state"


def test_failures_are_reported_per_url_and_the_rest_is_stored(tmp_path: Path) -> None:
    with FixtureSites(tmp_path / "sites") as sites:
        summary = "/docs/dhr-adult-g-executive-summary.pdf"
        overview = "/docs/dhr-adult-g-overview-report.pdf"
        sites.set_route(WESTVALE, summary, delay=5.0)  # longer than the timeout below
        sites.replace_file(WESTVALE, overview, make_report(
            "pdf", title="Overview Report", area="Westvale", pseudonym="Adult G",
            filler_paragraphs=2000))
        cfg = config_from_dict(sites.config_dict(tmp_path / "data",
                                                 sources=["westvale", "eastmoor"],
                                                 timeout=2.0, retries=1))
        report = run_crawl(cfg, extra_settings={**FAST, "DOWNLOAD_MAXSIZE": 100_000})
    westvale = report["sources"]["westvale"]
    assert report["exit_code"] == 1 and westvale["ok"] is False
    reasons = {f["url"].rsplit("/", 1)[-1]: f["reason"] for f in westvale["failed"]}
    assert reasons == {"dhr-adult-g-executive-summary.pdf": "timeout after 2s after 1 retries",
                       "dhr-adult-g-overview-report.pdf": "too large (over 98 KB)"}
    assert report["sources"]["eastmoor"]["ok"] and report["sources"]["eastmoor"]["new"] == 5


def test_private_addresses_are_refused_unless_allowed(tmp_path: Path) -> None:
    with FixtureSites(tmp_path / "sites") as sites:
        cfg = config_from_dict(sites.config_dict(tmp_path / "data",
                                                 sources=["westvale", "homeoffice-library"],
                                                 allow_private_hosts=False))
        report = run_crawl(cfg, extra_settings=FAST)
        assert sites.requests == [], "nothing may reach a private address"
    assert report["exit_code"] == 1
    for result in report["sources"].values():
        assert result["ok"] is False
        assert result["failed"][0]["reason"].startswith("refused: ")
        assert "non-public address 127.0.0.1" in result["problems"][0]


def test_scrapy_list_and_crawl_from_the_repository_root(tmp_path: Path) -> None:
    with FixtureSites(tmp_path / "sites") as sites:
        cfg_path = _write_config(tmp_path / "config.yaml", sites.config_dict(tmp_path / "data"))
        env = {**os.environ, "DHR_CONFIG": str(cfg_path)}
        scrapy = [sys.executable, "-m", "scrapy"]
        listed = subprocess.run([*scrapy, "list"], check=False, cwd=REPO, env=env,
                                capture_output=True, text=True,
                                timeout=120)
        assert sorted(listed.stdout.split()) == ["eastmoor", "homeoffice-library", "northbridge",
                                                 "westvale"], listed.stderr
        crawled = subprocess.run([*scrapy, "crawl", "westvale"], check=False, cwd=REPO, env=env,
                                 capture_output=True, text=True, timeout=120)
        assert crawled.returncode == 0, crawled.stderr[-2000:]
    stored = CorpusStore(tmp_path / "data").urls_for_source("westvale")
    assert len(stored) == 2
    reports = list((tmp_path / "data" / "reports").glob("crawl-*.json"))
    assert len(reports) == 1 and json.loads(
        reports[0].read_text())["sources"]["westvale"]["new"] == 2
