"""Adding an update to a review recommendation: validation, the append, the current status.

:func:`add_update` validates the fields (400-class :class:`UpdateError` for bad ones), then in
one serialised write transaction appends the update with the next sequence number of that
recommendation's history, recomputes the current status and target date, and writes the audit
entry. Updates are never changed; a correction is a new update. User updates take precedence over
"as published" ones when the current status is computed, so re-reading an old action plan never
overrides what an owner reported. Evidence files go to a content-addressed store of their own
(``<data_dir>/evidence``, :class:`dhr.store.CorpusStore`), apart from the corpus, so they are
never ingested as reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from . import audit
from .accounts import Principal
from .db import write_session
from .models import ReviewRecommendation, ReviewRow, Update, utcnow
from .permissions import can_update
from .statuses import STATUSES, due_date, valid_target

MAX_NOTE = 10_000
MAX_URL = 2000
FIELDS = ("status", "note", "public", "evidence_url", "target_date")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


# NUL and other control characters but tab and line breaks, and lone surrogates (a JSON body
# may carry "\\ud800"): no database stores them as text, so they are the client's mistake.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


class UpdateError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(LookupError):
    pass


class Forbidden(PermissionError):
    pass


@dataclass(frozen=True)
class UpdateInput:
    status: str | None = None
    note: str | None = None
    public: bool = False
    evidence_url: str | None = None
    target_date: str | None = None


def parse_update(body: Any, *, with_file: bool = False) -> UpdateInput:
    """Validate a JSON body (or form fields); raises :class:`UpdateError` naming the field.
    ``with_file``: an evidence file comes with it (the web form), which alone is an update."""
    if not isinstance(body, dict):
        raise UpdateError("the body must be a JSON object")
    for key in body:
        if key not in FIELDS:
            raise UpdateError(f"unknown field {key!r} (fields: {', '.join(FIELDS)})", str(key))
    status = body.get("status")
    if status is not None and (not isinstance(status, str) or status not in STATUSES):
        raise UpdateError(f"status must be one of {', '.join(STATUSES)}", "status")
    note = body.get("note")
    if note is not None:
        if not isinstance(note, str):
            raise UpdateError("note must be a string", "note")
        if _UNSTORABLE.search(note):
            raise UpdateError("note contains control characters", "note")
        note = note.strip() or None
        if note and len(note) > MAX_NOTE:
            raise UpdateError(f"note is longer than {MAX_NOTE} characters", "note")
    public = body.get("public", False)
    if not isinstance(public, bool):
        raise UpdateError("public must be true or false", "public")
    url = body.get("evidence_url")
    if url is not None:
        if (not isinstance(url, str) or len(url) > MAX_URL or _UNSTORABLE.search(url)
                or not _URL.match(url.strip())):
            raise UpdateError("evidence_url must be an http(s) URL", "evidence_url")
        url = url.strip()
    target = body.get("target_date")
    if target is not None and (not isinstance(target, str) or not valid_target(target)):
        raise UpdateError("target_date must be YYYY-MM or YYYY-MM-DD", "target_date")
    if status is None and note is None and url is None and target is None and not with_file:
        raise UpdateError("an update needs a status, a note, evidence or a target date")
    return UpdateInput(status, note, public, url, target)


@dataclass(frozen=True)
class Evidence:
    content: bytes
    filename: str


def store_evidence(data_dir: Path, evidence: Evidence) -> tuple[str, str]:
    """Keep an evidence file in the content-addressed evidence store; returns (sha256, name)."""
    from dhr.store import CorpusStore

    ext = Path(evidence.filename).suffix.lower().lstrip(".") or "bin"
    store = CorpusStore(Path(data_dir) / "evidence")
    try:
        put = store.put(evidence.content, ext=ext, filename=evidence.filename)
    finally:
        store.close()
    return put.sha256, Path(evidence.filename).name[:300]


def responsible_orgs(session: Session, rec: ReviewRecommendation) -> tuple[list[str], str | None]:
    review = session.get(ReviewRow, rec.review_key)
    return ([o.organisation_id for o in rec.owners if o.organisation_id],
            review.csp_organisation_id if review else None)


def acting_organisation(who: Principal, owners: list[str], csp: str | None) -> str | None:
    """The organisation an editor speaks for: an owning one first, else the CSP."""
    editable = who.orgs_with("editor")
    for org in [*owners, csp]:
        if org and org in editable:
            return org
    return None


def next_seq(session: Session, rec_id: str) -> int:
    return (session.scalar(select(func.max(Update.seq)).where(Update.recommendation_id == rec_id))
            or 0) + 1


def refresh_current(session: Session, rec: ReviewRecommendation) -> None:
    """Current status and target date from the history: the newest user update with one, else
    the newest published one; the target date likewise, else the action plan's."""
    rows = session.execute(select(Update.source, Update.status, Update.target_date,
                                  Update.created_at)
                           .where(Update.recommendation_id == rec.id)
                           .order_by(Update.seq)).all()
    status, when, target = None, None, None
    for source in ("published", "user"):
        for r in rows:
            if r.source == source and r.status:
                status, when = r.status, r.created_at
            if r.source == source and r.target_date:
                target = r.target_date
    rec.status = status or "no_information"
    rec.status_updated_at = when
    if target:
        rec.target_date, rec.target_due = target, due_date(target)


def check_can_update(engine: Engine, rec_id: str, who: Principal | None) -> None:
    """Raise :class:`NotFound` or :class:`Forbidden` before anything is parsed or written."""
    from .db import read_session
    from .takedown import recommendation_hidden, visible_to

    with read_session(engine) as s:
        rec = s.get(ReviewRecommendation, rec_id)
        if rec is None or (not visible_to(who) and recommendation_hidden(s, rec_id)):
            raise NotFound(rec_id)  # suppressed (takedown): as if it did not exist
        owners, csp = responsible_orgs(s, rec)
        if not can_update(who, owners, csp):
            raise Forbidden(rec_id)


def add_update(engine: Engine, rec_id: str, who: Principal, data: UpdateInput, *,
               evidence: tuple[str, str] | None = None, ip: str | None = None) -> Update:
    """Append an update for ``who`` (checked here too: deny by default)."""
    from .takedown import recommendation_hidden, visible_to

    with write_session(engine) as s:
        rec = s.get(ReviewRecommendation, rec_id)
        if rec is None or (not visible_to(who) and recommendation_hidden(s, rec_id)):
            raise NotFound(rec_id)
        owners, csp = responsible_orgs(s, rec)
        if not can_update(who, owners, csp):
            raise Forbidden(rec_id)
        upd = Update(recommendation_id=rec.id, seq=next_seq(s, rec.id), created_at=utcnow(),
                     source="user", status=data.status, note=data.note, public=data.public,
                     evidence_url=data.evidence_url, target_date=data.target_date,
                     user_id=who.user_id, organisation_id=acting_organisation(who, owners, csp),
                     evidence_sha256=evidence[0] if evidence else None,
                     evidence_filename=evidence[1] if evidence else None)
        s.add(upd)
        s.flush()
        # The newest user update outranks everything before it (see refresh_current).
        if data.status:
            rec.status, rec.status_updated_at = data.status, upd.created_at
        if data.target_date:
            rec.target_date, rec.target_due = data.target_date, due_date(data.target_date)
        audit.append(s, who.actor, "update.create", target_type="recommendation",
                     target_id=rec.id, ip=ip,
                     detail={"update": upd.id, "seq": upd.seq, "status": data.status,
                             "public": data.public, "organisation": upd.organisation_id,
                             "evidence": bool(data.evidence_url or evidence)})
        return upd


def record_refusal(engine: Engine, actor: str, action: str, reason: str, *,
                   target_type: str | None = None, target_id: str | None = None,
                   ip: str | None = None, detail: dict | None = None) -> None:
    """A refused attempt changes nothing but leaves its trace in the audit log."""
    with write_session(engine) as s:
        audit.append(s, actor, action, target_type=target_type, target_id=target_id, ip=ip,
                     detail={"reason": reason, **(detail or {})})
