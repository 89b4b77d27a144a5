"""Politeness end to end: the real crawler honours robots.txt ``Crawl-delay`` (which Scrapy
itself ignores) and caps an unreasonable one; ``www.`` and bare hosts are one server.

The fixture server logs when each request arrived; the gaps between requests to one server are
what a site operator would see in their logs.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from crawler.middlewares import server_key
from crawler.run import run_crawl
from dhr.config import config_from_dict
from samples.sites import EASTMOOR, NORTHBRIDGE, NORTHBRIDGE_BARE, FixtureSites

pytestmark = pytest.mark.timeout(300)

FAST = {"DHR_RETRY_BACKOFF": 0.05}


@pytest.fixture()
def sites(tmp_path: Path) -> FixtureSites:
    with FixtureSites(tmp_path / "sites") as s:
        yield s


def _robots(sites: FixtureSites, host: str, text: str) -> None:
    (sites.root / "files" / sites._routes()[host]["/robots.txt"]["file"]).write_text(text, "utf-8")


def _gaps(sites: FixtureSites, hosts: set[str]) -> list[float]:
    times = sorted(r["time"] for r in sites.requests
                   if r["host"] in hosts and r["path"] != "/robots.txt")
    assert len(times) >= 4, f"too few requests to {hosts} to judge spacing: {len(times)}"
    return [b - a for a, b in pairwise(times)]


def test_crawl_delay_spaces_requests_to_a_server(sites: FixtureSites, tmp_path: Path) -> None:
    _robots(sites, EASTMOOR, "User-agent: *\nCrawl-delay: 1\nDisallow:\n")
    config = config_from_dict(sites.config_dict(tmp_path / "data", sources=["eastmoor"]))
    report = run_crawl(config, extra_settings=FAST)
    assert report["exit_code"] == 0
    assert report["sources"]["eastmoor"]["new"] == len(sites.expected_reports("eastmoor"))
    gaps = _gaps(sites, {EASTMOOR})
    # Without the delay (download_delay 0, 2 concurrent) requests arrive milliseconds apart;
    # with it, a start spaced 1 s apart arrives within scheduling jitter of 1 s.
    assert min(gaps) >= 0.8, f"requests closer than the 1 s Crawl-delay: {min(gaps):.3f} s"
    assert sorted(gaps)[len(gaps) // 2] >= 0.95


def test_an_unreasonable_crawl_delay_is_capped(sites: FixtureSites, tmp_path: Path) -> None:
    for host in (NORTHBRIDGE, NORTHBRIDGE_BARE):
        _robots(sites, host, "User-agent: *\nCrawl-delay: 3600\nDisallow: /internal/\n")
    config = config_from_dict(sites.config_dict(tmp_path / "data", sources=["northbridge"]))
    report = run_crawl(config, extra_settings={**FAST, "DHR_MAX_CRAWL_DELAY": 0.3})
    # The run finished, with every report: an hour-long Crawl-delay was capped.
    assert report["sources"]["northbridge"]["new"] == len(sites.expected_reports("northbridge"))
    gaps = _gaps(sites, {NORTHBRIDGE, NORTHBRIDGE_BARE})
    assert min(gaps) >= 0.2, f"requests {min(gaps):.3f} s apart, under the capped delay"
    assert max(gaps) < 30


def test_www_and_bare_host_are_one_server() -> None:
    assert server_key("www.northbridge.gov.test") == server_key("northbridge.gov.test")
    assert server_key("northbridge-csp.org.test") == "northbridge-csp.org.test"
    assert server_key("wwwx.example.test") == "wwwx.example.test"
