"""The tracker part of ``dhr demo``: demo accounts, a notification contact and a few updates, so a
newcomer sees the loop (a recommendation made to an organisation, its editor reporting progress,
the public page showing it).

FOR THE DEMO ONLY: the accounts' passwords are random, kept in ``<demo dir>/demo-users.json``
(mode 0600) and printed by the demo, so the same ones work on every run. The organisations are
the ones owning the most recommendations in the synthetic demo corpus; the people are invented
(``example.org`` addresses). Running it again adds nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from .accounts import add_user, principal_of
from .contacts import ContactError, add_contact
from .db import read_session
from .models import OrganisationRow, RecommendationOwner, ReviewRecommendation, Update, User
from .updates import UpdateInput, add_update

ACTOR = "demo"


def _top_organisations(engine: Engine, n: int) -> list[tuple[str, str]]:
    with read_session(engine) as s:
        rows = s.execute(select(OrganisationRow.id, OrganisationRow.name)
                         .join(RecommendationOwner,
                               RecommendationOwner.organisation_id == OrganisationRow.id)
                         .group_by(OrganisationRow.id, OrganisationRow.name)
                         .order_by(func.count().desc(), OrganisationRow.id).limit(n)).all()
    return [(r[0], r[1]) for r in rows]


def _passwords(path: Path) -> dict[str, str]:
    if path.exists():
        return dict(json.loads(path.read_text(encoding="utf-8")))
    return {}


def _save(path: Path, passwords: dict[str, str]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(passwords, fh, indent=1)


def seed_demo(engine: Engine, demo_dir: Path) -> dict[str, Any]:
    """Accounts (an editor and an org_admin of the two organisations owning most
    recommendations, and an oversight user), a contact each, and updates on the first
    organisation's recommendations. Returns what the demo prints."""
    orgs = _top_organisations(engine, 2)
    if not orgs:
        return {"accounts": [], "organisations": [], "recommendation": None}
    path = Path(demo_dir) / "demo-users.json"
    passwords = _passwords(path)
    wanted: list[tuple[str, str, str]] = []
    for org_id, _name in orgs:
        wanted += [(f"editor@{org_id}.example.org", org_id, "editor"),
                   (f"admin@{org_id}.example.org", org_id, "org_admin")]
    wanted.append(("oversight@commissioner.example.org", "domestic-abuse-commissioner",
                   "oversight"))
    accounts = []
    for email, org_id, role in wanted:
        with read_session(engine) as s:
            known = s.get(OrganisationRow, org_id) is not None
        if not known:
            continue
        password = passwords.setdefault(email, secrets.token_urlsafe(12))
        add_user(engine, email, password, org_id, role, actor=ACTOR)
        accounts.append({"email": email, "password": password, "organisation": org_id,
                         "role": role})
    _save(path, passwords)
    for org_id, _name in orgs:
        with contextlib.suppress(ContactError):  # already there from an earlier run
            add_contact(engine, org_id, f"alerts@{org_id}.example.org", actor=ACTOR)
    first = _seed_updates(engine, orgs[0][0])
    return {"accounts": accounts, "organisations": [{"id": o, "name": n} for o, n in orgs],
            "recommendation": first}


def _seed_updates(engine: Engine, org_id: str) -> str | None:
    """Three updates by the organisation's editor (once): in progress with a public note,
    completed with an evidence link, and a private note."""
    with read_session(engine) as s:
        recs = list(s.scalars(select(ReviewRecommendation.id)
                              .join(RecommendationOwner,
                                    RecommendationOwner.recommendation_id
                                    == ReviewRecommendation.id)
                              .where(RecommendationOwner.organisation_id == org_id)
                              .order_by(ReviewRecommendation.id).limit(2)))
        user = s.scalar(select(User).where(User.email == f"editor@{org_id}.example.org"))
        if not recs or user is None:
            return None
        if s.scalar(select(func.count()).select_from(Update)
                    .where(Update.user_id == user.id)):
            return recs[0]
        editor = principal_of(user)
    add_update(engine, recs[0], editor, UpdateInput(
        status="in_progress", public=True,
        note="Demo update (synthetic): a working group is revising the guidance."))
    add_update(engine, recs[0], editor, UpdateInput(
        note="Demo private note (synthetic): seen only by this organisation, oversight and "
             "administrators.", public=False))
    if len(recs) > 1:
        add_update(engine, recs[1], editor, UpdateInput(
            status="completed", public=True, evidence_url="https://example.org/demo-evidence",
            note="Demo update (synthetic): training delivered to all staff."))
    return recs[0]
