"""The tracker's part of the OpenAPI description (accountability.md, "API additions"):
organisations, review recommendations and their updates, and the bearer-token scheme.

:mod:`search_api.openapi` merges these paths and schemas into the API v1 description; limits
and enums come from the code that enforces them (:mod:`search_api.tracker_api`,
:mod:`accountability.statuses`, :mod:`accountability.updates`).
"""

from __future__ import annotations

from typing import Any

from accountability.models import KINDS
from accountability.statuses import STATUSES
from accountability.updates import MAX_NOTE, MAX_URL

from .tracker_api import MAX_PAGE, MAX_VALUE, MAX_VALUES

REF = "#/components/schemas/{model}"
_S = {"type": ["string", "null"]}
_I = {"type": ["integer", "null"]}
_B = {"type": ["boolean", "null"]}
_YM = r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$"
_STATUS_LIST = "^(" + "|".join(STATUSES) + ")(,(" + "|".join(STATUSES) + "))*$"
_KIND_LIST = "^(" + "|".join(KINDS) + ")(,(" + "|".join(KINDS) + "))*$"
PUBLIC_OR_TOKEN: list[dict[str, list[str]]] = [{}, {"bearerAuth": []}]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def _json(schema: dict[str, Any], description: str,
          headers: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description,
                           "content": {"application/json": {"schema": schema}}}
    if headers:
        out["headers"] = headers
    return out


_ERRORS = {
    "400": "Invalid parameter or body (the error names it in `field`).",
    "401": "No valid API token: missing, malformed, unknown, expired or revoked.",
    "403": "The token may not do this (read scope, or not an editor of an owner).",
    "404": "No such organisation, review recommendation or recurring group.",
    "406": "The Accept header rules out JSON.",
    "413": "The body is too large.",
    "415": "The body is not JSON.",
    "429": "Too many requests from this client (rate limiting is on).",
}


def _errors(*statuses: int) -> dict[str, Any]:
    out = {}
    for status in statuses:
        headers = None
        if status == 429:
            headers = {"Retry-After": {"schema": {"type": "string"},
                                       "description": "Seconds to wait."}}
        if status == 401:
            headers = {"WWW-Authenticate": {"schema": {"type": "string"},
                                            "description": "Bearer."}}
        out[str(status)] = _json(_ref("Error"), _ERRORS[str(status)], headers)
    return out


def _q(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema, "allowEmptyValue": True, **extra}


def _many(name: str, item: dict[str, Any], description: str) -> dict[str, Any]:
    return _q(name, {"type": "array", "maxItems": MAX_VALUES,
                     "items": {"type": "string", "maxLength": MAX_VALUE, **item}},
              description + " Repeatable or comma-separated (OR).", style="form", explode=True)


_REC_ID = {"name": "rec_id", "in": "path", "required": True,
           "description": "Stable id of a review recommendation.",
           "schema": {"type": "string", "pattern": "^rr-[0-9a-f]{16}$"}}
_ORG_ID = {"name": "org_id", "in": "path", "required": True,
           "description": "Organisation id from the registry (a slug).",
           "schema": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 100}}
LIST_PARAMS = [
    _q("q", {"type": "string", "maxLength": 500}, "Words that must all appear in the text."),
    _many("owner", {}, "Owner organisation id."),
    _many("owner_kind", {"pattern": _KIND_LIST}, "Kind of owner organisation."),
    _many("status", {"pattern": _STATUS_LIST}, "Current status."),
    _q("overdue", {"type": "string", "enum": ["true", "false", "1", "0"]},
       "Only overdue (true) or only not overdue (false) recommendations."),
    _q("review_key", {"type": "string", "maxLength": 200}, "The review's key."),
    _q("area", {"type": "string", "maxLength": 200}, "The review's area (case-insensitive)."),
    _q("year_from", {"type": "integer", "minimum": 1900, "maximum": 2100},
       "Year of death, from."),
    _q("year_to", {"type": "integer", "minimum": 1900, "maximum": 2100}, "Year of death, to."),
    _q("page_size", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 20},
       f"Results per page (1-{MAX_PAGE}, default 20)."),
    _q("cursor", {"type": "string", "maxLength": 500}, "Opaque cursor from `next_cursor`."),
    _q("repeat", {"type": "string", "enum": ["true", "false", "1", "0"]},
       "Only recommendations that repeat an earlier review's (true), or only the others."),
    _q("recurring_group", {"type": "string", "pattern": "^rg-[0-9a-f]{16}$"},
       "Only the members of this recurring group."),
]
_GROUP_ID = {"name": "group_id", "in": "path", "required": True,
             "description": "Id of a recurring recommendation group.",
             "schema": {"type": "string", "pattern": "^rg-[0-9a-f]{16}$"}}
GROUP_PARAMS = [
    _q("q", {"type": "string", "maxLength": 500}, "Words that must all appear in the label."),
    _q("min_size", {"type": "integer", "minimum": 1, "maximum": 100000, "default": 2},
       "Only groups with at least this many recommendations (default 2)."),
    _q("page_size", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 20},
       f"Results per page (1-{MAX_PAGE}, default 20)."),
    _q("cursor", {"type": "string", "maxLength": 500}, "Opaque cursor from `next_cursor`."),
]


def tracker_paths() -> dict[str, Any]:
    def get(op_id, summary, params, ok, errors):
        return {"get": {"operationId": op_id, "summary": summary, "tags": ["tracker"],
                        "security": PUBLIC_OR_TOKEN, "parameters": params,
                        "responses": {"200": ok, **_errors(*errors)}}}

    return {
        "/api/v1/organisations": get(
            "listOrganisations", "The organisation registry.",
            [_many("kind", {"pattern": _KIND_LIST}, "Kind of organisation.")],
            _json(_ref("OrganisationList"), "Every organisation."), (400, 401, 406, 429)),
        "/api/v1/organisations/{org_id}": get(
            "getOrganisation", "One organisation and the status counts of what it owns.",
            [_ORG_ID], _json(_ref("OrganisationDetail"), "The organisation."),
            (400, 401, 404, 406, 429)),
        "/api/v1/review-recommendations": get(
            "listReviewRecommendations", "List and search review recommendations.",
            LIST_PARAMS, _json(_ref("ReviewRecommendationList"), "A page of results."),
            (400, 401, 406, 429)),
        "/api/v1/review-recommendations/{rec_id}": get(
            "getReviewRecommendation", "One review recommendation with its history (public "
            "part; non-public notes only for those allowed).", [_REC_ID],
            _json(_ref("ReviewRecommendationDetail"), "The review recommendation."),
            (400, 401, 404, 406, 429)),
        "/api/v1/oversight": get(
            "getOversight", "Oversight figures: review recommendations by status (with "
            "no_information), overdue, owner level (local, regional, national, government "
            "departments) and organisation, no owner, SMART score and repeats, each by year of "
            "death. `private` only for the oversight role and admins.", [],
            _json(_ref("Oversight"), "The figures."), (400, 401, 406, 429)),
        "/api/v1/recurring": get(
            "listRecurringGroups", "Recurring recommendation groups, largest first.",
            GROUP_PARAMS, _json(_ref("RecurringGroupList"), "A page of groups."),
            (400, 401, 406, 429)),
        "/api/v1/recurring/{group_id}": get(
            "getRecurringGroup", "One recurring recommendation group with its members.",
            [_GROUP_ID], _json(_ref("RecurringGroupDetail"), "The group."),
            (400, 401, 404, 406, 429)),
        "/api/v1/review-recommendations/{rec_id}/updates": {"post": {
            "operationId": "addUpdate", "summary": "Add an update (write-scope token of an editor "
            "of an owning organisation or of the review's CSP).", "tags": ["tracker"],
            "security": [{"bearerAuth": []}], "parameters": [_REC_ID],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("UpdateRequest")}}},
            "responses": {"201": _json(_ref("Update"), "The stored update.", {
                "Location": {"schema": {"type": "string"},
                             "description": "The review recommendation."}}),
                **_errors(400, 401, 403, 404, 406, 413, 429)}}},
    }


def tracker_schemas() -> dict[str, Any]:
    org_ref = {"type": ["object", "null"], "required": ["id", "name"],
               "properties": {"id": _S, "name": _S}}
    organisation: dict[str, Any] = {"type": "object",
                                    "required": ["id", "name", "kind", "agency", "region",
                                                   "aliases", "url"],
                    "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                   "kind": {"type": "string", "enum": list(KINDS)},
                                   "agency": _S, "region": _S,
                                   "aliases": {"type": "array", "items": {"type": "string"}},
                                   "url": {"type": "string"}}}
    summary_props = {
        "id": {"type": "string"}, "review_key": {"type": "string"}, "number": _S,
        "text": {"type": "string"},
        "owners": {"type": "array", "items": {"type": "object", "required": ["id", "name"],
                                              "properties": {"id": _S, "name": _S}}},
        "scope": _S, "status": {"type": ["string", "null"], "enum": [*STATUSES, None]},
        "target_date": _S, "overdue": _B,
        "documents": {"type": "array", "items": {"type": "object", "required": ["id", "page"],
                                                 "properties": {"id": {"type": "string"},
                                                                "page": _I}}},
        "recurring_group": {
            "type": ["object", "null"],
            "required": ["id", "label", "size", "reviews", "made_before", "since", "repeat", "url"],
            "properties": {"id": {"type": "string"}, "label": {"type": "string"},
                           "size": {"type": "integer"}, "reviews": {"type": "integer"},
                           "made_before": {"type": "integer"}, "since": _I,
                           "repeat": {"type": "boolean"}, "url": {"type": "string"}}},
        "url": {"type": "string"}}
    update = {"type": "object",
              "required": ["seq", "created_at", "source", "status", "public", "note"],
              "properties": {
                  "id": {"type": "integer"}, "seq": {"type": "integer"},
                  "created_at": {"type": "string"},
                  "source": {"type": "string", "enum": ["user", "published"]},
                  "status": {"type": ["string", "null"], "enum": [*STATUSES, None]},
                  "public": {"type": "boolean"}, "note": _S, "evidence_url": _S,
                  "evidence_file": {"type": ["object", "null"]}, "target_date": _S,
                  "organisation": org_ref, "document": _S, "by": _S,
                  "recommendation": {"type": "string"}}}
    detail = {"type": "object", "required": [*summary_props, "history", "actions", "review"],
              "properties": {**summary_props, "review": {"type": "object"},
                             "owner_source": _S, "smart_score": _I,
                             "themes": {"type": "array", "items": {"type": "string"}},
                             "state": {"type": "string", "enum": ["current", "missing"]},
                             "actions": {"type": "array", "items": {"type": "object"}},
                             "history": {"type": "array", "items": _ref("Update")},
                             "made_before": {"type": "array", "items": {"type": "object"}}}}
    count = {"type": "object", "required": ["key", "count", "by_year"],
             "properties": {"key": {"type": "string"}, "count": {"type": "integer"},
                            "by_year": {"type": "object",
                                        "additionalProperties": {"type": "integer"}}}}
    counts = {"type": "array", "items": count}
    nullable_counts = {"type": ["array", "null"], "items": count}
    oversight = {
        "type": "object",
        "required": ["as_of", "years", "statuses_public", "total", "by_owner_level",
                     "by_owner_kind", "no_owner",
                     "by_organisation", "smart", "repeats", "by_status", "overdue"],
        "properties": {
            "as_of": {"type": "string", "format": "date"},
            "years": {"type": "array", "items": {"type": "string"}},
            "statuses_public": {"type": "boolean"},
            "total": count, "no_owner": count, "smart": counts,
            "by_owner_level": counts, "by_owner_kind": counts, "by_status": nullable_counts,
            "overdue": {"oneOf": [count, {"type": "null"}]},
            "by_organisation": {"type": "array", "items": {
                "type": "object",
                "required": ["id", "name", "kind", "level", "count", "by_year"],
                "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                               "kind": _S, "level": {"type": "string"},
                               "count": {"type": "integer"}, "by_year": {"type": "object"},
                               "statuses": {"type": "object"}, "overdue": _I}}},
            "repeats": {"type": "object", "required": ["available", "count", "by_year"],
                        "properties": {"available": {"type": "boolean"},
                                       "count": {"type": "integer"},
                                       "by_year": {"type": "object"},
                                       "in_recurring_group": count}},
            "private": {"type": "object", "description": "Oversight role and admins only."},
        }}
    group_props = {
        "id": {"type": "string"}, "label": {"type": "string"}, "size": {"type": "integer"},
        "reviews": {"type": "integer"}, "first_year": _I, "last_year": _I,
        "areas": {"type": "array", "items": {"type": "string"}},
        "owner_kinds": {"type": "object", "additionalProperties": {"type": "integer"}},
        "themes": {"type": "array", "items": {"type": "string"}},
        "status_mix": {"type": ["object", "null"],
                       "additionalProperties": {"type": "integer"}},
        "url": {"type": "string"}}
    group = {"type": "object", "required": list(group_props), "properties": group_props}
    return {
        "Oversight": oversight,
        "Organisation": organisation,
        "OrganisationList": {"type": "object", "required": ["total", "results"],
                             "properties": {"total": {"type": "integer"},
                                            "results": {"type": "array",
                                                        "items": _ref("Organisation")}}},
        "OrganisationDetail": {**organisation, "required": [*organisation["required"],
                                                            "recommendations"],
                               "properties": {**organisation["properties"],
                                              "recommendations": {"type": "object"},
                                              "csp_reviews": {"type": "integer"}}},
        "ReviewRecommendation": {"type": "object", "required": list(summary_props),
                                 "properties": summary_props},
        "ReviewRecommendationList": {
            "type": "object", "required": ["total", "results", "next_cursor"],
            "properties": {"total": {"type": "integer"},
                           "results": {"type": "array", "items": _ref("ReviewRecommendation")},
                           "next_cursor": _S}},
        "ReviewRecommendationDetail": detail,
        "RecurringGroup": group,
        "RecurringGroupList": {
            "type": "object", "required": ["total", "results", "next_cursor"],
            "properties": {"total": {"type": "integer"},
                           "results": {"type": "array", "items": _ref("RecurringGroup")},
                           "next_cursor": _S}},
        "RecurringGroupDetail": {
            "type": "object", "required": [*group_props, "members"],
            "properties": {**group_props,
                           "members": {"type": "array", "items": {"type": "object"}}}},
        "Update": update,
        "UpdateRequest": {
            "type": "object", "additionalProperties": False, "minProperties": 1,
            "properties": {
                "status": {"type": "string", "enum": list(STATUSES)},
                "note": {"type": "string", "maxLength": MAX_NOTE},
                "public": {"type": "boolean", "default": False},
                "evidence_url": {"type": "string", "maxLength": MAX_URL,
                                 "pattern": "^https?://"},
                "target_date": {"type": "string", "pattern": _YM}}},
    }


SECURITY_SCHEMES = {"bearerAuth": {"type": "http", "scheme": "bearer",
                                   "description": "A personal API token from `dhr tokens "
                                                  "create` (dhr_<id>_<secret>)."}}
