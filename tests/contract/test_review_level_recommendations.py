"""Review-level recommendation search (``RecommendationRequest(by_review=True)``), the same on
both backends.

The tracker stamps each recommendation record with the review recommendation it is a copy of
(``set_review_recommendations``); a by-review search then lists each review recommendation
once: its total, its pages and its facet counts count review recommendations, and each result
carries every other copy (document and page) of its group. A record nobody stamped is its own
group. The per-copy search is unchanged, apart from the extra ``review_recommendation`` field.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from both_engines import indexed_engines
from corpus import build_corpus
from test_backend_contract import REC_REQUESTS

from dhr.search import open_backend
from dhr.search.base import RecommendationRequest, SearchError
from dhr.search.elasticsearch import ElasticsearchBackend
from tests.conftest import make_config

CORPUS = build_corpus()


def stamps() -> dict[str, str]:
    """Group the corpus's records as a tracker would group copies: record k of document i with
    record k of document i+1 (i even), and the third record of document 5 with both of
    document 6's first records' group. Every fourth pair is left unstamped."""
    keys: dict[str, str] = {}
    for i in range(0, len(CORPUS) - 1, 2):
        if i % 8 == 6:
            continue
        for k in range(2):
            key = f"rr-{i:04d}{k:012d}"
            keys[f"{CORPUS[i].id}-{k:03d}"] = key
            keys[f"{CORPUS[i + 1].id}-{k:03d}"] = key
    keys[f"{CORPUS[5].id}-002"] = keys[f"{CORPUS[4].id}-000"]
    return keys


def group_of(result: dict) -> str:
    return result["review_recommendation"] or result["id"]


@pytest.fixture(scope="module")
def engines(tmp_path_factory, es_url):
    engines = indexed_engines(tmp_path_factory, es_url, CORPUS)
    for engine in engines.values():
        assert engine.set_review_recommendations(stamps(), refresh=True) == len(stamps())
    yield engines
    es = engines["elasticsearch"]
    assert isinstance(es, ElasticsearchBackend)
    es.drop()


def walk(engine, params, by_review, page_size=3):
    seen, first, cursor = [], None, None
    for _ in range(200):
        resp = engine.search_recommendations(RecommendationRequest(
            page_size=page_size, cursor=cursor, by_review=by_review, **params))
        first = first or resp
        seen += resp.results
        cursor = resp.next_cursor
        if cursor is None:
            break
    return seen, first


@pytest.mark.parametrize("name", sorted(REC_REQUESTS) + ["everything"])
def test_each_review_recommendation_is_listed_once_and_counted_once(engines, name):
    params = REC_REQUESTS.get(name, {})
    out = {}
    for label, engine in engines.items():
        copies, _ = walk(engine, params, by_review=False, page_size=50)
        groups, first = walk(engine, params, by_review=True)
        keys = [group_of(r) for r in groups]
        assert len(keys) == len(set(keys)), f"{label}: a review recommendation listed twice"
        # exactly the groups of the matching copies, however many copies each has
        assert set(keys) == {group_of(r) for r in copies}
        assert first.total == len(keys)
        out[label] = (set(keys), first.total, first.facets)
    assert out["sqlite"] == out["elasticsearch"]


@pytest.mark.parametrize("engine_name", ["sqlite", "elasticsearch"])
def test_facet_counts_count_review_recommendations(engines, engine_name):
    engine = engines[engine_name]
    everything = walk(engine, {}, by_review=False, page_size=100)[0]
    facets = engine.search_recommendations(RecommendationRequest(by_review=True)).facets
    for item in facets["agency"]:
        expected = {group_of(r) for r in everything if r["agency"] == item["value"]}
        assert item["count"] == len(expected), item
    total_copies = engine.search_recommendations(RecommendationRequest()).total
    assert engine.search_recommendations(RecommendationRequest(by_review=True)).total < \
        total_copies


@pytest.mark.parametrize("engine_name", ["sqlite", "elasticsearch"])
def test_a_result_names_every_copy_of_its_review_recommendation(engines, engine_name):
    engine = engines[engine_name]
    key = stamps()[f"{CORPUS[4].id}-000"]  # printed in documents 4, 5 (twice: -000 and -002)
    groups, _ = walk(engine, {}, by_review=True, page_size=100)
    found = next(r for r in groups if r["review_recommendation"] == key)
    printed = {found["id"], *(c["id"] for c in found["copies"])}
    assert printed == {k for k, v in stamps().items() if v == key}
    assert all(c["page"] and c["document_id"] for c in found["copies"])
    alone = next(r for r in groups if r["review_recommendation"] is None)
    assert alone["copies"] == []


@pytest.mark.parametrize("engine_name", ["sqlite", "elasticsearch"])
def test_the_per_copy_search_keeps_its_shape_and_gains_the_key(engines, engine_name):
    engine = engines[engine_name]
    results = walk(engine, {}, by_review=False, page_size=100)[0]
    assert len(results) == sum(len(d.recommendations) for d in CORPUS)
    for r in results:
        assert r["review_recommendation"] == stamps().get(r["id"])
        assert "copies" not in r


@pytest.mark.parametrize("engine_name", ["sqlite", "elasticsearch"])
def test_a_cursor_of_the_per_copy_list_is_refused_by_the_review_level_one(engines, engine_name):
    engine = engines[engine_name]
    cursor = engine.search_recommendations(RecommendationRequest(page_size=2)).next_cursor
    with pytest.raises(SearchError):
        engine.search_recommendations(RecommendationRequest(page_size=2, cursor=cursor,
                                                            by_review=True))


def test_reindexing_a_document_clears_its_stamps_until_stamped_again(tmp_path):
    engine = open_backend(make_config(tmp_path, "sqlite"))
    engine.index_documents(CORPUS[:2])
    engine.set_review_recommendations(
        {f"{CORPUS[0].id}-000": "rr-00000000000000aa",
         f"{CORPUS[1].id}-000": "rr-00000000000000aa"})
    by_review = RecommendationRequest(by_review=True)
    assert engine.search_recommendations(by_review).total == 3
    engine.index_documents(CORPUS[:1])
    assert engine.search_recommendations(by_review).total == 4
    assert engine.set_review_recommendations({"no-such-record": "rr-00000000000000bb"}) == 0
    engine.close()
