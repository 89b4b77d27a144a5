"""``dhr nightly`` matches the last DHRD import's incidents again, so a review ingested after
the import gains its DHRD tags without anyone running ``dhr dhrd import`` by hand; with no
import, the stage says it was skipped.

The corpus's Documents (with the current extractor version, so the nightly does not re-extract
them) go into a real store; the crawl finds nothing (its one source is down).
"""

from __future__ import annotations

from pathlib import Path

from dhr.config import config_from_dict
from dhr.document import Document
from dhr.enrichment.store import EnrichmentStore
from dhr.store import CorpusStore
from ingest.extract import EXTRACTOR_VERSION
from ingest.merge import link_review_keys
from orchestration.dhrd_import import import_dhrd
from orchestration.nightly import run_nightly

from .corpus import CorpusItem
from .dhrd_fixture import write_dhrd


def _config(data_dir: Path):
    return config_from_dict({
        "storage": {"data_dir": str(data_dir)}, "search": {"backend": "sqlite"},
        "sources": [{"name": "down", "kind": "site", "start_urls": ["http://127.0.0.1:9/"],
                     "should_have_results": False}],
    }, env={})


def _store(data_dir: Path, items: list[tuple[CorpusItem, Document]]) -> None:
    store = CorpusStore(data_dir)
    try:
        for item, doc in items:
            store.put(item.path.read_bytes(), ext=item.path.suffix, filename=doc.filename)
            store.put_document(doc)
    finally:
        store.close()


def test_the_nightly_matches_a_new_review_to_the_last_dhrd_import(
        tmp_path: Path, api_corpus: list[CorpusItem]) -> None:
    keys = link_review_keys([{"id": i.doc.id, "review": i.doc.review.model_dump(mode="json")}
                             for i in api_corpus])
    items = [(i, i.doc.model_copy(update={"review_key": keys[i.doc.id],
                                          "extractor_version": EXTRACTOR_VERSION}))
             for i in api_corpus]
    docs = [d for _, d in items]
    truth = write_dhrd(tmp_path / "dhrd", docs)
    late_incident, late_review = min(truth.matched.items())
    cfg = _config(tmp_path / "data")
    _store(cfg.data_dir, [(i, d) for i, d in items if d.review_key != late_review])

    first = run_nightly(cfg, report_path=tmp_path / "night1.json", quiet=True)
    assert first["stages"]["dhrd"]["skipped"].startswith("no DHRD import")

    imported = import_dhrd(cfg, tmp_path / "dhrd", None)
    assert late_incident not in {m["incident_id"] for m in imported.report.matched}

    _store(cfg.data_dir, [(i, d) for i, d in items if d.review_key == late_review])
    second = run_nightly(cfg, report_path=tmp_path / "night2.json", quiet=True)
    stage = second["stages"]["dhrd"]
    assert "error" not in stage, stage
    assert stage["matched"] == imported.report.counts()["matched"] + 1
    assert stage["documents_to_reindex"] == sum(d.review_key == late_review for d in docs)
    enrichment = EnrichmentStore(cfg.data_dir)
    try:
        assert late_review in enrichment.tags_by_review()
    finally:
        enrichment.close()
    assert second["stages"]["index"]["left_pending"] == 0
