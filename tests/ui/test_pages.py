"""The web UI's pages over HTTP, on both backends: what each page shows, escaping, errors (never a
500), security headers, pagination links and exports. No browser needed."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from markupsafe import escape

from dhr.search.base import DocumentRequest, RecommendationRequest
from search_api import ui_export

PAGES = ["/", "/search", "/search?q=risk", "/recommendations", "/trends", "/about"]


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_html_under_a_strict_csp(site, path):
    resp = site.get(path)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/html")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    html = resp.text
    assert "<script" not in html and " style=" not in html and "<style" not in html
    assert '<main class="govuk-main-wrapper" id="main-content">' in html
    assert '<a href="#main-content" class="govuk-skip-link">' in html
    assert html.count("<h1") == 1


def test_static_assets_are_served_locally(site):
    html = site.get("/").text
    for href in re.findall(r'href="(/static/[^"]+)"', html):
        assert site.get(href).status_code == 200, href
    css = site.get("/static/govuk/govuk-frontend.min.css").text
    for url in set(re.findall(r"url\(([^)]+)\)", css)):
        assert site.get("/static/govuk/" + url).status_code == 200, url


def test_home_lists_every_theme_with_its_count_and_recent_reviews(site):
    html = site.get("/").text
    facets = site.api("/facets")["facets"]
    for theme in facets["theme"]:
        assert f'href="/search?theme={theme["value"]}"' in html
        assert re.search(re.escape(theme["label"]) + r"</a> <span class=\"dhr-count\">"
                         + str(theme["count"]) + r" document", html), theme
    newest = site.api("/search", [("sort", "newest"), ("page_size", "1")])["results"][0]
    assert f'/documents/{newest["id"]}' in html


def test_search_page_shows_api_results_and_facet_counts(site):
    params = [("q", "risk"), ("doc_type", "overview_report")]
    api = site.api("/search", params)
    html = site.get("/search", params).text
    assert f"{api['total']} result" in text_of(html)
    ids = re.findall(r'dhr-result__title"><a class="govuk-link" href="/documents/([0-9a-f]{64})"',
                     html)
    assert ids == [r["id"] for r in api["results"]]
    for name in ("theme", "agency", "doc_type", "region"):
        for value in api["facets"][name]:
            pattern = (rf'name="{name}" type="checkbox" value="{re.escape(str(value["value"]))}"'
                       rf'(?: checked)?>\s*<label[^>]*>{re.escape(str(escape(value["label"])))} '
                       rf'<span class="dhr-count">\({value["count"]}\)')
            assert re.search(pattern, html), (name, value)
    assert re.search(r'value="overview_report" checked', html)
    # Snippets keep the search layer's <mark> and nothing else.
    assert "<mark>" in html
    snippet_html = re.findall(r'<span class="dhr-snippets__page">Page \d+:</span> (.*?)</li>', html)
    assert snippet_html and all(re.fullmatch(r"(?:[^<]|</?mark>)*", s) for s in snippet_html)


def test_next_page_link_keeps_every_parameter(site):
    params = {"q": "review", "theme": site.api("/facets")["facets"]["theme"][0]["value"],
              "sort": "newest", "page_size": "2", "year_from": "2000"}
    html = site.get("/search", params).text
    href = unescape(re.search(r'<a class="govuk-link govuk-pagination__link" href="([^"]+)" '
                              r'rel="next"', html).group(1))
    args = parse_qs(urlsplit(href).query)
    for key, value in params.items():
        assert args[key] == [value]
    assert args["page"] == ["2"] and args["cursor"]
    second = site.get(href)
    assert second.status_code == 200 and "Showing 3 to 4" in text_of(second.text)


def test_user_input_is_escaped_everywhere(site):
    attack = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    for path in ("/search", "/recommendations"):
        resp = site.get(path, {"q": attack})
        assert "<script>alert" not in resp.text and "<img src=x" not in resp.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in resp.text
    resp = site.get("/search", {"theme": attack})
    assert resp.status_code == 400
    assert "<script>alert" not in resp.text and "&lt;script&gt;" in resp.text


BAD_QUERIES = [
    {"year_from": "abc"}, {"year_from": "2020", "year_to": "2010"}, {"year_to": "99999"},
    {"sort": "random"}, {"page_size": "0"}, {"page_size": "x"}, {"theme": "not_a_theme"},
    {"cursor": "garbage"}, {"q": '"unclosed phrase'}, {"q": "x" * 5000}, {"page": "-1"},
    {"unknown": "1"}, {"q": "\x00"}, {"smart_min": "1"},
]


@pytest.mark.parametrize("params", BAD_QUERIES, ids=lambda p: ",".join(p))
def test_bad_search_parameters_give_an_error_summary_not_a_500(site, params):
    resp = site.get("/search", params)
    assert resp.status_code == 400, resp.text[:300]
    assert "govuk-error-summary" in resp.text and "There is a problem" in resp.text
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "<title>Error: " in resp.text
    target = re.search(r'govuk-error-summary__list">\s*<li><a href="#([^"]+)"', resp.text).group(1)
    assert f'id="{target}"' in resp.text  # the summary links to a control on the page


def test_bad_recommendation_and_export_parameters_give_400_pages(site):
    for path, params in (("/recommendations", {"smart_min": "7"}),
                         ("/recommendations", {"doc_type": "overview_report"}),
                         ("/search.csv", {"year_from": "x"}),
                         ("/recommendations.json", {"scope": "galactic"})):
        resp = site.get(path, params)
        assert resp.status_code == 400, (path, params)
        assert resp.headers["Content-Type"].startswith("text/html")


def test_year_error_is_shown_on_its_field(site):
    html = site.get("/search", {"year_from": "20x9"}).text
    assert 'id="year_from-error"' in html and "must be a year in numbers" in html
    assert 'aria-describedby="year_from-error"' in html and "govuk-input--error" in html


@pytest.mark.parametrize("path", ["/documents/" + "0" * 64, "/documents/not-an-id"])
def test_unknown_document_is_a_404_page(site, path):
    resp = site.get(path)
    assert resp.status_code == 404
    assert "Page not found" in resp.text and resp.headers["Content-Type"].startswith("text/html")


def test_no_results_page_helps(site):
    html = site.get("/search", {"q": "zzyzx", "theme": "risk_assessment"}).text
    assert "There are no matching results" in html and "clear all filters" in html


def _doc(site, **want):
    for doc in site.corpus.docs:
        if all(getattr(doc, k) == v for k, v in want.items()) and doc.recommendations:
            return doc
    raise AssertionError(f"no document with {want}")


def _origin_cell(html: str, key: str) -> str:
    row = re.search(rf"<dt class=\"govuk-summary-list__key\">{key}</dt>\s*<dd[^>]*>(.*?)</dd>\s*"
                    r"<dd class=\"govuk-summary-list__actions dhr-origin\">(.*?)</dd>", html,
                    re.DOTALL)
    assert row, key
    return text_of(row.group(1)) + " | " + text_of(row.group(2))


def test_review_page_shows_where_each_value_came_from_and_its_sources(site):
    doc = next(d for d in site.corpus.docs if d.id == site.corpus.withdrawn_id)
    html = site.get(f"/documents/{doc.id}").text
    text = text_of(html)
    assert doc.title in text
    # Values read from the report link to their page of the original PDF.
    page = doc.provenance["review"]["date_of_death"]
    assert _origin_cell(html, "Date of death").endswith(f"Where it came from: From page {page} of "
                                                        "the original file")
    assert f'href="/api/v1/documents/{doc.id}/file?inline=1#page={page}"' in html
    # The source: its URL, first and last seen, and that it is no longer online.
    assert site.corpus.urls[doc.id] in html
    assert "1 March 2024" in text and "15 January 2025" in text
    assert "Withdrawn" in text
    # Download of the original file.
    assert f'href="/api/v1/documents/{doc.id}/file" download' in html
    assert site.get(f"/api/v1/documents/{doc.id}/file").content[:5] == b"%PDF-"


def test_review_page_shows_values_from_the_publishing_site_and_disagreements(site):
    filled = next(d for d in site.corpus.docs
                  if (d.provenance.get("fields") or {}).get("review.date_of_death"))
    html = site.get(f"/documents/{filled.id}").text
    assert _origin_cell(html, "Date of death").endswith("Where it came from: Publishing website")
    disputed = next(d for d in site.corpus.docs if d.id == site.corpus.disputed_id)
    text = text_of(site.get(f"/documents/{disputed.id}").text)
    assert ("review type: the website says “Adult family”, the report says “Intimate partner”"
            in text)


def test_review_page_lists_recommendations_themes_and_similar_reviews(site):
    doc = _doc(site, doc_type="overview_report", format="pdf")
    html = site.get(f"/documents/{doc.id}").text
    text = text_of(html)
    for i, rec in enumerate(doc.recommendations):
        row = re.search(rf'<tr class="govuk-table__row" id="recommendation-{i:03d}">(.*?)</tr>',
                        html, re.DOTALL)
        assert row and " ".join(rec.text.split()) in text_of(row.group(1))
        assert f"{rec.smart.score} of 3" in text_of(row.group(1))
    for theme in doc.themes:
        if theme.evidence:
            assert " ".join(theme.evidence[0].text.split()) in text
    similar = site.api(f"/documents/{doc.id}/similar", [("page_size", "5")])["results"]
    for s in similar:
        assert f'href="/documents/{s["id"]}"' in html


def test_review_page_links_the_reviews_other_documents(site):
    doc = _doc(site, doc_type="overview_report")
    html = site.get(f"/documents/{doc.id}").text
    section = html.split('id="other-documents"', 1)[1].split('id="recommendations"', 1)[0]
    linked = set(re.findall(r'href="/documents/([0-9a-f]{64})"', section))
    key = (doc.review.area, doc.review.pseudonym)
    year = doc.year_of_death
    expected = {d.id for d in site.corpus.docs if d.id != doc.id
                and (d.review.area, d.review.pseudonym) == key
                and (d.year_of_death is None or year is None or d.year_of_death == year)}
    assert expected and linked == expected


def test_recommendations_explorer_filters_and_links_to_reviews(site):
    params = [("q", "training"), ("smart_min", "2")]
    api = site.api("/recommendations", params)
    html = site.get("/recommendations", params).text
    assert f"{api['total']} recommendation" in text_of(html)
    for rec in api["results"]:
        position = rec["id"].rsplit("-", 1)[1]
        assert f'/documents/{rec["document_id"]}#recommendation-{position}' in html
        assert rec["smart"]["score"] >= 2
    assert '<option value="2" selected>' in html


def test_trends_page_has_accessible_charts_with_data_tables(site):
    stats = site.api("/stats")
    html = site.get("/trends").text
    svgs = re.findall(r"<svg class=\"dhr-chart[^>]*>.*?</svg>", html, re.DOTALL)
    assert len(svgs) >= 4
    for svg in svgs:
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    by_year = {r["year"]: r["count"] for r in stats["by_year"]}
    table = html.split('id="chart-documents-by-year-caption"', 1)[1].split("</table>", 1)[0]
    rows = dict(re.findall(r'<th scope="row" class="govuk-table__header">(\d{4})</th>\s*'
                           r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>',
                           table))
    assert {int(y): int(c) for y, c in rows.items() if int(c)} == by_year
    assert f"{sum(by_year.values())} documents in total" in html


def test_exports_match_the_search_and_are_streamed(site):
    params = [("q", "risk"), ("sort", "oldest")]
    resp = site.get("/search.csv", params, stream=True)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in resp.headers["Content-Disposition"]
    assert "Content-Length" not in resp.headers  # streamed, not built in memory
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == site.all_ids("/search", params)

    rec = site.get("/recommendations.json", [("agency", "police")])
    body = json.loads(rec.text)
    assert [r["id"] for r in body["results"]] == site.all_ids(
        "/recommendations", [("agency", "police")])
    assert all(r["agency"] == "police" for r in body["results"])


def test_exports_stop_at_the_row_limit(site):
    total = site.backend.search(DocumentRequest(page_size=1)).total
    results = list(ui_export.iter_results(site.backend, DocumentRequest(page_size=7), limit=5))
    assert [cut for _, cut in results] == [False] * 5 + [True]
    out = "".join(ui_export.stream_csv(
        iter(results), lambda r: ui_export.document_row(r, "http://x"), ui_export.DOC_COLUMNS))
    lines = out.lstrip("\ufeff").strip().splitlines()
    assert len(lines) == 1 + 5 + 1 and lines[-1].startswith("# truncated")
    assert total > 5
    recs = list(ui_export.iter_results(site.backend, RecommendationRequest(), limit=10_000))
    assert len(recs) == site.backend.search_recommendations(
        dataclasses.replace(RecommendationRequest(), page_size=1)).total
