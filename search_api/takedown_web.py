"""The takedown pages for admins: ``/admin/takedown`` lists suppressions and has the form to
suppress a document or a review; ``/admin/takedown/<id>`` shows one (its documents as stored,
marked suppressed) with the forms to restore it or, for a legal order, delete it for good.

Admins and oversight may read these pages; only admins may post. Sessions and CSRF tokens as
on every tracker form (:mod:`search_api.tracker_auth`); a refusal is audited and changes
nothing. GOV.UK Design System markup, no inline script or style.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from accountability import takedown
from accountability.accounts import Principal
from accountability.db import read_session

from .state import state
from .tracker_auth import client_ip, refuse, session_principal
from .tracker_state import tracker

takedown_web = Blueprint("takedown_web", __name__, template_folder="templates",
                         url_prefix="/admin/takedown")

FIELD_MESSAGES = {
    "document": "Enter a document id (64 letters and numbers) or a review key, not both",
    "review_key": "Enter a review key that exists, or a document id",
    "category": "Choose a category",
    "reason": "Enter the reason, in 2,000 characters or fewer",
    "confirm": "Tick the box to confirm that the files are to be deleted for good",
}


def _page(template: str, status: int = 200, **context: Any) -> Response:
    resp = Response(render_template(template, **context), status=status, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Content-Language"] = "en-GB"
    return resp


def _denied(who: Principal, write: bool) -> Response:
    refuse(403, "not_admin", "not an admin", actor=who.actor, target_type="takedown",
           target_id=request.path)
    return _page("tracker_message.html", 403, title="You cannot do this",
                 message=("Only administrators can suppress, restore or delete documents."
                          if write else "Only administrators and oversight bodies can see "
                          "suppressed documents."))


def _categories() -> list[tuple[str, str]]:
    return [(c, takedown.CATEGORY_LABELS[c]) for c in takedown.CATEGORIES]


@takedown_web.route("", methods=["GET", "POST"])
@login_required
def index() -> ResponseReturnValue:
    who = session_principal()
    assert who is not None
    if not takedown.visible_to(who):
        return _denied(who, request.method == "POST")
    errors: dict[str, str] = {}
    form = {"document": "", "review_key": "", "category": "", "reason": ""}
    if request.method == "POST":
        if not who.has_role("admin"):
            return _denied(who, True)
        form = {k: (request.form.get(k) or "").strip() for k in form}
        try:
            req = takedown.parse_request(form)
            st = state()
            out = takedown.suppress(tracker().engine, st.store, st.backend.backend, who.actor,
                                    document=req.get("document"),
                                    review_key=req.get("review_key"),
                                    category=req["category"], reason=req["reason"],
                                    ip=client_ip())
            return redirect(url_for("takedown_web.detail", sup_id=out["id"]), 303)
        except takedown.TakedownError as err:
            field = err.field or "document"
            errors[field] = (str(err) if err.code in ("not_found", "conflict")
                             else FIELD_MESSAGES.get(field, str(err)))
    with read_session(tracker().engine) as s:
        rows = takedown.list_suppressions(s)
    return _page("takedown.html", 400 if errors else 200, rows=rows, errors=errors, form=form,
                 categories=_categories(), can_write=who.has_role("admin"))


@takedown_web.route("/<sup_id>", methods=["GET", "POST"])
@login_required
def detail(sup_id: str) -> ResponseReturnValue:
    who = session_principal()
    assert who is not None
    if not takedown.visible_to(who):
        return _denied(who, request.method == "POST")
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not who.has_role("admin"):
            return _denied(who, True)
        action = request.form.get("action")
        reason = request.form.get("reason") or ""
        st = state()
        try:
            if action == "restore":
                takedown.restore(tracker().engine, st.store, st.backend.backend, who.actor,
                                 sup_id, reason=reason, ip=client_ip())
            elif action == "delete":
                if request.form.get("confirm") != "yes":
                    raise takedown.TakedownError("confirm", "confirm")
                takedown.hard_delete(tracker().engine, st.store, st.backend.backend, who.actor,
                                     sup_id, reason=reason, ip=client_ip())
            else:
                raise takedown.TakedownError("unknown action", "reason")
            return redirect(url_for("takedown_web.detail", sup_id=sup_id), 303)
        except takedown.TakedownError as err:
            if err.code == "not_found":
                return _page("tracker_message.html", 404, title="Page not found",
                             message="There is no suppression with this id.")
            field = err.field or "reason"
            errors[field] = (str(err) if err.code == "conflict"
                             else FIELD_MESSAGES.get(field, str(err)))
    with read_session(tracker().engine) as s:
        row = takedown.get_suppression(s, sup_id)
    if row is None:
        return _page("tracker_message.html", 404, title="Page not found",
                     message="There is no suppression with this id.")
    store = state().store
    docs = []
    for sha in row["documents"]:
        doc = store.get_document(sha)
        docs.append({"id": sha, "title": doc.title if doc else None,
                     "filename": (doc.filename if doc else None),
                     "review_key": doc.review_key if doc else None,
                     "stored": store.has_file(sha)})
    return _page("takedown_detail.html", 400 if errors else 200, sup=row, docs=docs,
                 errors=errors, can_write=who.has_role("admin"))


def privileged_view(doc_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """For the document page: a suppressed document as a signed-in admin or oversight user
    sees it (from the store, scrubbed like every public answer), with its suppression; (None,
    None) for everyone else, who get the same 404 as for an unknown id."""
    from .public import scrub

    who = session_principal()
    st = state()
    if not takedown.visible_to(who) or not st.is_withheld(doc_id):
        return None, None
    stored = st.store.get_document(doc_id)
    if stored is None:
        return None, None
    body = stored.to_json_dict()
    body.pop("pages", None)
    with read_session(tracker().engine) as s:
        rows = [r for r in takedown.list_suppressions(s, "active")
                if doc_id in r["documents"] or r["target_id"] in (doc_id, stored.review_key)]
    return scrub(body), (rows[0] if rows else {"category_label": "Withheld", "id": None})


def install(app: Flask) -> None:
    app.register_blueprint(takedown_web)
