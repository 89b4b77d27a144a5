"""The corrections API (issue 19), under ``/api/v1``, with write-scope tokens as the tracker's.

- ``POST /documents/<id>/corrections`` ``{"field", "value", "reason"}``: correct a field of the
  review this document belongs to (every document of the review); 201 with the correction;
  the documents are re-indexed at once (search and facet counts show it);
- ``GET /documents/<id>/corrections``: the corrections of its review (what, when, why, which
  organisation; the old value and the account only for those who may correct the review, and
  oversight);
- ``POST /review-recommendations/<id>/corrections`` ``{"field": "text"|"scope"|"owners",
  "value", "reason"}``: correct a review recommendation;
- ``POST /corrections/<n>/remove`` ``{"reason"}``: take a correction out of force;
- ``GET /corrections/disagreements``: corrections a re-extraction disagrees with (admin and
  oversight).
Who may write: an editor of the review's Community Safety Partnership, or an admin. 400 for a
bad field or value (the message says which), 401 without a valid token, 403 for a read token or
another organisation's editor (audited; nothing changes), 404 for an unknown id; never 500.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, jsonify, request

from accountability.corrections import (
    CorrectionError,
    Forbidden,
    NotFound,
    add_recommendation_correction,
    add_review_correction,
    check_can_correct_recommendation,
    check_can_correct_review,
    check_can_remove,
    correction_dict,
    corrections_of_documents,
    disagreements,
    may_see_detail,
    parse_review_correction,
    remove_correction,
    review_documents,
)
from accountability.db import read_session
from accountability.models import Correction

from .errors import bad_request, not_found
from .ratelimit import rate_limited
from .security import require_json_acceptable
from .state import state
from .tracker_auth import bearer_principal, client_ip, refuse
from .tracker_state import tracker

corrections_api = Blueprint("corrections_api", __name__, url_prefix="/api/v1")

_DOC_ID = re.compile(r"^[0-9a-f]{64}$")
_REC_ID = re.compile(r"^rr-[0-9a-f]{16}$")
NOT_ALLOWED = ("you may not correct this review: it needs an editor of the review's Community "
               "Safety Partnership, or an admin")


@corrections_api.before_request
def _negotiate() -> None:
    require_json_acceptable()


def _body() -> Any:
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        body = None
    if body is None:
        raise bad_request("the body must be JSON (Content-Type: application/json)")
    return body


def _created(body: dict[str, Any], location: str) -> tuple[Response, int]:
    resp = jsonify(body)
    resp.headers["Location"] = location
    resp.headers["Cache-Control"] = "no-store"
    return resp, 201


def raw_backend() -> Any:
    return state().backend.backend


@corrections_api.post("/documents/<doc_id>/corrections")
@rate_limited
def correct_review(doc_id: str) -> tuple[Response, int]:
    who = bearer_principal(required=True, write=True)
    assert who is not None
    if not _DOC_ID.match(doc_id):
        raise not_found("no document with this id")
    engine, store = tracker().engine, state().store
    try:
        check_can_correct_review(engine, store, doc_id, who)
        try:
            data = parse_review_correction(_body())
            row = add_review_correction(engine, store, who, doc_id, data,
                                        backend=raw_backend(), ip=client_ip())
        except CorrectionError as err:
            raise bad_request(str(err), err.field) from None
    except NotFound:
        raise not_found("no document with this id") from None
    except Forbidden:
        raise refuse(403, "not_an_editor", NOT_ALLOWED, actor=who.actor,
                     target_type="document", target_id=doc_id) from None
    with read_session(engine) as s:
        stored = s.get(Correction, row.id)
        assert stored is not None
        out = correction_dict(s, stored, full=True)
    return _created(out, f"/api/v1/documents/{doc_id}/corrections")


@corrections_api.get("/documents/<doc_id>/corrections")
@rate_limited
def review_corrections(doc_id: str) -> Response:
    if request.args:
        raise bad_request(f"unknown parameter {next(iter(request.args))!r}")
    who = bearer_principal(required=False)
    if not _DOC_ID.match(doc_id):
        raise not_found("no document with this id")
    try:
        docs = review_documents(state().store, doc_id)
    except NotFound:
        raise not_found("no document with this id") from None
    full = may_see_detail(tracker().engine, who, docs[0].review.area)
    rows = corrections_of_documents(tracker().engine, [d.id for d in docs], full=full)
    resp = jsonify({"document": doc_id, "review_key": docs[0].review_key, "corrections": rows})
    resp.headers["Cache-Control"] = "private, no-store" if who else "no-cache"
    return resp


@corrections_api.post("/review-recommendations/<rec_id>/corrections")
@rate_limited
def correct_recommendation(rec_id: str) -> tuple[Response, int]:
    who = bearer_principal(required=True, write=True)
    assert who is not None
    if not _REC_ID.match(rec_id):
        raise not_found("no review recommendation with this id")
    engine = tracker().engine
    try:
        check_can_correct_recommendation(engine, rec_id, who)
        try:
            row = add_recommendation_correction(engine, who, rec_id, _body(),
                                                store=state().store, backend=raw_backend(),
                                                ip=client_ip())
        except CorrectionError as err:
            raise bad_request(str(err), err.field) from None
    except NotFound:
        raise not_found("no review recommendation with this id") from None
    except Forbidden:
        raise refuse(403, "not_an_editor", NOT_ALLOWED, actor=who.actor,
                     target_type="recommendation", target_id=rec_id) from None
    with read_session(engine) as s:
        stored = s.get(Correction, row.id)
        assert stored is not None
        out = correction_dict(s, stored, full=True)
    return _created(out, f"/api/v1/review-recommendations/{rec_id}")


@corrections_api.post("/corrections/<int:correction_id>/remove")
@rate_limited
def remove(correction_id: int) -> Response:
    who = bearer_principal(required=True, write=True)
    assert who is not None
    try:
        check_can_remove(tracker().engine, state().store, correction_id, who)
        body = _body()
        if not isinstance(body, dict) or set(body) - {"reason"}:
            raise bad_request("the body must be {\"reason\": \"...\"}")
        row = remove_correction(tracker().engine, state().store, who, correction_id,
                                body.get("reason"), backend=raw_backend(), ip=client_ip())
    except CorrectionError as err:
        raise bad_request(str(err), err.field) from None
    except NotFound:
        raise not_found("no correction in force with this id") from None
    except Forbidden:
        raise refuse(403, "not_an_editor", NOT_ALLOWED, actor=who.actor,
                     target_type="correction", target_id=str(correction_id)) from None
    with read_session(tracker().engine) as s:
        stored = s.get(Correction, row.id)
        assert stored is not None
        out = correction_dict(s, stored, full=True)
    resp = jsonify(out)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@corrections_api.get("/corrections/disagreements")
@rate_limited
def list_disagreements() -> Response:
    who = bearer_principal(required=True)
    assert who is not None
    if not (who.has_role("admin") or who.has_role("oversight")):
        raise refuse(403, "not_admin", "the list of disagreements is for admins and oversight",
                     actor=who.actor)
    rows = disagreements(tracker().engine, state().store)
    resp = jsonify({"total": len(rows), "disagreements": rows})
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
