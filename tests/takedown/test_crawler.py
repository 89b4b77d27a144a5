"""The crawler meeting a suppressed file again changes nothing for the public: the same bytes at
its URL or at a new URL, or new bytes at its URL, are recorded (nothing is lost) but never
indexed or served. After a hard deletion the crawler never requests its URLs again, and the
same bytes found at a new address are not stored. Real fixture websites on 127.0.0.1, real
generated PDFs, the real extraction pipeline, the embedded search backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from accountability.db import create_tracker_engine, upgrade
from accountability.takedown import hard_delete, suppress
from crawler.run import run_crawl
from crawler.urls import canonical_url
from dhr.config import config_from_dict
from dhr.search import open_backend
from dhr.search.base import DocumentRequest
from dhr.store import CorpusStore
from orchestration.pipeline import ingest_paths
from samples.sites import WESTVALE, FixtureSites
from samples.sites.documents import make_report

pytestmark = pytest.mark.timeout(900)
FAST = {"DHR_RETRY_BACKOFF": 0.05}
PAGE = "/council/community-safety/domestic-homicide-reviews"
SUMMARY = "/docs/dhr-adult-g-executive-summary.pdf"
OVERVIEW = "/docs/dhr-adult-g-overview-report.pdf"


def nightly(cfg, backend) -> dict:
    """What ``dhr nightly`` does, step by step: crawl, then extract and index what is new."""
    report = run_crawl(cfg, extra_settings=FAST)
    assert report["exit_code"] == 0, report
    ingest_paths(cfg, [], backend=backend)
    return report["sources"]["westvale"]


def link(sites: FixtureSites, path: str, label: str) -> None:
    """The council adds a link to ``path`` in its document menu."""
    sites.edit_page(WESTVALE, PAGE, '<option value="">Please choose</option>',
                    f'<option value="">Please choose</option>\n  <option value="{path}">'
                    f'{label}</option>')


def indexed_ids(backend) -> set[str]:
    return {r["id"] for r in backend.search(DocumentRequest(page_size=100)).results}


def test_the_crawler_meeting_a_suppressed_file_again_changes_nothing(tmp_path: Path):
    with FixtureSites(tmp_path / "sites") as sites:
        raw = sites.config_dict(tmp_path / "data", sources=["westvale"])
        raw["tracker"] = {"database_url": f"sqlite:///{tmp_path / 'tracker.db'}"}
        cfg = config_from_dict(raw)
        backend = open_backend(cfg)
        engine = create_tracker_engine(cfg.tracker_database_url)
        upgrade(engine)
        nightly(cfg, backend)
        store = CorpusStore(cfg.data_dir)
        summary_url = canonical_url(sites.url(WESTVALE, SUMMARY))
        sha = store.url_info(summary_url)["sha256"]
        overview = store.url_info(canonical_url(sites.url(WESTVALE, OVERVIEW)))["sha256"]
        assert indexed_ids(backend) == {sha, overview}

        suppress(engine, store, backend, "user:admin@example.org", document=sha,
                 category="unredacted_personal_data", reason="Names a witness in full.")
        assert indexed_ids(backend) == {overview}

        # 1. The same bytes again at the same URL, and at a new URL the council adds.
        sites.set_route(WESTVALE, "/docs/adult-g-summary-copy.pdf",
                        file=sites._routes()[WESTVALE][SUMMARY]["file"])
        link(sites, "/docs/adult-g-summary-copy.pdf", "Adult G summary (copy)")
        nightly(cfg, backend)
        copy_url = canonical_url(sites.url(WESTVALE, "/docs/adult-g-summary-copy.pdf"))
        assert store.url_info(copy_url)["sha256"] == sha  # the sighting is recorded...
        assert indexed_ids(backend) == {overview}          # ...and nothing is published
        assert store.has_file(sha) and sha in store.withheld_files()

        # 2. New bytes at the suppressed URL (a re-upload) are kept and withheld too.
        sites.replace_file(WESTVALE, SUMMARY, make_report(
            "pdf", title="Domestic Homicide Review: Executive Summary", area="Westvale",
            pseudonym="Adult G", filler_paragraphs=3))
        nightly(cfg, backend)
        new_sha = store.url_info(summary_url)["sha256"]
        assert new_sha != sha and store.has_file(new_sha)
        assert new_sha in store.withheld_files()
        assert indexed_ids(backend) == {overview}
        assert store.has_file(sha)  # the old version stays

        # 3. Hard deletion: every version and URL is tombstoned; the crawler never asks again.
        from sqlalchemy import select

        from accountability.db import read_session
        from accountability.models import Suppression

        with read_session(engine) as s:
            sup_id = s.scalar(select(Suppression.id))
        hard_delete(engine, store, backend, "user:admin@example.org", sup_id,
                    reason="Order of the court (synthetic reference SYN-0002)")
        assert not store.has_file(sha) and not store.has_file(new_sha)
        sites.clear_log()
        # ... even when the council links the same bytes from yet another address.
        sites.set_route(WESTVALE, "/docs/adult-g-third.pdf",
                        file=sites._routes()[WESTVALE]["/docs/adult-g-summary-copy.pdf"]["file"])
        link(sites, "/docs/adult-g-third.pdf", "Adult G summary (third copy)")
        result = nightly(cfg, backend)
        requested = {r["path"] for r in sites.requests}
        assert SUMMARY not in requested and "/docs/adult-g-summary-copy.pdf" not in requested
        assert "/docs/adult-g-third.pdf" in requested      # a new address is fetched once...
        assert not store.has_file(sha)                      # ...but the bytes are not stored
        assert store.url_info(canonical_url(sites.url(WESTVALE, "/docs/adult-g-third.pdf"))) \
            is None
        assert result["new"] == 0
        assert indexed_ids(backend) == {overview}
        engine.dispose()
