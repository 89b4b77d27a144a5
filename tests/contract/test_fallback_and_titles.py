"""The some-words fallback and display titles, on both backends, through the engine, the JSON
API and the web UI (a real server on 127.0.0.1 over each real index).

No document holds all of ``substance misuse alcohol``: the search falls back to the documents
holding most of the words (two of the three), says so (``"fallback": "some_words"`` in the API,
a notice in the UI), returns the same set and facet counts on both backends, pages with its
cursor, and still honours exclusions and filters. A query that finds something, or one that has
no weaker form (one word, an OR the user wrote), never falls back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
import requests

from dhr.document import Document
from dhr.search import open_backend
from dhr.search.base import DocumentRequest, RecommendationRequest
from dhr.store import CorpusStore
from search_api import create_app
from search_api.wsgi import BackgroundServer
from tests.conftest import make_config

FILLER = "The panel met and agreed its next steps. This is a synthetic sample."
# key -> (words on its page, doc_type, pseudonym, area, date of death)
DOCS = {
    "sub-mis": ("substance misuse services closed the case", "overview_report", "Mrs J",
                "Leeds", "2019-04"),
    "mis-alc": ("misuse of alcohol was recorded, and cannabis", "executive_summary", "Adult A",
                "Preston", "2017-01"),
    "sub-alc": ("substance use and alcohol were both noted", "learning_brief", "Case 23",
                "Cardiff", None),
    "alc": ("alcohol was a factor", "overview_report", "Vera", "Swindon", "2015-06"),
    "none": ("nothing relevant here", "other", None, None, None),
}


def _doc(key: str) -> Document:
    words, doc_type, pseudonym, area, dod = DOCS[key]
    pages = [f"File title page for {key}. {FILLER}", f"{words}. {FILLER}"]
    return Document.model_validate({
        "id": hashlib.sha256(key.encode()).hexdigest(), "format": "txt",
        "extractor_version": "test", "page_count": 2, "doc_type": doc_type,
        "title": f"Final version {key}", "pages": pages,
        "recommendations": [{"text": f"Agencies should review how {words}.", "page": 2}],
        "review": {"pseudonym": pseudonym, "area": area, "date_of_death": dod}})


CORPUS = [_doc(k) for k in DOCS]
ID = {k: d.id for k, d in zip(DOCS, CORPUS, strict=False)}
KEY = {v: k for k, v in ID.items()}


@pytest.fixture(scope="module")
def engines(tmp_path_factory, es_url):
    out = {}
    for name in ("sqlite", "elasticsearch"):
        config = make_config(tmp_path_factory.mktemp(name), name, es_url)
        backend = open_backend(config)
        backend.ensure_indices()
        report = backend.index_documents(CORPUS, refresh=True)
        assert report.indexed == len(CORPUS) and not report.failed
        out[name] = (backend, config)
    yield out
    out["elasticsearch"][0].drop()


@pytest.fixture(scope="module", params=["sqlite", "elasticsearch"])
def site(request, engines, tmp_path_factory) -> Iterator[tuple[str, requests.Session]]:
    backend, config = engines[request.param]
    app = create_app(config, backend=backend, store=CorpusStore(tmp_path_factory.mktemp("s")))
    with BackgroundServer(app, threads=2) as server, requests.Session() as session:
        yield server.url, session


def _keys(resp) -> set[str]:
    return {KEY[r["id"]] for r in resp.results}


def test_no_document_has_all_the_words_so_most_of_them_are_enough(engines):
    out = {}
    for name, (backend, _) in engines.items():
        strict = backend.search(DocumentRequest(q="substance misuse alcohol"))
        assert strict.total == 0 and strict.fallback is None
        resp = backend.search_with_fallback(DocumentRequest(q="substance misuse alcohol"))
        assert resp.fallback == "some_words"
        assert _keys(resp) == {"sub-mis", "mis-alc", "sub-alc"}  # two of three, not 'alc'
        assert resp.total == 3
        out[name] = (_keys(resp), resp.facets)
    assert out["sqlite"] == out["elasticsearch"]


def test_the_fallback_keeps_exclusions_and_filters_and_pages_with_its_cursor(engines):
    for backend, _ in engines.values():
        resp = backend.search_with_fallback(DocumentRequest(q="substance misuse alcohol -cannabis"))
        assert _keys(resp) == {"sub-mis", "sub-alc"} and resp.fallback == "some_words"
        only = backend.search_with_fallback(DocumentRequest(
            q="substance misuse alcohol", filters={"doc_type": ["executive_summary"]}))
        assert _keys(only) == {"mis-alc"}
        seen, cursor = [], None
        for _ in range(5):
            page = backend.search_with_fallback(DocumentRequest(
                q="substance misuse alcohol", page_size=1, cursor=cursor))
            assert page.fallback == "some_words"
            seen += [KEY[r["id"]] for r in page.results]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert sorted(seen) == ["mis-alc", "sub-alc", "sub-mis"]


def test_recommendations_fall_back_the_same_way(engines):
    out = {}
    for name, (backend, _) in engines.items():
        resp = backend.search_recommendations_with_fallback(
            RecommendationRequest(q="substance misuse alcohol"))
        assert resp.fallback == "some_words"
        out[name] = {KEY[r["document_id"]] for r in resp.results}
        assert out[name] == {"sub-mis", "mis-alc", "sub-alc"}
    assert out["sqlite"] == out["elasticsearch"]


@pytest.mark.parametrize("q", ["alcohol misuse", "zzyzx", "zzyzx OR qqxqq", "-alcohol"])
def test_no_fallback_when_something_matches_or_nothing_weaker_exists(engines, q):
    for backend, _ in engines.values():
        resp = backend.search_with_fallback(DocumentRequest(q=q))
        assert resp.fallback is None
        assert _keys(resp) == _keys(backend.search(DocumentRequest(q=q)))


def test_two_words_fall_back_to_either_word(engines):
    for backend, _ in engines.values():
        resp = backend.search_with_fallback(DocumentRequest(q="cannabis zzyzx"))
        assert _keys(resp) == {"mis-alc"} and resp.fallback == "some_words"


def test_the_api_flags_the_fallback_and_gives_display_titles(site):
    url, http = site
    body = http.get(f"{url}/api/v1/search", params={"q": "substance misuse alcohol"},
                    timeout=30).json()
    assert body["fallback"] == "some_words" and body["total"] == 3
    titles = {KEY[r["id"]]: (r["display_title"], r["title"]) for r in body["results"]}
    assert titles["sub-mis"] == ("Mrs J (Leeds, 2019): Overview report", "Final version sub-mis")
    assert titles["mis-alc"] == ("Adult A (Preston, 2017): Executive summary",
                                 "Final version mis-alc")
    assert titles["sub-alc"] == ("Case 23 (Cardiff): Learning brief", "Final version sub-alc")
    exact = http.get(f"{url}/api/v1/search", params={"q": "alcohol"}, timeout=30).json()
    assert exact["fallback"] is None
    assert {r["display_title"]
            for r in exact["results"]} >= {"Vera (Swindon, 2015): Overview report"}
    nothing = http.get(f"{url}/api/v1/search", params={"q": "misuse"}, timeout=30).json()
    assert nothing["fallback"] is None
    none = http.get(f"{url}/api/v1/search", params={"q": "relevant"}, timeout=30).json()
    assert none["results"][0]["display_title"] == "Final version none"  # no review named


def test_the_ui_labels_the_fallback_lists_display_titles_and_keeps_the_file_title(site):
    url, http = site
    page = http.get(f"{url}/search", params={"q": "substance misuse alcohol"}, timeout=30).text
    assert 'id="fallback-notice"' in page and "contain most of them" in page
    assert "Mrs J (Leeds, 2019): Overview report" in page
    assert "Final version sub-mis" not in page
    exact = http.get(f"{url}/search", params={"q": "alcohol"}, timeout=30).text
    assert "fallback-notice" not in exact
    doc_page = http.get(f"{url}/documents/{ID['sub-mis']}", timeout=30).text
    assert "Final version sub-mis" in doc_page
