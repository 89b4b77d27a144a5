"""Suppressed documents stay out of the review-level recommendations list even where an index
still holds them (a restored replica): neither as a result nor as another printed copy."""

from __future__ import annotations

from dhr.search import open_backend
from dhr.search.base import RecommendationRequest
from search_api.public import PublicBackend
from tests.conftest import make_config
from tests.tracker.docs import document


def test_a_withheld_document_is_neither_a_result_nor_a_copy(tmp_path):
    docs = [document("copies-overview", review_key="review-w"),
            document("copies-summary", review_key="review-w", doc_type="executive_summary")]
    backend = open_backend(make_config(tmp_path, "sqlite"))
    backend.index_documents(docs)
    keys = {f"{d.id}-{i:03d}": f"rr-{i:016x}" for d in docs for i in range(3)}
    assert backend.set_review_recommendations(keys) == 6
    request = RecommendationRequest(by_review=True)
    assert all(len(r["copies"]) == 1 for r in backend.search_recommendations(request).results)

    withheld = docs[1].id
    public = PublicBackend(backend, lambda pairs: {d for d, _key in pairs if d == withheld})
    results = public.search_recommendations(request).results
    assert results and all(r["document_id"] != withheld for r in results)
    assert all(r["copies"] == [] for r in results)
    assert public.search_recommendations_with_fallback(request).results == results
    backend.close()
