"""Takedown: an admin suppresses a document or a whole review, restores it, or (a legal order)
deletes it for good; every step is in the audit log.

The tracker database keeps the record (:class:`accountability.models.Suppression`: what, why,
the category, who and when); :mod:`dhr.takedown` applies it where the public answers come from
(the store's ``withheld`` table and the search index of the configured backend), inside the
same serialised write transaction, so a failure on either side leaves neither changed.

Hooks for every public view built on the tracker (pages, feeds, exports, oversight figures):
:func:`hidden` gives the suppressed document ids and review keys, :func:`visible_to` says
whether a viewer may see suppressed content (admins and oversight may, marked suppressed), and
:func:`is_hidden` checks one document or review.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from dhr import takedown as core
from dhr.search.base import SearchBackend
from dhr.store import CorpusStore

from . import audit
from .accounts import Principal
from .db import read_session, write_session
from .models import ReviewRow, Suppression
from .models.base import utcnow
from .models.takedown import CATEGORIES, STATES

MAX_REASON = 2000
_SHA = re.compile(r"^[0-9a-f]{64}$")
_SUP_ID = re.compile(r"^sup-[0-9a-f]{16}$")
CATEGORY_LABELS = {
    "unredacted_personal_data": "Unredacted personal data",
    "legal_request": "Legal request",
    "family_request": "Family request",
    "published_in_error": "Published in error",
    "superseded": "Superseded",
}


class TakedownError(ValueError):
    """A request that cannot be applied as given (maps to 400, or 404/409 by ``code``)."""

    def __init__(self, message: str, field: str | None = None, code: str = "bad_request"):
        super().__init__(message)
        self.field = field
        self.code = code


class NotAllowed(PermissionError):
    """Only admins suppress, restore and delete; admins and oversight read."""


def check_can_write(who: Principal | None) -> None:
    if who is None or not who.has_role("admin"):
        raise NotAllowed("only an admin may suppress, restore or delete documents")


def visible_to(who: Principal | None) -> bool:
    """Admins and oversight see suppressed content (marked suppressed); nobody else does."""
    return who is not None and (who.has_role("admin") or who.has_role("oversight"))


def check_can_read(who: Principal | None) -> None:
    if not visible_to(who):
        raise NotAllowed("only admins and oversight may see suppressions")


def is_document_id(doc_id: str) -> bool:
    return bool(_SHA.match(doc_id))


def is_valid_id(sup_id: str) -> bool:
    return bool(_SUP_ID.match(sup_id))


# -- what is hidden (hooks for every public view) ------------------------------------------------
@dataclass(frozen=True)
class Hidden:
    documents: frozenset[str] = field(default_factory=frozenset)
    review_keys: frozenset[str] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.documents or self.review_keys)

    def document(self, doc_id: str | None, review_key: str | None = None) -> bool:
        return (doc_id in self.documents) or (review_key is not None
                                              and review_key in self.review_keys)


def hidden(session: Session) -> Hidden:
    """Everything withheld from the public: suppressed (active) and deleted documents and
    reviews. One query; call it once per request."""
    docs: set[str] = set()
    keys: set[str] = set()
    for target_type, target_id, documents in session.execute(
            select(Suppression.target_type, Suppression.target_id, Suppression.documents)
            .where(Suppression.state.in_(("active", "deleted")))):
        docs.update(documents or [])
        if target_type == "review":
            keys.add(target_id)
        else:
            docs.add(target_id)
    return Hidden(frozenset(docs), frozenset(keys))


def recommendation_hidden(session: Session, rec_id: str) -> bool:
    """A review recommendation of a suppressed review, or printed only in suppressed
    documents: the public (and editors) are told it does not exist."""
    from .models import Appearance, ReviewRecommendation

    h = hidden(session)
    if not h:
        return False
    rec = session.get(ReviewRecommendation, rec_id)
    if rec is None:
        return False
    if rec.review_key in h.review_keys:
        return True
    docs = set(session.scalars(select(Appearance.document_id).where(
        Appearance.recommendation_id == rec_id)))
    return bool(docs) and docs <= h.documents


def is_hidden(session: Session, *, document: str | None = None,
              review_key: str | None = None) -> bool:
    return hidden(session).document(document, review_key)


# -- reading ------------------------------------------------------------------------------------
def suppression_dict(s: Suppression) -> dict[str, Any]:
    return {
        "id": s.id, "target_type": s.target_type, "target_id": s.target_id,
        "category": s.category, "category_label": CATEGORY_LABELS.get(s.category, s.category),
        "reason": s.reason, "state": s.state, "documents": list(s.documents or []),
        "urls": list(s.urls or []),
        "created_at": s.created_at.isoformat().replace("+00:00", "Z"),
        "created_by": s.created_by,
        "ended_at": s.ended_at.isoformat().replace("+00:00", "Z") if s.ended_at else None,
        "ended_by": s.ended_by, "end_reason": s.end_reason,
        "url": f"/api/v1/admin/suppressions/{s.id}",
    }


def list_suppressions(session: Session, state: str | None = None) -> list[dict[str, Any]]:
    q = select(Suppression).order_by(Suppression.created_at.desc(), Suppression.id)
    if state is not None:
        q = q.where(Suppression.state == state)
    return [suppression_dict(s) for s in session.scalars(q)]


def get_suppression(session: Session, sup_id: str) -> dict[str, Any] | None:
    s = session.get(Suppression, sup_id) if is_valid_id(sup_id) else None
    return suppression_dict(s) if s else None


# -- validation ---------------------------------------------------------------------------------
def _reason(value: Any, field: str = "reason") -> str:
    if not isinstance(value, str) or not value.strip():
        raise TakedownError("give a reason", field)
    value = value.strip()
    if len(value) > MAX_REASON:
        raise TakedownError(f"the reason must be {MAX_REASON} characters or fewer", field)
    if "\x00" in value:
        raise TakedownError("the reason contains a NUL character", field)
    return value


def parse_request(body: Any) -> dict[str, str]:
    """A suppression request's fields (JSON body or form): exactly one of ``document`` (a
    sha256) or ``review_key``, a ``category`` and a ``reason``."""
    if not isinstance(body, dict):
        raise TakedownError("the body must be a JSON object")
    unknown = sorted(set(body) - {"document", "review_key", "category", "reason"})
    if unknown:
        raise TakedownError(f"unknown field {unknown[0]!r}", unknown[0])
    document, review_key = body.get("document"), body.get("review_key")
    if document in ("", None) and review_key in ("", None):
        raise TakedownError("give a document id or a review key", "document")
    if document not in ("", None) and review_key not in ("", None):
        raise TakedownError("give a document id or a review key, not both", "document")
    out: dict[str, str] = {}
    if document not in ("", None):
        if not isinstance(document, str) or not _SHA.match(document.strip()):
            raise TakedownError("a document id is 64 lower-case hex characters", "document")
        out["document"] = document.strip()
    else:
        if (not isinstance(review_key, str) or len(review_key) > 200
                or any(ord(c) < 32 for c in review_key)):
            raise TakedownError("a review key is text of 200 characters or fewer", "review_key")
        out["review_key"] = review_key.strip()
    category = body.get("category")
    if category not in CATEGORIES:
        raise TakedownError(f"category must be one of {', '.join(CATEGORIES)}", "category")
    out["category"] = category
    out["reason"] = _reason(body.get("reason"))
    return out


# -- writing ------------------------------------------------------------------------------------
def suppress(engine: Engine, store: CorpusStore, backend: SearchBackend, actor: str, *,
             document: str | None = None, review_key: str | None = None, category: str,
             reason: str, ip: str | None = None) -> dict[str, Any]:
    """Suppress a document or a review at once (store, index, record, audit)."""
    if category not in CATEGORIES:
        raise TakedownError(f"category must be one of {', '.join(CATEGORIES)}", "category")
    reason = _reason(reason)
    if bool(document) == bool(review_key):
        raise TakedownError("give a document id or a review key", "document")
    target_type = "document" if document else "review"
    target_id = document or review_key or ""
    if document and store.file_info(document) is None:
        raise TakedownError("no stored document with this id", "document", code="not_found")
    what = core.resolve(store, document=document, review_key=review_key)
    if review_key and not what.sha256s:
        with read_session(engine) as s:
            if s.get(ReviewRow, review_key) is None:
                raise TakedownError("no review with this key", "review_key", code="not_found")
    sup_id = "sup-" + secrets.token_hex(8)
    with write_session(engine) as s:
        already = s.scalar(select(Suppression.id).where(
            Suppression.target_type == target_type, Suppression.target_id == target_id,
            Suppression.state.in_(("active", "deleted"))))
        if already:
            raise TakedownError(f"already suppressed ({already})", "document" if document
                                else "review_key", code="conflict")
        row = Suppression(id=sup_id, target_type=target_type, target_id=target_id,
                          category=category, reason=reason, state="active",
                          documents=what.sha256s, urls=what.urls, created_by=actor)
        s.add(row)
        audit.append(s, actor, "takedown.suppress", target_type=target_type,
                     target_id=target_id, ip=ip,
                     detail={"suppression": sup_id, "category": category, "reason": reason,
                             "documents": what.sha256s})
        s.flush()
        try:
            core.withhold(store, backend, sup_id, what)
        except BaseException:
            store.release(sup_id)
            raise
    return suppression_dict(row)


def _active(s: Session, sup_id: str) -> Suppression:
    row = s.get(Suppression, sup_id) if is_valid_id(sup_id) else None
    if row is None:
        raise TakedownError("no suppression with this id", code="not_found")
    if row.state != "active":
        raise TakedownError(f"this suppression is {row.state}, not active", code="conflict")
    return row


def restore(engine: Engine, store: CorpusStore, backend: SearchBackend, actor: str,
            sup_id: str, *, reason: str, ip: str | None = None) -> dict[str, Any]:
    """End a suppression: the documents are indexed and shown again (one action)."""
    reason = _reason(reason)
    with write_session(engine) as s:
        row = _active(s, sup_id)
        row.state, row.ended_at, row.ended_by, row.end_reason = "restored", utcnow(), actor, reason
        audit.append(s, actor, "takedown.restore", target_type=row.target_type,
                     target_id=row.target_id, ip=ip,
                     detail={"suppression": sup_id, "reason": reason})
        s.flush()
        what = _withheld_of(row)
        try:
            core.release(store, backend, sup_id)
        except BaseException:
            store.withhold(sup_id, sha256s=what.sha256s, review_keys=what.review_keys,
                           urls=what.urls)
            raise
    return suppression_dict(row)


def hard_delete(engine: Engine, store: CorpusStore, backend: SearchBackend, actor: str,
                sup_id: str, *, reason: str, ip: str | None = None) -> dict[str, Any]:
    """A legal order: erase the suppressed files (every version their URLs served) and their
    index entries; a tombstone keeps the sha256s, URLs and reason, and the row and the audit
    entry stay. Cannot be undone."""
    reason = _reason(reason)
    with write_session(engine) as s:
        row = _active(s, sup_id)
        what = core.resolve(store, document=row.target_id if row.target_type == "document"
                            else None,
                            review_key=row.target_id if row.target_type == "review" else None,
                            versions=True)
        what.sha256s += [d for d in row.documents or [] if d not in what.sha256s]
        what.urls += [u for u in row.urls or [] if u not in what.urls]
        row.state, row.ended_at, row.ended_by, row.end_reason = "deleted", utcnow(), actor, reason
        row.documents, row.urls = list(what.sha256s), list(what.urls)
        audit.append(s, actor, "takedown.delete", target_type=row.target_type,
                     target_id=row.target_id, ip=ip,
                     detail={"suppression": sup_id, "reason": reason,
                             "sha256": what.sha256s, "urls": what.urls})
        s.flush()
        core.erase(store, backend, sup_id, reason, what)
    return suppression_dict(row)


def _withheld_of(row: Suppression) -> core.Withheld:
    return core.Withheld(sha256s=list(row.documents or []),
                         review_keys=[row.target_id] if row.target_type == "review" else [],
                         urls=list(row.urls or []))


def sync(engine: Engine, store: CorpusStore, backend: SearchBackend) -> dict[str, int]:
    """Re-apply every active or deleted suppression to the store and the index (after a
    restore from backup, or against a new index); idempotent."""
    applied = removed = 0
    with read_session(engine) as s:
        rows = list(s.scalars(select(Suppression).where(
            Suppression.state.in_(("active", "deleted")))))
    for row in rows:
        what = _withheld_of(row)
        if row.target_type == "review":
            more = core.resolve(store, review_key=row.target_id)
            what.sha256s += [d for d in more.sha256s if d not in what.sha256s]
        removed += core.withhold(store, backend, row.id, what)
        if row.state == "deleted":  # a catalog restored from before the deletion
            store.tombstone(row.id, row.end_reason or row.reason, sha256s=what.sha256s,
                            urls=what.urls)
            for sha in what.sha256s:
                store.erase_file(sha)
        applied += 1
    return {"suppressions": applied, "removed_from_index": removed}


__all__ = ["CATEGORIES", "CATEGORY_LABELS", "STATES", "Hidden", "NotAllowed", "TakedownError",
           "check_can_read", "check_can_write", "get_suppression", "hard_delete", "hidden",
           "is_hidden", "list_suppressions", "parse_request", "restore", "suppress", "sync",
           "visible_to"]
