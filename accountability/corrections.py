"""Corrections by people: a review's fields and a review recommendation's owner, text or scope.

Who: an **editor of the review's Community Safety Partnership** (the CSP of the review's area in
the organisation registry) or an **admin**; anyone else is refused (deny by default). Every
correction carries a reason and is kept in the ``corrections`` table, apart from extraction,
with who, when, the old and the new value; removing one is a write too. Each write, and each
refusal, is in the audit log.

- A **review correction** (:func:`add_review_correction`) sets one review-level field (see
  :data:`dhr.corrections.FIELDS`) of every document of the review. It is laid over the stored
  Documents (``dhr/corrections.py``: the last layer, over extraction and the sources) and the
  documents are re-indexed at once, so searches and facet counts show it immediately on either
  backend; the stored Documents carry it, so ``dhr index --rebuild`` and a re-extraction by a
  new extractor version keep it (``ingest/resync.py``). :func:`reconcile` (run after every ingest
  and nightly tracker sync) lays the corrections over documents that joined the review later.
- A **recommendation correction** (:func:`add_recommendation_correction`) sets the text, scope
  or owners of one review recommendation in the tracker; the tracker sync
  (``accountability/sync.py``) takes it off before re-linking a new extraction (so re-linking
  compares extraction with extraction), puts it back afterwards, and records what extraction now
  says. It is laid over the stored Documents too: the entry of ``recommendations`` each
  appearance names (document, number as printed, extracted text) gets the corrected value
  (``dhr/corrections.py``), and those documents are re-indexed at once, so the recommendations
  explorer, the API and their facet counts show it; like a review correction it survives
  ``dhr index --rebuild`` and a re-extraction, and removing it restores the extracted entry.
- :func:`disagreements` lists the corrections a re-extraction disagrees with (extraction moved
  away from the value corrected, or now gives the corrected value itself), for a person.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from dhr import corrections as core
from dhr.corrections import CorrectionError
from dhr.document import Document
from dhr.store import CorpusStore
from dhr.taxonomy import ids

from . import audit
from .accounts import Principal
from .db import read_session, write_session
from .models import (
    Appearance,
    Correction,
    OrganisationRow,
    RecommendationOwner,
    ReviewRecommendation,
    ReviewRow,
    User,
    utcnow,
)
from .organisations import registry_for
from .updates import Forbidden, NotFound

__all__ = ["CorrectionError", "Forbidden", "NotFound"]
log = logging.getLogger(__name__)

REC_FIELDS = ("text", "scope", "owners")
MAX_REASON = 2000
MAX_REC_TEXT = 10_000
MAX_OWNERS = 10


# -- who may ------------------------------------------------------------------------------------
def can_correct(who: Principal | None, csp_id: str | None) -> bool:
    """An admin, or an editor of the review's CSP. Deny by default."""
    if who is None:
        return False
    if who.has_role("admin"):
        return True
    return bool(csp_id) and csp_id in who.orgs_with("editor")


def may_see_detail(engine: Engine, who: Principal | None, area: str | None) -> bool:
    """The old value, the account and the removal reason of a review's corrections: for those
    who may correct it, and oversight. Everyone else sees what, when, why and which
    organisation (deny by default)."""
    if who is None:
        return False
    if who.has_role("oversight"):
        return True
    with read_session(engine) as s:
        return can_correct(who, csp_of_area(s, area))


def csp_of_area(session: Session, area: str | None) -> str | None:
    if not area:
        return None
    org = registry_for(session).csp_for_area(area)
    return org.id if org else None


def acting_org(who: Principal, csp_id: str | None) -> str | None:
    if csp_id and csp_id in who.orgs_with("editor"):
        return csp_id
    orgs = sorted(who.orgs_with("admin"))
    return orgs[0] if orgs else None


# -- input --------------------------------------------------------------------------------------
def _reason(body: dict[str, Any]) -> str:
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise CorrectionError("a correction needs a reason (say why the value is wrong)",
                              "reason")
    reason = " ".join(reason.split())
    if len(reason) > MAX_REASON:
        raise CorrectionError(f"reason is longer than {MAX_REASON} characters", "reason")
    if core._UNSTORABLE.search(reason):
        raise CorrectionError("reason contains control characters", "reason")
    return reason


def _object(body: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise CorrectionError("the body must be a JSON object with field, value and reason",
                              None)
    for key in body:
        if key not in allowed:
            raise CorrectionError(f"unknown field {key!r} (fields: {', '.join(allowed)})",
                                  str(key))
    if "field" not in body:
        raise CorrectionError("say which field to correct (field)", "field")
    if "value" not in body:
        raise CorrectionError("give the corrected value (value)", "value")
    return body


@dataclass(frozen=True)
class ReviewInput:
    field: str
    value: Any
    reason: str


def parse_review_correction(body: Any) -> ReviewInput:
    """Validate ``{"field", "value", "reason"}``; raises :class:`CorrectionError` (a 400)."""
    body = _object(body, ("field", "value", "reason"))
    value = core.validate(body["field"], body["value"])
    return ReviewInput(body["field"], value, _reason(body))


def parse_recommendation_correction(session: Session, body: Any) -> ReviewInput:
    body = _object(body, ("field", "value", "reason"))
    field, value = body["field"], body["value"]
    if not isinstance(field, str) or field not in REC_FIELDS:
        raise CorrectionError(f"field must be one of {', '.join(REC_FIELDS)}", "field")
    if field == "text":
        if not isinstance(value, str) or not value.strip():
            raise CorrectionError("text must be the recommendation's wording")
        value = " ".join(value.split())
        if len(value) > MAX_REC_TEXT or core._UNSTORABLE.search(value):
            raise CorrectionError(f"text must be at most {MAX_REC_TEXT} characters of text")
    elif field == "scope":
        if value in ("", None):
            value = None
        elif not isinstance(value, str) or value not in ids("scope"):
            raise CorrectionError(f"scope must be one of {', '.join(ids('scope'))} or null")
    else:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value) \
                or len(value) > MAX_OWNERS:
            raise CorrectionError(f"owners takes a list of at most {MAX_OWNERS} organisation "
                                  "ids (see GET /api/v1/organisations)")
        value = list(dict.fromkeys(value))
        known = {o.id: o.name for o in session.scalars(
            select(OrganisationRow).where(OrganisationRow.id.in_(value)))} if value else {}
        unknown = [v for v in value if v not in known]
        if unknown:
            raise CorrectionError(f"{unknown[0][:100]!r} is not an organisation id of the "
                                  "registry (see GET /api/v1/organisations)")
        value = [{"id": v, "name": known[v]} for v in value]
    return ReviewInput(field, value, _reason(body))


# -- the review's documents -------------------------------------------------------------------
def review_documents(store: CorpusStore, doc_id: str) -> list[Document]:
    """The document and the other stored documents of its review (same review key)."""
    from ingest.resync import MergeState

    doc = store.get_document(doc_id)
    if doc is None:
        raise NotFound(doc_id)
    if not doc.review_key:
        return [doc]
    state = MergeState(store)
    try:
        members = state.review_members({doc.review_key})
    finally:
        state.close()
    others = [d for d in (store.get_document(s) for s in members if s != doc.id) if d]
    return [doc, *others]


def _iso(when: datetime | None) -> str:
    return (when or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds") \
        .replace("+00:00", "Z")


def _applied(session: Session, rows: list[Correction]) -> list[core.Applied]:
    names: dict[str, str] = {i: n for i, n in session.execute(
        select(OrganisationRow.id, OrganisationRow.name).where(OrganisationRow.id.in_(
            {r.organisation_id for r in rows if r.organisation_id}))).tuples()}
    return [core.Applied(r.id, r.field, r.new_value, r.old_value, r.reason, r.organisation_id,
                         names.get(r.organisation_id or ""), _iso(r.created_at)) for r in rows]


def _active_review_rows(session: Session) -> list[Correction]:
    return list(session.scalars(select(Correction).where(
        Correction.target == "review", Correction.removed_at.is_(None)).order_by(Correction.id)))


def _active_rec_rows(session: Session) -> list[Correction]:
    return list(session.scalars(select(Correction).where(
        Correction.target == "recommendation", Correction.removed_at.is_(None))
        .order_by(Correction.id)))


def _rec_applied(session: Session, rows: list[Correction]) -> dict[str, list[core.Applied]]:
    """{document id: the recommendation corrections laid over it}: one per appearance of each
    corrected recommendation, naming the entry by its number as printed and extracted text."""
    if not rows:
        return {}
    owner_ids = {o.get("id") for r in rows if r.field == "owners"
                 for o in r.new_value or [] if isinstance(o, dict)}
    agency: dict[str, str | None] = {i: a for i, a in session.execute(
        select(OrganisationRow.id, OrganisationRow.agency).where(
            OrganisationRow.id.in_(owner_ids - {None})))} if owner_ids else {}
    out: dict[str, list[core.Applied]] = {}
    for base, row in zip(_applied(session, rows), rows, strict=True):
        value = base.value
        if row.field == "owners":
            value = [{"id": o.get("id"), "name": o.get("name"),
                      "agency": agency.get(str(o.get("id")))}
                     for o in value or [] if isinstance(o, dict)]
        for a in session.scalars(select(Appearance).where(
                Appearance.recommendation_id == row.recommendation_id).order_by(Appearance.id)):
            target = {"recommendation": row.recommendation_id, "number": a.number,
                      "text": a.text}
            out.setdefault(a.document_id, []).append(core.Applied(
                base.id, "recommendation." + row.field, value, base.old_value, base.reason,
                base.organisation, base.organisation_name, base.at, target))
    return out


def _matches(row: Correction, doc: Document) -> bool:
    before = doc.provenance.get("review_key_before_corrections")
    keys = {doc.review_key, before} - {None}
    return doc.id in (row.document_ids or []) or bool(
        keys & ({row.review_key, row.review_key_after} - {None}))


# -- applying to the store and the index -------------------------------------------------------
def apply_to_documents(engine: Engine, store: CorpusStore, docs: list[Document],
                       backend: Any | None = None) -> list[str]:
    """Lay the corrections in force over these stored Documents (exactly those that match
    each: the review's, and those of the recommendations each prints); re-index the changed
    ones when a backend is given. Returns their ids."""
    from ingest.resync import MergeState, relink_reviews, store_corrected

    with read_session(engine) as s:
        rows = _active_review_rows(s)
        applied = {a.id: a for a in _applied(s, rows)}
        by_doc = _rec_applied(s, _active_rec_rows(s))
    changed: list[str] = []
    state = MergeState(store)
    try:
        for doc in docs:
            mine = [applied[r.id] for r in rows if _matches(r, doc)] + by_doc.get(doc.id, [])
            new = store_corrected(store, state, doc, mine)
            if new is not None:
                changed.append(new.id)
        if changed:
            changed += relink_reviews(store, state, changed)
    finally:
        state.close()
    changed = list(dict.fromkeys(changed))
    if changed and backend is not None:
        from dhr.reindex import reindex_documents
        from dhr.search.base import BackendUnavailable

        try:
            reindex_documents(store, backend, changed)
        except BackendUnavailable:
            # Stored and queued: the next `dhr ingest` / `dhr nightly` indexes them.
            log.warning("search backend unreachable: %d corrected document(s) left pending",
                        len(changed))
    return changed


def _sync_tracker(engine: Engine, store: CorpusStore, ids_: list[str]) -> None:
    """The tracker's review rows (area, CSP) follow the corrected documents: every document of
    their reviews is synced together (a review synced from part of its documents would lose
    the recommendations the others print)."""
    from ingest.resync import MergeState

    from .sync import sync_documents

    docs = [d for d in (store.get_document(i) for i in ids_) if d]
    if not docs:
        return
    state = MergeState(store)
    try:
        members = state.review_members({d.review_key for d in docs if d.review_key})
    finally:
        state.close()
    more = [d for d in (store.get_document(i) for i in members if i not in set(ids_)) if d]
    sync_documents(engine, docs + more)


def check_can_correct_review(engine: Engine, store: CorpusStore, doc_id: str,
                             who: Principal | None) -> None:
    """Raise :class:`NotFound` or :class:`Forbidden` before anything is parsed or written."""
    doc = store.get_document(doc_id)
    if doc is None:
        raise NotFound(doc_id)
    with read_session(engine) as s:
        if not can_correct(who, csp_of_area(s, doc.review.area)):
            raise Forbidden(doc_id)


def add_review_correction(engine: Engine, store: CorpusStore, who: Principal, doc_id: str,
                          data: ReviewInput, *, backend: Any | None = None,
                          ip: str | None = None) -> Correction:
    """Correct a field of the review ``doc_id`` belongs to (checked here: deny by default)."""
    docs = review_documents(store, doc_id)
    doc = docs[0]
    old = core.value_of(doc.to_json_dict(), data.field)
    with write_session(engine) as s:
        csp = csp_of_area(s, doc.review.area)
        if not can_correct(who, csp):
            raise Forbidden(doc_id)
        if old == data.value:
            raise CorrectionError(f"the {core.field_label(data.field)} is already "
                                  f"{core.display(data.field, data.value)!r}")
        superseded = [r for r in _active_review_rows(s)
                      if r.field == data.field and _matches(r, doc)]
        now = utcnow()
        for r in superseded:
            r.removed_at, r.removed_by = now, who.user_id
            r.removed_reason = "superseded by a newer correction"
        row = Correction(target="review", review_key=doc.review_key,
                         document_ids=[d.id for d in docs], field=data.field, old_value=old,
                         new_value=data.value, reason=data.reason, user_id=who.user_id,
                         organisation_id=acting_org(who, csp), created_at=now)
        s.add(row)
        s.flush()
        for r in superseded:
            audit.append(s, who.actor, "correction.remove", target_type="correction",
                         target_id=str(r.id), ip=ip,
                         detail={"reason": r.removed_reason, "superseded_by": row.id})
        audit.append(s, who.actor, "correction.create", target_type="review",
                     target_id=doc.review_key or doc.id, ip=ip,
                     detail={"correction": row.id, "field": data.field, "old": old,
                             "new": data.value, "reason": data.reason, "document": doc.id,
                             "organisation": row.organisation_id})
    changed = apply_to_documents(engine, store, docs, backend)
    fresh = store.get_document(doc.id)
    if fresh is not None and fresh.review_key != doc.review_key:
        with write_session(engine) as s:
            stored = s.get(Correction, row.id)
            assert stored is not None
            stored.review_key_after = fresh.review_key
            row.review_key_after = fresh.review_key
    _sync_tracker(engine, store, changed)
    return row


def check_can_remove(engine: Engine, store: CorpusStore | None, correction_id: int,
                     who: Principal | None) -> None:
    """Raise :class:`NotFound` or :class:`Forbidden` before anything is parsed or written."""
    with read_session(engine) as s:
        row = s.get(Correction, correction_id)
        if row is None or row.removed_at is not None:
            raise NotFound(str(correction_id))
        if not can_correct(who, _csp_of_row(s, row, store)):
            raise Forbidden(str(correction_id))


def remove_correction(engine: Engine, store: CorpusStore | None, who: Principal,
                      correction_id: int, reason: Any, *, backend: Any | None = None,
                      ip: str | None = None) -> Correction:
    """Take a correction out of force (the row stays, marked removed; audited)."""
    with write_session(engine) as s:
        row = s.get(Correction, correction_id)
        if row is None or row.removed_at is not None:
            raise NotFound(str(correction_id))
        csp = _csp_of_row(s, row, store)
        if not can_correct(who, csp):
            raise Forbidden(str(correction_id))
        reason = _reason({"reason": reason})
        row.removed_at, row.removed_by, row.removed_reason = utcnow(), who.user_id, reason
        if row.target == "recommendation":
            rec = s.get(ReviewRecommendation, row.recommendation_id)
            if rec is not None:
                base = (row.extracted_value or {}).get("current", row.old_value)
                _set_rec(rec, row.field, base)
        audit.append(s, who.actor, "correction.remove", target_type="correction",
                     target_id=str(row.id), ip=ip,
                     detail={"reason": reason, "field": row.field, "target": row.target})
    if store is not None:
        docs = _documents_of(engine, store, row)
        changed = apply_to_documents(engine, store, docs, backend)
        if row.target == "review":
            _sync_tracker(engine, store, changed)
    return row


def _documents_of(engine: Engine, store: CorpusStore, row: Correction) -> list[Document]:
    """The stored documents a correction is (or was) laid over: its review's, or those that
    print its recommendation."""
    from ingest.resync import MergeState

    if row.target == "recommendation":
        # Those that print it now, and those that printed it when corrected (a re-extraction
        # may have dropped it: they still carry the correction until reconciled).
        with read_session(engine) as s:
            printed = list(dict.fromkeys([*s.scalars(select(Appearance.document_id).where(
                Appearance.recommendation_id == row.recommendation_id)
                .order_by(Appearance.id)), *(row.document_ids or [])]))
        return [d for d in (store.get_document(i) for i in printed) if d]

    state = MergeState(store)
    try:
        members = state.review_members({k for k in (row.review_key, row.review_key_after) if k})
    finally:
        state.close()
    ids_ = list(dict.fromkeys([*(row.document_ids or []), *members]))
    return [d for d in (store.get_document(i) for i in ids_) if d]


def _csp_of_row(s: Session, row: Correction, store: CorpusStore | None) -> str | None:
    if row.target == "recommendation":
        rec = s.get(ReviewRecommendation, row.recommendation_id)
        review = s.get(ReviewRow, rec.review_key) if rec else None
        return review.csp_organisation_id if review else None
    # The review's CSP as it stands (after the correction), else as it was.
    areas = []
    if store is not None:
        for i in row.document_ids or []:
            d = store.get_document(i)
            if d is not None:
                areas.append(d.review.area)
                break
    if row.field == "area":
        areas += [row.old_value]
    for area in areas:
        csp = csp_of_area(s, area)
        if csp:
            return csp
    return None


def has_review_corrections(engine: Engine) -> bool:
    """Whether any correction was ever made (review or recommendation: both are laid over the
    stored Documents, so :func:`reconcile` has work after an ingest)."""
    with read_session(engine) as s:
        return s.scalar(select(Correction.id).limit(1)) is not None


def reconcile(engine: Engine, store: CorpusStore, backend: Any | None = None) -> dict[str, int]:
    """After an ingest and the tracker sync: every document of a corrected review, and every
    document printing a corrected recommendation (appearances as the sync just rebuilt them),
    carries exactly the corrections in force (a document that joined the review since, a
    re-extraction that numbers or words the recommendation differently, one whose correction
    was removed)."""
    with read_session(engine) as s:
        rows = list(s.scalars(select(Correction)))
    if not rows:
        return {"corrected_documents": 0}
    docs: dict[str, Document] = {}
    for row in rows:
        for d in _documents_of(engine, store, row):
            docs[d.id] = d
    changed = apply_to_documents(engine, store, list(docs.values()), backend)
    return {"corrected_documents": len(changed)}


# -- recommendations ---------------------------------------------------------------------------
def _rec_value(rec: ReviewRecommendation, field: str) -> Any:
    if field == "text":
        return rec.text
    if field == "scope":
        return rec.scope
    return [{"id": o.organisation_id, "name": o.name} for o in rec.owners]


def _set_rec(rec: ReviewRecommendation, field: str, value: Any) -> None:
    if field == "text":
        rec.text = value
    elif field == "scope":
        rec.scope = value
    else:
        rec.owners = [RecommendationOwner(position=j, organisation_id=o.get("id"),
                                          name=o.get("name") or o.get("id") or "")
                      for j, o in enumerate(value or [])]


def check_can_correct_recommendation(engine: Engine, rec_id: str, who: Principal | None) -> None:
    with read_session(engine) as s:
        rec = s.get(ReviewRecommendation, rec_id)
        if rec is None:
            raise NotFound(rec_id)
        review = s.get(ReviewRow, rec.review_key)
        if not can_correct(who, review.csp_organisation_id if review else None):
            raise Forbidden(rec_id)


def add_recommendation_correction(engine: Engine, who: Principal, rec_id: str, body: Any, *,
                                  store: CorpusStore | None = None, backend: Any | None = None,
                                  ip: str | None = None) -> Correction:
    """Correct a review recommendation's text, scope or owners (checked here: deny by
    default). With ``store``, the stored Documents that print it carry the correction, and are
    re-indexed at once when a ``backend`` is given."""
    row = _write_recommendation_correction(engine, who, rec_id, body, ip)
    if store is not None:
        apply_to_documents(engine, store, _documents_of(engine, store, row), backend)
    return row


def _write_recommendation_correction(engine: Engine, who: Principal, rec_id: str, body: Any,
                                     ip: str | None) -> Correction:
    with write_session(engine) as s:
        rec = s.get(ReviewRecommendation, rec_id)
        if rec is None:
            raise NotFound(rec_id)
        review = s.get(ReviewRow, rec.review_key)
        csp = review.csp_organisation_id if review else None
        if not can_correct(who, csp):
            raise Forbidden(rec_id)
        data = parse_recommendation_correction(s, body)
        old = _rec_value(rec, data.field)
        if old == data.value:
            raise CorrectionError(f"the recommendation's {data.field} is already that value")
        previous = [r for r in s.scalars(select(Correction).where(
            Correction.recommendation_id == rec.id, Correction.field == data.field,
            Correction.removed_at.is_(None)))]
        extracted = (previous[0].extracted_value if previous else None) or \
            {"baseline": old, "current": old}
        now = utcnow()
        for r in previous:
            r.removed_at, r.removed_by = now, who.user_id
            r.removed_reason = "superseded by a newer correction"
        row = Correction(target="recommendation", review_key=rec.review_key,
                         recommendation_id=rec.id,
                         document_ids=list(dict.fromkeys(a.document_id for a in rec.appearances)),
                         field=data.field,
                         old_value=old, new_value=data.value, extracted_value=extracted,
                         reason=data.reason, user_id=who.user_id,
                         organisation_id=acting_org(who, csp), created_at=now)
        s.add(row)
        _set_rec(rec, data.field, data.value)
        s.flush()
        for r in previous:
            audit.append(s, who.actor, "correction.remove", target_type="correction",
                         target_id=str(r.id), ip=ip,
                         detail={"reason": r.removed_reason, "superseded_by": row.id})
        audit.append(s, who.actor, "correction.create", target_type="recommendation",
                     target_id=rec.id, ip=ip,
                     detail={"correction": row.id, "field": data.field, "old": old,
                             "new": data.value, "reason": data.reason,
                             "organisation": row.organisation_id})
        return row


def take_off_recommendation_corrections(s: Session, recs: list[ReviewRecommendation]
                                        ) -> dict[str, list[Correction]]:
    """Before re-linking a new extraction (sync): tracked recommendations show what extraction
    last said, so re-linking compares extraction with extraction."""
    if not recs:
        return {}
    rows = list(s.scalars(select(Correction).where(
        Correction.recommendation_id.in_([r.id for r in recs]),
        Correction.removed_at.is_(None)).order_by(Correction.id)))
    out: dict[str, list[Correction]] = {}
    by_id = {r.id: r for r in recs}
    for row in rows:
        assert row.recommendation_id is not None
        out.setdefault(row.recommendation_id, []).append(row)
        base = (row.extracted_value or {}).get("current", row.old_value)
        _set_rec(by_id[row.recommendation_id], row.field, base)
    return out


def put_back_recommendation_corrections(s: Session, recs: list[ReviewRecommendation],
                                        held: dict[str, list[Correction]]) -> None:
    """After the sync filled the recommendations from extraction: note what extraction says
    now, and lay the corrections over it again."""
    by_id = {r.id: r for r in recs}
    for rec_id, rows in held.items():
        rec = by_id.get(rec_id)
        if rec is None:
            continue
        for row in rows:
            now_says = _rec_value(rec, row.field)
            ev = dict(row.extracted_value or {})
            ev["current"] = now_says
            row.extracted_value = ev
            _set_rec(rec, row.field, row.new_value)


# -- listing ------------------------------------------------------------------------------------
def correction_dict(s: Session, row: Correction, *, full: bool) -> dict[str, Any]:
    org = s.get(OrganisationRow, row.organisation_id) if row.organisation_id else None
    out: dict[str, Any] = {
        "id": row.id, "target": row.target, "review_key": row.review_key,
        "recommendation": row.recommendation_id, "field": row.field,
        "value": row.new_value, "reason": row.reason,
        "organisation": {"id": org.id, "name": org.name} if org else None,
        "created_at": _iso(row.created_at), "active": row.removed_at is None,
        "removed_at": _iso(row.removed_at) if row.removed_at else None,
    }
    if full:
        user = s.get(User, row.user_id)
        out["old_value"] = row.old_value
        out["by"] = user.email if user else None
        out["documents"] = row.document_ids
        out["removed_reason"] = row.removed_reason
    return out


def corrections_of_documents(engine: Engine, doc_ids: list[str], *, full: bool
                             ) -> list[dict[str, Any]]:
    with read_session(engine) as s:
        rows = [r for r in s.scalars(select(Correction).where(Correction.target == "review")
                                     .order_by(Correction.id))
                if set(r.document_ids or []) & set(doc_ids)]
        return [correction_dict(s, r, full=full) for r in rows]


def disagreements(engine: Engine, store: CorpusStore | None) -> list[dict[str, Any]]:
    """Corrections in force that extraction now disagrees with, for a person to look at."""
    out: list[dict[str, Any]] = []
    with read_session(engine) as s:
        rows = list(s.scalars(select(Correction).where(Correction.removed_at.is_(None))
                              .order_by(Correction.id)))
        for row in rows:
            base = correction_dict(s, row, full=True)
            if row.target == "recommendation":
                ev = row.extracted_value or {}
                current, baseline = ev.get("current"), ev.get("baseline")
                kind = ("extraction_agrees" if current == row.new_value else
                        "extraction_changed" if current != baseline else None)
                if kind:
                    out.append({**base, "kind": kind, "extracted_value": current,
                                "value_when_corrected": baseline, "document": None})
                # A document that no longer prints it clearly: laid over nothing there.
                for doc in _documents_of(engine, store, row) if store is not None else []:
                    for r in doc.provenance.get("corrections") or []:
                        if isinstance(r, dict) and r.get("id") == row.id \
                                and core.rec_disagreement(r) == "not_found":
                            out.append({**base, "kind": "not_found", "extracted_value": None,
                                        "value_when_corrected": r.get("baseline"),
                                        "extractor_version": r.get("extractor_version"),
                                        "document": doc.id})
                continue
            if store is None:
                continue
            for doc in _documents_of(engine, store, row):
                for d in core.disagreements(doc):
                    if d["correction"] == row.id:
                        out.append({**base, "kind": d["kind"],
                                    "extracted_value": d["extracted_value"],
                                    "value_when_corrected": d["value_when_corrected"],
                                    "extractor_version": d["extractor_version"],
                                    "document": doc.id})
    return out
