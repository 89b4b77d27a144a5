"""The tracker follows the store: ``dhr tracker sync`` (which ``dhr ingest`` and ``dhr nightly``
run after indexing) builds review recommendations from the stored Documents, and a new
extractor version re-extracting the same files keeps every tracked id and its history."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import select

from accountability.accounts import Principal
from accountability.db import read_session
from accountability.models import ReviewRecommendation, Update
from accountability.updates import UpdateInput, add_update
from dhr.store import CorpusStore
from orchestration.cli import cli
from orchestration.tracker_cli import sync_after_ingest

from .docs import GMP, RECS, document

ADMIN = Principal(1, "admin@example.org", None, frozenset({("admin", "home-office")}))


def store_documents(data_dir, docs) -> None:
    store = CorpusStore(data_dir)
    for doc in docs:
        # A synthetic Document's id is the sha256 of its label: store those bytes as its file.
        label = doc.filename.removesuffix(".pdf")
        assert store.put(label.encode(), ext="pdf", filename=doc.filename).sha256 == doc.id
        store.put_document(doc)
    store.close()


def test_sync_after_ingest_and_re_extraction_by_a_new_extractor(tmp_path, cfg, engine):
    config = tmp_path / "config.yaml"
    config.write_text(f"storage: {{data_dir: {cfg.data_dir}}}\n"
                      f"tracker: {{database_url: '{cfg.tracker_database_url}'}}\n")
    store_documents(cfg.data_dir, [document("store-overview", review_key="review-s",
                                            extractor_version="1.0.0")])
    result = CliRunner().invoke(cli, ["tracker", "sync", "--config", str(config)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["reviews_changed"], summary["created"]) == (1, 3)
    with read_session(engine) as s:
        recs = {r.number: r.id for r in s.scalars(select(ReviewRecommendation).where(
            ReviewRecommendation.review_key == "review-s"))}
    add_update(engine, recs["3"], ADMIN, UpdateInput(status="in_progress", note="tracked"))
    # Extractor 2.0.0 re-extracts the same file and words recommendation 3 differently.
    reworded = [*RECS[:2], ("3", ("Greater Manchester Police should audit its handling of "
                                 "repeat calls about domestic abuse and report the findings to "
                                 "the partnership."), [GMP])]
    store_documents(cfg.data_dir, [document("store-overview", review_key="review-s",
                                            recs=reworded, extractor_version="2.0.0")])
    again = sync_after_ingest(cfg)
    assert (again["reviews_changed"], again.get("created", 0), again["reworded"]) == (1, 0, 1)
    with read_session(engine) as s:
        after = {r.number: (r.id, r.text) for r in s.scalars(select(ReviewRecommendation).where(
            ReviewRecommendation.review_key == "review-s"))}
        notes = [u.note for u in s.scalars(select(Update).where(
            Update.recommendation_id == recs["3"]))]
    assert after["3"][0] == recs["3"] and "should audit" in after["3"][1]
    assert notes == ["tracked"]
    assert sync_after_ingest(cfg)["reviews_changed"] == 0  # nothing changed: nothing written


def test_each_sync_stamps_the_search_index_with_the_review_recommendations(tmp_path, cfg,
                                                                           engine):
    """The explorer lists review recommendations once because every sync stamps the index's
    records (one per printed copy) with the tracker's id; re-indexing a document clears its
    stamps and the next sync, even with nothing to re-sync, puts them back."""
    from dhr.search import open_backend
    from dhr.search.base import RecommendationRequest

    docs = [document("stamp-overview", review_key="review-t"),
            document("stamp-summary", review_key="review-t", doc_type="executive_summary")]
    store_documents(cfg.data_dir, docs)
    backend = open_backend(cfg)
    backend.index_documents(docs)
    by_review = RecommendationRequest(by_review=True, page_size=100)
    assert backend.search_recommendations(by_review).total == 6  # nothing stamped yet
    config = tmp_path / "config.yaml"
    config.write_text(f"storage: {{data_dir: {cfg.data_dir}}}\n"
                      f"tracker: {{database_url: '{cfg.tracker_database_url}'}}\n")
    result = CliRunner().invoke(cli, ["tracker", "sync", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["index_records_stamped"] == 6
    with read_session(engine) as s:
        tracked = {r.number: r.id for r in s.scalars(select(ReviewRecommendation).where(
            ReviewRecommendation.review_key == "review-t"))}
    grouped = backend.search_recommendations(by_review)
    assert grouped.total == 3
    assert {r["review_recommendation"] for r in grouped.results} == set(tracked.values())
    for r in grouped.results:
        assert [c["document_id"] for c in r["copies"]] == [
            d.id for d in docs if d.id != r["document_id"]]
    copies = backend.search_recommendations(RecommendationRequest(page_size=100)).results
    assert {(r["number"], r["review_recommendation"]) for r in copies} == set(tracked.items())

    backend.index_documents(docs[:1])  # re-indexed: its three records lose their stamps
    assert backend.search_recommendations(by_review).total == 6
    again = sync_after_ingest(cfg)
    assert again["reviews_changed"] == 0 and again["index_records_stamped"] == 3
    assert backend.search_recommendations(by_review).total == 3
    # `dhr index --rebuild` builds new records (no stamps) and stamps them from the tracker.
    rebuilt = CliRunner().invoke(cli, ["index", "--rebuild", "--config", str(config)])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert json.loads(rebuilt.output)["index_records_stamped"] == 6
    assert backend.search_recommendations(by_review).total == 3
    backend.close()
