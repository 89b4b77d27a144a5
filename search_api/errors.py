"""JSON error objects for the API (contract.md section 3) and the handlers that produce them.

Every error a client can cause is a 4xx with ``{"error": {"code", "message", "field"}}``.
:class:`dhr.search.SearchError` (raised by request validation in the search layer) is a 400,
:class:`dhr.search.BackendUnavailable` a 503, werkzeug's HTTP errors keep their status (404,
405, 406, 413...). Anything else is a bug: it is logged with its traceback and answered with a
JSON 500 that reveals nothing of the server.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

from dhr.search.base import BackendUnavailable, SearchError

log = logging.getLogger(__name__)

# werkzeug status -> our error code
_CODES = {
    400: "bad_request", 404: "not_found", 405: "method_not_allowed", 406: "not_acceptable",
    413: "payload_too_large", 414: "uri_too_long", 429: "rate_limited",
    431: "headers_too_large", 503: "unavailable",
}


class ApiError(Exception):
    """An error answer decided by the API itself (status, code, message, offending field)."""

    def __init__(self, status: int, message: str, *, field: str | None = None,
                 code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.code = code or _CODES.get(status, "error")
        self.headers = headers or {}


def bad_request(message: str, field: str | None = None) -> ApiError:
    return ApiError(400, message, field=field)


def not_found(message: str = "not found") -> ApiError:
    return ApiError(404, message)


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        body["field"] = field
    resp = jsonify({"error": body})
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def wants_json_errors() -> bool:
    """API paths always answer errors in JSON; other paths (the web UI's) only if asked to."""
    path = request.path
    if path.startswith("/api/") or path in ("/healthz", "/readyz"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(err: ApiError) -> Response:
        return error_response(err.status, err.code, err.message, err.field, err.headers)

    @app.errorhandler(SearchError)
    def _search_error(err: SearchError) -> Response:
        return error_response(400, "bad_request", err.message, err.field)

    @app.errorhandler(BackendUnavailable)
    def _unavailable(err: BackendUnavailable) -> Response:
        log.warning("search backend unavailable: %s", err)
        return error_response(503, "unavailable", "the search service is temporarily unavailable",
                              headers={"Retry-After": "30"})

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException) -> WerkzeugResponse:
        if not wants_json_errors():
            return err.get_response()
        status = err.code or 500
        message = err.description or err.name
        resp = error_response(status, _CODES.get(status, "error"), _first_sentence(message))
        if status == 405 and err.get_response().headers.get("Allow"):
            resp.headers["Allow"] = err.get_response().headers["Allow"]
        return resp

    @app.errorhandler(Exception)
    def _bug(err: Exception) -> Response:
        # Only real bugs get here: every client mistake is an ApiError/SearchError above.
        log.exception("unhandled error on %s %s", request.method, request.full_path)
        return error_response(500, "internal_error", "internal server error")


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    return text.split(". ")[0].rstrip(".") + "." if text else text
