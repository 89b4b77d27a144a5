"""Authentication for the tracker: bearer tokens for the API, sessions for the web pages.

- API: ``Authorization: Bearer dhr_<id>_<secret>`` (:func:`bearer_principal`). A missing,
  malformed, unknown, expired or revoked token is a 401; a read-scope token on a write is a
  403. Reads work without a token (public data); a token that is sent must be valid.
- Web: Flask-Login sessions (secure, HttpOnly, SameSite=Lax cookies), Flask-WTF's CSRFProtect
  on every form (the token-authenticated API is exempt: no cookie, no CSRF), Flask-Limiter on
  the sign-in form by client address, on top of the per-account lockout in
  :mod:`accountability.accounts`. A session also holds the account's session epoch from
  sign-in; the user loader treats a session whose epoch is missing or outdated (the account
  signed out since) as anonymous, so a copied cookie dies at sign-out.
Every refusal changes nothing but is appended to the audit log (:func:`refuse`).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, render_template, request, session
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from accountability.accounts import Principal, check_token, load_principal
from accountability.db import read_session
from accountability.refusal_budget import RefusalBudget
from accountability.updates import record_refusal

from .errors import ApiError, error_response, wants_json_errors
from .tracker_state import tracker

SIGNIN_LIMIT = "10 per minute"
EXTENSION_LIMITER = "dhr_tracker_limiter"
EXTENSION_REFUSALS = "dhr_refusal_budget"


class WebUser(UserMixin):
    def __init__(self, principal: Principal):
        self.principal = principal

    def get_id(self) -> str:
        return str(self.principal.user_id)


def client_ip() -> str | None:
    return request.remote_addr


def refuse(status: int, reason: str, message: str, *, actor: str = "anonymous",
           target_type: str | None = None, target_id: str | None = None) -> ApiError:
    """Audit a refused attempt and return the error to raise (401 or 403).

    The audit entry is written within the client address's refusal budget; past it the refusal
    is only counted, and the next window starts with one summary entry of how many were left out.
    """
    ip = client_ip()
    admission = current_app.extensions[EXTENSION_REFUSALS].admit(ip)
    if admission.dropped_before:
        record_refusal(tracker().engine, "anonymous", "request.refused.throttled", "over_budget",
                       ip=ip, detail={"not_recorded": admission.dropped_before})
    if admission.record:
        record_refusal(tracker().engine, actor, "request.refused", reason,
                       target_type=target_type, target_id=target_id, ip=ip,
                       detail={"method": request.method, "path": request.path,
                               "status": status})
    code = "unauthorized" if status == 401 else "forbidden"
    headers = {"WWW-Authenticate": 'Bearer realm="dhr"'} if status == 401 else None
    return ApiError(status, message, code=code, headers=headers)


def bearer_principal(*, required: bool, write: bool = False) -> Principal | None:
    """The token's principal; None for an anonymous read. Raises a 401/403 ApiError (audited)."""
    header = request.headers.get("Authorization")
    if header is None:
        if required:
            raise refuse(401, "no_token", "this request needs an API token "
                         "(Authorization: Bearer <token>)")
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise refuse(401, "malformed_token", "the Authorization header must be "
                     "'Bearer <token>'")
    with read_session(tracker().engine) as s:
        check = check_token(s, token.strip())
    actor = f"token:{check.token_id}" if check.token_id else "anonymous"
    if check.principal is None:
        reason = {"malformed": "malformed_token", "unknown": "unknown_token",
                  "expired": "expired_token", "revoked": "revoked_token",
                  "disabled": "disabled_user"}[check.reason]
        raise refuse(401, reason, f"the API token is not valid ({check.reason})", actor=actor)
    if write and check.principal.scope != "write":
        raise refuse(403, "read_scope", "this token has read scope; writing needs a write-scope "
                     "token", actor=check.principal.actor)
    return check.principal


# The session key holding the account's session epoch at sign-in (see accounts.end_sessions).
SESSION_EPOCH_KEY = "dhr_epoch"


def session_principal() -> Principal | None:
    user = current_user
    return user.principal if getattr(user, "is_authenticated", False) else None


def install(app: Flask, refusals_per_minute: int) -> None:
    app.extensions[EXTENSION_REFUSALS] = RefusalBudget(refusals_per_minute)
    login = LoginManager()
    login.session_protection = "strong"
    login.init_app(app)

    @login.user_loader
    def _load(user_id: str) -> WebUser | None:
        try:
            uid = int(user_id)
        except ValueError:
            return None
        epoch = session.get(SESSION_EPOCH_KEY)
        if type(epoch) is not int:
            return None  # no epoch (or not a number): not a session this version signed in
        with read_session(tracker().engine) as s:
            principal = load_principal(s, uid, session_epoch=epoch)
        return WebUser(principal) if principal else None

    @login.unauthorized_handler
    def _unauthorized() -> Response:
        refuse(401, "not_signed_in", "sign in first", target_type="page", target_id=request.path)
        return _page_error(401, "Sign in to continue", "You need to sign in to do this.",
                           sign_in=True)

    csrf = CSRFProtect(app)
    app.extensions["dhr_csrf"] = csrf

    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError) -> Response:
        principal = session_principal()
        refuse(403, "csrf", err.description or "CSRF check failed",
               actor=principal.actor if principal else "anonymous")
        if wants_json_errors():
            return error_response(403, "forbidden", "the form's CSRF token is missing or invalid")
        return _page_error(403, "This form has expired",
                           "The form was missing its security token or it had expired. Go back, "
                           "reload the page and try again.")

    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://",
                      default_limits=[], headers_enabled=False)
    app.extensions[EXTENSION_LIMITER] = limiter

    @app.errorhandler(RateLimitExceeded)
    def _limited(err: RateLimitExceeded) -> Response:
        refuse(429, "rate_limited", "too many attempts")
        if wants_json_errors():
            return error_response(429, "rate_limited", "too many attempts; wait a minute")
        return _page_error(429, "Too many attempts", "Too many sign-in attempts from your "
                           "address. Wait a minute and try again.")


def signin_limit() -> str:
    return current_app.config.get("DHR_SIGNIN_LIMIT", SIGNIN_LIMIT)


def _page_error(status: int, title: str, message: str, *, sign_in: bool = False) -> Response:
    g.tracker_error = True
    body = render_template("tracker_message.html", title=title, message=message, sign_in=sign_in)
    resp = Response(body, status=status, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    return resp
