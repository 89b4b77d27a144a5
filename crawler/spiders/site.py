"""Generic council / CSP website spider (``kind: site``).

From the start URLs it follows in-domain links that look like reviews (``crawler/parsing/links.py``
decides) down to ``max_depth`` pages: listing pages with download sidebars and accordions,
numbered sub-pages and pagination, document landing pages. Every response is judged by its bytes:
a PDF/DOCX/DOC/ODT/RTF becomes a stored report, an HTML page is read for more links. Per-source
``selectors`` in config.yaml adjust it without code:

- ``links``: CSS selector of the ``<a>`` elements to consider (default: all outside
  nav/header/footer);
- ``reports``: CSS selector of ``<a>`` elements that are reports whatever their label says.

Where that is not enough, a small subclass in ``crawler/spiders/sites/`` overrides
:meth:`SiteSpider.link_candidates` (named by ``spider:`` in the source's config).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, cast

from scrapy.http import Response, TextResponse

from ..filetypes import looks_like_html
from ..parsing.links import PAGE, REPORT, SKIP, LinkCandidate, extract_links, page_is_about_reviews
from ..urls import canonical_url
from .base import SourceSpider, _header


class SiteSpider(SourceSpider):
    name = "site"

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.start_urls:
            yield self.request_for(url, role="page", depth=0, priority=10,
                                   link={"start": True, "text": "", "found_on": None})

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        handled = self.handled_status(response)
        if handled is not None:
            yield from handled
            return
        link = response.meta.get("dhr_link", {})
        role = response.meta.get("dhr_role", "page")
        item = self.document_item(response, self.document_metadata(link))
        if item is not None:
            if role == "report" or link.get("signal") or link.get("start"):
                yield item
            else:
                self.count("skipped_not_reports")
            return
        if not looks_like_html(response.body, _header(response, "Content-Type")):
            if role == "report":
                self.fail(response.url, f"not a document ({_header(response, 'Content-Type')})")
            return
        yield from self.parse_page(cast(TextResponse, response))  # scrapy's class for HTML

    def parse_page(self, response: TextResponse) -> Iterator[Any]:
        depth = int(response.meta.get("dhr_depth", 0))
        if depth > self.source.max_depth:
            return
        self.count("pages_visited")
        self.succeeded(response.url)
        is_review = depth == 0 or page_is_about_reviews(response.selector, self.rules)
        for cand in self.link_candidates(response, is_review):
            if cand.kind == SKIP:
                if cand.reason.startswith("distractor"):
                    self.count("skipped_distractors")
                continue
            if not self.allowed(cand.url):
                self.count("skipped_offsite")
                continue
            key = canonical_url(cand.url, self.rules)
            known = key in self.catalog
            link = {"text": cand.text, "found_on": response.url, "heading": cand.heading,
                    "context": cand.context,
                    "signal": cand.kind == REPORT or cand.reason.startswith("signal")}
            if cand.kind == REPORT or known:
                self.run["report_urls"].add(key)
                yield self.request_for(cand.url, role="report", depth=depth + 1, link=link)
            elif cand.kind == PAGE and (depth + 1 <= self.source.max_depth
                                        or self.rules.report_signal(cand.text)):
                # A link whose text names a review is fetched even one level deeper: it may be
                # the file itself (an extensionless download); only pages within max_depth are read.
                yield self.request_for(cand.url, role="page", depth=depth + 1, link=link,
                                       priority=5)

    def link_candidates(self, response: TextResponse, is_review: bool) -> list[LinkCandidate]:
        """The page's classified links; per-site subclasses add or replace candidates here."""
        selectors = self.source.selectors or {}
        return extract_links(response.selector, response.url, page_is_review=is_review,
                             links_css=selectors.get("links"), report_css=selectors.get("reports"),
                             rules=self.rules)

    def document_metadata(self, link: dict[str, Any]) -> dict[str, Any]:
        """What the catalog keeps about a site document (merged into its Document at ingest)."""
        return {
            "source_kind": "site",
            "area": self.source.area,
            "link_text": link.get("text"),
            "heading": link.get("heading"),
            "context": (link.get("context") or "")[:300],
            "found_on": link.get("found_on"),
        }
