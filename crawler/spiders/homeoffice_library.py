"""Home Office DHR Library spider (``kind: homeoffice_library``).

Walks the library's paginated search (``?pagination[pageNumber]=N``, 0-based, with
``pagination[pageSize]`` when the source sets ``page_size``), reads every result card
(``crawler/parsing/library.py``) and downloads its ``/download/<id>`` files. The card's metadata
(title, pseudonym, CSP/area, region, upload month, date of death, tags) is stored with each file so
ingestion can merge it into the Document. The walk stops at the last page (from the "Showing
results ... of N" count, or when a page has no "Next" link or no cards), or at ``max_pages``.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy.http import Response

from ..filetypes import looks_like_html
from ..parsing.library import parse_library_page
from ..urls import canonical_url, host_of, strip_www
from .base import SourceSpider, _header

PAGE_PARAM = "pagination[pageNumber]"
SIZE_PARAM = "pagination[pageSize]"


def search_page_url(base: str, page_number: int, page_size: int | None) -> str:
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in (PAGE_PARAM, SIZE_PARAM)]
    query.append((PAGE_PARAM, str(page_number)))
    if page_size:
        query.append((SIZE_PARAM, str(page_size)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))


class HomeOfficeLibrarySpider(SourceSpider):
    name = "homeoffice_library"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for url in self.source.start_urls:  # the library itself is always allowed
            d = strip_www(host_of(url))
            if d not in self.allowed_domains:
                self.allowed_domains.append(d)

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.start_urls:
            yield self.search_request(url, 0)

    def search_request(self, base: str, n: int) -> Any:
        req = self.request_for(search_page_url(base, n, self.source.page_size), role="page",
                               depth=0, callback=self.parse, priority=10,
                               link={"start": n == 0, "text": f"page {n}", "found_on": None})
        req.meta.update(library_base=base, page_number=n)
        return req

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        handled = self.handled_status(response)
        if handled is not None:
            yield from handled
            return
        if not looks_like_html(response.body, _header(response, "Content-Type")):
            self.fail(response.url, "search page is not HTML", role="page",
                      start=response.meta.get("page_number") == 0)
            return
        self.count("pages_visited")
        self.succeeded(response.url)
        page = parse_library_page(response.body, response.url, self.source.selectors, self.rules)
        for card in page.cards:
            for dl in card.downloads:
                if not self.allowed(dl["url"]):
                    self.count("skipped_offsite")
                    continue
                self.run["report_urls"].add(canonical_url(dl["url"], self.rules))
                meta = {**card.metadata(), "document_label": dl["label"], "found_on": response.url,
                        "source_kind": "homeoffice_library"}
                yield self.request_for(dl["url"], role="report", depth=1,
                                       callback=self.parse_download,
                                       link={"text": dl["label"], "found_on": response.url,
                                             "metadata": meta})
        n = int(response.meta.get("page_number", 0))
        if not page.cards or (self.source.max_pages and n + 1 >= self.source.max_pages):
            return
        per_page = self.source.page_size or len(page.cards)
        if page.total_results is not None:
            more = n + 1 < math.ceil(page.total_results / per_page)
        else:
            more = page.next_url is not None
        if more:
            yield self.search_request(response.meta["library_base"], n + 1)

    def parse_download(self, response: Response) -> Iterator[Any]:
        handled = self.handled_status(response)
        if handled is not None:
            yield from handled
            return
        link = response.meta.get("dhr_link", {})
        item = self.document_item(response, link.get("metadata") or {})
        if item is None:
            self.fail(response.url, f"not a document ({_header(response, 'Content-Type')})")
            return
        yield item
