"""The search interface both backends implement, with its request and response types.

Requests are validated here (facet names and values, year range, page size, cursor), so the
engines receive only well-formed input and the API can map :class:`SearchError` to a 400.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ..document import Document
from ..enrichment.dhrd import DHRD_FACETS
from ..query import Node, QuerySyntaxError, parse_query, relax

# Document facets: request parameter -> index field. Multi-valued ones hold lists.
DOC_FACETS: dict[str, str] = {
    "theme": "themes", "agency": "agencies", "abuse_type": "abuse_types",
    "doc_type": "doc_type", "review_type": "review_type", "death_type": "death_type",
    "region": "region", "area": "area", "victim_sex": "victim_sex",
    "victim_age_band": "victim_age_band", "year": "year",
    # Tags from the DHRD dataset (dhr.enrichment), for reviews matched to one of its incidents.
    **{name: name for name in DHRD_FACETS},
}
# Recommendation facets.
REC_FACETS: dict[str, str] = {
    "agency": "agency", "theme": "themes", "scope": "scope", "area": "area",
    "region": "region", "review_type": "review_type", "year": "year", "smart_score": "smart_score",
}
# Facets whose values come from the taxonomy (others, like area and year, are open).
TAXONOMY_KIND = {
    "theme": "theme", "agency": "agency", "abuse_type": "abuse_type", "doc_type": "doc_type",
    "review_type": "review_type", "death_type": "death_type", "region": "region",
    "victim_sex": "victim_sex", "victim_age_band": "victim_age_band", "scope": "scope",
}
SORTS = ("relevance", "newest", "oldest")
MAX_PAGE_SIZE = 100
MAX_FILTER_VALUES = 50
MAX_VALUE_CHARS = 200
YEAR_MIN, YEAR_MAX = 1900, 2100


class SearchError(ValueError):
    """A request the client can fix (maps to HTTP 400)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class BackendUnavailable(RuntimeError):
    """The search engine cannot be reached (maps to HTTP 503)."""


@dataclass
class _Request:
    q: str | None = None
    filters: dict[str, list[str]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    page_size: int = 20
    cursor: str | None = None
    facets: bool = True  # compute facet counts

    _facet_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.validate()
        try:
            self.query: Node | None = parse_query(self.q if self.q and self.q.strip() else None)
        except QuerySyntaxError as err:
            raise SearchError(err.message, "q") from None

    def validate(self) -> None:
        if self.sort not in SORTS:
            raise SearchError(f"sort must be one of {', '.join(SORTS)}", "sort")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise SearchError(f"page_size must be between 1 and {MAX_PAGE_SIZE}", "page_size")
        for name in ("year_from", "year_to"):
            v = getattr(self, name)
            if v is not None and not YEAR_MIN <= v <= YEAR_MAX:
                raise SearchError(f"{name} must be a year between {YEAR_MIN} and {YEAR_MAX}", name)
        if self.year_from and self.year_to and self.year_from > self.year_to:
            raise SearchError("year_from must not be after year_to", "year_from")
        clean: dict[str, list[str]] = {}
        for name, values in self.filters.items():
            if name not in self._facet_names:
                raise SearchError(f"unknown filter {name!r}", name)
            values = [v for v in dict.fromkeys(values) if v != ""]
            if len(values) > MAX_FILTER_VALUES:
                raise SearchError(f"at most {MAX_FILTER_VALUES} values for {name}", name)
            for v in values:
                if len(v) > MAX_VALUE_CHARS or "\x00" in v:
                    raise SearchError(f"invalid value for {name}", name)
            if name == "year" or name == "smart_score":
                for v in values:
                    if not (v.isascii() and v.isdigit() and len(v) <= 9):
                        raise SearchError(f"{name} values must be numbers", name)
            if values:
                clean[name] = values
        self.filters = clean


@dataclass
class DocumentRequest(_Request):
    snippets: bool = True  # page-numbered highlights per result (exports do without)
    _facet_names: tuple[str, ...] = tuple(DOC_FACETS)


@dataclass
class RecommendationRequest(_Request):
    smart_min: int | None = None
    # One result per review recommendation (the records sharing a ``review_rec`` key, which the
    # tracker stamps with :meth:`SearchBackend.set_review_recommendations`), not per printed
    # copy: the total, the facet counts and the pages count review recommendations; each result
    # is the group's best-ranked copy, with every copy of the group in ``copies``.
    by_review: bool = False
    _facet_names: tuple[str, ...] = tuple(REC_FACETS)

    def validate(self) -> None:
        super().validate()
        if self.smart_min is not None and not 0 <= self.smart_min <= 3:
            raise SearchError("smart_min must be between 0 and 3", "smart_min")


@dataclass
class SearchResponse:
    total: int
    results: list[dict[str, Any]]
    facets: dict[str, list[dict[str, Any]]]
    next_cursor: str | None
    # "some_words" when no document had all the words and these results match most of them
    fallback: str | None = None


SOME_WORDS = "some_words"


@dataclass
class IndexReport:
    indexed: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)  # {"id", "reason"}


class SearchBackend(abc.ABC):
    """What every engine provides. Results are plain JSON-ready dicts."""

    name: str

    @abc.abstractmethod
    def ensure_indices(self) -> None:
        """Create (or upgrade) the indices if missing."""

    @abc.abstractmethod
    def index_documents(self, docs: Iterable[Document], *, refresh: bool = False) -> IndexReport:
        """Add or replace Documents and their recommendations."""

    @abc.abstractmethod
    def delete_documents(self, ids: Iterable[str], *, refresh: bool = False) -> int: ...

    @abc.abstractmethod
    def get_document(self, doc_id: str, *, pages: bool = False) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    def search(self, request: DocumentRequest) -> SearchResponse: ...

    @abc.abstractmethod
    def search_recommendations(self, request: RecommendationRequest) -> SearchResponse: ...

    @abc.abstractmethod
    def set_review_recommendations(self, keys: dict[str, str | None], *,
                                   refresh: bool = False) -> int:
        """Stamp recommendation records ({record id: review recommendation id, or None to
        clear}) with the review recommendation they are a copy of; unknown record ids are
        skipped. Returns how many records changed. Re-indexing a document clears its
        records' keys (each record is then its own group) until they are stamped again."""

    @abc.abstractmethod
    def similar(self, doc_id: str, *, size: int = 10) -> list[dict[str, Any]]:
        """Documents most like this one (excluding itself)."""

    @abc.abstractmethod
    def stats(self) -> dict[str, Any]: ...

    @abc.abstractmethod
    def count(self) -> int: ...

    @abc.abstractmethod
    def ping(self) -> bool: ...

    @abc.abstractmethod
    def rebuild(self, docs: Iterable[Document]) -> IndexReport:
        """Rebuild from scratch without downtime for readers."""

    def search_with_fallback(self, request: DocumentRequest) -> SearchResponse:
        """:meth:`search`; when an all-words query finds nothing, the same request matching
        most of the words (:func:`dhr.query.relax`), flagged ``fallback="some_words"``. Both
        backends compile the relaxed query exactly, so they fall back to the same results."""
        return _with_fallback(self.search, request)

    def search_recommendations_with_fallback(self, request: RecommendationRequest
                                             ) -> SearchResponse:
        return _with_fallback(self.search_recommendations, request)

    def facets(self) -> dict[str, list[dict[str, Any]]]:
        return self.search(DocumentRequest(page_size=1)).facets

    def refresh(self) -> None:  # noqa: B027 - an optional hook: nothing to do by default
        pass

    def close(self) -> None:  # noqa: B027 - an optional hook: nothing to do by default
        pass


def _with_fallback(run: Any, request: _Request) -> SearchResponse:
    resp = run(request)
    relaxed = relax(request.query) if resp.total == 0 else None
    if relaxed is None:
        return resp
    # Same parameters (so cursors of the fallback's pages stay valid), weaker query.
    weaker = replace(request)
    weaker.query = relaxed
    found = run(weaker)
    if found.total == 0:
        return resp
    found.fallback = SOME_WORDS
    return found
