"""The corrections part of the OpenAPI description (issue 19): correcting a review's fields or a
review recommendation, listing and removing corrections, and the disagreements list.

:mod:`search_api.openapi` merges these paths and schemas into the API v1 description; field
names and limits come from the code that enforces them (:mod:`dhr.corrections`,
:mod:`accountability.corrections`).
"""

from __future__ import annotations

from typing import Any

from accountability.corrections import MAX_REASON, REC_FIELDS
from dhr.corrections import FIELDS

from .openapi_tracker import PUBLIC_OR_TOKEN, _errors, _json, _ref

_DOC_ID = {"name": "doc_id", "in": "path", "required": True,
           "description": "A document's id (sha256 of the file); the correction applies to its "
                          "review's documents.",
           "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}
_REC_ID = {"name": "rec_id", "in": "path", "required": True,
           "description": "Stable id of a review recommendation.",
           "schema": {"type": "string", "pattern": "^rr-[0-9a-f]{16}$"}}
_CORRECTION_ID = {"name": "correction_id", "in": "path", "required": True,
                  "description": "A correction's id.",
                  "schema": {"type": "integer", "minimum": 0}}
_ANY: dict[str, Any] = {}


def _post(op_id: str, summary: str, params: list, body: str, ok_status: str, ok: dict,
          errors: tuple[int, ...]) -> dict[str, Any]:
    return {"post": {"operationId": op_id, "summary": summary, "tags": ["corrections"],
                     "security": [{"bearerAuth": []}], "parameters": params,
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": _ref(body)}}},
                     "responses": {ok_status: ok, **_errors(*errors)}}}


def corrections_paths() -> dict[str, Any]:
    return {
        "/api/v1/documents/{doc_id}/corrections": {
            **_post("correctReview", "Correct a field of the review this document belongs to "
                    "(write-scope token of an editor of the review's CSP, or an admin). The "
                    "review's documents are re-indexed at once.", [_DOC_ID],
                    "ReviewCorrectionRequest", "201",
                    _json(_ref("Correction"), "The stored correction."),
                    (400, 401, 403, 404, 406, 413, 429)),
            "get": {"operationId": "listReviewCorrections", "summary": "The corrections of the "
                    "review this document belongs to (old values and accounts only with a "
                    "token).", "tags": ["corrections"], "security": PUBLIC_OR_TOKEN,
                    "parameters": [_DOC_ID],
                    "responses": {"200": _json(_ref("CorrectionList"), "The corrections."),
                                  **_errors(400, 401, 404, 406, 429)}}},
        "/api/v1/review-recommendations/{rec_id}/corrections": _post(
            "correctRecommendation", "Correct a review recommendation's text, scope or owners "
            "(write-scope token of an editor of the review's CSP, or an admin). Every document "
            "that prints it carries the corrected value and is re-indexed at once (the "
            "recommendations search and its facet counts).", [_REC_ID],
            "RecommendationCorrectionRequest", "201",
            _json(_ref("Correction"), "The stored correction."),
            (400, 401, 403, 404, 406, 413, 429)),
        "/api/v1/corrections/{correction_id}/remove": _post(
            "removeCorrection", "Take a correction out of force, with a reason (the record is "
            "kept).", [_CORRECTION_ID], "RemoveCorrectionRequest", "200",
            _json(_ref("Correction"), "The correction, now removed."),
            (400, 401, 403, 404, 406, 413, 429)),
        "/api/v1/corrections/disagreements": {"get": {
            "operationId": "listCorrectionDisagreements", "summary": "Corrections a "
            "re-extraction disagrees with (admin and oversight): kind extraction_agrees, "
            "extraction_changed, or not_found (a document no longer prints the corrected "
            "recommendation clearly).", "tags": ["corrections"],
            "security": [{"bearerAuth": []}], "parameters": [],
            "responses": {"200": _json(_ref("DisagreementList"), "The disagreements."),
                          **_errors(400, 401, 403, 406, 429)}}},
    }


def corrections_schemas() -> dict[str, Any]:
    reason = {"type": "string", "minLength": 1, "maxLength": MAX_REASON}
    correction = {"type": "object", "required": ["id", "target", "field", "value", "reason",
                                                 "organisation", "created_at", "active"],
                  "properties": {"id": {"type": "integer"},
                                 "target": {"type": "string", "enum": ["review",
                                                                       "recommendation"]},
                                 "review_key": {"type": ["string", "null"]},
                                 "recommendation": {"type": ["string", "null"]},
                                 "field": {"type": "string"}, "value": _ANY, "old_value": _ANY,
                                 "reason": {"type": "string"},
                                 "organisation": {"type": ["object", "null"]},
                                 "created_at": {"type": "string"}, "active": {"type": "boolean"},
                                 "removed_at": {"type": ["string", "null"]},
                                 "removed_reason": {"type": ["string", "null"]},
                                 "by": {"type": ["string", "null"]},
                                 "documents": {"type": "array", "items": {"type": "string"}}}}
    return {
        "Correction": correction,
        "CorrectionList": {"type": "object", "required": ["document", "corrections"],
                           "properties": {"document": {"type": "string"},
                                          "review_key": {"type": ["string", "null"]},
                                          "corrections": {"type": "array",
                                                          "items": _ref("Correction")}}},
        "ReviewCorrectionRequest": {
            "type": "object", "additionalProperties": False,
            "required": ["field", "value", "reason"],
            "properties": {"field": {"type": "string", "enum": list(FIELDS)},
                           "value": {"description": "A taxonomy id, text, a year (-month), an "
                                     "age, null, or a list of ids (abuse_types, themes, "
                                     "agencies)."},
                           "reason": reason}},
        "RecommendationCorrectionRequest": {
            "type": "object", "additionalProperties": False,
            "required": ["field", "value", "reason"],
            "properties": {"field": {"type": "string", "enum": list(REC_FIELDS)},
                           "value": {"description": "text: the wording; scope: local, "
                                     "regional, national or null; owners: organisation ids."},
                           "reason": reason}},
        "RemoveCorrectionRequest": {"type": "object", "additionalProperties": False,
                                    "required": ["reason"], "properties": {"reason": reason}},
        "DisagreementList": {"type": "object", "required": ["total", "disagreements"],
                             "properties": {"total": {"type": "integer"},
                                            "disagreements": {"type": "array",
                                                              "items": {"type": "object"}}}},
    }
