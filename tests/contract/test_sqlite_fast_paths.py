"""The embedded backend's fast paths give the answers of its general path: a query that is an
AND of leaves on one FTS5 table runs as one MATCH (and, unfiltered on the stemmed index, is
ranked in the same pass), and must return the same total, facet counts, results in the same
order, and cursors as the INTERSECT of one MATCH per leaf ranked separately."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from corpus import build_corpus

from dhr.search import sqlite as sqlite_backend
from dhr.search.base import DocumentRequest, RecommendationRequest

QUERIES = ["risk assessment", "agencies", "routine enquiry GP", '"routine enquiry"',
           '"domestic abuse" police', "referr* MARAC", "alcohol drinking incidents",
           "risk risk assessment", "training"]


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> sqlite_backend.SqliteBackend:
    engine = sqlite_backend.SqliteBackend(tmp_path_factory.mktemp("fast") / "index.sqlite")
    engine.index_documents(build_corpus())
    return engine


def _answers(engine: sqlite_backend.SqliteBackend, q: str) -> list:
    out = []
    for filters in ({}, {"theme": ["risk_assessment"]}):
        for sort in ("relevance", "newest"):
            resp = engine.search(DocumentRequest(q=q, filters=filters, sort=sort, page_size=5))
            page2 = (engine.search(DocumentRequest(q=q, filters=filters, sort=sort, page_size=5,
                                                   cursor=resp.next_cursor))
                     if resp.next_cursor else None)
            out.append((resp.total, [r["id"] for r in resp.results], resp.facets,
                        [r["snippets"] for r in resp.results],
                        [r["id"] for r in page2.results] if page2 else None))
        recs = engine.search_recommendations(RecommendationRequest(q=q, filters=filters))
        out.append((recs.total, [r["id"] for r in recs.results], recs.facets))
    return out


@pytest.mark.parametrize("q", QUERIES)
def test_one_pass_match_and_rank_give_the_general_answers(backend, q, monkeypatch) -> None:
    fast = _answers(backend, q)
    monkeypatch.setattr(sqlite_backend, "_single_match", lambda node, t: None)
    assert fast == _answers(backend, q)
