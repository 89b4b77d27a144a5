"""Each spider's page parsing, offline, against saved example pages with golden JSON.

The golden files in ``pages/`` are the reviewed expectations: what every link on a page is
(report / page / skip, and why) and what every library card says. After a deliberate rule change,
regenerate them with ``DHR_REGEN_GOLDEN=1 pytest tests/crawler/test_golden_pages.py`` and review
the diff like code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler.parsing.library import parse_library_page
from crawler.parsing.links import extract_links
from crawler.spiders import spider_for_source
from dhr.config import config_from_dict

PAGES = Path(__file__).parent / "pages"
REGEN = os.environ.get("DHR_REGEN_GOLDEN") == "1"


def _check(name: str, actual: object) -> None:
    golden = PAGES / f"{name}.json"
    if REGEN:
        golden.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert golden.exists(), f"missing golden file {golden.name} (run with DHR_REGEN_GOLDEN=1)"
    assert actual == json.loads(golden.read_text(encoding="utf-8"))


SITE_PAGES = [
    ("council-label-patterns",
     "https://www.example.gov.test/community-safety/domestic-homicide-reviews", None),
    ("northbridge-listing",
     "http://www.northbridge.gov.test:8080/community-safety/domestic-homicide-reviews", True),
    ("northbridge-landing",
     "http://www.northbridge.gov.test:8080/downloads/download/253/domestic-homicide-review-mr-k",
     None),
    ("eastmoor-register", "http://eastmoor-csp.org.test:8080/reviews", None),
]


@pytest.mark.parametrize(("name", "url", "is_start"), SITE_PAGES, ids=[p[0] for p in SITE_PAGES])
def test_site_page_links_match_golden(name: str, url: str, is_start: bool | None) -> None:
    html = (PAGES / f"{name}.html").read_text(encoding="utf-8")
    links = extract_links(html, url, page_is_review=is_start)
    _check(name, [c.to_json_dict() for c in links])


def test_label_patterns_page_finds_every_real_world_label() -> None:
    html = (PAGES / "council-label-patterns.html").read_text(encoding="utf-8")
    links = extract_links(html, "https://www.example.gov.test/community-safety/domestic-homicide-reviews")
    reports = {c.text for c in links if c.kind == "report"}
    for label in ("Case of Eleena, March 2018", "A - 2018",
                  "Sefton DHR5 - Exec Summary (pdf 531KB)",
                  "Case 23", "DHR Overview April 2019", "Overview Report SBP1703 (pdf 962kb)",
                  "003_DHR"):
        assert label in reports
    skipped = {c.text: c.reason for c in links if c.kind == "skip"}
    assert skipped["Domestic Homicide Review Protocol"] == "distractor: protocol"
    assert skipped["Thematic review of DHRs"] == "distractor: thematic"
    assert skipped["Safeguarding Adults Review: Adult M"].startswith("distractor")
    pages = {c.text for c in links if c.kind == "page"}
    assert pages == {"Adult B (2020)", "Archived reviews", "2"}


def test_library_search_page_cards_match_golden() -> None:
    html = (PAGES / "library-search.html").read_text(encoding="utf-8")
    url = "http://homicide-review.homeoffice.test:8080/?pagination%5BpageNumber%5D=1&pagination%5BpageSize%5D=5"
    page = parse_library_page(html, url)
    _check("library-search", {"total_results": page.total_results, "next_url": page.next_url,
                              "cards": [c.to_json_dict() for c in page.cards]})


def test_library_card_metadata_is_what_ingest_merges() -> None:
    html = (PAGES / "library-search.html").read_text(encoding="utf-8")
    page = parse_library_page(html, "http://homicide-review.homeoffice.test:8080/")
    card = page.cards[0]
    assert card.metadata() == {
        "title": "Anna - Salford - 2021/a - DHR", "pseudonym": "Anna", "area": "Salford",
        "region": "North West", "upload_month": "2025-04", "date_of_death": "2021-01",
        "tags": ["Familial homicide"]}
    assert all(d["url"].startswith("http://homicide-review.homeoffice.test:8080/download/")
               for c in page.cards for d in c.downloads)


def test_select_menu_site_spider_reads_options_golden() -> None:
    config = config_from_dict({"sources": [{
        "name": "westvale", "kind": "site", "spider": "SelectMenuSiteSpider",
        "start_urls": ["http://westvale.gov.test:8080/council/community-safety/domestic-homicide-reviews"]}]})
    spider = spider_for_source(config.sources[0], config)()
    url = config.sources[0].start_urls[0]
    body = (PAGES / "westvale-select.html").read_bytes()
    response = HtmlResponse(url=url, body=body, encoding="utf-8")
    links = spider.link_candidates(response, True)
    _check("westvale-select", [c.to_json_dict() for c in links])
    assert sorted(c.url.rsplit("/", 1)[-1] for c in links if c.kind == "report") == [
        "dhr-adult-g-executive-summary.pdf", "dhr-adult-g-overview-report.pdf"]
