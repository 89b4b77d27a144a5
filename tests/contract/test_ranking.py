"""Relevance ranking on both backends (dhr/search/ranking.py): what researchers look for first.

A one-page thematic note (not a review) that repeats "risk assessment", a long overview report
that mentions it once in boilerplate, and a long overview report that discusses it in its
findings, has it as a theme and recommends on it. The review that discusses and recommends
comes first, the passing mention next, the note last, on both backends; ranking never changes
which documents match.
"""

from __future__ import annotations

import hashlib

import pytest

from dhr.document import Document
from dhr.search import open_backend
from dhr.search.base import DocumentRequest
from tests.conftest import make_config

CHRONOLOGY = ("On a later date the officer visited the address and spoke to the family about "
              "the arrangements for the weekend; nothing further was recorded. ")


def _doc(key: str, pages: list[str], doc_type: str, **extra) -> Document:
    return Document.model_validate({
        "id": hashlib.sha256(key.encode()).hexdigest(), "format": "txt",
        "extractor_version": "test", "page_count": len(pages), "doc_type": doc_type,
        "title": key, "pages": pages, **extra})


NOTE = _doc("note", [("Thematic note (synthetic sample). Risk assessment matters. Every risk "
                     "assessment should be repeated; risk assessment is dynamic.")], "other")
PASSING = _doc("passing", [("Terms of reference (synthetic sample): to consider the risk "
                           "assessment tools used by agencies.")] + [CHRONOLOGY * 20] * 30,
               "overview_report")
ABOUT = _doc("about", [CHRONOLOGY * 20] * 25 + [
    ("Findings. The risk assessment was not repeated after the assault, and the DASH risk "
    "grading relied on the victim's own answers."),
    ("Recommendation 1: the police ensure that the risk assessment is repeated after every "
    "further incident.")] + [CHRONOLOGY * 20] * 5, "overview_report",
    themes=[{"id": "risk_assessment", "evidence": [
        {"page": 26, "text": "The risk assessment was not repeated after the assault."}]}],
    recommendations=[{"text": "the police ensure that the risk assessment is repeated after "
                              "every further incident.", "page": 27}],
    sections=[{"title": "Findings", "page": 26}, {"title": "Recommendations", "page": 27}])
CORPUS = [NOTE, PASSING, ABOUT]
KEY = {d.id: d.title for d in CORPUS}


@pytest.fixture(scope="module")
def engines(tmp_path_factory, es_url):
    out = {}
    for name in ("sqlite", "elasticsearch"):
        backend = open_backend(make_config(tmp_path_factory.mktemp(name), name, es_url))
        backend.ensure_indices()
        assert backend.index_documents(CORPUS, refresh=True).indexed == len(CORPUS)
        out[name] = backend
    yield out
    out["elasticsearch"].drop()


@pytest.mark.parametrize("engine_name", ["sqlite", "elasticsearch"])
@pytest.mark.parametrize("q", ["risk assessment", "assessment", '"risk assessment"', "risk*"])
def test_the_review_that_discusses_and_recommends_comes_first(engines, engine_name, q):
    resp = engines[engine_name].search(DocumentRequest(q=q))
    assert [KEY[r["id"]] for r in resp.results] == ["about", "passing", "note"]


@pytest.mark.parametrize("engine_name", ["sqlite", "elasticsearch"])
def test_ranking_does_not_change_the_matches_or_other_sorts(engines, engine_name):
    e = engines[engine_name]
    ranked = e.search(DocumentRequest(q="risk assessment"))
    newest = e.search(DocumentRequest(q="risk assessment", sort="newest"))
    assert {r["id"] for r in ranked.results} == {r["id"] for r in newest.results}
    assert ranked.total == newest.total == 3


def test_an_elasticsearch_index_made_before_the_ranking_fields_is_upgraded(tmp_path, es_url):
    from dhr.search.elasticsearch import load_index_body

    config = make_config(tmp_path, "elasticsearch", es_url)
    old = open_backend(config)
    body = load_index_body("documents", 1, 0)
    for field in ("key_text", "subjects", "prior"):
        del body["mappings"]["properties"][field]
    body["mappings"]["_source"] = {"excludes": ["text"]}
    name = old._new_index_name("documents")
    old.es.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
    old.es.indices.put_alias(index=name, name=old.alias["documents"])
    try:
        upgraded = open_backend(config)  # a new process: ensure_indices adds the fields
        report = upgraded.index_documents(CORPUS, refresh=True)
        assert report.indexed == len(CORPUS) and not report.failed, report.failed
        resp = upgraded.search(DocumentRequest(q="risk assessment"))
        assert [KEY[r["id"]] for r in resp.results] == ["about", "passing", "note"]
    finally:
        old.drop()


def test_a_sqlite_index_made_before_the_ranking_tables_still_answers_and_upgrades(tmp_path):
    config = make_config(tmp_path, "sqlite")
    backend = open_backend(config)
    backend.index_documents(CORPUS)
    with backend._tx() as db:  # what an index written by the previous version looks like
        db.execute("DROP TABLE doc_key")
        db.execute("DROP TABLE doc_rank")
    backend.close()
    reopened = open_backend(config)
    assert reopened.search(DocumentRequest(q="risk assessment")).total == 3
    reopened.index_documents(CORPUS)  # re-indexing fills the ranking tables
    resp = reopened.search(DocumentRequest(q="risk assessment"))
    assert [KEY[r["id"]] for r in resp.results] == ["about", "passing", "note"]
