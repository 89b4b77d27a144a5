"""Each endpoint of API v1 end to end over HTTP: documents, files, similar, facets, stats,
health checks, security headers and CORS."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from search_api.files import CONTENT_TYPES

from .truth import doc_values


def test_document_is_the_stored_document_without_pages(api):
    for doc in api.docs[:6]:
        got = api.json(f"/api/v1/documents/{doc.id}")
        expected = doc.to_json_dict()
        expected.pop("pages")
        assert got == expected


def test_document_with_pages(api):
    doc = max(api.docs, key=lambda d: len(d.pages))
    for flag in ("1", "true"):
        got = api.json(f"/api/v1/documents/{doc.id}", {"pages": flag})
        assert got["pages"] == doc.pages
    assert "pages" not in api.json(f"/api/v1/documents/{doc.id}", {"pages": "0"})


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_file_is_the_original_with_its_type_and_a_safe_name(api, fmt):
    items = [i for i in api.corpus if i.path.suffix == "." + fmt]
    assert items, f"the corpus has no .{fmt} file"
    item = items[0]
    resp = api.get(f"/api/v1/documents/{item.doc.id}/file")
    assert resp.status_code == 200
    assert hashlib.sha256(resp.content).hexdigest() == item.doc.id
    assert resp.headers["Content-Type"].split(";")[0] == CONTENT_TYPES[fmt].split(";")[0]
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    name = disposition.split("filename=", 1)[1].split(";")[0].strip('"')
    assert name.endswith("." + fmt)
    assert not set('/\\"<>') & set(name)
    assert "sandbox" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["ETag"].strip('"') == item.doc.id


def test_file_download_name_drops_markup_characters(api):
    item = next(i for i in api.corpus if i.path.name == "markup-notes.html")
    resp = api.get(f"/api/v1/documents/{item.doc.id}/file")
    assert resp.headers["Content-Disposition"] == 'attachment; filename="web notes draft 1.html"'


def test_pdf_may_be_shown_inline_but_html_never(api):
    pdf = next((i for i in api.corpus if i.path.suffix == ".pdf"), None)
    html = next(i for i in api.corpus if i.path.suffix == ".html")
    if pdf is not None:
        resp = api.get(f"/api/v1/documents/{pdf.doc.id}/file", {"inline": "1"})
        assert resp.headers["Content-Disposition"].startswith("inline;")
    resp = api.get(f"/api/v1/documents/{html.doc.id}/file", {"inline": "1"})
    assert resp.headers["Content-Disposition"].startswith("attachment;")


def test_file_respects_accept_and_conditional_requests(api):
    item = api.corpus[0]
    path = f"/api/v1/documents/{item.doc.id}/file"
    assert api.get(path, headers={"Accept": "application/json"}).status_code == 406
    etag = api.get(path).headers["ETag"]
    assert api.get(path, headers={"If-None-Match": etag}).status_code == 304


def test_similar_shape_and_size(api):
    doc = next(d for d in api.docs if d.doc_type == "overview_report")
    got = api.json(f"/api/v1/documents/{doc.id}/similar")
    assert got["id"] == doc.id
    assert 0 < len(got["results"]) <= 10
    assert all(r["id"] != doc.id for r in got["results"])
    assert all(r["url"] == f"/api/v1/documents/{r['id']}" for r in got["results"])
    assert len(api.json(f"/api/v1/documents/{doc.id}/similar", {"page_size": "2"})["results"]) <= 2


def test_facets_cover_the_whole_collection(api):
    got = api.json("/api/v1/facets")
    assert got["total"] == len(api.docs)
    themes = {v["value"]: v["count"] for v in got["facets"]["theme"]}
    assert themes == dict(Counter(t for d in api.docs for t in doc_values(d, "theme")))
    recs = got["recommendations"]
    assert recs["total"] == sum(len(d.recommendations) for d in api.docs)
    agencies = {v["value"]: v["count"] for v in recs["facets"]["agency"]}
    assert agencies == dict(Counter(r.agency for d in api.docs for r in d.recommendations
                                    if r.agency))


def test_stats_count_by_year_and_review_type(api):
    got = api.json("/api/v1/stats")
    assert got["documents"] == len(api.docs)
    years = Counter(d.review.year_of_death for d in api.docs if d.review.year_of_death)
    assert {row["year"]: row["count"] for row in got["by_year"]} == dict(years)
    types = Counter(d.review.review_type for d in api.docs if d.review.review_type)
    assert {row["review_type"]: row["count"] for row in got["by_review_type"]} == dict(types)


def test_health_and_readiness(api):
    assert api.json("/healthz") == {"status": "ok"}
    assert api.json("/readyz") == {"status": "ready", "backend": api.backend_name}


@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/nothing", "/healthz",
                                  "/api/v1/openapi.json"])
def test_security_headers(api, path):
    headers = api.get(path).headers
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_cors_allows_any_origin_to_read(api):
    resp = api.get("/api/v1/search", headers={"Origin": "https://research.example"})
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in resp.headers
    pre = api.session.options(api.base_url + "/api/v1/search", timeout=30, headers={
        "Origin": "https://research.example", "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 200
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in pre.headers["Access-Control-Allow-Methods"]
    assert "POST" not in pre.headers["Access-Control-Allow-Methods"]
