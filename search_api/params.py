"""Query-string parsing: HTTP parameters -> the search layer's validated request objects.

The API accepts only the parameters it documents (an unknown or repeated single-valued parameter
is a 400 naming it), parses integers strictly, checks facet values against the taxonomy and
bounds every length, then builds :class:`dhr.search.DocumentRequest` /
:class:`RecommendationRequest`, whose own validation (query syntax, year range, cursor) raises
:class:`dhr.search.SearchError` -> 400. The same tables feed the OpenAPI document, so what is
documented is what is accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from dhr.query import MAX_QUERY_CHARS
from dhr.search.base import (
    DOC_FACETS,
    MAX_FILTER_VALUES,
    MAX_PAGE_SIZE,
    MAX_VALUE_CHARS,
    REC_FACETS,
    SORTS,
    TAXONOMY_KIND,
    YEAR_MAX,
    YEAR_MIN,
    DocumentRequest,
    RecommendationRequest,
)
from dhr.taxonomy import ids

from .errors import bad_request

MAX_QUERY_STRING = 16_384  # bytes of the raw query string
MAX_PARAMS = 200  # parameter occurrences
MAX_CURSOR_CHARS = 2000
DEFAULT_PAGE_SIZE = 20
DEFAULT_SIMILAR_SIZE = 10

# Repeatable filter parameters (OR within one, AND across them), per endpoint: every facet the
# endpoint returns, under the same name, so any facet value can be sent back as a filter
# (``year=2020``, ``smart_score=2``, the DHRD tags).
DOC_FILTERS: tuple[str, ...] = tuple(DOC_FACETS)
REC_FILTERS: tuple[str, ...] = tuple(REC_FACETS)
COMMON = ("q", "year_from", "year_to", "sort", "page_size", "cursor", "facets")
BOOLEAN_VALUES = {"1": True, "true": True, "0": False, "false": False}
_INT_RE = re.compile(r"^[+-]?\d{1,9}$")


@dataclass(frozen=True)
class IntParam:
    minimum: int
    maximum: int
    default: int | None = None


INT_PARAMS = {
    "year_from": IntParam(YEAR_MIN, YEAR_MAX),
    "year_to": IntParam(YEAR_MIN, YEAR_MAX),
    "page_size": IntParam(1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE),
    "smart_min": IntParam(0, 3),
}


def allowed_values(name: str) -> tuple[str, ...] | None:
    """The taxonomy's ids for a facet parameter, or None for an open one (area)."""
    kind = TAXONOMY_KIND.get(name)
    return ids(kind) if kind else None


def check_envelope(args: MultiDict, raw_query: bytes, allowed: tuple[str, ...]) -> None:
    """Bounds on the whole query string, and no parameter that is not documented."""
    if len(raw_query) > MAX_QUERY_STRING:
        raise bad_request(f"the query string is too long (at most {MAX_QUERY_STRING} bytes)")
    count = sum(len(v) for v in args.listvalues())
    if count > MAX_PARAMS:
        raise bad_request(f"too many parameters (at most {MAX_PARAMS})")
    for name in args:
        if name not in allowed:
            shown = name if len(name) <= 40 else name[:40] + "..."
            raise bad_request(f"unknown parameter {shown!r}; allowed: {', '.join(allowed)}",
                              field=shown)


def single(args: MultiDict, name: str) -> str | None:
    values = args.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise bad_request(f"{name} may be given only once", field=name)
    return values[0]


def integer(args: MultiDict, name: str) -> int | None:
    raw = single(args, name)
    spec = INT_PARAMS[name]
    if raw is None or raw == "":
        return spec.default
    if not _INT_RE.match(raw):
        raise bad_request(f"{name} must be an integer", field=name)
    value = int(raw)
    if not spec.minimum <= value <= spec.maximum:
        raise bad_request(f"{name} must be between {spec.minimum} and {spec.maximum}", field=name)
    return value


def boolean(args: MultiDict, name: str, default: bool) -> bool:
    raw = single(args, name)
    if raw is None or raw == "":
        return default
    if raw.lower() not in BOOLEAN_VALUES:
        raise bad_request(f"{name} must be 1 or 0 (true or false)", field=name)
    return BOOLEAN_VALUES[raw.lower()]


def filters(args: MultiDict, names: tuple[str, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name in names:
        values = args.getlist(name)
        if not values:
            continue
        if len(values) > MAX_FILTER_VALUES:
            raise bad_request(f"at most {MAX_FILTER_VALUES} values for {name}", field=name)
        allowed = allowed_values(name)
        for v in values:
            if len(v) > MAX_VALUE_CHARS:
                raise bad_request(f"a {name} value is too long (at most {MAX_VALUE_CHARS} "
                                  "characters)", field=name)
            if "\x00" in v or any(ord(c) < 32 for c in v):
                raise bad_request(f"a {name} value contains control characters", field=name)
            if allowed is not None and v not in allowed:
                raise bad_request(f"unknown {name} {_short(v)!r}; allowed: {', '.join(allowed)}",
                                  field=name)
        out[name] = values
    return out


def _text(args: MultiDict, name: str, limit: int) -> str | None:
    value = single(args, name)
    if value is not None and len(value) > limit:
        raise bad_request(f"{name} is too long (at most {limit} characters)", field=name)
    return value


def _sort(args: MultiDict) -> str:
    value = single(args, "sort") or "relevance"
    if value not in SORTS:
        raise bad_request(f"sort must be one of {', '.join(SORTS)}", field="sort")
    return value


def _years(args: MultiDict) -> tuple[int | None, int | None]:
    year_from, year_to = integer(args, "year_from"), integer(args, "year_to")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise bad_request("year_from must not be after year_to", field="year_from")
    return year_from, year_to


def document_request(args: MultiDict, raw_query: bytes) -> DocumentRequest:
    check_envelope(args, raw_query, COMMON + DOC_FILTERS)
    q = _text(args, "q", MAX_QUERY_CHARS)
    year_from, year_to = _years(args)
    return DocumentRequest(
        q=q, filters=filters(args, DOC_FILTERS), year_from=year_from, year_to=year_to,
        sort=_sort(args), page_size=integer(args, "page_size") or DEFAULT_PAGE_SIZE,
        cursor=_text(args, "cursor", MAX_CURSOR_CHARS) or None,
        facets=boolean(args, "facets", True),
    )


def recommendation_request(args: MultiDict, raw_query: bytes) -> RecommendationRequest:
    check_envelope(args, raw_query, COMMON + REC_FILTERS + ("smart_min",))
    q = _text(args, "q", MAX_QUERY_CHARS)
    year_from, year_to = _years(args)
    return RecommendationRequest(
        q=q, filters=filters(args, REC_FILTERS), year_from=year_from, year_to=year_to,
        sort=_sort(args), page_size=integer(args, "page_size") or DEFAULT_PAGE_SIZE,
        cursor=_text(args, "cursor", MAX_CURSOR_CHARS) or None,
        facets=boolean(args, "facets", True), smart_min=integer(args, "smart_min"),
    )


def similar_size(args: MultiDict, raw_query: bytes) -> int:
    check_envelope(args, raw_query, ("page_size",))
    if not single(args, "page_size"):
        return DEFAULT_SIMILAR_SIZE
    return integer(args, "page_size") or DEFAULT_SIMILAR_SIZE


def document_pages(args: MultiDict, raw_query: bytes) -> bool:
    check_envelope(args, raw_query, ("pages",))
    return boolean(args, "pages", False)


def no_params(args: MultiDict, raw_query: bytes) -> None:
    check_envelope(args, raw_query, ())


def _short(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "..."
