"""Read a council / CSP web page: which links are review documents, which pages to follow.

Pure functions over HTML (no network), used by the generic site spider
(``crawler/spiders/site.py``) and tested against saved pages with golden JSON
(``tests/crawler/pages/``). Signals come from ``crawler/rules.yaml``:

- a *report* is a document link (``.pdf``/``.docx``/... or a CMS download URL) whose text, URL,
  list item / table row or heading carries a review signal, or any document link on a page that
  is itself about reviews (bare labels like "A - 2018", "SBP1703", "Case 23");
- a *page* is an in-site link worth following: one with a review signal (document landing pages
  such as ``/downloads/download/253/...``, sub-pages per review), or pagination and numbered
  sub-pages of a review page;
- distractor signals (protocol, guidance, leaflet, annual report, thematic review, other review
  types...) override both; everything else is skipped. Skipped links are returned with the
  reason so that the golden files document the decisions.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from urllib.parse import unquote, urljoin, urlsplit

from parsel import Selector

from ..rules import Rules, load_rules
from ..urls import canonical_url

REPORT, PAGE, SKIP = "report", "page", "skip"
_RANK = {REPORT: 2, PAGE: 1, SKIP: 0}
_WS = re.compile(r"\s+")
_CONTEXT_TAGS = ("li", "tr", "dd", "dt", "p", "td", "figcaption")
# Site chrome (header, footer) never lists reviews; <nav> is kept because pagination lives there.
_DEFAULT_LINKS_XPATH = "//body//a[@href][not(ancestor::header) and not(ancestor::footer)]"
# The nearest heading or accordion toggle before the link (h1 included so that a cookie banner's
# buttons above the main heading are never taken as a heading).
_HEADING_XPATH = ("(preceding::h1 | preceding::h2 | preceding::h3 | preceding::h4"
                  " | preceding::summary | preceding::button[@aria-controls or @aria-expanded"
                  " or contains(@class, 'accordion')])[last()]")
# Long paragraphs mention guidance, policies... in passing: only short surroundings count as
# negative evidence.
_NEGATIVE_CONTEXT_MAX = 160


@dataclass
class LinkCandidate:
    url: str          # absolute URL as linked
    text: str         # link text (or title / aria-label / image alt)
    kind: str         # report | page | skip
    reason: str       # why: the signal that decided
    context: str = ""  # the list item / table row around the link
    heading: str = ""  # the nearest heading / accordion title before it

    def to_json_dict(self) -> dict[str, str]:
        return asdict(self)


def clean_text(text: str | None) -> str:
    return _WS.sub(" ", text or "").strip()


def _text_of(node: Selector) -> str:
    return clean_text(" ".join(node.xpath(".//text()").getall()))


def page_title(sel: Selector) -> str:
    return clean_text(" ".join(sel.xpath("//title//text() | //h1//text()").getall()))


def page_is_about_reviews(sel: Selector, rules: Rules | None = None) -> bool:
    """A page whose title or main heading names reviews (its document links are reports)."""
    rules = rules or load_rules()
    h1 = clean_text(" ".join(sel.xpath("//h1//text()").getall()))
    title = clean_text(" ".join(sel.xpath("//title//text()").getall()))
    return bool(rules.report_signal(h1, title)) and not rules.distractor_signal(h1)


def _link_text(a: Selector) -> str:
    text = _text_of(a)
    for attr in ("@aria-label", "@title", ".//img/@alt"):
        extra = clean_text(a.xpath(attr).get())
        if extra and extra.lower() not in text.lower():
            text = f"{text} {extra}".strip()
    return text


def _context(a: Selector) -> str:
    for tag in _CONTEXT_TAGS:
        node = a.xpath(f"ancestor::{tag}[1]")
        if node:
            return _text_of(node[0])[:300]
    return ""


def _heading(a: Selector) -> str:
    node = a.xpath(_HEADING_XPATH)
    return _text_of(node[0])[:200] if node else ""


def _is_subpage(page_url: str, url: str) -> bool:
    p, u = urlsplit(canonical_url(page_url)), urlsplit(canonical_url(url))
    base = p.path.rstrip("/")
    return p.netloc == u.netloc and bool(base) and u.path.startswith(base + "/")


def classify_link(url: str, text: str, *, page_url: str, page_is_review: bool,
                  context: str = "", heading: str = "", forced_report: bool = False,
                  rules: Rules | None = None) -> LinkCandidate:
    """Decide what one link is (see module docstring)."""
    rules = rules or load_rules()
    parts = urlsplit(url)
    where = unquote(parts.path + ("?" + parts.query if parts.query else ""))
    short_context = context if len(context) <= _NEGATIVE_CONTEXT_MAX else ""

    def made(kind: str, reason: str) -> LinkCandidate:
        return LinkCandidate(url, text, kind, reason, context, heading)

    if rules.is_skipped_extension(parts.path):
        return made(SKIP, f"file type .{rules.extension(parts.path)}")
    distractor = rules.distractor_signal(text, where, short_context, heading)
    if distractor:
        return made(SKIP, f"distractor: {distractor.lower()}")
    if forced_report:
        return made(REPORT, "site selector")
    # A signal in the link itself is strong; one only in its surroundings is context.
    strong = rules.report_signal(text, where)
    weak = None if strong else rules.report_signal(context, heading)
    signal = f"signal: {strong.lower()}" if strong else (
        f"context signal: {weak.lower()}" if weak else None)
    if rules.looks_like_document(url, parts.path):
        if signal:
            return made(REPORT, signal)
        if page_is_review:
            return made(REPORT, "document on a review page")
        return made(SKIP, "document without review signal")
    if signal:
        return made(PAGE, signal)
    if page_is_review and rules.is_pagination(text, url):
        return made(PAGE, "pagination")
    if page_is_review and _is_subpage(page_url, url):
        return made(PAGE, "sub-page of a review page")
    return made(SKIP, "no review signal")


def extract_links(html: str | bytes | Selector, page_url: str, *,
                  page_is_review: bool | None = None,
                  links_css: str | None = None, report_css: str | None = None,
                  rules: Rules | None = None) -> list[LinkCandidate]:
    """Every distinct link on the page, classified. One entry per catalog URL (the strongest)."""
    rules = rules or load_rules()
    if isinstance(html, Selector):
        sel = html
    else:
        sel = Selector(text=html.decode("utf-8", "replace") if isinstance(html, bytes) else html)
    if page_is_review is None:
        page_is_review = page_is_about_reviews(sel, rules)
    base = urljoin(page_url, sel.xpath("//base/@href").get() or "")
    anchors = sel.css(links_css) if links_css else sel.xpath(_DEFAULT_LINKS_XPATH)
    forced = {id(a.root) for a in sel.css(report_css)} if report_css else set()
    page_key = canonical_url(page_url, rules)
    best: dict[str, LinkCandidate] = {}
    for a in anchors:
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith("#") or re.match(r"(?i)^(mailto|tel|javascript|data):",
                                                        href):
            continue
        url = urljoin(base, href)
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        key = canonical_url(url, rules)
        if key == page_key:
            continue
        cand = classify_link(url, _link_text(a), page_url=page_url, page_is_review=page_is_review,
                             context=_context(a), heading=_heading(a),
                             forced_report=id(a.root) in forced, rules=rules)
        old = best.get(key)
        if old is None or _RANK[cand.kind] > _RANK[old.kind]:
            best[key] = cand
    return list(best.values())
