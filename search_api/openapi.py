"""The OpenAPI 3.1 description of API v1, served at ``/api/v1/openapi.json``.

Built from the same tables the request parser uses (:mod:`search_api.params`: parameter names,
taxonomy enums, length and range limits) and from the Document model's own JSON Schema
(:mod:`dhr.document`), so the description cannot drift from what the server accepts and returns.
Tests validate it with openapi-spec-validator and run schemathesis against the live app.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from dhr.document import DOCUMENT_ID_PATTERN, Document
from dhr.enrichment.dhrd import DHRD_FACETS
from dhr.query import MAX_QUERY_CHARS
from dhr.search.base import MAX_FILTER_VALUES, MAX_PAGE_SIZE, MAX_VALUE_CHARS, SORTS

from . import params
from .files import CONTENT_TYPES

REF = "#/components/schemas/{model}"

_FILTER_HELP = {
    "theme": "Theme id from the taxonomy (e.g. risk_assessment).",
    "agency": "Agency id from the taxonomy (e.g. police).",
    "area": "Community safety partnership area, as recorded (e.g. Preston).",
    "region": "Region of England, or Wales.",
    "doc_type": "Kind of document.",
    "review_type": "Relationship between victim and perpetrator.",
    "death_type": "Kind of death under review.",
    "abuse_type": "Kind of abuse recorded.",
    "victim_sex": "Sex of the victim.",
    "victim_age_band": "Victim's age band.",
    "scope": "Who a recommendation is addressed to: local, regional or national.",
    "year": "Year of death (e.g. 2020), as the `year` facet lists it.",
    "smart_score": "SMART score of a recommendation (0-3), as the `smart_score` facet lists it.",
}


def _dhrd_help(name: str) -> str:
    """Help for a DHRD tag filter (dhr.enrichment.dhrd.DHRD_FACETS)."""
    legend = DHRD_FACETS.get(name, name)
    return (f"{legend}: a tag from the Domestic Homicide Review Dataset (CC BY 4.0), on reviews "
            "matched to one of its incidents; values as the facet of the same name lists them.")


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def _query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema, **extra}


def _filter_param(name: str) -> dict[str, Any]:
    allowed = params.allowed_values(name)
    item: dict[str, Any] = {"type": "string", "maxLength": MAX_VALUE_CHARS}
    if allowed is not None:
        item = {"type": "string", "enum": list(allowed)}
    elif name in ("year", "smart_score"):
        item = {"type": "string", "pattern": "^[0-9]{1,9}$"}
    return _query(name, {"type": "array", "items": item, "maxItems": MAX_FILTER_VALUES},
                  _FILTER_HELP.get(name, _dhrd_help(name))
                  + " Repeatable: values of one filter are OR-ed, filters "
                  "are AND-ed.", style="form", explode=True)


# An empty value (``year_from=``, as an HTML form sends an empty field) means "not given".
_EMPTY_OK = {"allowEmptyValue": True}


def _int_param(name: str, description: str) -> dict[str, Any]:
    spec = params.INT_PARAMS[name]
    schema: dict[str, Any] = {"type": "integer", "minimum": spec.minimum, "maximum": spec.maximum}
    if spec.default is not None:
        schema["default"] = spec.default
    return _query(name, schema, description, **_EMPTY_OK)


def _flag(name: str, description: str) -> dict[str, Any]:
    return _query(name, {"type": "string", "enum": list(params.BOOLEAN_VALUES)}, description,
                  **_EMPTY_OK)


def _common_params() -> list[dict[str, Any]]:
    return [
        _query("q", {"type": "string", "maxLength": MAX_QUERY_CHARS},
               'Full-text query: words (all must match), "exact phrases", -exclusions, OR, '
               "prefix*, parentheses. Malformed syntax is a 400 that says what to fix."),
        _int_param("year_from", "Earliest year of death (inclusive)."),
        _int_param("year_to", "Latest year of death (inclusive); not before year_from."),
        _query("sort", {"type": "string", "enum": list(SORTS), "default": "relevance"},
               "Result order.", **_EMPTY_OK),
        _int_param("page_size", f"Results per page (1-{MAX_PAGE_SIZE})."),
        _query("cursor", {"type": "string", "maxLength": params.MAX_CURSOR_CHARS},
               "Opaque cursor: next_cursor from the previous page of the same search."),
        _flag("facets", "Compute facet counts (default 1)."),
    ]


def _json(schema: dict[str, Any], description: str,
          headers: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description,
                           "content": {"application/json": {"schema": schema}}}
    if headers:
        out["headers"] = headers
    return out


def _errors(*statuses: int) -> dict[str, Any]:
    text = {
        400: "Invalid parameter (the error names it in `field`).",
        404: "No document with this id.",
        406: "The Accept header rules out the response's content type.",
        429: "Too many requests from this client (rate limiting is on).",
        503: "The search backend is unavailable, or (code `busy`) too many expensive searches "
             "(exports, short prefixes, very long queries) are running; retry after Retry-After.",
    }
    out = {}
    for status in statuses:
        headers = None
        if status in (429, 503):
            headers = {"Retry-After": {"schema": {"type": "string"},
                                       "description": "Seconds to wait."}}
        out[str(status)] = _json(_ref("Error"), text[status], headers)
    return out


def _op(op_id: str, summary: str, parameters: list[dict[str, Any]], ok: dict[str, Any],
        errors: tuple[int, ...], tag: str = "search") -> dict[str, Any]:
    return {"get": {"operationId": op_id, "summary": summary, "tags": [tag],
                    "parameters": parameters, "responses": {"200": ok, **_errors(*errors)}}}


_ID_PARAM = {"name": "doc_id", "in": "path", "required": True,
             "description": "Document id: sha256 of the original file (64 lower-case hex).",
             "schema": {"type": "string", "pattern": DOCUMENT_ID_PATTERN}}

_NULLABLE_STR = {"type": ["string", "null"]}
_FALLBACK = {"type": ["string", "null"], "enum": ["some_words", None],
             "description": "\"some_words\" when no result had all the words of q and these "
                            "results match most of them (at least three in four, one fewer "
                            "than all at most); null for an exact answer."}
_NULLABLE_INT = {"type": ["integer", "null"]}


def _schemas() -> dict[str, Any]:
    doc_schema = Document.model_json_schema(by_alias=True, ref_template=REF)
    defs = doc_schema.pop("$defs", {})
    schemas: dict[str, Any] = {**defs, "Document": doc_schema}
    schemas.update({
        "Error": {
            "type": "object", "required": ["error"], "additionalProperties": False,
            "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                               "field": {"type": "string"}}}},
        },
        "FacetValue": {
            "type": "object", "required": ["value", "label", "count"],
            "properties": {"value": {"type": ["string", "integer"]}, "label": {"type": "string"},
                           "count": {"type": "integer", "minimum": 0}},
        },
        "Facets": {"type": "object",
                   "additionalProperties": {"type": "array", "items": _ref("FacetValue")}},
        "Snippet": {
            "type": "object", "required": ["html"],
            "properties": {"page": _NULLABLE_INT, "html": {
                "type": "string",
                "description": "Text around the match, HTML-escaped except <mark> elements."}},
        },
        "DocumentHit": {
            "type": "object", "required": ["id", "title", "doc_type", "review", "url"],
            "properties": {
                "id": {"type": "string", "pattern": DOCUMENT_ID_PATTERN},
                "title": {"type": "string", "description": "The file's own title."},
                "display_title": {"type": "string", "description": (
                    "The review and the kind of document, the same way for every document: "
                    "'Mrs M (Sheffield, 2023): Overview report' (the file's title when the "
                    "document names no pseudonym or area).")},
                "doc_type": _NULLABLE_STR,
                "filename": _NULLABLE_STR,
                "review": _ref("Review"),
                "review_key": _NULLABLE_STR,
                "page_count": _NULLABLE_INT,
                "source": {"anyOf": [_ref("Source"), {"type": "null"}]},
                "snippets": {"type": "array", "items": _ref("Snippet")},
                "url": {"type": "string"},
            },
        },
        "RecommendationHit": {
            "type": "object",
            "required": ["id", "document_id", "document_url", "number", "text", "agency", "review"],
            "properties": {
                "id": {"type": "string"},
                "document_id": {"type": "string", "pattern": DOCUMENT_ID_PATTERN},
                "document_url": {"type": "string"},
                "number": _NULLABLE_STR,
                "text": {"type": "string"},
                "agency": _NULLABLE_STR,
                "agency_name": _NULLABLE_STR,
                "agency_label": _NULLABLE_STR,
                "scope": _NULLABLE_STR,
                "page": _NULLABLE_INT,
                "source": _NULLABLE_STR,
                "smart": _ref("Smart"),
                "themes": {"type": "array", "items": {"type": "string"}},
                "review": {
                    "type": "object",
                    "properties": {"area": _NULLABLE_STR, "region": _NULLABLE_STR,
                                   "year": _NULLABLE_INT, "pseudonym": _NULLABLE_STR,
                                   "review_type": _NULLABLE_STR}},
                "doc_type": _NULLABLE_STR,
                "title": _NULLABLE_STR,
                "snippets": {"type": "array", "items": _ref("Snippet")},
                "review_recommendation": {
                    "type": ["string", "null"], "pattern": "^rr-[0-9a-f]{16}$",
                    "description": "The review recommendation this printed copy is (as in "
                                   "/api/v1/review-recommendations/<id>), once the tracker "
                                   "has linked it; null otherwise."},
            },
        },
        "SearchResponse": {
            "type": "object", "required": ["total", "results", "facets", "next_cursor"],
            "properties": {"total": {"type": "integer", "minimum": 0},
                           "results": {"type": "array", "items": _ref("DocumentHit")},
                           "facets": _ref("Facets"), "next_cursor": _NULLABLE_STR,
                           "fallback": _FALLBACK},
        },
        "RecommendationResponse": {
            "type": "object", "required": ["total", "results", "facets", "next_cursor"],
            "properties": {"total": {"type": "integer", "minimum": 0},
                           "results": {"type": "array", "items": _ref("RecommendationHit")},
                           "facets": _ref("Facets"), "next_cursor": _NULLABLE_STR,
                           "fallback": _FALLBACK},
        },
        "SimilarResponse": {
            "type": "object", "required": ["id", "results"],
            "properties": {"id": {"type": "string"},
                           "results": {"type": "array", "items": _ref("DocumentHit")}},
        },
        "FacetsResponse": {
            "type": "object", "required": ["total", "facets", "recommendations"],
            "properties": {
                "total": {"type": "integer", "minimum": 0}, "facets": _ref("Facets"),
                "recommendations": {
                    "type": "object", "required": ["total", "facets"],
                    "properties": {"total": {"type": "integer", "minimum": 0},
                                   "facets": _ref("Facets")}}},
        },
        "Stats": {"type": "object",
                  "description": "Counts for trend charts: by year of death, by theme per year, "
                                 "by agency, by review type."},
        "Health": {"type": "object", "required": ["status"],
                   "properties": {"status": {"type": "string"}, "backend": {"type": "string"}}},
    })
    return schemas


@cache
def _document_template() -> dict[str, Any]:
    doc_filters = [_filter_param(n) for n in params.DOC_FILTERS]
    rec_filters = [_filter_param(n) for n in params.REC_FILTERS]
    file_types = {ct: {"schema": {"type": "string", "format": "binary"}}
                  for ct in sorted(set(CONTENT_TYPES.values()))}
    health = _json(_ref("Health"), "Status.")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Domestic Homicide Review repository API",
            "version": "1.0.0",
            "description": "Read-only JSON API over the national repository of Domestic Homicide "
                           "Review reports: full-text search with page-numbered snippets, "
                           "multi-select facets, recommendations, documents and their original "
                           "files. Errors are JSON objects `{\"error\": {\"code\", \"message\", "
                           "\"field\"}}`.",
        },
        "paths": {
            "/api/v1/search": _op(
                "searchDocuments", "Full-text search over documents, with facet counts.",
                _common_params() + doc_filters,
                _json(_ref("SearchResponse"), "A page of results."), (400, 406, 429, 503)),
            "/api/v1/recommendations": _op(
                "searchRecommendations", "Search recommendations, with facet counts.",
                _common_params() + rec_filters
                + [_int_param("smart_min", "Minimum SMART score (0-3).")],
                _json(_ref("RecommendationResponse"), "A page of recommendations."),
                (400, 406, 429, 503)),
            "/api/v1/documents/{doc_id}": _op(
                "getDocument", "One stored Document (dhr.document/1).",
                [_ID_PARAM, _flag("pages", "Include the text of every page (default 0).")],
                _json(_ref("Document"), "The Document."), (400, 404, 406, 429, 503),
                tag="documents"),
            "/api/v1/documents/{doc_id}/similar": _op(
                "similarDocuments", "Reviews most like this one.",
                [_ID_PARAM, _query("page_size", {"type": "integer", "minimum": 1,
                                                 "maximum": MAX_PAGE_SIZE, "default": 10},
                                   "How many (1-100, default 10).", **_EMPTY_OK)],
                _json(_ref("SimilarResponse"), "Similar documents, most similar first."),
                (400, 404, 406, 429, 503), tag="documents"),
            "/api/v1/documents/{doc_id}/file": _op(
                "getDocumentFile", "The original file, with its content type and a safe name.",
                [_ID_PARAM, _flag("inline", "Show PDF or text inline instead of downloading.")],
                {"description": "The file's bytes.", "content": file_types,
                 "headers": {"Content-Disposition": {"schema": {"type": "string"}}}},
                (400, 404, 406, 429), tag="documents"),
            "/api/v1/facets": _op(
                "listFacets", "Every facet with its values, labels and counts.", [],
                _json(_ref("FacetsResponse"), "Facets over the whole collection."),
                (400, 406, 429, 503)),
            "/api/v1/stats": _op(
                "getStats", "Counts for trend charts.", [],
                _json(_ref("Stats"), "Statistics."), (400, 406, 429, 503)),
            "/api/v1/openapi.json": _op(
                "getOpenApi", "This description.", [],
                _json({"type": "object"}, "OpenAPI 3.1 document."), (400, 406), tag="meta"),
            "/healthz": {"get": {"operationId": "healthz", "summary": "The process is up.",
                                 "tags": ["meta"], "responses": {"200": health}}},
            "/readyz": {"get": {"operationId": "readyz", "summary": "The backend is reachable.",
                                "tags": ["meta"], "responses": {
                                    "200": health, "503": _json(_ref("Health"), "Not ready.")}}},
        },
        "components": {"schemas": _schemas()},
    }


def _with_tracker(doc: dict[str, Any]) -> dict[str, Any]:
    """The accountability tracker's endpoints (:mod:`search_api.openapi_tracker`)."""
    from .openapi_tracker import SECURITY_SCHEMES, tracker_paths, tracker_schemas

    doc["paths"].update(tracker_paths())
    doc["components"]["schemas"].update(tracker_schemas())
    doc["components"]["securitySchemes"] = SECURITY_SCHEMES
    from .openapi_takedown import takedown_paths, takedown_schemas

    doc["paths"].update(takedown_paths())
    doc["components"]["schemas"].update(takedown_schemas())
    from .openapi_corrections import corrections_paths, corrections_schemas

    for path, item in corrections_paths().items():
        doc["paths"].setdefault(path, {}).update(item)
    doc["components"]["schemas"].update(corrections_schemas())
    return doc


def _file_extras(doc: dict[str, Any]) -> None:
    """The download also answers conditional and range requests (ETag is the sha256)."""
    responses = doc["paths"]["/api/v1/documents/{doc_id}/file"]["get"]["responses"]
    responses["206"] = {"description": "The requested byte range (Range header).",
                        "content": {"*/*": {
                            "schema": {"type": "string", "format": "binary"}}}}
    responses["304"] = {"description": "Not modified (If-None-Match matched the ETag)."}
    responses["416"] = {"description": "The requested range is not satisfiable."}


def openapi_document(server_url: str | None = None) -> dict[str, Any]:
    doc = copy.deepcopy(_document_template())
    _file_extras(doc)
    _with_tracker(doc)
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc
