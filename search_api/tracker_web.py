"""The tracker's server-rendered pages so far: sign-in, sign-out and the form to add an update.

The full tracker UI (organisation pages, timelines, oversight) is a later issue; these pages
make the web security real: a session cookie (secure, HttpOnly, SameSite=Lax) set by
Flask-Login after an argon2id check with per-account lockout, Flask-Limiter on sign-in attempts
per client address, and CSRF tokens (Flask-WTF) on every form. GOV.UK Design System markup,
no inline script or style (the CSP forbids them).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import login_required, login_user, logout_user
from werkzeug.wrappers import Response as WerkzeugResponse

from accountability.accounts import authenticate_password, end_sessions
from accountability.db import read_session
from accountability.evidence import (
    ACCEPT,
    MAX_EVIDENCE_BYTES,
    EvidenceError,
    check_file,
    store_file,
)
from accountability.models import ReviewRecommendation
from accountability.statuses import STATUSES
from accountability.updates import (
    Forbidden,
    NotFound,
    UpdateError,
    add_update,
    check_can_update,
    parse_update,
)

from .tracker_auth import (
    EXTENSION_LIMITER,
    SESSION_EPOCH_KEY,
    WebUser,
    client_ip,
    refuse,
    session_principal,
    signin_limit,
)
from .tracker_state import tracker

REC_ID = re.compile(r"^rr-[0-9a-f]{16}$")
tracker_web = Blueprint("tracker_web", __name__, template_folder="templates")

STATUS_LABELS = {"no_information": "No information", "not_started": "Not started",
                 "in_progress": "In progress", "completed": "Completed",
                 "not_accepted": "Not accepted", "superseded": "Superseded"}

FORM_MESSAGES = {
    "status": "Choose a status from the list",
    "note": "Enter a note of 10,000 characters or fewer",
    "evidence_url": "Enter a link to the evidence that starts with https:// or http://",
    "target_date": "Enter the target date as a year and month, like 2025-03, or a full date, "
                   "like 2025-03-31",
    "": "Choose a status, or enter a note, a link to evidence or a target date",
}
# The form may carry an evidence file: its route alone accepts bodies above the app's 64 KB cap.
UPDATE_FORM_MAX_BODY = MAX_EVIDENCE_BYTES + 256 * 1024


def _body_cap() -> None:
    if request.endpoint == "tracker_web.update_form":
        request.max_content_length = UPDATE_FORM_MAX_BODY


def _page(template: str, status: int = 200, **context) -> Response:
    resp = Response(render_template(template, **context), status=status, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Content-Language"] = "en-GB"
    return resp


def _safe_next(target: str | None) -> str:
    """Only a local path: never redirect off the site after sign-in."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("ui.home")


@tracker_web.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> WerkzeugResponse:
    errors: dict[str, str] = {}
    email = ""
    if request.method == "POST":
        email = (request.form.get("email") or "").strip()[:320]
        password = request.form.get("password") or ""
        if not email:
            errors["email"] = "Enter your email address"
        if not password:
            errors["password"] = "Enter your password"
        if not errors:
            principal, _reason = authenticate_password(tracker().engine, email, password,
                                                       ip=client_ip())
            if principal is not None:
                # A new session for the signed-in user: nothing of the anonymous one (its CSRF
                # token, which whoever planted that cookie would know) carries over.
                session.clear()
                login_user(WebUser(principal))
                session[SESSION_EPOCH_KEY] = principal.session_epoch
                return redirect(_safe_next(request.args.get("next")), 303)
            # One message whatever the reason (unknown address, wrong password, locked or
            # disabled account), so the form does not tell a stranger which accounts exist.
            errors["email"] = ("The email address or password is not right, or the account "
                               "is locked for 15 minutes after 5 failed attempts")
        return _page("sign_in.html", 400 if errors else 200, errors=errors, email=email)
    return _page("sign_in.html", errors=errors, email=email)


@tracker_web.route("/sign-out", methods=["GET", "POST"])
def sign_out() -> WerkzeugResponse:
    if request.method == "POST":
        who = session_principal()
        if who is None:
            refuse(401, "not_signed_in", "sign in first", target_type="page",
                   target_id=request.path)
            return _page("tracker_message.html", 401, title="You are not signed in",
                         message="There is nothing to sign out of.", sign_in=True)
        # Ends every session of the account on the server, not only this browser's cookie:
        # a copy of the cookie no longer signs anyone in.
        end_sessions(tracker().engine, who.user_id, actor=who.actor, ip=client_ip())
        logout_user()
        session.clear()
        return redirect(url_for("tracker_web.sign_in"), 303)
    return _page("sign_out.html", signed_in=session_principal() is not None)


@tracker_web.route("/recommendations/<rec_id>/update", methods=["GET", "POST"])
@login_required
def update_form(rec_id: str) -> Response:
    who = session_principal()
    assert who is not None
    try:
        if not REC_ID.match(rec_id):  # never sent to the database (PostgreSQL refuses a NUL)
            raise NotFound(rec_id)
        check_can_update(tracker().engine, rec_id, who)
    except NotFound:
        return _page("tracker_message.html", 404, title="Page not found",
                     message="There is no recommendation with this id.")
    except Forbidden:
        refuse(403, "not_an_editor", "not an editor of this recommendation", actor=who.actor,
               target_type="recommendation", target_id=rec_id)
        return _page("tracker_message.html", 403, title="You cannot update this recommendation",
                     message="Only editors of an organisation that owns this recommendation, or "
                     "of the review's Community Safety Partnership, can add updates.")
    with read_session(tracker().engine) as s:
        rec = s.get(ReviewRecommendation, rec_id)
    errors: dict[str, str] = {}
    form = {"status": "", "note": "", "public": False, "evidence_url": "", "target_date": ""}
    saved = False
    if request.method == "POST":
        form = {"status": request.form.get("status") or "",
                "note": request.form.get("note") or "",
                "public": request.form.get("public") == "yes",
                "evidence_url": request.form.get("evidence_url") or "",
                "target_date": request.form.get("target_date") or ""}
        body = {k: v for k, v in form.items() if v not in ("", None)}
        body["public"] = form["public"]
        upload = request.files.get("evidence_file")
        checked = None
        if upload is not None and upload.filename:
            try:
                checked = check_file(upload.stream.read(MAX_EVIDENCE_BYTES + 1), upload.filename)
            except EvidenceError as err:
                errors["evidence_file"] = str(err)
        try:
            data = parse_update(body, with_file=checked is not None)
            if errors:
                raise UpdateError("evidence file refused", "evidence_file")
            evidence = (store_file(tracker().config.data_dir, checked) if checked is not None
                        else None)
            add_update(tracker().engine, rec_id, who, data, evidence=evidence, ip=client_ip())
            saved = True
            form = {"status": "", "note": "", "public": False, "evidence_url": "",
                    "target_date": ""}
        except UpdateError as err:
            if err.field != "evidence_file":
                errors[err.field or "status"] = FORM_MESSAGES.get(err.field or "",
                                                                  FORM_MESSAGES[""])
        except Forbidden:
            refuse(403, "not_an_editor", "not an editor of this recommendation", actor=who.actor,
                   target_type="recommendation", target_id=rec_id)
            return _page("tracker_message.html", 403, title="You cannot update this "
                         "recommendation", message="Your roles changed; you cannot add updates.")
    return _page("update_form.html", 400 if errors else 200, rec=rec, errors=errors, form=form,
                 saved=saved, statuses=[(s, STATUS_LABELS[s]) for s in STATUSES],
                 accept=ACCEPT, max_mb=MAX_EVIDENCE_BYTES // (1024 * 1024))


def install(app: Flask) -> None:
    """Register the pages; sign-in attempts are rate-limited per client address."""
    app.register_blueprint(tracker_web)
    # First of the app's request hooks: CSRFProtect's hook reads the form, under this cap.
    app.before_request_funcs.setdefault(None, []).insert(0, _body_cap)
    limiter = app.extensions[EXTENSION_LIMITER]
    name = "tracker_web.sign_in"
    app.view_functions[name] = limiter.limit(signin_limit, methods=["POST"])(
        app.view_functions[name])
