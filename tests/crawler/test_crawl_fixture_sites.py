"""End to end: the real crawler (child process, real HTTP) against the fixture sites.

Four runs over the same store, each a module fixture so every assertion reads one behaviour:
the first run stores exactly the expected reports; a second, unchanged run downloads nothing new;
a third after the sites changed marks withdrawn reports (kept) and stores changed ones; a fourth
where a site suddenly lists nothing fails loudly.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from crawler.run import run_crawl
from crawler.urls import canonical_url
from dhr.config import Config, config_from_dict
from dhr.store import CorpusStore
from samples.sites import NORTHBRIDGE, NORTHBRIDGE_BARE, WESTVALE, FixtureSites
from samples.sites.documents import make_report

pytestmark = pytest.mark.timeout(600)

FAST = {"DHR_RETRY_BACKOFF": 0.05}
SOURCES = ["northbridge", "eastmoor", "westvale", "homeoffice-library"]
LISTING = "/community-safety/domestic-homicide-reviews"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> FixtureSites:
    with FixtureSites(tmp_path_factory.mktemp("sites")) as s:
        yield s


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def config(sites: FixtureSites, data_dir: Path) -> Config:
    return config_from_dict(sites.config_dict(data_dir))


def _run(sites: FixtureSites, config: Config, **kw: Any) -> tuple[dict, list[dict]]:
    sites.clear_log()
    report = run_crawl(config, extra_settings=FAST, **kw)
    return report, sites.requests


@pytest.fixture(scope="module")
def first(sites: FixtureSites, config: Config, data_dir: Path) -> tuple[dict, list[dict]]:
    return _run(sites, config, report_path=data_dir / "first-report.json")


@pytest.fixture(scope="module")
def second(first: Any, sites: FixtureSites, config: Config) -> tuple[dict, list[dict]]:
    return _run(sites, config)


REVISED = make_report("pdf", title="Domestic Homicide Review: Overview Report (revised)",
                      area="Northbridge", pseudonym="Eleena")


@pytest.fixture(scope="module")
def third(second: Any, sites: FixtureSites, config: Config) -> tuple[dict, list[dict]]:
    sites.remove_file(NORTHBRIDGE, "/media/2130/a-2018.pdf")                  # taken down: 404
    sites.edit_page(NORTHBRIDGE, LISTING,                                       # no longer linked
                    '<li><a href="/media/2103/dhr-eleena-action-plan.docx">Action plan</a></li>',
                    "")
    sites.replace_file(NORTHBRIDGE, "/media/2101/dhr-eleena-overview-report.pdf", REVISED)
    sites.remove_library_card("Rose")
    return _run(sites, config)


@pytest.fixture(scope="module")
def emptied(third: Any, sites: FixtureSites, config: Config) -> tuple[dict, list[dict]]:
    sites.edit_page(WESTVALE, "/council/community-safety/domestic-homicide-reviews",
                    '<select id="doc" name="doc">',
                    '<select id="doc" name="doc" hidden></select><!--')
    sites.edit_page(WESTVALE, "/council/community-safety/domestic-homicide-reviews",
                    "</select><button", "--><button")
    return _run(sites, config, sources=["westvale"])


def store_urls(data_dir: Path, source: str) -> dict[str, dict]:
    return {i["url"]: i for i in CorpusStore(data_dir).urls_for_source(source)}


def expected(sites: FixtureSites, source: str) -> set[str]:
    return {canonical_url(u) for u in sites.expected_reports(source)}


def url(sites: FixtureSites, host: str, path: str) -> str:
    return canonical_url(sites.url(host, path))


# -- first run ---------------------------------------------------------------------------------
@pytest.mark.parametrize("source", SOURCES)
def test_first_run_stores_exactly_the_expected_reports(first: Any, sites: FixtureSites,
                                                       data_dir: Path, source: str) -> None:
    report, _ = first
    assert set(store_urls(data_dir, source)) == expected(sites, source)
    result = report["sources"][source]
    assert result["ok"], result
    assert result["new"] == len(expected(sites, source))
    assert (result["changed"], result["unchanged"], result["withdrawn"],
            result["failed"]) == (0, 0, 0, [])


def test_first_run_report_and_exit_code(first: Any, data_dir: Path) -> None:
    report, _ = first
    assert report["exit_code"] == 0
    totals = report["totals"]
    assert totals["new"] == sum(r["new"] for r in report["sources"].values()) == 31
    assert totals["sources"] == 4 and totals["sources_failed"] == 0
    written = sorted((data_dir / "reports").glob("crawl-*.json"))
    assert written, "the report is written under the data directory"
    assert (data_dir / "first-report.json").exists()


def test_stored_files_are_the_served_bytes_with_types_from_the_bytes(first: Any,
                                                                     sites: FixtureSites,
                                                                      data_dir: Path) -> None:
    store = CorpusStore(data_dir)
    cases = {
        # octet-stream
        url(sites, NORTHBRIDGE, "/downloads/file/1408/home-office-letter-mr-k"): "docx",
        # no extension
        url(sites, NORTHBRIDGE, "/downloads/file/1407/dhr-mr-k-overview-report"): "pdf",
        url(sites, NORTHBRIDGE, "/media/2131/case-23-learning-brief.rtf"): "rtf",
        url(sites, NORTHBRIDGE, "/media/2132/b-2016.odt"): "odt",
        # redirected to another allowed host
        url(sites, NORTHBRIDGE, "/dhr/adult-c-summary"): "pdf",
    }
    for u, ext in cases.items():
        info = store.url_info(u)
        assert store.file_info(info["sha256"])["ext"] == ext, u
        assert hashlib.sha256(store.read_bytes(info["sha256"])).hexdigest() == info["sha256"]


def test_content_disposition_filename_is_never_used_as_a_path(first: Any, sites: FixtureSites,
                                                             data_dir: Path) -> None:
    store = CorpusStore(data_dir)
    letter = store.url_info(url(sites, NORTHBRIDGE, "/downloads/file/1408/home-office-letter-mr-k"))
    assert store.file_info(letter["sha256"])["filename"] == "ho-letter-mr-k.docx"
    lib = [i for i in store_urls(data_dir, "homeoffice-library").values()
           if (i["metadata"] or {}).get("pseudonym") == "Adult A"]
    assert store.file_info(lib[0]["sha256"])["filename"] == "adult-a.pdf"
    assert not [p for p in data_dir.parent.rglob("*") if "cron" in p.name or p.name == "letters"]


def test_library_card_metadata_is_stored_with_the_file(first: Any, data_dir: Path) -> None:
    by_name = {(i["metadata"] or {}).get("pseudonym"): i["metadata"]
               for i in store_urls(data_dir, "homeoffice-library").values()}
    joan = by_name["Joan"]
    assert {k: joan[k] for k in ("area", "region", "date_of_death", "upload_month", "tags")} == {
        "area": "Preston", "region": "North West", "date_of_death": "2018-11",
        "upload_month": "2025-06", "tags": ["Intimate partner homicide"]}
    assert joan["title"] == "Joan - Preston - 2018/a - DHR"
    assert by_name["Rose"]["date_of_death"] == "2018"


def test_site_documents_carry_the_configured_area_and_where_they_were_found(
        first: Any, sites: FixtureSites, data_dir: Path) -> None:
    meta = CorpusStore(data_dir).url_info(url(sites, NORTHBRIDGE,
                                              "/media/2101/dhr-eleena-overview-report.pdf"))["metadata"]
    assert meta["area"] == "Northbridge"
    assert meta["heading"] == "Case of Eleena, March 2018"
    assert meta["found_on"] == sites.url(NORTHBRIDGE, LISTING)


def test_disallowed_offsite_and_distractor_urls_are_never_requested(first: Any,
                                                                    sites: FixtureSites) -> None:
    _, requests = first
    requested = {canonical_url(sites.url(r["host"], r["path"])) for r in requests}
    for source in SOURCES:
        for never in sites.never_fetched(source):
            assert canonical_url(never) not in requested, never
    assert not [r for r in requests if r["path"].startswith("/internal/")]
    assert any(r["host"] == NORTHBRIDGE and r["path"] == "/robots.txt" for r in requests)
    assert {r["user_agent"] for r in requests} == {"dhr-repository-tests (+https://example.org/contact)"}


def test_www_bare_and_tracking_duplicates_are_fetched_once(first: Any, sites: FixtureSites) -> None:
    _, requests = first
    hits = [r for r in requests if r["path"].startswith("/media/2105/")]
    assert len(hits) == 1 and hits[0]["host"] in (NORTHBRIDGE, NORTHBRIDGE_BARE)


def test_server_errors_are_retried_with_backoff_and_retry_after(first: Any) -> None:
    _, requests = first
    flaky = [r for r in requests if r["path"] == "/media/2102/dhr-eleena-executive-summary.pdf"]
    assert [r["status"] for r in flaky] == [500, 200]
    limited = [r for r in requests if r["path"] == "/reviews?page=2"]
    assert [r["status"] for r in limited] == [429, 200]
    assert limited[1]["time"] - limited[0]["time"] >= 0.9  # Retry-After: 1 honoured


def test_broken_links_are_reported_not_stored(first: Any, sites: FixtureSites,
                                              data_dir: Path) -> None:
    report, _ = first
    broken = report["sources"]["northbridge"]["broken_links"]
    assert [b["url"] for b in broken] == [sites.url(NORTHBRIDGE,
                                                    "/media/2199/dhr-overview-april-2019.pdf")]
    assert broken[0]["status"] == 404
    lib_broken = report["sources"]["homeoffice-library"]["broken_links"]
    assert [b["url"] for b in lib_broken] == sites.expected_reports("homeoffice-library:broken")
    assert canonical_url(broken[0]["url"]) not in store_urls(data_dir, "northbridge")


def test_only_pages_within_max_depth_are_read(first: Any, sites: FixtureSites) -> None:
    report, requests = first
    paths = {r["path"] for r in requests if r["host"] == NORTHBRIDGE}
    assert f"{LISTING}/3" in paths and f"{LISTING}/4" not in paths
    assert report["sources"]["northbridge"]["pages_visited"] == 4  # listing, 2, 3, landing page


# -- second run: nothing changed -----------------------------------------------------------------
@pytest.mark.parametrize("source", SOURCES)
def test_second_run_reports_everything_unchanged(second: Any, sites: FixtureSites,
                                                 source: str) -> None:
    report, _ = second
    result = report["sources"][source]
    assert (result["new"], result["changed"], result["withdrawn"]) == (0, 0, 0)
    assert result["unchanged"] == len(expected(sites, source))
    assert result["ok"] and report["exit_code"] == 0


def test_second_run_downloads_no_file_body_where_the_server_supports_it(
        second: Any, sites: FixtureSites) -> None:
    _, requests = second
    report_paths = {(h, p) for s in ("northbridge", "westvale", "homeoffice-library")
                    for u in sites.expected_reports(s)
                    for h, p in [(u.split("//")[1].split(":")[0], "/" + u.split("/", 3)[3])]}
    fetched = [r for r in requests if (r["host"], r["path"]) in report_paths]
    assert fetched and all(r["conditional"] for r in fetched)
    bodies = [r for r in fetched if r["status"] == 200]
    assert bodies == [], "unchanged files were downloaded again"
    redirected_target = [r for r in requests
                         if r["path"] == "/media/2120/adult-c-overview-report.pdf"]
    assert [r["status"] for r in redirected_target] == [304]


def test_second_run_decides_unchanged_by_hash_when_the_server_ignores_conditions(
        second: Any, sites: FixtureSites, data_dir: Path) -> None:
    _, requests = second
    docs = [r for r in requests if r["host"] == "eastmoor-csp.org.test"
            and r["path"].startswith("/assets/")]
    assert docs and all(r["status"] == 200 for r in docs)  # new ETag each time: bytes re-sent
    assert len(list(CorpusStore(data_dir).list_files())) == 31  # no new file stored


# -- third run: the sites changed ------------------------------------------------------------------
def test_removed_file_is_marked_withdrawn_and_kept(third: Any, sites: FixtureSites,
                                                   data_dir: Path) -> None:
    store = CorpusStore(data_dir)
    info = store.url_info(url(sites, NORTHBRIDGE, "/media/2130/a-2018.pdf"))
    assert info["online"] is False and info["withdrawn_at"] and info["http_status"] == 404
    assert store.has_file(info["sha256"]) and store.read_bytes(info["sha256"]).startswith(b"%PDF")


def test_report_no_longer_linked_is_marked_withdrawn(third: Any, sites: FixtureSites,
                                                     data_dir: Path) -> None:
    report, _ = third
    gone = url(sites, NORTHBRIDGE, "/media/2103/dhr-eleena-action-plan.docx")
    assert report["sources"]["northbridge"]["withdrawn_unlinked"] == [gone]
    assert report["sources"]["northbridge"]["withdrawn"] == 2
    info = CorpusStore(data_dir).url_info(gone)
    assert info["online"] is False and CorpusStore(data_dir).has_file(info["sha256"])


def test_library_report_whose_card_disappeared_is_withdrawn(third: Any, data_dir: Path) -> None:
    report, _ = third
    assert report["sources"]["homeoffice-library"]["withdrawn"] == 1
    rose = [i for i in store_urls(data_dir, "homeoffice-library").values()
            if i["metadata"]["pseudonym"] == "Rose"]
    assert rose[0]["online"] is False


def test_changed_file_is_stored_as_a_new_version_and_the_old_one_kept(
        third: Any, sites: FixtureSites, data_dir: Path) -> None:
    report, _ = third
    assert report["sources"]["northbridge"]["changed"] == 1
    store = CorpusStore(data_dir)
    u = url(sites, NORTHBRIDGE, "/media/2101/dhr-eleena-overview-report.pdf")
    assert store.url_info(u)["sha256"] == hashlib.sha256(REVISED).hexdigest()
    versions = [f for f in store.list_files() if u in f.urls]
    assert len(versions) == 2 and all(store.has_file(f.sha256) for f in versions)


def test_withdrawn_reports_count_as_gone_not_failed(third: Any) -> None:
    report, _ = third
    assert report["exit_code"] == 0
    assert all(r["ok"] for r in report["sources"].values())


# -- fourth run: a source that suddenly yields nothing -----------------------------------------
def test_source_that_suddenly_yields_nothing_fails_loudly(emptied: Any, sites: FixtureSites,
                                                         data_dir: Path) -> None:
    report, _ = emptied
    result = report["sources"]["westvale"]
    assert report["exit_code"] == 1 and result["ok"] is False
    assert result["problems"] == ["no report links found, but the source should have results"]
    # A broken site is not mass withdrawal: what it published stays online in the catalog.
    assert all(i["online"] for i in store_urls(data_dir, "westvale").values())
    assert result["withdrawn"] == 0
