"""The tracker part of ``dhr demo`` (accountability/demo.py), on SQLite and PostgreSQL: demo
accounts that sign in, a contact per organisation, a few updates, and nothing added twice."""

from __future__ import annotations

from sqlalchemy import func, select

from accountability.accounts import authenticate_password
from accountability.contacts import contacts_for
from accountability.db import read_session
from accountability.demo import seed_demo
from accountability.models import Update, User


def test_demo_seed_adds_accounts_contacts_and_updates_once(engine, world, tmp_path):
    first = seed_demo(engine, tmp_path)
    orgs = [o["id"] for o in first["organisations"]]
    assert orgs[0] == "greater-manchester-police"  # owns two of the three recommendations
    editor = next(a for a in first["accounts"]
                  if a["role"] == "editor" and a["organisation"] == orgs[0])
    principal, reason = authenticate_password(engine, editor["email"], editor["password"])
    assert reason == "ok" and ("editor", orgs[0]) in principal.roles
    with read_session(engine) as s:
        assert contacts_for(s, orgs[0]) == [f"alerts@{orgs[0]}.example.org"]
        updates = s.scalar(select(func.count()).select_from(Update).join(
            User, User.id == Update.user_id).where(User.email == editor["email"]))
    assert updates == 3 and first["recommendation"] in world.recs.values()
    assert (tmp_path / "demo-users.json").stat().st_mode & 0o077 == 0

    again = seed_demo(engine, tmp_path)
    assert [a["password"] for a in again["accounts"]] == [a["password"] for a in
                                                          first["accounts"]]
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Update).join(
            User, User.id == Update.user_id).where(User.email == editor["email"])) == 3
