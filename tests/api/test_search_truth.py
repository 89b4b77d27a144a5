"""Search results and facet counts over HTTP match the generated corpus's ground truth."""

from __future__ import annotations

from collections import Counter

import pytest

from dhr.search.fields import date_key
from dhr.taxonomy import label

from .truth import (
    contains_phrase,
    doc_matches,
    doc_text,
    expected_doc_facets,
    expected_rec_facets,
    facet_counts,
    rec_matches,
    review_of,
    unique_recommendation_phrase,
)

# (filters, year_from, year_to)
DOC_BATTERY = [
    ({}, None, None),
    ({"theme": ["risk_assessment"], "agency": ["police"]}, None, None),
    ({"review_type": ["adult_family"]}, None, None),
    ({}, 2016, 2019),
    ({"doc_type": ["overview_report"]}, 2018, None),
    ({"theme": ["risk_assessment", "housing", "mental_health"]}, None, None),
    ({"region": ["North West", "Wales"], "victim_sex": ["female"]}, None, None),
    ({"abuse_type": ["coercive_control"], "death_type": ["homicide"]}, None, 2020),
    ({"victim_age_band": ["25-34", "35-44"]}, None, None),
]


def _params(filters: dict[str, list[str]], year_from, year_to, **extra) -> list[tuple[str, str]]:
    out = [(k, v) for k, values in filters.items() for v in values]
    if year_from is not None:
        out.append(("year_from", str(year_from)))
    if year_to is not None:
        out.append(("year_to", str(year_to)))
    return out + [(k, str(v)) for k, v in extra.items()]


def _most_common(api, name: str, n: int) -> list[str]:
    from .truth import doc_values

    counts = Counter(v for d in api.docs for v in doc_values(d, name))
    return [v for v, _ in counts.most_common(n)]


def check_documents(api, filters, year_from, year_to) -> set[str]:
    expected = {d.id for d in api.docs if doc_matches(d, filters, year_from, year_to)}
    params = _params(filters, year_from, year_to, page_size=7)
    results = api.all_results("/api/v1/search", params)
    ids = [r["id"] for r in results]
    assert len(ids) == len(set(ids)), "a document appeared on two pages"
    assert set(ids) == expected
    first = api.json("/api/v1/search", _params(filters, year_from, year_to))
    assert first["total"] == len(expected)
    assert facet_counts(first["facets"]) == expected_doc_facets(api.docs, filters, year_from,
                                                                 year_to)
    return expected


@pytest.mark.parametrize("filters,year_from,year_to", DOC_BATTERY)
def test_document_filters_and_facets_match_truth(api, filters, year_from, year_to):
    check_documents(api, filters, year_from, year_to)


def test_common_facet_values_combine_as_the_truth_says(api):
    """Two facets chosen from the corpus itself, so the expected set is never empty."""
    theme, agency = _most_common(api, "theme", 1)[0], _most_common(api, "agency", 1)[0]
    assert check_documents(api, {"theme": [theme], "agency": [agency]}, None, None)
    themes = _most_common(api, "theme", 3)
    both = check_documents(api, {"theme": themes[1:3]}, None, None)
    one = check_documents(api, {"theme": themes[1:2]}, None, None)
    assert one <= both  # OR within a facet widens


def test_battery_is_not_vacuous(api):
    non_empty = sum(bool([d for d in api.docs if doc_matches(d, f, yf, yt)])
                    for f, yf, yt in DOC_BATTERY)
    assert non_empty >= len(DOC_BATTERY) - 2


def test_facet_values_carry_taxonomy_labels(api):
    facets = api.json("/api/v1/search", [("page_size", "1")])["facets"]
    for name, kind in (("theme", "theme"), ("agency", "agency"), ("review_type", "review_type"),
                       ("region", "region")):
        assert facets[name], name
        for item in facets[name]:
            assert item["label"] == label(kind, item["value"])
    assert any(i["label"] != i["value"] for i in facets["theme"])


def test_selected_facet_value_keeps_other_values_counted(api):
    """Multi-select: choosing a theme leaves the other themes' counts as they were."""
    all_themes = facet_counts(api.json("/api/v1/search")["facets"])["theme"]
    theme = _most_common(api, "theme", 1)[0]
    narrowed = api.json("/api/v1/search", [("theme", theme)])
    assert facet_counts(narrowed["facets"])["theme"] == all_themes
    assert narrowed["total"] == all_themes[theme]


REC_BATTERY = [
    ({}, None, None, None),
    ({"agency": ["police"]}, None, None, None),
    ({"scope": ["local"], "review_type": ["intimate_partner"]}, None, None, None),
    ({}, 2016, 2021, None),
    ({"theme": ["risk_assessment"]}, None, None, 2),
]


@pytest.mark.parametrize("filters,year_from,year_to,smart_min", REC_BATTERY)
def test_recommendation_filters_and_facets_match_truth(api, filters, year_from, year_to,
                                                       smart_min):
    expected = {f"{d.id}-{i:03d}" for d in api.docs for i, r in enumerate(d.recommendations)
                if rec_matches(d, r, filters, year_from, year_to, smart_min)}
    extra = {"smart_min": smart_min} if smart_min is not None else {}
    results = api.all_results("/api/v1/recommendations",
                              _params(filters, year_from, year_to, page_size=9, **extra))
    assert {r["id"] for r in results} == expected
    for r in results:
        doc = next(d for d in api.docs if d.id == r["document_id"])
        assert r["review"]["area"] == doc.review.area
        assert r["review"]["year"] == doc.review.year_of_death
        assert r["document_url"] == f"/api/v1/documents/{doc.id}"
    page = api.json("/api/v1/recommendations", _params(filters, year_from, year_to, **extra))
    assert page["total"] == len(expected)
    assert facet_counts(page["facets"]) == expected_rec_facets(api.docs, filters, year_from,
                                                                year_to, smart_min)


def test_phrase_only_in_one_reports_recommendations(api):
    phrase = unique_recommendation_phrase(api.docs)
    assert phrase is not None, "the corpus has no recommendation with a phrase of its own"
    q = '"' + " ".join(phrase) + '"'
    recs = api.json("/api/v1/recommendations", {"q": q})
    holders = [(d, i) for d in api.docs for i, r in enumerate(d.recommendations)
               if contains_phrase(r.text, phrase)]
    assert [r["id"] for r in recs["results"]] == [f"{d.id}-{i:03d}" for d, i in holders]
    docs = api.json("/api/v1/search", {"q": q, "page_size": "100"})
    assert {r["id"] for r in docs["results"]} == {d.id for d in api.docs
                                                  if contains_phrase(doc_text(d), phrase)}
    assert holders[0][0].id in {r["id"] for r in docs["results"]}


def test_phrase_with_filters_and_exclusion(api):
    """Words, a phrase and an exclusion combine as in the truth (phrases: exact words)."""
    theme = _most_common(api, "theme", 1)[0]
    phrase = unique_recommendation_phrase(api.docs)
    assert phrase
    q = f'-"{" ".join(phrase)}"'
    got = {r["id"] for r in api.all_results("/api/v1/search",
                                            [("q", q), ("theme", theme), ("page_size", "50")])}
    expected = {d.id for d in api.docs if doc_matches(d, {"theme": [theme]})
                and not contains_phrase(doc_text(d), phrase)}
    assert got == expected and expected


@pytest.mark.parametrize("sort,newest_first", [("newest", True), ("oldest", False)])
def test_sort_by_date_of_death(api, sort, newest_first):
    results = api.all_results("/api/v1/search", [("sort", sort), ("page_size", "5")])
    by_id = {d.id: d for d in api.docs}
    keys = [date_key(by_id[r["id"]].review.date_of_death) for r in results]
    known = [k for k in keys if k is not None]
    assert keys[:len(known)] == known, "documents without a date must come last"
    assert known == sorted(known, reverse=newest_first)
    assert len(results) == len(api.docs)


def test_snippets_carry_page_numbers_and_marks(api):
    phrase = unique_recommendation_phrase(api.docs, plain=True)
    q = '"' + " ".join(phrase) + '"'
    page = api.json("/api/v1/search", {"q": q})
    by_id = {d.id: d for d in api.docs}
    snippets = [(r["id"], s) for r in page["results"] for s in r["snippets"]]
    assert snippets
    for doc_id, s in snippets:
        assert "<mark>" in s["html"]
        assert contains_phrase(by_id[doc_id].pages[s["page"] - 1], phrase)


def test_snippets_escape_document_markup(api):
    page = api.json("/api/v1/search", {"q": '"tenancy warden"'})
    assert page["total"] == 1
    html = page["results"][0]["snippets"][0]["html"]
    assert "&lt;script&gt;" in html and "&amp;" in html
    bare = html.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in bare and ">" not in bare


def test_snippet_for_a_phrase_across_a_possessive(api, request):
    """"warden ledger" matches "warden's ledger" (possessives are dropped when indexing), so the
    matching page must also give a snippet."""
    page = api.json("/api/v1/search", {"q": '"warden ledger"'})
    assert page["total"] == 1
    assert page["results"][0]["snippets"]
    assert page["results"][0]["snippets"][0]["page"] == 1


def test_similar_finds_the_same_reviews_other_documents(api):
    """An overview report's nearest neighbours include its own review's executive summary
    (and the other way round): they tell the same story about the same people."""
    by_review: dict[str, list[str]] = {}
    for d in api.docs:
        if d.doc_type in ("overview_report", "executive_summary") and d.review.pseudonym:
            by_review.setdefault(review_of(d), []).append(d.id)
    checked = 0
    for ids in by_review.values():
        if len(ids) < 2:
            continue
        for doc_id in ids:
            got = api.json(f"/api/v1/documents/{doc_id}/similar", {"page_size": "3"})
            got_ids = [r["id"] for r in got["results"]]
            assert doc_id not in got_ids
            assert len(got_ids) <= 3
            assert set(got_ids) & (set(ids) - {doc_id}), (doc_id, got_ids)
            checked += 1
    assert checked >= 4
