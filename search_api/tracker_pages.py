"""The tracker in the web UI: review, recommendation and organisation pages, the account page
(API tokens) and the organisation admin page (members and notification contacts).

- ``/reviews/<review_key>``: a review's documents and its recommendations once each, with
  owners, status, target date and overdue flag.
- ``/recommendations/<id>``: one review recommendation: where it is printed, owners, action
  plan rows, the status timeline (non-public entries only for those
  :func:`accountability.permissions.can_read_private` allows), evidence; its evidence files at
  ``/recommendations/<id>/evidence/<seq>`` under the same rule.
- ``/organisations/<id>`` (and ``.csv``): what an organisation owns, by status, with overdue and
  no-information lists and filters; its editors get links to add updates.
- ``/account``: the signed-in user's API tokens (create, shown once, revoke);
  ``/account/password`` changes their password (current, new, confirm; rate-limited like
  sign-in; the account's other web sessions end, its API tokens stay).
- ``/organisations/<id>/admin``: its org_admin (or an admin) adds and removes members' roles
  and notification contacts.
Every form carries the app's CSRF token (Flask-WTF); every refusal is audited; no page needs
JavaScript. Reads go through :mod:`accountability.queries`.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, Response, render_template, request, send_file, session
from flask_login import login_required

from accountability import contacts, members
from accountability.accounts import (
    MAX_PASSWORD,
    MAX_TOKEN_DAYS,
    MIN_PASSWORD,
    AccountError,
    Principal,
    change_password,
    create_token,
    revoke_own_token,
    tokens_of,
)
from accountability.corrections import can_correct
from accountability.db import read_session
from accountability.evidence import open_file
from accountability.models import OrganisationRow, ReviewRecommendation, ReviewRow, User
from accountability.permissions import can_update
from accountability.queries import (
    csp_recommendations,
    evidence_file_for,
    organisation_detail,
    organisation_recommendations,
    recommendation_detail,
    review_detail,
)
from accountability.statuses import STATUSES
from accountability.updates import responsible_orgs

from .state import state
from .tracker_auth import SESSION_EPOCH_KEY, client_ip, refuse, session_principal, signin_limit
from .tracker_state import tracker
from .ui_export import _cell  # the spreadsheet-formula guard of the other CSV exports

tracker_pages = Blueprint("tracker_pages", __name__, template_folder="templates")

REC_ID = re.compile(r"^rr-[0-9a-f]{16}$")
ORG_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
REVIEW_KEY = re.compile(r"^[^\x00-\x1f\x7f]{1,200}$")
STATUS_LABELS = {"no_information": "No information", "not_started": "Not started",
                 "in_progress": "In progress", "completed": "Completed",
                 "not_accepted": "Not accepted", "superseded": "Superseded"}
STATUS_TAGS = {"no_information": "govuk-tag--grey", "not_started": "govuk-tag--yellow",
               "in_progress": "govuk-tag--blue", "completed": "govuk-tag--green",
               "not_accepted": "govuk-tag--orange", "superseded": "govuk-tag--purple"}
TOKEN_DAYS = (30, 90, 180, 366)
CSV_COLUMNS = ("id", "review_key", "number", "text", "owners", "status", "target_date",
               "overdue", "url")


@tracker_pages.record_once
def _install(setup_state: Any) -> None:
    env = setup_state.app.jinja_env
    env.globals["status_label"] = lambda s: STATUS_LABELS.get(s or "", "Not shown")
    env.globals["status_tag_class"] = lambda s: STATUS_TAGS.get(s or "", "govuk-tag--grey")


def _page(template: str, status: int = 200, **context: Any) -> Response:
    resp = Response(render_template(template, **context), status=status, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"  # pages differ by who is signed in
    resp.headers["Content-Language"] = "en-GB"
    return resp


def _not_found(what: str) -> Response:
    return _page("tracker_message.html", 404, title="Page not found",
                 message=f"There is no {what} at this address. If you typed the address, check "
                 "it is correct.")


def _viewer() -> Principal | None:
    return session_principal()


def _document_titles(doc_ids: list[str]) -> dict[str, str]:
    """Display titles from the search index (a document not indexed keeps its type's name)."""
    from dhr.search.base import BackendUnavailable
    from dhr.search.fields import display_title_of

    out: dict[str, str] = {}
    backend = state().backend
    for doc_id in doc_ids[:50]:
        try:
            doc = backend.get_document(doc_id)
        except BackendUnavailable:
            break
        if doc is not None:
            out[doc_id] = doc.get("title") or display_title_of(doc)
    return out


# -- review ------------------------------------------------------------------------------------
@tracker_pages.get("/reviews/<path:review_key>")
def review(review_key: str) -> Response:
    if not REVIEW_KEY.match(review_key):
        return _not_found("review")
    who = _viewer()
    with read_session(tracker().engine) as s:
        detail = review_detail(s, review_key, viewer=who, public_status=tracker().public_status)
    if detail is None:
        return _not_found("review")
    titles = _document_titles([d["id"] for d in detail["documents"]])
    return _page("review.html", review=detail, titles=titles)


# -- one recommendation ------------------------------------------------------------------------
@tracker_pages.get("/recommendations/<rec_id>")
def recommendation(rec_id: str) -> Response:
    if not REC_ID.match(rec_id):
        return _not_found("recommendation")
    who = _viewer()
    engine = tracker().engine
    with read_session(engine) as s:
        detail = recommendation_detail(s, rec_id, viewer=who,
                                       public_status=tracker().public_status)
        rec = s.get(ReviewRecommendation, rec_id)
        editable = correctable = False
        if rec is not None:
            owners, csp = responsible_orgs(s, rec)
            editable = can_update(who, owners, csp)
            review = s.get(ReviewRow, rec.review_key)
            correctable = can_correct(who, review.csp_organisation_id if review else None)
    if detail is None:
        return _not_found("recommendation")
    titles = _document_titles(sorted({d["id"] for d in detail["documents"]}
                                     | {a["document"] for a in detail["actions"]}))
    return _page("recommendation.html", rec=detail, titles=titles, editable=editable,
                 correctable=correctable, signed_in=who is not None,
                 status_shown=tracker().public_status or who)


@tracker_pages.get("/recommendations/<rec_id>/evidence/<int:seq>")
def evidence(rec_id: str, seq: int) -> Response:
    """An evidence file, only where its update is visible to the viewer (else 404, as for a
    file that does not exist: a private file's existence is not revealed either)."""
    if not REC_ID.match(rec_id) or not 0 < seq < 2**31:
        return _not_found("file")
    with read_session(tracker().engine) as s:
        found = evidence_file_for(s, rec_id, seq, viewer=_viewer(),
                                  public_status=tracker().public_status)
    stored = open_file(tracker().config.data_dir, *found) if found else None
    if found is None or stored is None:
        return _not_found("file")
    path, content_type = stored
    resp = send_file(path, mimetype=content_type, as_attachment=True, download_name=found[1],
                     max_age=0, conditional=False, etag=False)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


# -- organisation ------------------------------------------------------------------------------
def _org_filters() -> tuple[list[str], bool | None, dict[str, str]]:
    errors: dict[str, str] = {}
    status = request.args.getlist("status")
    if any(s not in STATUSES for s in status):
        errors["status"] = "Choose statuses from the list"
        status = [s for s in status if s in STATUSES]
    raw = request.args.get("overdue", "")
    overdue = {"": None, "yes": True, "no": False}.get(raw)
    if raw and overdue is None:
        errors["overdue"] = "Choose whether to show overdue recommendations"
    return status, overdue, errors


@tracker_pages.get("/organisations/<org_id>")
def organisation(org_id: str) -> Response:
    if not ORG_ID.match(org_id):
        return _not_found("organisation")
    who = _viewer()
    public = tracker().public_status
    status, overdue, errors = _org_filters()
    with read_session(tracker().engine) as s:
        org = organisation_detail(s, org_id, viewer=who, public_status=public)
        if org is None:
            return _not_found("organisation")
        listed = organisation_recommendations(s, org_id, viewer=who, public_status=public,
                                              status=status, overdue=overdue)
        filtered = bool(status or overdue is not None)
        every = listed if not filtered else organisation_recommendations(
            s, org_id, viewer=who, public_status=public)
        commissioned = (csp_recommendations(s, org_id, viewer=who, public_status=public)
                        if org["csp_reviews"] else [])
    is_editor = who is not None and (who.has_role("admin")
                                     or org_id in who.orgs_with("editor"))
    query = request.query_string.decode("utf-8", "replace")
    return _page("organisation.html", 400 if errors else 200, org=org, listed=listed,
                 overdue_list=[r for r in every if r["overdue"]],
                 no_info=[r for r in every if r["status"] == "no_information"],
                 status_filter=status, overdue_filter=request.args.get("overdue", ""),
                 filtered=filtered, errors=errors, is_editor=is_editor,
                 commissioned=commissioned,
                 can_admin=members.can_administer(who, org_id),
                 statuses=[(s, STATUS_LABELS[s]) for s in STATUSES],
                 csv_url=f"/organisations/{org_id}.csv" + (f"?{query}" if query else ""))


@tracker_pages.get("/organisations/<org_id>.csv")
def organisation_csv(org_id: str) -> Response:
    if not ORG_ID.match(org_id):
        return _not_found("organisation")
    status, overdue, errors = _org_filters()
    if errors:
        return _page("tracker_message.html", 400, title="There is a problem",
                     message=next(iter(errors.values())))
    with read_session(tracker().engine) as s:
        if s.get(OrganisationRow, org_id) is None:
            return _not_found("organisation")
        rows = organisation_recommendations(s, org_id, viewer=_viewer(),
                                            public_status=tracker().public_status,
                                            status=status, overdue=overdue)
    base = tracker().config.server.public_url or ""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([_cell(v) for v in (
            r["id"], r["review_key"], r["number"], r["text"],
            "; ".join(o["name"] or "" for o in r["owners"]), r["status"], r["target_date"],
            "" if r["overdue"] is None else ("yes" if r["overdue"] else "no"),
            f"{base}/recommendations/{r['id']}")])
    resp = Response(out.getvalue(), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="dhr-{org_id}.csv"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


# -- account: API tokens -----------------------------------------------------------------------
@tracker_pages.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Response:
    who = session_principal()
    assert who is not None
    errors: dict[str, str] = {}
    new_token: str | None = None
    form = {"scope": "read", "days": "90"}
    if request.method == "POST":
        form = {"scope": request.form.get("scope") or "", "days": request.form.get("days") or ""}
        if form["scope"] not in ("read", "write"):
            errors["scope"] = "Choose read or write"
        if form["days"] not in {str(d) for d in TOKEN_DAYS}:
            errors["days"] = "Choose when the token expires"
        if not errors:
            new_token, _row = create_token(tracker().engine, who.email, scope=form["scope"],
                                           days=int(form["days"]), actor=who.actor)
    return _account_page(who, errors, form, new_token)


def _account_page(who: Principal, errors: dict[str, str], form: dict[str, str],
                  new_token: str | None, message: str | None = None) -> Response:
    with read_session(tracker().engine) as s:
        tokens = tokens_of(s, who.user_id)
        orgs = {o.id: o.name for o in s.query(OrganisationRow)
                .filter(OrganisationRow.id.in_(who.orgs_with(
                    "editor", "org_admin", "oversight", "admin")))}
    return _page("account.html", 400 if errors else 200, who=who, tokens=tokens,
                 errors=errors, form=form, new_token=new_token, message=message,
                 days=TOKEN_DAYS, max_days=MAX_TOKEN_DAYS, now=datetime.now(UTC),
                 roles=sorted((org, orgs.get(org, org), role) for role, org in who.roles),
                 admin_orgs=sorted(o for r, o in who.roles if r in ("org_admin", "admin")))


@tracker_pages.post("/account/tokens/<token_id>/revoke")
@login_required
def revoke(token_id: str) -> Response:
    who = session_principal()
    assert who is not None
    if not revoke_own_token(tracker().engine, who.user_id, token_id, actor=who.actor):
        refuse(403, "not_your_token", "not a token of this user", actor=who.actor,
               target_type="token", target_id=token_id[:40])
        return _page("tracker_message.html", 403, title="Token not found",
                     message="You have no token with this id.")
    return _account_page(who, {}, {"scope": "read", "days": "90"}, None,
                         message=f"Token {token_id} was revoked.")


# -- account: password ---------------------------------------------------------------------------
PASSWORD_MESSAGES = {
    "bad_password": "Your current password is not right",
    "locked": "Your account is locked for 15 minutes after 5 wrong passwords",
    "disabled": "Your account is disabled",
    "unknown_user": "Your account is disabled",
    "too_short": f"Your new password must have at least {MIN_PASSWORD} characters",
    "too_long": f"Your new password must have {MAX_PASSWORD} characters or fewer",
    "same": "Your new password must be different from your current password",
}


def _password_errors(current: str, new: str, confirm: str) -> dict[str, str]:
    """The form's own checks (before the current password is verified)."""
    errors: dict[str, str] = {}
    if not current:
        errors["current_password"] = "Enter your current password"
    if not new:
        errors["new_password"] = "Enter a new password"
    elif len(new) < MIN_PASSWORD:
        errors["new_password"] = PASSWORD_MESSAGES["too_short"]
    elif len(new) > MAX_PASSWORD:
        errors["new_password"] = PASSWORD_MESSAGES["too_long"]
    if not confirm and new:
        errors["confirm_password"] = "Confirm your new password"
    elif new and confirm != new:
        errors["confirm_password"] = "The new passwords do not match"
    return errors


@tracker_pages.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password_page() -> Response:
    who = session_principal()
    assert who is not None
    errors: dict[str, str] = {}
    if request.method == "POST":
        current = request.form.get("current_password") or ""
        new = request.form.get("new_password") or ""
        confirm = request.form.get("confirm_password") or ""
        errors = _password_errors(current, new, confirm)
        if not errors:
            epoch, reason = change_password(tracker().engine, who.user_id, current, new,
                                            ip=client_ip())
            if epoch is not None:
                # This session goes on under the account's new epoch; every other one ends.
                session[SESSION_EPOCH_KEY] = epoch
                return _account_page(who, {}, {"scope": "read", "days": "90"}, None,
                                     message="Your password was changed. Your other "
                                     "sessions were signed out; your API tokens still work.")
            field = "new_password" if reason in ("too_short", "too_long", "same") \
                else "current_password"
            errors[field] = PASSWORD_MESSAGES.get(reason, PASSWORD_MESSAGES["bad_password"])
    return _page("password_form.html", 400 if errors else 200, errors=errors,
                 min_password=MIN_PASSWORD)


# -- organisation admin: members and contacts --------------------------------------------------
def _admin_guard(org_id: str) -> tuple[Principal, OrganisationRow] | Response:
    who = session_principal()
    assert who is not None
    if not ORG_ID.match(org_id):
        return _not_found("organisation")
    with read_session(tracker().engine) as s:
        org = s.get(OrganisationRow, org_id)
    if org is None:
        return _not_found("organisation")
    if not members.can_administer(who, org_id):
        refuse(403, "not_org_admin", "not an administrator of this organisation",
               actor=who.actor, target_type="organisation", target_id=org_id)
        return _page("tracker_message.html", 403, title="You cannot manage this organisation",
                     message="Only the organisation's administrators can manage its users and "
                     "contacts.")
    return who, org


def _admin_page(who: Principal, org: OrganisationRow, *, errors: dict[str, str] | None = None,
                form: dict[str, str] | None = None, message: str | None = None,
                one_time: tuple[str, str] | None = None) -> Response:
    with read_session(tracker().engine) as s:
        people = members.members_of(s, org.id)
        addresses = contacts.contacts_for(s, org.id)
    errors = errors or {}
    return _page("org_admin.html", 400 if errors else 200, org=org, people=people,
                 contacts=addresses, errors=errors, message=message, one_time=one_time,
                 form=form or {"email": "", "name": "", "role": "editor", "contact": ""},
                 roles=members.grantable_roles(who, org.id), who=who)


@tracker_pages.get("/organisations/<org_id>/admin")
@login_required
def org_admin(org_id: str) -> Response:
    guard = _admin_guard(org_id)
    if isinstance(guard, Response):
        return guard
    return _admin_page(*guard)


@tracker_pages.post("/organisations/<org_id>/admin/members")
@login_required
def add_member(org_id: str) -> Response:
    guard = _admin_guard(org_id)
    if isinstance(guard, Response):
        return guard
    who, org = guard
    form = {"email": (request.form.get("email") or "").strip()[:320],
            "name": (request.form.get("name") or "").strip()[:200],
            "role": request.form.get("role") or "", "contact": ""}
    errors: dict[str, str] = {}
    if not form["email"]:
        errors["email"] = "Enter the person's email address"
    if form["role"] not in members.grantable_roles(who, org_id):
        errors["role"] = "Choose a role"
    if errors:
        return _admin_page(who, org, errors=errors, form=form)
    try:
        password = members.invite_member(tracker().engine, who, org_id, form["email"],
                                         form["role"], name=form["name"])
    except AccountError:
        return _admin_page(who, org, form=form, errors={
            "email": "Enter an email address in the correct format, like name@example.org"})
    email = form["email"].lower()
    return _admin_page(who, org, message=f"{email} now has the role {form['role']}.",
                       one_time=(email, password) if password else None)


@tracker_pages.post("/organisations/<org_id>/admin/members/<int:user_id>/remove")
@login_required
def remove_member_role(org_id: str, user_id: int) -> Response:
    guard = _admin_guard(org_id)
    if isinstance(guard, Response):
        return guard
    who, org = guard
    role = request.form.get("role") or ""
    try:
        removed = members.remove_role(tracker().engine, who, org_id, user_id, role,
                                      ip=client_ip())
    except AccountError as err:
        refuse(403, "role_not_removable", str(err), actor=who.actor, target_type="user",
               target_id=str(user_id))
        return _page("tracker_message.html", 403, title="You cannot remove this role",
                     message=str(err).capitalize() + ".")
    with read_session(tracker().engine) as s:
        user = s.get(User, user_id)
    name = user.email if user else "The user"
    return _admin_page(who, org, message=(f"{name} no longer has the role {role}." if removed
                                          else f"{name} did not have the role {role}."))


@tracker_pages.post("/organisations/<org_id>/admin/contacts")
@login_required
def add_contact(org_id: str) -> Response:
    guard = _admin_guard(org_id)
    if isinstance(guard, Response):
        return guard
    who, org = guard
    email = (request.form.get("contact") or "").strip()[:320]
    form = {"email": "", "name": "", "role": "editor", "contact": email}
    if not email:
        return _admin_page(who, org, form=form,
                           errors={"contact": "Enter an email address for notifications"})
    try:
        contacts.add_contact(tracker().engine, org_id, email, actor=who.actor, ip=client_ip())
    except contacts.ContactError as err:
        if "already a contact" in str(err):
            return _admin_page(who, org, message=f"{email.lower()} is already a contact.")
        message = ("Enter an email address in the correct format, like name@example.org"
                   if "e-mail" in str(err) else str(err).capitalize())
        return _admin_page(who, org, form=form, errors={"contact": message})
    return _admin_page(who, org, message=f"{email.lower()} will be told about new "
                                         "recommendations.")


@tracker_pages.post("/organisations/<org_id>/admin/contacts/remove")
@login_required
def remove_contact(org_id: str) -> Response:
    guard = _admin_guard(org_id)
    if isinstance(guard, Response):
        return guard
    who, org = guard
    email = (request.form.get("contact") or "").strip()[:320]
    try:
        contacts.remove_contact(tracker().engine, org_id, email, actor=who.actor,
                                ip=client_ip())
    except contacts.ContactError:
        return _admin_page(who, org, message=f"{email.lower()} was not a contact.")
    return _admin_page(who, org, message=f"{email.lower()} was removed from the contacts.")


def install(app: Flask) -> None:
    from .tracker_auth import EXTENSION_LIMITER

    app.register_blueprint(tracker_pages)
    # Each attempt verifies a password: limited per client address like sign-in.
    name = "tracker_pages.change_password_page"
    app.view_functions[name] = app.extensions[EXTENSION_LIMITER].limit(
        signin_limit, methods=["POST"])(app.view_functions[name])
