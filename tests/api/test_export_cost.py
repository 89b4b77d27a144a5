"""What an export costs: no snippets (no column shows them), and every page of results it
fetches counts against the client's rate limit, so one request cannot run 50 searches for free."""

from __future__ import annotations

import csv
import io
import json

import pytest

from dhr.search.base import DocumentRequest, RecommendationRequest
from search_api import create_app, ui_export

from .conftest import make_config

PER_MINUTE = 5
PAGE = 4


def test_exports_fetch_results_without_snippets(api):
    req = DocumentRequest(q="police")
    assert any(r["snippets"] for r in api.backend.search(req).results), "the API has snippets"
    exported = [r for r, _ in ui_export.iter_results(api.backend, req)]
    assert len(exported) == api.backend.search(req).total
    assert all(r["snippets"] == [] for r in exported)
    recs = [r for r, _ in ui_export.iter_results(api.backend, RecommendationRequest(q="police"))]
    assert recs  # recommendation exports have no snippets to skip, and still run


@pytest.fixture
def limited(api, tmp_path, monkeypatch):
    """A client of an app limited to PER_MINUTE requests, exporting PAGE rows a page."""
    monkeypatch.setattr(ui_export, "EXPORT_PAGE_SIZE", PAGE)
    # the backend is the fixture's own (either engine); the config only sets the rate limit
    config = make_config(tmp_path, "sqlite", rate_limit_per_minute=PER_MINUTE)
    app = create_app(config, backend=api.backend, store=None)
    return app.test_client()


@pytest.mark.parametrize("path", ["/search.csv", "/search.json"])
def test_each_export_page_counts_against_the_rate_limit(api, limited, path):
    total = api.json("/api/v1/search", {"page_size": "1"})["total"]
    assert total > PER_MINUTE * PAGE, "the corpus must need more pages than the limit allows"
    resp = limited.get(path)
    assert resp.status_code == 200  # the first page is the request itself
    text = resp.get_data(as_text=True)
    if path.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        assert rows[-1][0].startswith("# stopped: the rate limit was reached")
        assert len(rows) - 2 == PER_MINUTE * PAGE  # header and the closing line
    else:
        body = json.loads(text)
        assert len(body["results"]) == PER_MINUTE * PAGE
        assert "rate limit" in body["error"]
    # the bucket is empty: the next request is refused
    after = limited.get("/api/v1/search")
    assert after.status_code == 429 and after.json["error"]["code"] == "rate_limited"


def test_an_export_costs_one_request_a_page(api, limited):
    facets = api.json("/api/v1/facets")["facets"]
    name, value, expected = next(
        (name, v["value"], v["count"]) for name, values in sorted(facets.items())
        for v in values if PAGE < v["count"] <= PAGE * (PER_MINUTE - 1))
    pages = -(-expected // PAGE)
    assert 2 <= pages < PER_MINUTE
    resp = limited.get("/search.csv", query_string={name: value})
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) - 1 == expected  # whole, no closing line
    for _ in range(PER_MINUTE - pages):
        assert limited.get("/api/v1/search").status_code == 200
    assert limited.get("/api/v1/search").status_code == 429
