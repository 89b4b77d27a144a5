"""Deeply nested queries on every search endpoint and both backends: a query within the nesting
limit runs (never a 500, an empty export or a database error), one beyond it is a 400 that names
the limit, and neither writes a traceback to the log."""

from __future__ import annotations

import csv
import io
import json
import logging

import pytest

from dhr.query import MAX_NESTING

# The two queries from the security review (issue 18): ten nested exclusions, and 244 nested
# parentheses (which used to exhaust Python's recursion limit).
TEN_NESTED_EXCLUSIONS = "-(" * 10 + "abuse" + ")" * 10
PARENTHESES_244 = "(" * 244 + "abuse" + ")" * 244


def nested(family: str, depth: int) -> str:
    """A query with ``depth`` levels of parentheses, in one of four shapes."""
    q = "abuse"
    for level in range(depth):
        if family == "exclusions":  # -(-(-(abuse)))
            q = f"-({q})"
        elif family == "or_and":  # police (w0 OR police (w1 OR abuse)): the review's mixed form
            q = f"police (w{level} OR {q})"
        elif family == "excluded_alternatives":  # -(idva OR -(assess* OR ...)): two bools a level
            leaf = ("idva", "assess*", '"risk assessment"')[level % 3]
            q = f"-({leaf} OR {q})"
        else:  # ((((abuse))))
            q = f"({q})"
    return q


FAMILIES = ("exclusions", "or_and", "excluded_alternatives", "parentheses")
ACCEPTED = [nested(f, d) for f in FAMILIES for d in range(1, MAX_NESTING + 1)]
REFUSED = [nested(f, d) for f in FAMILIES for d in (MAX_NESTING + 1, MAX_NESTING + 3)] + [
    TEN_NESTED_EXCLUSIONS, PARENTHESES_244]

JSON_API = ("/api/v1/search", "/api/v1/recommendations")
PAGES = ("/search", "/recommendations")
EXPORTS = ("/search.csv", "/search.json", "/recommendations.csv", "/recommendations.json")


@pytest.fixture
def no_tracebacks(caplog):
    """Fails the test if the server logged an error or a traceback while it ran."""
    caplog.set_level(logging.WARNING)
    yield
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not bad, [r.getMessage() for r in bad]


def test_the_family_spans_the_limit():
    assert TEN_NESTED_EXCLUSIONS.count("(") > MAX_NESTING
    assert all(q.count("(") <= MAX_NESTING for q in ACCEPTED)
    assert all(q.count("(") > MAX_NESTING for q in REFUSED)


@pytest.mark.parametrize("path", JSON_API)
def test_api_runs_every_query_within_the_limit(api, path, no_tracebacks):
    for q in ACCEPTED:
        resp = api.get(path, {"q": q, "page_size": "100"})
        assert resp.status_code == 200, (q, resp.status_code, resp.text[:300])
        body = resp.json()
        assert body["total"] >= len(body["results"])


def test_nesting_does_not_change_what_a_query_means(api):
    """Double exclusion is the query itself; extra parentheses change nothing."""
    plain = {r["id"] for r in api.all_results("/api/v1/search", [("q", "abuse"),
                                                                  ("page_size", "100")])}
    assert plain, "the corpus should mention abuse"
    for q in (nested("exclusions", MAX_NESTING), nested("parentheses", MAX_NESTING)):
        assert MAX_NESTING % 2 == 0  # an even number of exclusions cancels out
        got = {r["id"] for r in api.all_results("/api/v1/search", [("q", q),
                                                                    ("page_size", "100")])}
        assert got == plain, q
    once = {r["id"] for r in api.all_results("/api/v1/search", [("q", nested("exclusions", 1)),
                                                                 ("page_size", "100")])}
    assert once == {d.id for d in api.docs} - plain


@pytest.mark.parametrize("path", JSON_API)
def test_api_refuses_deeper_nesting_with_a_400_naming_the_limit(api, path, no_tracebacks):
    for q in REFUSED:
        resp = api.get(path, {"q": q})
        assert resp.status_code == 400, (q, resp.status_code, resp.text[:300])
        err = resp.json()["error"]
        assert err["field"] == "q"
        assert "nested parentheses" in err["message"] and str(MAX_NESTING) in err["message"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_show_results_within_the_limit_and_an_error_beyond(api, path, no_tracebacks):
    for q in ACCEPTED:
        resp = api.get(path, {"q": q})
        assert resp.status_code == 200, (q, resp.status_code)
        assert "govuk-error-summary" not in resp.text
    for q in REFUSED:
        resp = api.get(path, {"q": q})
        assert resp.status_code == 400, (q, resp.status_code)
        assert "govuk-error-summary" in resp.text
        assert "nested parentheses" in resp.text


def _export_rows(path: str, text: str) -> tuple[int, bool]:
    """(rows, whether the export reports an error) of a CSV or JSON export."""
    if path.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        errors = [r for r in rows if r and r[0].startswith("# error")]
        return len(rows) - 1 - len(errors), bool(errors)
    body = json.loads(text)
    return len(body["results"]), "error" in body


@pytest.mark.parametrize("path", EXPORTS)
def test_exports_run_every_query_within_the_limit(api, path, no_tracebacks):
    api_path = "/api/v1/recommendations" if path.startswith("/recommendations") else \
        "/api/v1/search"
    for q in ACCEPTED:
        resp = api.get(path, {"q": q})
        assert resp.status_code == 200, (q, resp.status_code)
        rows, failed = _export_rows(path, resp.text)
        assert not failed, q
        assert rows == api.json(api_path, {"q": q, "page_size": "1"})["total"], q


@pytest.mark.parametrize("path", EXPORTS)
def test_exports_refuse_deeper_nesting(api, path, no_tracebacks):
    for q in REFUSED:
        resp = api.get(path, {"q": q})
        assert resp.status_code == 400, (q, resp.status_code)
        assert "nested parentheses" in resp.text
