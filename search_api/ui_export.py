"""Exports of the current list (search results or recommendations) as CSV or JSON, streamed.

An export runs the page's own request page by page (100 results a time, following
``next_cursor``, without snippets: no column shows them) and writes each row as it arrives, so
memory stays flat; it stops after :data:`MAX_ROWS` rows and says so (a ``truncated`` flag in
JSON, a last comment row in CSV). Every page after the first counts as one more request against
the client's rate limit; when the limit is reached the export ends there and says why.
Cells that a spreadsheet would run as a formula (starting with ``= + - @`` in any of their
Unicode forms, such as the full-width ``＝`` that spreadsheets also accept, or with a tab or line
break, after any leading spaces) are prefixed with an apostrophe (OWASP "CSV injection").
The ``url`` column is absolute when ``server.public_url`` is configured, else relative to the
site; never built from the request's Host header.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import logging
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

from dhr.search.base import (
    MAX_PAGE_SIZE,
    DocumentRequest,
    RecommendationRequest,
    SearchBackend,
    SearchResponse,
)

from .public import PublicBackend

log = logging.getLogger(__name__)

MAX_ROWS = 5000
EXPORT_PAGE_SIZE = MAX_PAGE_SIZE
DOC_COLUMNS = ("id", "title", "doc_type", "area", "region", "date_of_death", "pseudonym",
               "review_type", "death_type", "victim_sex", "victim_age_band", "page_count",
               "source_url", "url")
REC_COLUMNS = ("id", "document_id", "number", "text", "agency", "agency_name", "scope",
               "smart_score", "specific", "measurable", "time_bound", "themes", "area",
               "region", "year", "pseudonym", "review_type", "page", "url",
               "review_recommendation", "also_printed_in")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Row = dict[str, Any]


def document_row(result: dict[str, Any], base_url: str) -> Row:
    review = result.get("review") or {}
    victim = review.get("victim") or {}
    source = result.get("source") or {}
    return {
        "id": result["id"], "title": result.get("title"), "doc_type": result.get("doc_type"),
        "area": review.get("area"), "region": review.get("region"),
        "date_of_death": review.get("date_of_death"), "pseudonym": review.get("pseudonym"),
        "review_type": review.get("review_type"), "death_type": review.get("death_type"),
        "victim_sex": victim.get("sex"), "victim_age_band": victim.get("age_band"),
        "page_count": result.get("page_count"), "source_url": source.get("url"),
        "url": f"{base_url}/documents/{result['id']}",
    }


def recommendation_row(result: dict[str, Any], base_url: str) -> Row:
    review = result.get("review") or {}
    smart = result.get("smart") or {}
    position = str(result["id"]).rsplit("-", 1)[-1]
    return {
        "id": result["id"], "document_id": result["document_id"],
        "number": result.get("number"), "text": result.get("text"),
        "agency": result.get("agency"), "agency_name": result.get("agency_name"),
        "scope": result.get("scope"), "smart_score": smart.get("score"),
        "specific": smart.get("specific"), "measurable": smart.get("measurable"),
        "time_bound": smart.get("time_bound"), "themes": list(result.get("themes") or []),
        "area": review.get("area"), "region": review.get("region"), "year": review.get("year"),
        "pseudonym": review.get("pseudonym"), "review_type": review.get("review_type"),
        "page": result.get("page"),
        "url": f"{base_url}/documents/{result['document_id']}#recommendation-{position}",
        # The explorer's list is review level: the review recommendation (its page is
        # /recommendations/<id>) and the other printed copies of it.
        "review_recommendation": result.get("review_recommendation"),
        "also_printed_in": [
            f"{base_url}/documents/{c['document_id']}#recommendation-"
            f"{str(c['id']).rsplit('-', 1)[-1]}" for c in result.get("copies") or []],
    }


class ExportStopped(Exception):
    """An export cut short for a reason the user can act on (the rate limit): the message
    ends the file instead of the rows that were not sent."""


def iter_results(backend: SearchBackend | PublicBackend,
                 request: DocumentRequest | RecommendationRequest,
                 limit: int = MAX_ROWS, *, before_next_page: Callable[[], None] | None = None,
                 ) -> Iterator[tuple[dict[str, Any], bool]]:
    """Every result of the request up to ``limit``; the flag is True on a result that had to be
    cut off after (more existed). ``before_next_page`` runs before each page after the first
    (it may raise :class:`ExportStopped`)."""
    search: Callable[[Any], SearchResponse] = (
        backend.search_recommendations_with_fallback if isinstance(request, RecommendationRequest)
        else backend.search_with_fallback)
    no_snippets: dict[str, Any] = ({"snippets": False} if isinstance(request, DocumentRequest)
                                   else {})
    req = dataclasses.replace(request, page_size=EXPORT_PAGE_SIZE, cursor=None, facets=False,
                              **no_snippets)
    sent = 0
    first = True
    while True:
        if not first and before_next_page is not None:
            before_next_page()
        first = False
        page = search(req)
        for result in page.results:
            if sent >= limit:
                yield result, True
                return
            sent += 1
            yield result, False
        if not page.next_cursor or not page.results:
            return
        req = dataclasses.replace(req, cursor=page.next_cursor)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    text = str(value)
    return "'" + text if _formula_like(text) else text


def _formula_like(text: str) -> bool:
    if text.startswith(_FORMULA_START):
        return True
    # NFKC folds the full-width and small forms (＝ ＋ － ＠ ﹦ ﹢ ﹣ ﹫) to = + - @.
    first = unicodedata.normalize("NFKC", text.lstrip(" \u3000\u00a0")[:1])
    return first in ("=", "+", "-", "@", "\u2212", "\t", "\r", "\n")


def stream_csv(results: Iterator[tuple[dict[str, Any], bool]], to_row: Callable[[dict], Row],
               columns: tuple[str, ...]) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")

    def flush() -> str:
        text = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return text

    yield "\ufeff"  # a BOM so spreadsheet programs read UTF-8
    writer.writerow(columns)
    try:
        for n, (result, cut) in enumerate(results):
            if cut:
                writer.writerow([f"# truncated: this export stops at {MAX_ROWS} rows"])
                break
            row = to_row(result)
            writer.writerow([_cell(row.get(c)) for c in columns])
            if n % 100 == 99:
                yield flush()
    except ExportStopped as stop:
        writer.writerow([f"# stopped: {stop}"])
    except Exception:  # the status line is sent: end the file visibly instead of silently
        log.exception("export failed part-way")
        writer.writerow(["# error: the export stopped early because the search failed"])
    yield flush()


def stream_json(results: Iterator[tuple[dict[str, Any], bool]], to_row: Callable[[dict], Row],
                query: dict[str, Any]) -> Iterator[str]:
    yield '{"query": ' + json.dumps(query, ensure_ascii=False) + ', "results": ['
    truncated = False
    error: str | None = None
    try:
        for n, (result, cut) in enumerate(results):
            if cut:
                truncated = True
                break
            yield ("," if n else "") + "\n" + json.dumps(to_row(result), ensure_ascii=False)
    except ExportStopped as stop:
        error = f"the export stopped early: {stop}"
    except Exception:
        log.exception("export failed part-way")
        error = "the export stopped early because the search failed"
    tail: dict[str, Any] = {"max_rows": MAX_ROWS, "truncated": truncated}
    if error:
        tail["error"] = error
    yield "\n], " + json.dumps(tail)[1:-1] + "}\n"
