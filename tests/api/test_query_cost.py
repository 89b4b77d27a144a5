"""A query's cost is bounded: the review's expensive query (400 two-letter prefixes OR-ed, 100
results a page) is refused with a 400 naming the limit, and a query at the limits runs, with its
snippets, on every endpoint of both backends. (Speed is measured in ``make bench``: bench.load.)"""

from __future__ import annotations

import pytest

from dhr.query import MAX_PREFIXES

TWO_LETTERS = [a + b for a in "abcdefghilmnoprstuw" for b in "aeiouy"]
REVIEW_QUERY = " OR ".join(p + "*" for p in (TWO_LETTERS * 4)[:400])
AT_THE_LIMIT = " OR ".join(p + "*" for p in TWO_LETTERS[:MAX_PREFIXES])


@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/recommendations"])
def test_too_many_prefixes_is_a_400_naming_the_limit(api, path):
    resp = api.get(path, {"q": REVIEW_QUERY, "page_size": "100"})
    assert resp.status_code == 400
    err = resp.json()["error"]
    assert err["field"] == "q" and f"at most {MAX_PREFIXES}" in err["message"]


@pytest.mark.parametrize("path", ["/search", "/recommendations", "/search.csv",
                                  "/recommendations.json"])
def test_pages_and_exports_refuse_too_many_prefixes(api, path):
    resp = api.get(path, {"q": REVIEW_QUERY})
    assert resp.status_code == 400
    assert "prefix searches" in resp.text


def test_a_query_at_the_prefix_limit_runs_with_snippets(api):
    body = api.json("/api/v1/search", {"q": AT_THE_LIMIT, "page_size": "100"})
    assert body["total"] == len(api.docs)  # two-letter prefixes match every report
    with_snippets = [r for r in body["results"] if r["snippets"]]
    assert with_snippets
    for result in with_snippets:
        assert all("<mark>" in s["html"] and s["page"] >= 1 for s in result["snippets"])
        assert len(result["snippets"]) <= 3
    for path in ("/search", "/search.csv", "/api/v1/recommendations"):
        assert api.get(path, {"q": AT_THE_LIMIT}).status_code == 200, path
