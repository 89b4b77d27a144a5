"""Accounts: users, roles per organisation, passwords, sign-in with lockout, API tokens.

- Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile);
  hashes are upgraded on sign-in when the parameters change.
- Sign-in: a wrong password counts against the account; after ``MAX_FAILED_SIGNINS`` in a row
  the account is locked for ``LOCKOUT`` (the web layer also rate-limits by client address).
- API tokens look like ``dhr_<id>_<secret>``: the id names the token (``dhr tokens revoke``), the
  secret (256 random bits) is stored only as its SHA-256, compared in constant time. A token has
  a scope (``read`` or ``write``), an expiry, and can be revoked.
- Web sessions: each account has a session epoch; a session is valid only under the epoch it
  signed in with, and :func:`end_sessions` (sign-out) moves the epoch on, ending every web
  session of the account, including copies of its cookie.
Every change is written to the audit log in the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from . import audit
from .db import read_session, write_session
from .models import ROLES, SCOPES, ApiToken, Membership, OrganisationRow, User

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MAX_FAILED_SIGNINS = 5
LOCKOUT = timedelta(minutes=15)
MAX_TOKEN_DAYS = 366
_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
_TOKEN = re.compile(r"^dhr_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
_hasher = PasswordHasher()
# A hash to verify against when the account does not exist, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """Bad input for an account operation (the message says what)."""


@dataclass(frozen=True)
class Principal:
    """Who is acting: a user and their roles as (role, organisation id) pairs."""

    user_id: int
    email: str
    name: str | None
    roles: frozenset[tuple[str, str]]
    token_id: str | None = None
    scope: str | None = None
    session_epoch: int = 0

    def has_role(self, role: str) -> bool:
        return any(r == role for r, _ in self.roles)

    def orgs_with(self, *roles: str) -> set[str]:
        return {org for r, org in self.roles if r in roles}

    @property
    def actor(self) -> str:
        return f"user:{self.email}" + (f" token:{self.token_id}" if self.token_id else "")


def principal_of(user: User, token: ApiToken | None = None) -> Principal:
    return Principal(user.id, user.email, user.name,
                     frozenset((m.role, m.organisation_id) for m in user.roles),
                     token.id if token else None, token.scope if token else None,
                     user.session_epoch)


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not _EMAIL.match(email) or len(email) > 320:
        raise AccountError(f"not an e-mail address: {email!r}")
    return email


def hash_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError("the password is too long")
    return _hasher.hash(password)


# -- users and roles ----------------------------------------------------------------------------
def add_user(engine: Engine, email: str, password: str, org_id: str, role: str, *,
             name: str | None = None, actor: str = "cli") -> tuple[User, bool]:
    """Create a user with one role, or grant the role to an existing user (password unchanged).
    Returns (user, created)."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    with write_session(engine) as s:
        if s.get(OrganisationRow, org_id) is None:
            raise AccountError(f"unknown organisation {org_id!r} (see `dhr orgs list`)")
        user = s.scalar(select(User).where(User.email == email))
        created = user is None
        if created:
            user = User(email=email, name=name, password_hash=hash_password(password))
            s.add(user)
            s.flush()
            audit.append(s, actor, "user.create", target_type="user", target_id=email,
                         detail={"name": name})
        assert user is not None
        exists = s.scalar(select(Membership).where(Membership.user_id == user.id,
                                                   Membership.organisation_id == org_id,
                                                   Membership.role == role))
        if exists is None:
            s.add(Membership(user_id=user.id, organisation_id=org_id, role=role))
            audit.append(s, actor, "role.grant", target_type="user", target_id=email,
                         detail={"organisation": org_id, "role": role})
        s.flush()
        s.refresh(user)
        return user, created


def authenticate_password(engine: Engine, email: str, password: str, *,
                          ip: str | None = None) -> tuple[Principal | None, str]:
    """Check a sign-in. Returns (principal, "ok") or (None, reason); every attempt is audited."""
    try:
        email, valid = normalise_email(email), True
    except AccountError:
        # No account has such an address (add_user normalises): no lookup, whose parameter the
        # database might refuse (PostgreSQL and a NUL), only the audited refusal.
        email, valid = (email or "")[:320], False
    # The password is checked (argon2id: deliberately slow) outside the write transaction,
    # whose lock serialises every write of the tracker; the outcome is then recorded under the
    # lock, where the account's state is read again.
    with read_session(engine) as s:
        found = s.scalar(select(User).where(User.email == email)) if valid else None
        seen = (found.id, found.active, found.password_hash) if found is not None else None
    if seen is None or not seen[1]:
        _verify(_DUMMY_HASH, password)
        matches, rehash = False, None
    else:
        matches = _verify(seen[2], password)
        rehash = (_hasher.hash(password) if matches and _hasher.check_needs_rehash(seen[2])
                  else None)
    now = datetime.now(UTC)
    with write_session(engine) as s:
        user = s.get(User, seen[0]) if seen is not None else None
        if user is None or not user.active:
            reason = "unknown_user" if user is None else "disabled"
            audit.append(s, f"anonymous:{email}", "signin.refused", target_type="user",
                         target_id=email, detail={"reason": reason}, ip=ip)
            return None, reason
        if user.locked_until is not None and user.locked_until > now:
            audit.append(s, f"user:{email}", "signin.refused", target_type="user",
                         target_id=email, detail={"reason": "locked"}, ip=ip)
            return None, "locked"
        if not matches or seen is None or user.password_hash != seen[2]:
            detail = _count_failure(user, now)
            audit.append(s, f"user:{email}", "signin.refused", target_type="user",
                         target_id=email, detail=detail, ip=ip)
            return None, "bad_password"
        user.failed_signins, user.locked_until = 0, None
        if rehash is not None:
            user.password_hash = rehash
        audit.append(s, f"user:{email}", "signin.ok", target_type="user", target_id=email, ip=ip)
        return principal_of(user), "ok"


def change_password(engine: Engine, user_id: int, current: str, new: str, *,
                    ip: str | None = None) -> tuple[int | None, str]:
    """A signed-in user changes their own password. Returns (new session epoch, "ok") or
    (None, reason): ``bad_password`` (the current password is wrong: counted against the
    account like a failed sign-in, so the lockout applies), ``locked``, ``disabled``,
    ``too_short``, ``too_long``, ``same`` (the new password is the current one).

    The new password is hashed with the same policy and hasher as :func:`add_user`. The
    account's session epoch moves on (every *other* web session ends; the caller keeps its own
    by storing the returned epoch); API tokens are separate credentials and stay as they are.
    Audited as ``account.password_change`` (refusals as ``account.password_change.refused``);
    no password ever reaches the log."""
    with read_session(engine) as s:
        found = s.get(User, user_id)
        seen = (found.active, found.password_hash, found.email) if found is not None else None
    if seen is None:
        return None, "unknown_user"
    matches = seen[0] and _verify(seen[1], current)
    reason = None
    new_hash = None
    if matches:
        if len(new or "") < MIN_PASSWORD:
            reason = "too_short"
        elif len(new) > MAX_PASSWORD:
            reason = "too_long"
        elif _verify(seen[1], new):
            reason = "same"
        else:
            new_hash = hash_password(new)
    now = datetime.now(UTC)
    with write_session(engine) as s:
        user = s.get(User, user_id)
        actor = f"user:{seen[2]}"
        if user is None or not user.active:
            audit.append(s, actor, "account.password_change.refused", target_type="user",
                         target_id=seen[2], detail={"reason": "disabled"}, ip=ip)
            return None, "disabled"
        if user.locked_until is not None and user.locked_until > now:
            audit.append(s, actor, "account.password_change.refused", target_type="user",
                         target_id=user.email, detail={"reason": "locked"}, ip=ip)
            return None, "locked"
        if not matches or user.password_hash != seen[1]:
            detail = _count_failure(user, now)
            audit.append(s, actor, "account.password_change.refused", target_type="user",
                         target_id=user.email, detail=detail, ip=ip)
            return None, "bad_password"
        user.failed_signins = 0
        if new_hash is None:
            audit.append(s, actor, "account.password_change.refused", target_type="user",
                         target_id=user.email, detail={"reason": reason}, ip=ip)
            return None, reason or "bad_password"
        user.password_hash = new_hash
        user.session_epoch += 1
        audit.append(s, actor, "account.password_change", target_type="user",
                     target_id=user.email, detail={"other_sessions_ended": True}, ip=ip)
        return user.session_epoch, "ok"


def _count_failure(user: User, now: datetime) -> dict[str, Any]:
    """One more wrong password in a row for ``user``; the ``MAX_FAILED_SIGNINS``-th locks the
    account for ``LOCKOUT``. Returns the audit detail."""
    user.failed_signins += 1
    detail: dict[str, Any] = {"reason": "bad_password", "failed_in_a_row": user.failed_signins}
    if user.failed_signins >= MAX_FAILED_SIGNINS:
        user.locked_until = now + LOCKOUT
        user.failed_signins = 0
        detail["locked_until"] = user.locked_until.isoformat()
    return detail


def _verify(hash_: str, password: str) -> bool:
    try:
        return _hasher.verify(hash_, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def load_principal(session: Session, user_id: int, *,
                   session_epoch: int | None = None) -> Principal | None:
    """The active user's principal; None if there is none or, when ``session_epoch`` is given
    (a web session), if the account's sessions were ended since that session signed in."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    if session_epoch is not None and user.session_epoch != session_epoch:
        return None
    return principal_of(user)


def end_sessions(engine: Engine, user_id: int, *, actor: str, ip: str | None = None) -> None:
    """End every web session of the account (sign-out): later requests carrying any of its
    session cookies, copies included, are anonymous. Audited."""
    with write_session(engine) as s:
        user = s.get(User, user_id)
        if user is None:
            return
        user.session_epoch += 1
        audit.append(s, actor, "signout", target_type="user", target_id=user.email, ip=ip)


# -- API tokens ---------------------------------------------------------------------------------
def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(engine: Engine, email: str, *, scope: str = "read", days: int = 90,
                 actor: str = "cli") -> tuple[str, ApiToken]:
    """Issue a token; returns (the token text, shown once, and its row)."""
    if scope not in SCOPES:
        raise AccountError(f"unknown scope {scope!r} (scopes: {', '.join(SCOPES)})")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise AccountError(f"--days must be between 1 and {MAX_TOKEN_DAYS}")
    email = normalise_email(email)
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    with write_session(engine) as s:
        user = s.scalar(select(User).where(User.email == email))
        if user is None:
            raise AccountError(f"no user {email!r} (add one with `dhr users add`)")
        row = ApiToken(id=token_id, user_id=user.id, secret_hash=_secret_hash(secret),
                       scope=scope, expires_at=datetime.now(UTC) + timedelta(days=days))
        s.add(row)
        audit.append(s, actor, "token.create", target_type="token", target_id=token_id,
                     detail={"user": email, "scope": scope, "days": days})
    return f"dhr_{token_id}_{secret}", row


def revoke_token(engine: Engine, token_id: str, *, actor: str = "cli") -> ApiToken:
    """Revoke by the token's id; the whole token text is taken too (its id is used, and the
    secret is never echoed in an error)."""
    token_id = token_id.strip()
    whole = _TOKEN.match(token_id)
    if whole:
        token_id = whole.group(1)
    elif not re.fullmatch(r"[0-9a-f]{16}", token_id):
        raise AccountError("a token id is 16 hexadecimal digits (as `dhr tokens create` printed)")
    with write_session(engine) as s:
        row = s.get(ApiToken, token_id)
        if row is None:
            raise AccountError(f"no token with id {token_id!r}")
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
            audit.append(s, actor, "token.revoke", target_type="token", target_id=row.id)
        return row


@dataclass(frozen=True)
class TokenCheck:
    principal: Principal | None
    reason: str  # ok | malformed | unknown | expired | revoked | disabled
    token_id: str | None = None


def check_token(session: Session, token: str) -> TokenCheck:
    """Who a bearer token belongs to, or why it is refused (no write happens here)."""
    m = _TOKEN.match(token or "")
    if not m:
        return TokenCheck(None, "malformed")
    token_id, secret = m.groups()
    row = session.get(ApiToken, token_id)
    if row is None or not hmac.compare_digest(row.secret_hash, _secret_hash(secret)):
        return TokenCheck(None, "unknown", token_id if row is not None else None)
    if row.revoked_at is not None:
        return TokenCheck(None, "revoked", token_id)
    if row.expires_at <= datetime.now(UTC):
        return TokenCheck(None, "expired", token_id)
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return TokenCheck(None, "disabled", token_id)
    return TokenCheck(principal_of(user, row), "ok", token_id)


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    """A user's API tokens, newest first (their hashes stay in the database)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id)))


def revoke_own_token(engine: Engine, user_id: int, token_id: str, *, actor: str) -> bool:
    """Revoke one of the user's own tokens; False (nothing written) for anyone else's or an
    unknown id, so a user can never revoke another's token."""
    if not re.fullmatch(r"[0-9a-f]{16}", token_id or ""):
        return False
    with read_session(engine) as s:
        row = s.get(ApiToken, token_id)
        if row is None or row.user_id != user_id:
            return False
    revoke_token(engine, token_id, actor=actor)
    return True
