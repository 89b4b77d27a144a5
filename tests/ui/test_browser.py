"""The web UI in a real browser (headless Chromium) over both backends: the core flows, keyboard
only, without JavaScript, and axe-core (WCAG 2.2 AA) on every page type, with a screenshot of
each page type saved to ``artifacts/screenshots/<page>.png``."""

from __future__ import annotations

import csv
import io
import json
from itertools import product
from urllib.parse import parse_qs, urlsplit

import pytest

from .browser import describe_violations, focused, has_visible_focus, run_axe, tab_until

pytestmark = pytest.mark.slow  # `make test-fast` leaves the browser out


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def result_ids(page) -> list[str]:
    hrefs = page.locator(".dhr-result__title a").evaluate_all("els => els.map(e => e.pathname)")
    return [h.rsplit("/", 1)[-1] for h in hrefs]


def two_facets(site, q: str) -> tuple[str, str, int]:
    """A theme and an agency that together leave more than one page of 3 (but not everything)."""
    facets = site.api("/search", [("q", q)])["facets"]
    total = site.api("/search", [("q", q), ("page_size", "1")])["total"]
    for theme, agency in product(facets["theme"][:6], facets["agency"][:6]):
        n = site.api("/search", [("q", q), ("theme", theme["value"]), ("agency", agency["value"]),
                                 ("page_size", "1")])["total"]
        if 4 <= n < total:
            return theme["value"], agency["value"], n
    raise AssertionError("the corpus has no theme and agency pair with 4 or more results")


def test_search_tick_two_facets_page_and_open_a_review(site, page):
    theme, agency, expected = two_facets(site, "review")
    page.goto(site.url + "/search?page_size=3")
    page.fill("#q", "review")
    page.press("#q", "Enter")
    page.wait_for_url("**/search?*q=review*")
    page.check(f"input[name=theme][value='{theme}']")
    page.check(f"input[name=agency][value='{agency}']")
    page.locator("button.dhr-apply").first.click()
    page.wait_for_url(f"**agency={agency}**")

    args = query_of(page.url)
    assert args["q"] == ["review"] and args["theme"] == [theme] and args["agency"] == [agency]
    assert args["page_size"] == ["3"]  # kept by the form's hidden field
    assert page.is_checked(f"input[name=theme][value='{theme}']")
    assert page.is_checked(f"input[name=agency][value='{agency}']")
    assert page.locator("#results h2").first.inner_text().startswith(f"{expected} results")
    api_params = [("q", "review"), ("theme", theme), ("agency", agency), ("page_size", "3")]
    api_first = site.api("/search", api_params)
    first_ids = result_ids(page)
    assert first_ids == [r["id"] for r in api_first["results"]]
    # Filters are listed with a link that removes each one.
    assert page.locator(".dhr-selected__link").count() == 2

    page.locator("a[rel=next]").click()
    page.wait_for_url("**cursor=**")
    args = query_of(page.url)
    assert args["q"] == ["review"] and args["theme"] == [theme] and args["agency"] == [agency]
    assert args["page_size"] == ["3"] and args["page"] == ["2"]
    second_ids = result_ids(page)
    api_second = site.api("/search", api_params + [("cursor", api_first["next_cursor"])])
    assert second_ids == [r["id"] for r in api_second["results"]]
    assert second_ids and not set(second_ids) & set(first_ids)
    assert page.locator("text=Showing 4 to").count() == 1

    title = page.locator(".dhr-result__title a").first.inner_text()
    page.locator(".dhr-result__title a").first.click()
    page.wait_for_url("**/documents/**")
    # the list's display title is the document page's caption (or, for a document that names
    # no review, its heading); the heading is the file's own title
    heading = page.locator("h1").inner_text()
    assert title in (page.locator(".govuk-caption-l").first.inner_text(), heading)
    opened = site.api(f"/documents/{second_ids[0]}")
    assert heading == (opened["title"] or opened["filename"] or "Untitled document")
    doc = site.api(f"/documents/{second_ids[0]}")
    assert theme in {t["id"] for t in doc["themes"]}
    assert agency in {a["id"] for a in doc["agencies"]}


def test_follow_a_recommendation_to_its_review(site, page):
    page.goto(site.url + "/recommendations?q=training")
    first = page.locator(".dhr-result").first
    text = first.locator("blockquote").inner_text()
    first.locator("a", has_text="Read this in its review").click()
    page.wait_for_url("**/documents/**#recommendation-*")
    anchor = urlsplit(page.url).fragment
    row = page.locator(f"#{anchor}")
    assert row.count() == 1
    assert text in row.inner_text()
    assert "train" in text.lower()  # the search stems: training -> train


def test_export_the_current_search_as_csv_and_json(site, page):
    theme = site.api("/search", [("q", "risk")])["facets"]["theme"][0]["value"]
    page.goto(site.url + f"/search?q=risk&theme={theme}&sort=oldest")
    with page.expect_download() as download:
        page.locator("a", has_text="Download as CSV").click()
    path = download.value.path()
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    expected = site.all_ids("/search", [("q", "risk"), ("theme", theme), ("sort", "oldest")])
    assert [r["id"] for r in rows] == expected
    # relative: no server.public_url is configured, and the Host header is never used
    assert all(r["url"] == f"/documents/{r['id']}" for r in rows)
    for r in rows:
        assert r["title"] and r["doc_type"]

    json_href = page.locator("a", has_text="Download as JSON").get_attribute("href")
    body = json.loads(page.request.get(site.url + json_href).text())
    assert [r["id"] for r in body["results"]] == expected
    assert body["truncated"] is False and body["query"]["theme"] == theme


def test_keyboard_only_search_flow(site, page):
    page.goto(site.url + "/")
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Skip to main content" and has_visible_focus(skip)
    page.keyboard.press("Enter")
    page.wait_for_url("**/#main-content")  # the fragment navigation is asynchronous
    page.keyboard.press("Tab")  # the skip link moved the focus start into <main>
    assert focused(page)["id"] == "q"
    page.keyboard.type("risk")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=risk**")

    box = tab_until(page, lambda f: f.get("name") == "theme")
    assert has_visible_focus(box) or box["type"] == "checkbox"
    page.keyboard.press("Space")
    theme = box["value"]
    assert page.is_checked(f"input[name=theme][value='{theme}']")
    button = tab_until(page, lambda f: f.get("text") == "Apply filters")
    assert has_visible_focus(button)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**theme={theme}**")

    link = tab_until(page, lambda f: (f.get("href") or "").startswith("/documents/"))
    assert has_visible_focus(link), link
    page.keyboard.press("Enter")
    page.wait_for_url("**/documents/**")
    # the link's display title is the opened page's caption, or its heading
    assert link["text"] in (page.locator(".govuk-caption-l").first.inner_text(),
                            page.locator("h1").inner_text())


def test_search_works_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(site.url + "/search")
        tab.fill("#q", "risk")
        doc_type = site.api("/search", [("q", "risk")])["facets"]["doc_type"][0]
        tab.check(f"input[name=doc_type][value='{doc_type['value']}']")
        tab.locator("button.dhr-apply").first.click()
        tab.wait_for_url("**doc_type=**")
        heading = tab.locator("#results h2").first.inner_text()
        assert heading.startswith(f"{doc_type['count']} result")
        tab.select_option("#sort", "newest")
        tab.locator("button.dhr-sort__button").click()
        tab.wait_for_url("**sort=newest**")
        assert query_of(tab.url)["doc_type"] == [doc_type["value"]]
    finally:
        context.close()


# -- accessibility: every page type ------------------------------------------------------------
def _document_with_everything(site) -> str:
    """An overview report held as a PDF, with recommendations and themes."""
    for doc in site.corpus.docs:
        if doc.doc_type == "overview_report" and doc.format == "pdf" and doc.recommendations \
                and doc.themes:
            return doc.id
    raise AssertionError("no overview report PDF with recommendations in the corpus")


PAGE_TYPES = {
    "home": lambda site: "/",
    "search": lambda site: "/search?q=risk+assessment&doc_type=overview_report&year_from=2010",
    "search-no-results": lambda site: "/search?q=zzyzx",
    "search-error": lambda site: "/search?q=risk&year_from=20x9",
    "document": _document_with_everything,
    "recommendations": lambda site: "/recommendations?q=training",
    "trends": lambda site: "/trends",
    "about": lambda site: "/about",
    "not-found": lambda site: "/documents/" + "0" * 64,
}
EXPECTED_STATUS = {"search-error": 400, "not-found": 404}


# The markup does not depend on the backend, so axe runs over one (the flows above run on both).
@pytest.mark.parametrize("site", ["sqlite"], indirect=True)
@pytest.mark.parametrize("page_type", list(PAGE_TYPES))
def test_axe_finds_no_wcag22_aa_violations(site, page, axe_source, screenshots, page_type):
    path = PAGE_TYPES[page_type](site)
    if not path.startswith("/"):
        path = f"/documents/{path}"
    response = page.goto(site.url + path)
    assert response.status == EXPECTED_STATUS.get(page_type, 200)
    # Open every disclosure so that hidden content (facet values, data tables) is checked too.
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    violations = run_axe(page, axe_source)
    page.screenshot(path=str(screenshots / f"{page_type}.png"), full_page=True)
    assert violations == [], describe_violations(violations)


@pytest.mark.parametrize("site", ["sqlite"], indirect=True)
def test_axe_check_can_fail(site, page, axe_source):
    """The accessibility check is live: an unlabelled search box is reported."""
    page.goto(site.url + "/search")
    page.evaluate("() => document.querySelector('label[for=q]').remove()")
    assert "label" in {v["id"] for v in run_axe(page, axe_source)}


# Elements, and lines of text (a long word in a large heading overflows its box without the box
# itself being wide), that reach past the viewport outside a scrolling table box.
WIDER_THAN_VIEWPORT = """() => {
  const clipped = e => { for (let a = e; a && a !== document.body; a = a.parentElement) {
    if (a.matches('.dhr-table-scroll') || \
getComputedStyle(a).overflowX !== 'visible') return true; }
    return false; };
  const out = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > 321 && !clipped(e.parentElement))
    .map(e => e.outerHTML.slice(0, 120));
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode());) {
    const r = document.createRange(); r.selectNodeContents(n);
    if (r.getBoundingClientRect().right > 321 && !clipped(n.parentElement))
      out.push('text in ' + n.parentElement.outerHTML.slice(0, 120));
  }
  return out.slice(0, 5);
}"""


@pytest.mark.parametrize("site", ["sqlite"], indirect=True)
def test_pages_reflow_at_320_css_pixels(site, browser):
    """WCAG 1.4.10: no page scrolls sideways at 320 px (wide tables scroll inside their box)."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        tab = context.new_page()
        for page_type, path_of in PAGE_TYPES.items():
            path = path_of(site)
            tab.goto(site.url + (path if path.startswith("/") else f"/documents/{path}"))
            width = tab.evaluate("document.documentElement.scrollWidth")
            wide = tab.evaluate(WIDER_THAN_VIEWPORT)
            assert width <= 320 and not wide, (page_type, width, wide)
    finally:
        context.close()
