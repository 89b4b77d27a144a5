"""An organisation's members as its org_admin manages them: list, add with a role, remove a role.

- :func:`can_administer`: the organisation's ``org_admin``, or an ``admin`` (deny by default).
- :func:`grantable_roles`: an org_admin grants ``editor`` and ``org_admin`` of their own
  organisation only; ``oversight`` and ``admin`` are granted by admins alone.
- :func:`invite_member`: a new account gets a one-time password (shown once to whoever invited,
  to pass on; the holder changes it); an existing account is granted the role, its password
  untouched. Every change is audited by :mod:`accountability.accounts` or here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from . import audit
from .accounts import AccountError, Principal, add_user, normalise_email
from .db import write_session
from .models import ROLES, Membership, User


@dataclass(frozen=True)
class Member:
    user_id: int
    email: str
    name: str | None
    roles: tuple[str, ...]


def can_administer(who: Principal | None, org_id: str) -> bool:
    if who is None:
        return False
    return who.has_role("admin") or org_id in who.orgs_with("org_admin")


def grantable_roles(who: Principal | None, org_id: str) -> tuple[str, ...]:
    if who is None:
        return ()
    if who.has_role("admin"):
        return ROLES
    if org_id in who.orgs_with("org_admin"):
        return ("editor", "org_admin")
    return ()


def members_of(session: Session, org_id: str) -> list[Member]:
    rows = session.execute(select(User.id, User.email, User.name, Membership.role)
                           .join(Membership, Membership.user_id == User.id)
                           .where(Membership.organisation_id == org_id)
                           .order_by(User.email, Membership.role)).all()
    out: dict[int, Member] = {}
    for uid, email, name, role in rows:
        m = out.get(uid)
        out[uid] = Member(uid, email, name, (m.roles if m else ()) + (role,))
    return list(out.values())


def invite_member(engine: Engine, who: Principal, org_id: str, email: str, role: str, *,
                  name: str | None = None) -> str | None:
    """Grant ``role`` in ``org_id`` to the account of ``email``, creating it if needed.
    Returns the one-time password of a new account (None for an existing one)."""
    if role not in grantable_roles(who, org_id):
        raise AccountError(f"you cannot grant the role {role!r}")
    password = secrets.token_urlsafe(15)
    _user, created = add_user(engine, normalise_email(email), password, org_id, role,
                              name=(name or "").strip()[:200] or None, actor=who.actor)
    return password if created else None


def remove_role(engine: Engine, who: Principal, org_id: str, user_id: int, role: str, *,
                ip: str | None = None) -> bool:
    """Remove one role of one member; False if they did not have it. An org_admin cannot
    remove roles they could not grant, nor their own org_admin role (an admin can)."""
    if role not in grantable_roles(who, org_id):
        raise AccountError(f"you cannot remove the role {role!r}")
    if user_id == who.user_id and role == "org_admin" and not who.has_role("admin"):
        raise AccountError("you cannot remove your own administrator role")
    with write_session(engine) as s:
        row = s.scalar(select(Membership).where(Membership.user_id == user_id,
                                                Membership.organisation_id == org_id,
                                                Membership.role == role))
        if row is None:
            return False
        user = s.get(User, user_id)
        s.delete(row)
        audit.append(s, who.actor, "role.revoke", target_type="user",
                     target_id=user.email if user else str(user_id), ip=ip,
                     detail={"organisation": org_id, "role": role})
        return True
