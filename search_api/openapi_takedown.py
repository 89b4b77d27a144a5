"""The takedown API's part of the OpenAPI description (``/api/v1/admin/...``, admins and
oversight with bearer tokens; :mod:`search_api.takedown_api`). Merged by
:mod:`search_api.openapi` like the tracker's part."""

from __future__ import annotations

from typing import Any

from accountability.models.takedown import CATEGORIES, STATES
from accountability.takedown import MAX_REASON

from .openapi_tracker import _errors, _json, _ref

TOKEN: list[dict[str, list[str]]] = [{"bearerAuth": []}]
_S = {"type": ["string", "null"]}
_SUP_ID = {"name": "sup_id", "in": "path", "required": True,
           "description": "A suppression's id.",
           "schema": {"type": "string", "pattern": "^sup-[0-9a-f]{16}$"}}
_DOC_ID = {"name": "doc_id", "in": "path", "required": True,
           "description": "A document id (sha256 of the file).",
           "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}
_REASON = {"type": "string", "minLength": 1, "maxLength": MAX_REASON}


def _post(op_id: str, summary: str, params: list, body: str, ok_status: str,
          ok: dict[str, Any]) -> dict[str, Any]:
    return {"post": {"operationId": op_id, "summary": summary, "tags": ["takedown"],
                     "security": TOKEN, "parameters": params,
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": _ref(body)}}},
                     "responses": {ok_status: ok,
                                   **_errors(400, 401, 403, 404, 406, 413, 429),
                                   "409": _json(_ref("Error"), "The suppression is not in a "
                                                "state that allows this (already suppressed, "
                                                "restored or deleted).")}}}


def _get(op_id: str, summary: str, params: list, ok: dict[str, Any]) -> dict[str, Any]:
    return {"get": {"operationId": op_id, "summary": summary, "tags": ["takedown"],
                    "security": TOKEN, "parameters": params,
                    "responses": {"200": ok, **_errors(400, 401, 403, 404, 406, 429)}}}


def takedown_paths() -> dict[str, Any]:
    return {
        "/api/v1/admin/suppressions": {
            **_get("listSuppressions", "Suppressions, newest first (admins and oversight).",
                   [{"name": "state", "in": "query", "required": False,
                     "description": "Only suppressions in this state.",
                     "schema": {"type": "string", "enum": list(STATES)}}],
                   _json(_ref("SuppressionList"), "The suppressions.")),
            **_post("suppress", "Suppress a document or a whole review at once (admin, "
                    "write-scope token).", [], "SuppressionRequest", "201",
                    _json(_ref("Suppression"), "The suppression.",
                          {"Location": {"schema": {"type": "string"},
                                        "description": "The suppression."}}))},
        "/api/v1/admin/suppressions/{sup_id}": _get(
            "getSuppression", "One suppression.", [_SUP_ID],
            _json(_ref("Suppression"), "The suppression.")),
        "/api/v1/admin/suppressions/{sup_id}/restore": _post(
            "restoreSuppression", "Restore: the documents are shown again.", [_SUP_ID],
            "RestoreRequest", "200", _json(_ref("Suppression"), "The ended suppression.")),
        "/api/v1/admin/suppressions/{sup_id}/delete": _post(
            "deleteSuppressed", "Hard deletion (a legal order): the files go, a tombstone stays.",
            [_SUP_ID], "DeleteRequest", "200", _json(_ref("Suppression"), "The record.")),
        "/api/v1/admin/documents/{doc_id}": _get(
            "getAdminDocument", "A stored Document, suppressed or not (admins and oversight).",
            [_DOC_ID], _json({"type": "object"}, "The Document, with `suppressed`.")),
    }


def takedown_schemas() -> dict[str, Any]:
    sup = {"type": "object",
           "required": ["id", "target_type", "target_id", "category", "reason", "state",
                        "documents", "created_at", "created_by"],
           "properties": {"id": {"type": "string"},
                          "target_type": {"type": "string", "enum": ["document", "review"]},
                          "target_id": {"type": "string"},
                          "category": {"type": "string", "enum": list(CATEGORIES)},
                          "category_label": {"type": "string"}, "reason": {"type": "string"},
                          "state": {"type": "string", "enum": list(STATES)},
                          "documents": {"type": "array", "items": {"type": "string"}},
                          "urls": {"type": "array", "items": {"type": "string"}},
                          "created_at": {"type": "string"}, "created_by": {"type": "string"},
                          "ended_at": _S, "ended_by": _S, "end_reason": _S,
                          "url": {"type": "string"}}}
    return {
        "Suppression": sup,
        "SuppressionList": {"type": "object", "required": ["total", "results"],
                            "properties": {"total": {"type": "integer"},
                                           "results": {"type": "array",
                                                       "items": _ref("Suppression")}}},
        "SuppressionRequest": {
            "type": "object", "additionalProperties": False, "required": ["category", "reason"],
            "properties": {"document": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                           "review_key": {"type": "string", "maxLength": 200},
                           "category": {"type": "string", "enum": list(CATEGORIES)},
                           "reason": _REASON}},
        "RestoreRequest": {"type": "object", "additionalProperties": False,
                           "required": ["reason"], "properties": {"reason": _REASON}},
        "DeleteRequest": {"type": "object", "additionalProperties": False,
                          "required": ["reason", "confirm"],
                          "properties": {"reason": _REASON, "confirm": {"const": True}}},
    }
