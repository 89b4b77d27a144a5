"""Helpers for the tracker tests: table snapshots, audit entries, CSRF tokens, signing in."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select, text

from accountability.db import read_session
from accountability.models import AuditEntry, Base

from .conftest import PASSWORD

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CHAIN_TABLES = {"audit_log", "audit_head"}


def snapshot(engine) -> dict[str, list]:
    """Every row of every tracker table but the audit chain's, in a comparable form."""
    out = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in CHAIN_TABLES:
                continue
            rows = conn.execute(table.select()).mappings().all()
            out[table.name] = sorted(json.dumps(dict(r), sort_keys=True, default=str)
                                     for r in rows)
    return out


def audit_entries(engine, action: str | None = None) -> list[AuditEntry]:
    with read_session(engine) as s:
        q = select(AuditEntry).order_by(AuditEntry.seq)
        if action:
            q = q.where(AuditEntry.action == action)
        return list(s.scalars(q))


def detail(entry: AuditEntry) -> dict[str, Any]:
    return json.loads(entry.detail)


def csrf_token(client, path: str = "/sign-in") -> str:
    page = client.get(path)
    m = _CSRF.search(page.get_data(as_text=True))
    assert m, f"no CSRF token on {path}"
    return m.group(1)


def sign_in(client, email: str, password: str = PASSWORD):
    token = csrf_token(client)
    return client.post("/sign-in", data={"email": email, "password": password,
                                         "csrf_token": token})


def raw(engine, sql: str, **params: Any) -> None:
    """Run SQL behind the product's back (as someone with database access could)."""
    with engine.begin() as conn:
        conn.execute(text(sql), params)
