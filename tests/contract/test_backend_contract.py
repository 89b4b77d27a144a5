"""The contract suite: the same requests against both backends over the same corpus.

Both engines must return identical sets of ids, identical totals and identical facet counts
(ranking order may differ); highlights must mark the matched words on the right page; walking
``next_cursor`` must return every hit exactly once.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from corpus import build_corpus

from dhr.query import MAX_NESTING, MAX_PREFIXES
from dhr.search import open_backend
from dhr.search.base import DocumentRequest, RecommendationRequest, SearchError
from dhr.search.elasticsearch import ElasticsearchBackend
from tests.conftest import make_config

CORPUS = build_corpus()
LONG_QUERY = " OR ".join(["risk", "police", "housing", "training", "alcohol"] * 60)[:2000]


def _nested(leaves: list[str], depth: int = MAX_NESTING) -> str:
    """``-(a OR -(b OR ... c))``: as deep as the parser allows, two boolean levels a group."""
    q = leaves[-1]
    for level in range(depth):
        q = f"-({leaves[level % (len(leaves) - 1)]} OR {q})"
    return q

DOC_REQUESTS = {
    "words": {"q": "risk assessment"},
    "phrase": {"q": '"risk assessment"'},
    "phrase_exact_plural": {"q": '"risk assessments"'},
    "exclusion": {"q": "police -covid"},
    "or": {"q": "idva OR marac"},
    "prefix": {"q": "assess*"},
    "prefix_short_stem": {"q": "safeguard*"},
    "synonym_multiword": {"q": "coercive control"},
    "synonym_gp": {"q": "general practitioner"},
    "pure_negation": {"q": "-police"},
    "grouped": {"q": "(covid OR pandemic) -lockdown"},
    "stemming": {"q": "assessments"},
    "unicode": {"q": "Zoë café"},
    "punctuation": {"q": "MARAC's multi-agency!"},
    "long_query": {"q": LONG_QUERY},
    "empty_result": {"q": "zzyzx"},
    "prefixes_at_limit": {"q": " OR ".join([f"{a}{b}*" for a in "cprst" for b in "aeo"]
                                           [:MAX_PREFIXES])},
    "prefixes_and_words": {"q": "(ris* OR ass*) polic* -covid*"},
    "nested_exclusions": {"q": "-(" * MAX_NESTING + "police" + ")" * MAX_NESTING},
    "nested_alternatives": {"q": _nested(["idva", "assess*", '"risk assessment"', "housing"])},
    "nested_groups": {"q": _nested(["covid", "alcohol", "police"]).replace("-(", "risk (", 3)},
    "theme": {"filters": {"theme": ["risk_assessment"]}},
    "theme_and_agency": {"filters": {"theme": ["risk_assessment"], "agency": ["police"]}},
    "multi_select_theme": {"filters": {"theme": ["alcohol", "drugs"]}},
    "review_type": {"filters": {"review_type": ["adult_family"]}},
    "doc_type": {"filters": {"doc_type": ["action_plan"]}},
    "abuse_and_sex": {"filters": {"abuse_type": ["coercive_control"], "victim_sex": ["female"]}},
    "region_death": {"filters": {"region": ["North West", "Wales"], "death_type": ["suicide"]}},
    "age_band": {"filters": {"victim_age_band": ["65+"]}},
    "area": {"filters": {"area": ["Preston"]}},
    "year_range": {"year_from": 2015, "year_to": 2018},
    "year_from": {"year_from": 2020},
    "year_facet": {"filters": {"year": ["2016", "2017"]}},
    "text_and_facets": {"q": "training", "filters": {"theme": ["training_awareness"],
                                                     "region": ["North West", "East"]}},
    "newest": {"sort": "newest"},
    "oldest_with_query": {"q": "agencies", "sort": "oldest"},
}
REC_REQUESTS = {
    "rec_words": {"q": "training"},
    "rec_agency": {"filters": {"agency": ["police"]}},
    "rec_scope": {"filters": {"scope": ["national"]}},
    "rec_smart": {"smart_min": 3},
    "rec_theme_year": {"filters": {"theme": ["alcohol"]}, "year_from": 2014},
    "rec_phrase": {"q": '"routine enquiry"'},
    "rec_nested": {"q": _nested(["training", "police", "review*", "policy"])},
    "rec_region_review_type": {"filters": {"region": ["Wales"],
                                           "review_type": ["intimate_partner"]}},
}


@pytest.fixture(scope="module")
def engines(tmp_path_factory, es_url):
    sq = open_backend(make_config(tmp_path_factory.mktemp("sqlite"), "sqlite"))
    es_cfg = make_config(tmp_path_factory.mktemp("es"), "elasticsearch", es_url)
    es = open_backend(es_cfg)
    for engine in (sq, es):
        engine.ensure_indices()
        report = engine.index_documents(CORPUS, refresh=True)
        assert report.indexed == len(CORPUS) and not report.failed
    yield {"sqlite": sq, "elasticsearch": es}
    assert isinstance(es, ElasticsearchBackend)
    es.drop()


def walk(engine, make, page_size=7):
    """Every id across all pages, and the first page's response."""
    seen, first, cursor = [], None, None
    for _ in range(100):
        resp = (engine.search if isinstance(make(None), DocumentRequest)
                else engine.search_recommendations)(make(cursor))
        first = first or resp
        seen += [r["id"] for r in resp.results]
        cursor = resp.next_cursor
        if cursor is None:
            break
    return seen, first


@pytest.mark.parametrize("name", sorted(DOC_REQUESTS))
def test_documents_same_on_both_backends(engines, name):
    params = DOC_REQUESTS[name]
    out = {}
    for label, engine in engines.items():
        ids, first = walk(engine, lambda c: DocumentRequest(page_size=7, cursor=c, **params))
        assert len(ids) == len(set(ids)), f"{label}: a hit was returned twice"
        assert len(ids) == first.total, f"{label}: cursor walk does not reach total"
        out[label] = (set(ids), first.total, first.facets)
    assert out["sqlite"][0] == out["elasticsearch"][0]
    assert out["sqlite"][1] == out["elasticsearch"][1]
    assert out["sqlite"][2] == out["elasticsearch"][2]


@pytest.mark.parametrize("name", sorted(REC_REQUESTS))
def test_recommendations_same_on_both_backends(engines, name):
    params = REC_REQUESTS[name]
    out = {}
    for label, engine in engines.items():
        ids, first = walk(engine, lambda c: RecommendationRequest(page_size=5, cursor=c, **params))
        assert len(ids) == len(set(ids)) == first.total
        out[label] = (set(ids), first.facets)
    assert out["sqlite"] == out["elasticsearch"]


# Known answers (the corpus places these on purpose), checked on both engines.
def _ids(engine, **params):
    return set(walk(engine, lambda c: DocumentRequest(page_size=50, cursor=c, **params))[0])


def _with_theme(theme):
    return {d.id for d in CORPUS if theme in {t.id for t in d.themes}}


@pytest.mark.parametrize("engine_name", ["sqlite", "elasticsearch"])
def test_known_answers(engines, engine_name):
    e = engines[engine_name]
    assert _ids(e, q='"routine enquiry about domestic abuse"') == {CORPUS[5].id}
    assert _ids(e, q="Zoë") == {CORPUS[9].id}
    assert _ids(e, q="zoe") == {CORPUS[9].id}  # accents folded
    assert _ids(e, q='"risk assessment"') == _with_theme("risk_assessment")
    # synonyms: 'coercive control' finds the document that only says 'controlling behaviour'
    assert CORPUS[12].id in _ids(e, q="coercive control")
    # idva finds 'independent domestic violence advisor'
    assert _ids(e, q="idva") == _with_theme("specialist_services")
    assert _ids(e, q="police -police") == set()
    everything = {d.id for d in CORPUS}
    assert _ids(e) == everything
    assert _ids(e, q="-zzyzx") == everything
    assert _ids(e, filters={"theme": ["alcohol", "drugs"]}) == \
        _with_theme("alcohol") | _with_theme("drugs")
    assert _ids(e, year_from=2015, year_to=2018) == {
        d.id for d in CORPUS if d.year_of_death and 2015 <= d.year_of_death <= 2018}


@pytest.mark.parametrize("engine_name", ["sqlite", "elasticsearch"])
def test_multi_select_facets_ignore_their_own_filter(engines, engine_name):
    e = engines[engine_name]
    unfiltered = e.search(DocumentRequest(page_size=1)).facets["theme"]
    filtered = e.search(DocumentRequest(page_size=1, filters={"theme": ["alcohol"]}))
    assert filtered.facets["theme"] == unfiltered
    # ...but other facets respect it
    alcohol = _with_theme("alcohol")
    counts = {f["value"]: f["count"] for f in filtered.facets["doc_type"]}
    assert sum(counts.values()) == len(alcohol) == filtered.total
    labels = {f["value"]: f["label"] for f in unfiltered}
    assert labels["marac_mappa"] == "MARAC and MAPPA"


@pytest.mark.parametrize("engine_name", ["sqlite", "elasticsearch"])
def test_highlights_mark_words_on_the_right_page(engines, engine_name):
    e = engines[engine_name]
    resp = e.search(DocumentRequest(q="strangulation", page_size=50))
    assert resp.total == len(_with_theme("strangulation"))
    for result in resp.results:
        assert result["snippets"], result["id"]
        snip = result["snippets"][0]
        assert snip["page"] == 2
        assert "<mark>strangulation</mark>" in snip["html"].lower()
    phrase = e.search(DocumentRequest(q='"routine enquiry"'))
    assert phrase.results[0]["snippets"][0]["page"] == 3
    assert "<mark>" in phrase.results[0]["snippets"][0]["html"]


@pytest.mark.parametrize("engine_name", ["sqlite", "elasticsearch"])
def test_snippets_escape_html(engines, engine_name):
    e = engines[engine_name]
    html = e.search(DocumentRequest(q="children's"))
    for r in html.results:
        for s in r["snippets"]:
            stripped = s["html"].replace("<mark>", "").replace("</mark>", "")
            assert "<" not in stripped and "'" not in stripped


@pytest.mark.parametrize("engine_name", ["sqlite", "elasticsearch"])
def test_sort_orders(engines, engine_name):
    e = engines[engine_name]
    newest, _ = walk(e, lambda c: DocumentRequest(sort="newest", page_size=6, cursor=c))
    by_id = {d.id: d for d in CORPUS}
    keys = [by_id[i].review.date_of_death for i in newest]
    known = [k for k in keys if k]
    assert keys[:len(known)] == known, "unknown dates sort last"
    as_num = [int(k[:4]) * 100 + (int(k[5:7]) if len(k) > 4 else 0) for k in known]
    assert as_num == sorted(as_num, reverse=True)
    oldest, _ = walk(e, lambda c: DocumentRequest(sort="oldest", page_size=6, cursor=c))
    okeys = [by_id[i].review.date_of_death for i in oldest if by_id[i].review.date_of_death]
    onum = [int(k[:4]) * 100 + (int(k[5:7]) if len(k) > 4 else 0) for k in okeys]
    assert onum == sorted(onum)


@pytest.mark.parametrize("engine_name", ["sqlite", "elasticsearch"])
def test_tampered_or_foreign_cursor_is_rejected(engines, engine_name):
    e = engines[engine_name]
    resp = e.search(DocumentRequest(q="chronology", page_size=2))
    assert resp.next_cursor
    tampered = resp.next_cursor[:-3] + ("AAA" if not resp.next_cursor.endswith("AAA") else "BBB")
    for bad in (tampered, "garbage", "x" * 3000):
        with pytest.raises(SearchError) as err:
            e.search(DocumentRequest(q="chronology", page_size=2, cursor=bad))
        assert err.value.field == "cursor"
    with pytest.raises(SearchError):  # a cursor from another search
        e.search(DocumentRequest(q="housing", page_size=2, cursor=resp.next_cursor))


@pytest.mark.parametrize("engine_name", ["sqlite", "elasticsearch"])
def test_get_similar_stats(engines, engine_name):
    e = engines[engine_name]
    doc = e.get_document(CORPUS[3].id)
    assert doc["review"]["pseudonym"] == CORPUS[3].review.pseudonym and "pages" not in doc
    assert e.get_document(CORPUS[3].id, pages=True)["pages"] == CORPUS[3].pages
    assert e.get_document("0" * 64) is None
    similar = e.similar(CORPUS[3].id, size=5)
    assert similar and CORPUS[3].id not in {s["id"] for s in similar}
    stats = e.stats()
    assert stats["documents"] == len(CORPUS)
    assert sum(y["count"] for y in stats["by_year"]) == sum(1 for d in CORPUS if d.year_of_death)
    assert stats["recommendations"] == sum(len(d.recommendations) for d in CORPUS)


def test_stats_and_facets_identical(engines):
    assert engines["sqlite"].stats() == engines["elasticsearch"].stats()
    assert engines["sqlite"].facets() == engines["elasticsearch"].facets()


@pytest.mark.parametrize("bad", [
    {"page_size": 0}, {"page_size": 101}, {"sort": "random"}, {"year_from": 2020, "year_to": 2010},
    {"filters": {"colour": ["red"]}}, {"q": '"unclosed'}, {"q": "(a OR b"}, {"q": "a OR"},
    {"q": "x" * 5000}, {"q": "a*" + "" }, {"filters": {"year": ["twenty"]}},
])
def test_invalid_requests_raise_search_error(bad):
    with pytest.raises(SearchError):
        DocumentRequest(**bad)
