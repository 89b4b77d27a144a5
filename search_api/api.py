"""The JSON API v1 blueprint (contract.md section 3): thin views over the search layer.

Each view parses its query string with :mod:`search_api.params` (400 for anything invalid),
asks the configured :class:`dhr.search.SearchBackend` (or the store, for original files) and
returns JSON. Views never catch broadly: errors map to JSON answers in :mod:`search_api.errors`.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from dhr.document import DOCUMENT_ID_PATTERN
from dhr.search.base import DocumentRequest, RecommendationRequest, SearchResponse

from . import params
from .admission import admitted
from .errors import ApiError, not_found
from .files import mimetype, send_stored_file
from .openapi import openapi_document
from .ratelimit import rate_limited
from .security import acceptable, require_json_acceptable
from .state import state

api = Blueprint("api_v1", __name__, url_prefix="/api/v1")
ops = Blueprint("ops", __name__)

_ID_RE = re.compile(DOCUMENT_ID_PATTERN)


def _raw_query() -> bytes:
    return request.query_string or b""


def _checked_id(doc_id: str) -> str:
    if not _ID_RE.match(doc_id):
        raise not_found("no document with this id (ids are 64 lower-case hex characters)")
    return doc_id


def _search_body(resp: SearchResponse) -> dict[str, Any]:
    return {"total": resp.total, "results": resp.results, "facets": resp.facets,
            "next_cursor": resp.next_cursor, "fallback": resp.fallback}


@api.before_request
def _negotiate() -> None:
    # The file download negotiates its own content type.
    if request.endpoint != "api_v1.document_file":
        require_json_acceptable()


@api.get("/search")
@rate_limited
def search() -> Response:
    req = params.document_request(request.args, _raw_query())
    with admitted(req):
        return jsonify(_search_body(state().backend.search_with_fallback(req)))


@api.get("/recommendations")
@rate_limited
def recommendations() -> Response:
    req = params.recommendation_request(request.args, _raw_query())
    with admitted(req):
        return jsonify(_search_body(state().backend.search_recommendations_with_fallback(req)))


@api.get("/documents/<doc_id>")
@rate_limited
def document(doc_id: str) -> Response:
    pages = params.document_pages(request.args, _raw_query())
    doc = state().backend.get_document(_checked_id(doc_id), pages=pages)
    if doc is None:
        raise not_found("no document with this id")
    return jsonify(doc)


@api.get("/documents/<doc_id>/similar")
@rate_limited
def similar(doc_id: str) -> Response:
    size = params.similar_size(request.args, _raw_query())
    backend = state().backend
    if backend.get_document(_checked_id(doc_id)) is None:
        raise not_found("no document with this id")
    results = backend.similar(doc_id, size=size)
    return jsonify({"id": doc_id, "results": results})


@api.get("/documents/<doc_id>/file")
@rate_limited
def document_file(doc_id: str) -> Response:
    params.check_envelope(request.args, _raw_query(), ("inline",))
    inline = params.boolean(request.args, "inline", False)
    store = state().store
    info = store.file_info(_checked_id(doc_id))
    if info is None or state().is_withheld(doc_id) or \
            not store.file_path(doc_id, info["ext"]).is_file():
        raise not_found("no stored file with this id")
    if not acceptable(mimetype(info["ext"])):
        raise ApiError(406, f"this file is {mimetype(info['ext'])}; the Accept header rules "
                       "it out")
    return send_stored_file(store, doc_id, info, inline=inline)


@api.get("/facets")
@rate_limited
def facets() -> Response:
    params.no_params(request.args, _raw_query())
    backend = state().backend
    docs = backend.search(DocumentRequest(page_size=1))
    recs = backend.search_recommendations(RecommendationRequest(page_size=1))
    return jsonify({"total": docs.total, "facets": docs.facets,
                    "recommendations": {"total": recs.total, "facets": recs.facets}})


@api.get("/stats")
@rate_limited
def stats() -> Response:
    params.no_params(request.args, _raw_query())
    return jsonify(state().backend.stats())


@api.get("/openapi.json")
def openapi() -> Response:
    params.no_params(request.args, _raw_query())
    # The server URL is configured (server.public_url) or relative ("/"): never the request's
    # Host header, which a client chooses and a shared cache would keep for everyone.
    resp = jsonify(openapi_document(state().config.server.public_url or "/"))
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


@ops.get("/healthz")
def healthz() -> Response:
    """The process is up (no backend call)."""
    return jsonify({"status": "ok"})


@ops.get("/readyz")
def readyz() -> Response:
    """The search backend answers: 200, else 503 (load balancers take the node out)."""
    backend = state().backend
    try:
        ready = bool(backend.ping())
    except Exception:  # any failure to reach the backend means "not ready"
        current_app.logger.warning("readiness check failed", exc_info=True)
        ready = False
    body = {"status": "ready" if ready else "unavailable", "backend": backend.name}
    resp = jsonify(body)
    resp.status_code = 200 if ready else 503
    resp.headers["Cache-Control"] = "no-store"
    return resp
