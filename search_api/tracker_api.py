"""The tracker's JSON API (accountability.md, "API additions"), under ``/api/v1``.

- ``GET /organisations``, ``GET /organisations/<id>``: the registry; one organisation with the
  status counts of the recommendations it owns;
- ``GET /review-recommendations``: list and search (``q``, ``owner``, ``owner_kind``,
  ``status``, ``overdue``, ``review_key``, ``area``, ``year_from``, ``year_to``, ``page_size``,
  ``cursor``);
- ``GET /review-recommendations/<id>``: one, with its public history (non-public notes only for
  those allowed);
- ``GET /recurring``, ``GET /recurring/<id>``: recurring recommendation groups (largest
  first; ``q`` in the label, ``min_size``, ``page_size``, ``cursor``) and one group with its
  members; ``repeat=true|false`` on the list of review recommendations keeps those that
  repeat an earlier review's (or not);
- ``POST /review-recommendations/<id>/updates``: add an update (write-scope token of an editor
  of an owning organisation or of the review's CSP): 201, 400, 401, 403, 404; never 500.
Reads are public (statuses only if ``tracker.public_status``); a token, when sent, must be valid.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.datastructures import MultiDict

from accountability.db import read_session
from accountability.models import KINDS
from accountability.permissions import can_read_status
from accountability.queries import (
    CursorError,
    RecFilters,
    list_organisations,
    list_recommendations,
    organisation_detail,
    recommendation_detail,
    update_dict,
)
from accountability.recurring import CursorError as GroupCursorError
from accountability.recurring import group_detail, list_groups
from accountability.statuses import STATUSES
from accountability.updates import (
    Forbidden,
    NotFound,
    UpdateError,
    add_update,
    check_can_update,
    parse_update,
)

from .errors import bad_request, not_found
from .ratelimit import rate_limited
from .security import require_json_acceptable
from .tracker_auth import bearer_principal, client_ip, refuse
from .tracker_state import tracker

tracker_api = Blueprint("tracker_api", __name__, url_prefix="/api/v1")

_REC_ID = re.compile(r"^rr-[0-9a-f]{16}$")
_ORG_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LIST_PARAMS = {"q", "owner", "owner_kind", "status", "overdue", "review_key", "area",
               "year_from", "year_to", "page_size", "cursor", "repeat", "recurring_group"}
_GROUP_ID = re.compile(r"^rg-[0-9a-f]{16}$")
MAX_PAGE = 100


@tracker_api.before_request
def _negotiate() -> None:
    require_json_acceptable()


MAX_VALUES = 20
MAX_VALUE = 500


def _clean(name: str, value: str, max_len: int) -> str:
    if len(value) > max_len:
        raise bad_request(f"{name} is too long (at most {max_len} characters)", name)
    if any(ord(c) < 32 for c in value):
        raise bad_request(f"{name} contains control characters", name)
    return value


def _values(args: MultiDict, name: str) -> list[str]:
    raw = args.getlist(name)
    if len(raw) > MAX_VALUES:
        raise bad_request(f"{name} may be given at most {MAX_VALUES} times", name)
    out: list[str] = []
    for v in raw:
        out += [p.strip() for p in _clean(name, v, MAX_VALUE).split(",") if p.strip()]
    return out


def _single(args: MultiDict, name: str, max_len: int = 200) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        raise bad_request(f"{name} may be given once", name)
    if not values or not values[0].strip():
        return None
    return _clean(name, values[0], max_len).strip()


def _int(args: MultiDict, name: str, lo: int, hi: int) -> int | None:
    v = _single(args, name, 12)
    if v is None:
        return None
    if not re.fullmatch(r"[0-9]{1,6}", v) or not lo <= int(v) <= hi:
        raise bad_request(f"{name} must be a whole number from {lo} to {hi}", name)
    return int(v)


def _filters(args: MultiDict) -> tuple[RecFilters, int, str | None]:
    unknown = sorted(set(args) - LIST_PARAMS)
    if unknown:
        raise bad_request(f"unknown parameter {unknown[0]!r}", unknown[0])
    f = RecFilters(q=_single(args, "q", 500), review_key=_single(args, "review_key"),
                   area=_single(args, "area"))
    f.owner = _values(args, "owner")
    f.owner_kind = _values(args, "owner_kind")
    f.status = _values(args, "status")
    for kind in f.owner_kind:
        if kind not in KINDS:
            raise bad_request(f"owner_kind must be one of {', '.join(KINDS)}", "owner_kind")
    for status in f.status:
        if status not in STATUSES:
            raise bad_request(f"status must be one of {', '.join(STATUSES)}", "status")
    overdue = _single(args, "overdue", 10)
    if overdue is not None:
        if overdue not in ("true", "false", "1", "0"):
            raise bad_request("overdue must be true or false", "overdue")
        f.overdue = overdue in ("true", "1")
    repeat = _single(args, "repeat", 10)
    if repeat is not None:
        if repeat not in ("true", "false", "1", "0"):
            raise bad_request("repeat must be true or false", "repeat")
        f.repeat = repeat in ("true", "1")
    group = _single(args, "recurring_group", 40)
    if group is not None and not _GROUP_ID.match(group):
        raise bad_request("recurring_group must be a group id such as rg-0123456789abcdef",
                          "recurring_group")
    f.recurring_group = group
    f.year_from = _int(args, "year_from", 1900, 2100)
    f.year_to = _int(args, "year_to", 1900, 2100)
    size = _int(args, "page_size", 1, MAX_PAGE) or 20
    return f, size, _single(args, "cursor", 500)


@tracker_api.get("/organisations")
@rate_limited
def organisations() -> Response:
    unknown = sorted(set(request.args) - {"kind"})
    if unknown:
        raise bad_request(f"unknown parameter {unknown[0]!r}", unknown[0])
    kinds = _values(request.args, "kind")
    for kind in kinds:
        if kind not in KINDS:
            raise bad_request(f"kind must be one of {', '.join(KINDS)}", "kind")
    bearer_principal(required=False)
    with read_session(tracker().engine) as s:
        return jsonify(list_organisations(s, kinds or None))


@tracker_api.get("/organisations/<org_id>")
@rate_limited
def organisation(org_id: str) -> Response:
    if request.args:
        raise bad_request(f"unknown parameter {next(iter(request.args))!r}")
    who = bearer_principal(required=False)
    body = None
    if _ORG_ID.match(org_id) and len(org_id) <= 100:
        with read_session(tracker().engine) as s:
            body = organisation_detail(s, org_id, viewer=who,
                                       public_status=tracker().public_status)
    if body is None:
        raise not_found("no organisation with this id")
    return jsonify(body)


@tracker_api.get("/review-recommendations")
@rate_limited
def review_recommendations() -> Response:
    f, size, cursor = _filters(request.args)
    who = bearer_principal(required=False)
    if (f.status or f.overdue is not None) and who is None and not tracker().public_status:
        err = refuse(401, "statuses_private", "statuses are not public here: send an API token "
                     "to filter by status")
        err.field = "status"
        raise err
    try:
        with read_session(tracker().engine) as s:
            body = list_recommendations(s, f, viewer=who, public_status=tracker().public_status,
                                        page_size=size, cursor=cursor)
    except CursorError as err:
        raise bad_request(str(err), "cursor") from None
    return jsonify(body)


@tracker_api.get("/review-recommendations/<rec_id>")
@rate_limited
def review_recommendation(rec_id: str) -> Response:
    if request.args:
        raise bad_request(f"unknown parameter {next(iter(request.args))!r}")
    who = bearer_principal(required=False)
    body = None
    if _REC_ID.match(rec_id):
        with read_session(tracker().engine) as s:
            body = recommendation_detail(s, rec_id, viewer=who,
                                         public_status=tracker().public_status)
    if body is None:
        raise not_found("no review recommendation with this id")
    resp = jsonify(body)
    resp.headers["Cache-Control"] = "private, no-store" if who else "no-cache"
    return resp


@tracker_api.get("/recurring")
@rate_limited
def recurring_groups() -> Response:
    unknown = sorted(set(request.args) - {"q", "min_size", "page_size", "cursor"})
    if unknown:
        raise bad_request(f"unknown parameter {unknown[0]!r}", unknown[0])
    q = _single(request.args, "q", 500)
    min_size = _int(request.args, "min_size", 1, 100000) or 2
    size = _int(request.args, "page_size", 1, MAX_PAGE) or 20
    cursor = _single(request.args, "cursor", 500)
    who = bearer_principal(required=False)
    show = can_read_status(who, tracker().public_status)
    try:
        with read_session(tracker().engine) as s:
            body = list_groups(s, show_status=show, min_size=min_size, page_size=size,
                               cursor=cursor, q=q, viewer=who)
    except GroupCursorError as err:
        raise bad_request(str(err), "cursor") from None
    return jsonify(body)


@tracker_api.get("/recurring/<group_id>")
@rate_limited
def recurring_group(group_id: str) -> Response:
    if request.args:
        raise bad_request(f"unknown parameter {next(iter(request.args))!r}")
    who = bearer_principal(required=False)
    body = None
    if _GROUP_ID.match(group_id):
        with read_session(tracker().engine) as s:
            body = group_detail(s, group_id, viewer=who,
                                show_status=can_read_status(who, tracker().public_status))
    if body is None:
        raise not_found("no recurring group with this id")
    return jsonify(body)


@tracker_api.post("/review-recommendations/<rec_id>/updates")
@rate_limited
def add_recommendation_update(rec_id: str) -> tuple[Response, int]:
    who = bearer_principal(required=True, write=True)
    assert who is not None
    if not _REC_ID.match(rec_id):
        raise not_found("no review recommendation with this id")
    try:
        check_can_update(tracker().engine, rec_id, who)
        try:
            body: Any = request.get_json(silent=True)
        except RecursionError:  # nested deeper than the JSON parser's recursion limit
            body = None
        if body is None:
            raise bad_request("the body must be JSON (Content-Type: application/json)")
        try:
            data = parse_update(body)
        except UpdateError as err:
            raise bad_request(str(err), err.field) from None
        upd = add_update(tracker().engine, rec_id, who, data, ip=client_ip())
    except NotFound:
        raise not_found("no review recommendation with this id") from None
    except Forbidden:
        raise refuse(403, "not_an_editor", "you may not update this recommendation: it needs an "
                     "editor of an owning organisation or of the review's CSP", actor=who.actor,
                     target_type="recommendation", target_id=rec_id) from None
    with read_session(tracker().engine) as s:
        from accountability.models import Update

        stored = s.get(Update, upd.id)
        assert stored is not None  # just written
        out = update_dict(s, stored)
    out["recommendation"] = rec_id
    resp = jsonify(out)
    resp.headers["Location"] = f"/api/v1/review-recommendations/{rec_id}"
    resp.headers["Cache-Control"] = "no-store"
    return resp, 201
