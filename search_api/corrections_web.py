"""The corrections pages (issue 19): GOV.UK forms, signed in, CSRF-protected.

- ``/documents/<id>/corrections``: correct a field of the review this document belongs to
  (reached from the document page), and see or remove the review's corrections;
- ``/recommendations/<id>/correct``: correct a review recommendation's text, scope or owners;
- ``POST /corrections/<n>/remove``: take a correction out of force, with a reason.
Allowed: editors of the review's Community Safety Partnership, and admins; anyone else gets a
403 page and the refusal is audited; nothing changes.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from accountability.corrections import (
    REC_FIELDS,
    CorrectionError,
    Forbidden,
    NotFound,
    add_recommendation_correction,
    add_review_correction,
    check_can_correct_recommendation,
    check_can_correct_review,
    corrections_of_documents,
    parse_review_correction,
    remove_correction,
    review_documents,
)
from accountability.db import read_session
from accountability.models import Correction, ReviewRecommendation
from dhr.corrections import FIELDS, LIST_FIELDS, display, field_label

from .state import state
from .tracker_auth import client_ip, refuse, session_principal
from .tracker_state import tracker

corrections_web = Blueprint("corrections_web", __name__, template_folder="templates")

DOC_ID = re.compile(r"^[0-9a-f]{64}$")
REC_ID = re.compile(r"^rr-[0-9a-f]{16}$")
REVIEW_HINT = ("Taxonomy ids for region, review type, type of death, sex and age band (for "
               "example intimate_partner); for types of abuse, themes and agencies, ids "
               "separated by commas (for example coercive_control, stalking). Leave empty for "
               "'not known'.")
REC_HINT = ("Scope: local, regional or national. Owners: organisation ids from the registry, "
            "separated by commas (for example greater-manchester-police).")


def _page(template: str, status: int = 200, **context: Any) -> Response:
    resp = Response(render_template(template, **context), status=status, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Content-Language"] = "en-GB"
    return resp


def _message(status: int, title: str, message: str) -> Response:
    return _page("tracker_message.html", status, title=title, message=message)


def _forbidden(who_actor: str, target_type: str, target_id: str) -> Response:
    refuse(403, "not_an_editor", "not an editor of the review's CSP", actor=who_actor,
           target_type=target_type, target_id=target_id)
    return _message(403, "You cannot correct this review",
                    "Only editors of the review's Community Safety Partnership, and "
                    "administrators, can correct it.")


def _form_value(field: str, raw: str) -> Any:
    if field in LIST_FIELDS or field == "owners":
        return [v.strip() for v in raw.split(",") if v.strip()]
    return raw.strip() or None


@corrections_web.route("/documents/<doc_id>/corrections", methods=["GET", "POST"])
@login_required
def correct_review(doc_id: str) -> Response:
    who = session_principal()
    assert who is not None
    store = state().store
    try:
        if not DOC_ID.match(doc_id):
            raise NotFound(doc_id)
        check_can_correct_review(tracker().engine, store, doc_id, who)
    except NotFound:
        return _message(404, "Page not found", "There is no document with this id.")
    except Forbidden:
        return _forbidden(who.actor, "document", doc_id)
    errors: dict[str, str] = {}
    form = {"field": "", "value": "", "reason": ""}
    saved = False
    if request.method == "POST":
        form = {k: request.form.get(k) or "" for k in form}
        try:
            data = parse_review_correction({"field": form["field"] or None,
                                            "value": _form_value(form["field"], form["value"]),
                                            "reason": form["reason"]})
            add_review_correction(tracker().engine, store, who, doc_id, data,
                                  backend=state().backend.backend, ip=client_ip())
            saved, form = True, {"field": "", "value": "", "reason": ""}
        except CorrectionError as err:
            errors[err.field or "value"] = str(err)
        except Forbidden:
            return _forbidden(who.actor, "document", doc_id)
    docs = review_documents(store, doc_id)
    doc = docs[0].to_json_dict()
    current = [(f, field_label(f).capitalize(), display(f, _value(doc, f))) for f in FIELDS]
    rows = corrections_of_documents(tracker().engine, [d.id for d in docs], full=True)
    return _page("correction_form.html", 400 if errors else 200, errors=errors, form=form,
                 saved=saved, doc=doc, fields=current, corrections=rows, hint=REVIEW_HINT,
                 heading="Correct the details of this review", back=url_for("ui.document",
                                                                            doc_id=doc_id))


def _value(doc: dict[str, Any], field: str) -> Any:
    from dhr.corrections import value_of

    return value_of(doc, field)


@corrections_web.route("/recommendations/<rec_id>/correct", methods=["GET", "POST"])
@login_required
def correct_recommendation(rec_id: str) -> Response:
    who = session_principal()
    assert who is not None
    try:
        if not REC_ID.match(rec_id):
            raise NotFound(rec_id)
        check_can_correct_recommendation(tracker().engine, rec_id, who)
    except NotFound:
        return _message(404, "Page not found", "There is no recommendation with this id.")
    except Forbidden:
        return _forbidden(who.actor, "recommendation", rec_id)
    errors: dict[str, str] = {}
    form = {"field": "", "value": "", "reason": ""}
    saved = False
    if request.method == "POST":
        form = {k: request.form.get(k) or "" for k in form}
        try:
            add_recommendation_correction(
                tracker().engine, who, rec_id,
                {"field": form["field"] or None,
                 "value": _form_value(form["field"], form["value"]), "reason": form["reason"]},
                store=state().store, backend=state().backend.backend, ip=client_ip())
            saved, form = True, {"field": "", "value": "", "reason": ""}
        except CorrectionError as err:
            errors[err.field or "value"] = str(err)
        except Forbidden:
            return _forbidden(who.actor, "recommendation", rec_id)
    from sqlalchemy import select

    from accountability.corrections import correction_dict

    with read_session(tracker().engine) as s:
        rec = s.get(ReviewRecommendation, rec_id)
        assert rec is not None
        owners = ", ".join(o.organisation_id or o.name for o in rec.owners) or "None"
        current = [("text", "Text", rec.text), ("scope", "Scope", rec.scope or "Not known"),
                   ("owners", "Owners", owners)]
        rows = [correction_dict(s, r, full=True) for r in s.scalars(
            select(Correction).where(Correction.recommendation_id == rec_id)
            .order_by(Correction.id))]
    return _page("correction_form.html", 400 if errors else 200, errors=errors, form=form,
                 saved=saved, doc=None, fields=[f for f in current if f[0] in REC_FIELDS],
                 corrections=rows, hint=REC_HINT,
                 heading=f"Correct recommendation {rec.number or ''}".strip(), back=None)


@corrections_web.route("/corrections/<int:correction_id>/remove", methods=["POST"])
@login_required
def remove(correction_id: int) -> ResponseReturnValue:
    who = session_principal()
    assert who is not None
    back = request.form.get("back") or ""
    if not (back.startswith("/") and not back.startswith("//") and "\\" not in back):
        back = url_for("ui.home")
    try:
        remove_correction(tracker().engine, state().store, who, correction_id,
                          request.form.get("reason") or "", backend=state().backend.backend,
                          ip=client_ip())
    except NotFound:
        return _message(404, "Page not found", "There is no correction in force with this id.")
    except Forbidden:
        return _forbidden(who.actor, "correction", str(correction_id))
    except CorrectionError:
        return _message(400, "Say why the correction is removed",
                        "Go back and enter a reason for removing the correction.")
    return redirect(back, 303)


def install(app: Flask) -> None:
    app.register_blueprint(corrections_web)
