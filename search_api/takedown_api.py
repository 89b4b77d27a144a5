"""The takedown API for admins, under ``/api/v1/admin`` (bearer tokens, as the tracker's API).

- ``GET /suppressions`` (``?state=active|restored|deleted``), ``GET /suppressions/<id>``:
  admins and oversight (any valid token of theirs);
- ``GET /documents/<id>``: a stored Document as admins and oversight see it, suppressed or not,
  with ``"suppressed"`` naming the suppression;
- ``POST /suppressions`` ``{"document": sha256 | "review_key": key, "category", "reason"}``:
  201; ``POST /suppressions/<id>/restore`` ``{"reason"}``: 200;
  ``POST /suppressions/<id>/delete`` ``{"reason", "confirm": true}``: 200 (a legal order).
  Writes need a write-scope token of an admin; anything else is 401/403, audited, and changes
  nothing. 400 for a bad body, 404 for an unknown target, 409 for a suppression in the wrong
  state; never 500 for client input.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from accountability import takedown
from accountability.accounts import Principal
from accountability.db import read_session

from .errors import ApiError, bad_request, not_found
from .ratelimit import rate_limited
from .security import require_json_acceptable
from .state import state
from .tracker_auth import bearer_principal, client_ip, refuse
from .tracker_state import tracker

takedown_api = Blueprint("takedown_api", __name__, url_prefix="/api/v1/admin")


@takedown_api.before_request
def _negotiate() -> None:
    require_json_acceptable()


def _reader() -> Principal:
    who = bearer_principal(required=True)
    assert who is not None
    if not takedown.visible_to(who):
        raise refuse(403, "not_admin", "only admins and oversight may see suppressions",
                     actor=who.actor, target_type="takedown", target_id=request.path)
    return who


def _writer(target_id: str | None = None) -> Principal:
    who = bearer_principal(required=True, write=True)
    assert who is not None
    try:
        takedown.check_can_write(who)
    except takedown.NotAllowed:
        raise refuse(403, "not_admin", "only an admin may suppress, restore or delete",
                     actor=who.actor, target_type="takedown",
                     target_id=target_id or request.path) from None
    return who


def _body(allowed: set[str]) -> dict[str, Any]:
    try:
        body: Any = request.get_json(silent=True)
    except RecursionError:
        body = None
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object (Content-Type: application/json)")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise bad_request(f"unknown field {unknown[0]!r}", unknown[0])
    return body


def _error(err: takedown.TakedownError) -> ApiError:
    if err.code == "not_found":
        return not_found(str(err))
    if err.code == "conflict":
        return ApiError(409, str(err), code="conflict", field=err.field)
    return bad_request(str(err), err.field)


def _no_store(resp: Response) -> Response:
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@takedown_api.get("/suppressions")
@rate_limited
def suppressions() -> Response:
    _reader()
    unknown = sorted(set(request.args) - {"state"})
    if unknown:
        raise bad_request(f"unknown parameter {unknown[0]!r}", unknown[0])
    wanted = request.args.get("state") or None
    if wanted is not None and wanted not in takedown.STATES:
        raise bad_request(f"state must be one of {', '.join(takedown.STATES)}", "state")
    with read_session(tracker().engine) as s:
        rows = takedown.list_suppressions(s, wanted)
    return _no_store(jsonify({"total": len(rows), "results": rows}))


@takedown_api.get("/suppressions/<sup_id>")
@rate_limited
def suppression(sup_id: str) -> Response:
    _reader()
    with read_session(tracker().engine) as s:
        body = takedown.get_suppression(s, sup_id)
    if body is None:
        raise not_found("no suppression with this id")
    return _no_store(jsonify(body))


@takedown_api.get("/documents/<doc_id>")
@rate_limited
def admin_document(doc_id: str) -> Response:
    """The stored Document, suppressed or not, marked (admins and oversight)."""
    _reader()
    doc = state().store.get_document(doc_id) if takedown.is_document_id(doc_id) else None
    if doc is None:
        raise not_found("no stored document with this id")
    body = doc.to_json_dict()
    body.pop("pages", None)
    with read_session(tracker().engine) as s:
        hidden = takedown.hidden(s)
        sups = [r for r in takedown.list_suppressions(s, "active")
                if doc_id in r["documents"] or r["target_id"] in (doc_id, doc.review_key)]
    body["suppressed"] = ({"suppression": sups[0]["id"], "category": sups[0]["category"],
                           "reason": sups[0]["reason"]} if sups else
                          True if hidden.document(doc_id, doc.review_key) else None)
    return _no_store(jsonify(body))


@takedown_api.post("/suppressions")
@rate_limited
def create_suppression() -> tuple[Response, int]:
    who = _writer()
    body = _body({"document", "review_key", "category", "reason"})
    try:
        req = takedown.parse_request(body)
        st = state()
        out = takedown.suppress(tracker().engine, st.store, st.backend.backend, who.actor,
                                document=req.get("document"), review_key=req.get("review_key"),
                                category=req["category"], reason=req["reason"], ip=client_ip())
    except takedown.TakedownError as err:
        raise _error(err) from None
    resp = _no_store(jsonify(out))
    resp.headers["Location"] = out["url"]
    return resp, 201


@takedown_api.post("/suppressions/<sup_id>/restore")
@rate_limited
def restore_suppression(sup_id: str) -> Response:
    who = _writer(sup_id)
    body = _body({"reason"})
    try:
        st = state()
        out = takedown.restore(tracker().engine, st.store, st.backend.backend, who.actor, sup_id,
                               reason=body.get("reason"), ip=client_ip())  # type: ignore[arg-type]
    except takedown.TakedownError as err:
        raise _error(err) from None
    return _no_store(jsonify(out))


@takedown_api.post("/suppressions/<sup_id>/delete")
@rate_limited
def delete_suppressed(sup_id: str) -> Response:
    who = _writer(sup_id)
    body = _body({"reason", "confirm"})
    if body.get("confirm") is not True:
        raise bad_request("hard deletion cannot be undone: send \"confirm\": true", "confirm")
    try:
        st = state()
        out = takedown.hard_delete(tracker().engine, st.store, st.backend.backend, who.actor,
                                   sup_id, reason=body.get("reason"),  # type: ignore[arg-type]
                                   ip=client_ip())
    except takedown.TakedownError as err:
        raise _error(err) from None
    return _no_store(jsonify(out))
