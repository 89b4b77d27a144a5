"""Read side of the tracker: listing and showing review recommendations and organisations.

Results are plain dicts in the API's shape (accountability.md). What a viewer sees depends on
who they are: statuses and public notes for everyone when ``tracker.public_status`` is on (else
only for signed-in users); non-public notes, evidence and authors only for those
:func:`accountability.permissions.can_read_private` allows. Lists page with an opaque cursor
(keyset on the stable id), so pages stay consistent while updates arrive.

Suppressed content (takedown, :mod:`accountability.takedown`) is left out for the public: a
recommendation of a suppressed review, or printed only in suppressed documents, is not listed,
counted or shown, and suppressed documents are dropped from ``documents``; admins and
oversight see everything, with ``"suppressed": true`` where it applies.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.orm import Session

from .accounts import Principal
from .models import (
    ActionRow,
    Appearance,
    OrganisationRow,
    RecommendationOwner,
    RecurringMember,
    ReviewRecommendation,
    ReviewRow,
    Update,
    User,
)
from .permissions import can_read_private, can_read_status
from .recurring import group_refs, made_before
from .statuses import CLOSED, STATUSES, is_overdue, today
from .takedown import Hidden, hidden, recommendation_hidden, visible_to


class CursorError(ValueError):
    pass


@dataclass
class RecFilters:
    q: str | None = None
    owner: list[str] = field(default_factory=list)
    owner_kind: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    overdue: bool | None = None
    review_key: str | None = None
    area: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    repeat: bool | None = None
    recurring_group: str | None = None


def encode_cursor(last_id: str, filters: RecFilters) -> str:
    raw = json.dumps({"after": last_id})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, filters: RecFilters) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        after = data["after"]
        if not isinstance(after, str):
            raise TypeError
    except Exception:  # noqa: BLE001 - any undecodable cursor is the client's mistake
        raise CursorError("cursor is not one this API issued") from None
    return after


def _like(words: str) -> list:
    out = []
    for w in words.split():
        w = w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        out.append(ReviewRecommendation.text.ilike(f"%{w}%", escape="\\"))
    return out


def visible_clauses(h: Hidden) -> list:
    """WHERE clauses leaving out the recommendations the public may not see (``h`` from
    :func:`accountability.takedown.hidden`): those of a suppressed review, and those printed
    only in suppressed documents."""
    conds: list = []
    if h.review_keys:
        conds.append(ReviewRecommendation.review_key.not_in(h.review_keys))
    if h.documents:
        in_hidden = select(Appearance.recommendation_id).where(
            Appearance.document_id.in_(h.documents))
        in_visible = select(Appearance.recommendation_id).where(
            Appearance.document_id.not_in(h.documents))
        conds.append(or_(ReviewRecommendation.id.not_in(in_hidden),
                         ReviewRecommendation.id.in_(in_visible)))
    return conds


def public_filter(session: Session, viewer: Principal | None) -> Hidden | None:
    """What to hide from this viewer: None for admins and oversight (they see everything)."""
    return None if visible_to(viewer) else hidden(session)


def _filtered(f: RecFilters, hide: Hidden | None = None):
    q = select(ReviewRecommendation)
    if hide:
        q = q.where(*visible_clauses(hide))
    if f.area or f.year_from is not None or f.year_to is not None:
        q = q.join(ReviewRow, ReviewRow.review_key == ReviewRecommendation.review_key)
    if f.q:
        q = q.where(*_like(f.q))
    if f.owner:
        q = q.where(ReviewRecommendation.id.in_(
            select(RecommendationOwner.recommendation_id)
            .where(RecommendationOwner.organisation_id.in_(f.owner))))
    if f.owner_kind:
        q = q.where(ReviewRecommendation.id.in_(
            select(RecommendationOwner.recommendation_id)
            .join(OrganisationRow, OrganisationRow.id == RecommendationOwner.organisation_id)
            .where(OrganisationRow.kind.in_(f.owner_kind))))
    if f.status:
        q = q.where(ReviewRecommendation.status.in_(f.status))
    if f.overdue is not None:
        cond = and_(ReviewRecommendation.target_due.is_not(None),
                    ReviewRecommendation.target_due < today(),
                    ReviewRecommendation.status.not_in(CLOSED))
        q = q.where(cond if f.overdue else not_(cond))
    if f.review_key:
        q = q.where(ReviewRecommendation.review_key == f.review_key)
    if f.repeat is not None:
        repeats = select(RecurringMember.recommendation_id).where(
            RecurringMember.repeat.is_(True))
        q = q.where(ReviewRecommendation.id.in_(repeats) if f.repeat
                    else ReviewRecommendation.id.not_in(repeats))
    if f.recurring_group:
        q = q.where(ReviewRecommendation.id.in_(
            select(RecurringMember.recommendation_id)
            .where(RecurringMember.group_id == f.recurring_group)))
    if f.area:
        q = q.where(func.lower(ReviewRow.area) == f.area.lower())
    if f.year_from is not None:
        q = q.where(ReviewRow.year >= f.year_from)
    if f.year_to is not None:
        q = q.where(ReviewRow.year <= f.year_to)
    return q


class OrgNames:
    """Organisation display names, looked up once per request (only the ids it needs)."""

    def __init__(self, session: Session):
        self.session = session
        self._names: dict[str, str | None] = {}

    def preload(self, ids: set[str | None]) -> None:
        wanted = {i for i in ids if i and i not in self._names}
        if wanted:
            found: dict[str, str] = dict(
                self.session.execute(select(OrganisationRow.id, OrganisationRow.name)
                                              .where(OrganisationRow.id.in_(wanted))).tuples().all())
            self._names.update({i: found.get(i) for i in wanted})

    def get(self, org_id: str | None) -> str | None:
        if org_id is None:
            return None
        if org_id not in self._names:
            self.preload({org_id})
        return self._names[org_id]


def _owners(rec: ReviewRecommendation, names: OrgNames) -> list[dict[str, Any]]:
    return [{"id": o.organisation_id, "name": names.get(o.organisation_id) or o.name}
            for o in rec.owners]


def _documents(rec: ReviewRecommendation, hide: Hidden | None = None) -> list[dict[str, Any]]:
    return [{"id": a.document_id, "page": a.page} for a in rec.appearances
            if not (hide and a.document_id in hide.documents)]


def _marked(rec: ReviewRecommendation, out: dict[str, Any], h: Hidden) -> dict[str, Any]:
    """For admins and oversight: say what is suppressed."""
    if h.document(None, rec.review_key) or (
            rec.appearances and all(a.document_id in h.documents for a in rec.appearances)):
        out["suppressed"] = True
    for d in out.get("documents") or []:
        if d.get("id") in h.documents:
            d["suppressed"] = True
    return out


def summary(rec: ReviewRecommendation, names: OrgNames, show_status: bool,
            hide: Hidden | None = None,
            groups: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """One recommendation in the API's shape; ``hide``: what the viewer may not see;
    ``groups``: :func:`recurring.group_refs` of the page (its ``recurring_group`` is null when
    it is in no group yet)."""
    return {
        "id": rec.id, "review_key": rec.review_key, "number": rec.number, "text": rec.text,
        "owners": _owners(rec, names), "scope": rec.scope,
        "status": rec.status if show_status else None,
        "target_date": rec.target_date,
        "overdue": is_overdue(rec.status, rec.target_due) if show_status else None,
        "documents": _documents(rec, hide),
        "recurring_group": (groups or {}).get(rec.id),
        "url": f"/api/v1/review-recommendations/{rec.id}",
    }


def list_recommendations(session: Session, f: RecFilters, *, viewer: Principal | None,
                         public_status: bool, page_size: int = 20,
                         cursor: str | None = None) -> dict[str, Any]:
    show = can_read_status(viewer, public_status)
    hide = public_filter(session, viewer)
    base = _filtered(f, hide)
    total = session.scalar(select(func.count()).select_from(base.subquery()))
    q = base.order_by(ReviewRecommendation.id).limit(page_size + 1)
    if cursor:
        q = q.where(ReviewRecommendation.id > decode_cursor(cursor, f))
    rows = list(session.scalars(q))
    more = len(rows) > page_size
    rows = rows[:page_size]
    names = OrgNames(session)
    names.preload({o.organisation_id for r in rows for o in r.owners})
    marks = hidden(session) if hide is None else None
    groups = group_refs(session, [r.id for r in rows])
    results = [summary(r, names, show, hide, groups) for r in rows]
    if marks:
        results = [_marked(r, out, marks) for r, out in zip(rows, results, strict=True)]
    return {"total": total, "results": results,
            "next_cursor": encode_cursor(rows[-1].id, f) if more and rows else None}


def _update_dict(u: Update, names: OrgNames, private_ok: bool, users: dict[int | None, str | None],
                 ) -> dict[str, Any]:
    visible = u.public or private_ok
    out: dict[str, Any] = {
        "seq": u.seq, "created_at": u.created_at.isoformat().replace("+00:00", "Z"),
        "source": u.source, "status": u.status, "public": u.public,
        "note": u.note if visible else None,
        "evidence_url": u.evidence_url if visible else None,
        "evidence_file": ({"sha256": u.evidence_sha256, "filename": u.evidence_filename}
                          if visible and u.evidence_sha256 else None),
        "target_date": u.target_date,
        "organisation": ({"id": u.organisation_id, "name": names.get(u.organisation_id)}
                         if u.organisation_id else None),
        "document": u.document_id,
    }
    if private_ok:
        out["id"] = u.id
        out["by"] = users.get(u.user_id) if u.user_id else None
    return out


def update_dict(session: Session, u: Update) -> dict[str, Any]:
    """The stored update as its author sees it (the POST answer)."""
    user = session.get(User, u.user_id) if u.user_id else None
    return _update_dict(u, OrgNames(session), True,
                        {u.user_id: (user.name or user.email) if user else None})


def recommendation_detail(session: Session, rec_id: str, *, viewer: Principal | None,
                          public_status: bool) -> dict[str, Any] | None:
    rec = session.get(ReviewRecommendation, rec_id)
    if rec is None:
        return None
    hide = public_filter(session, viewer)
    if hide and session.scalar(select(func.count()).select_from(ReviewRecommendation).where(
            ReviewRecommendation.id == rec_id, *visible_clauses(hide))) == 0:
        return None  # suppressed: the same answer as an unknown id
    names = OrgNames(session)
    review = session.get(ReviewRow, rec.review_key)
    owner_ids = [o.organisation_id for o in rec.owners]
    csp = review.csp_organisation_id if review else None
    show = can_read_status(viewer, public_status)
    private_ok = can_read_private(viewer, owner_ids, csp)
    out = summary(rec, names, show, hide, group_refs(session, [rec.id]))
    out["made_before"] = [m if show else {**m, "status": None}
                          for m in made_before(session, rec.id)
                          if not (hide and (m["review_key"] in hide.review_keys
                                            or recommendation_hidden(session, m["id"])))]
    out.update({
        "review": {"review_key": rec.review_key, "area": review.area if review else None,
                   "region": review.region if review else None,
                   "year": review.year if review else None,
                   "csp": {"id": csp, "name": names.get(csp)} if csp else None},
        "owner_source": rec.owner_source, "smart_score": rec.smart_score, "themes": rec.themes,
        "state": rec.state,
        "documents": [{"id": a.document_id, "page": a.page, "doc_type": a.doc_type,
                       "number": a.number} for a in rec.appearances
                      if not (hide and a.document_id in hide.documents)],
        "actions": [{"document": a.document_id, "page": a.page, "recommendation": a.number,
                     "action": a.action,
                     "lead": ({"id": a.lead_organisation_id,
                               "name": names.get(a.lead_organisation_id) or a.lead_name}
                              if a.lead_organisation_id or a.lead_name else None),
                     "milestones": a.milestones, "target_date": a.target_date,
                     "completed_date": a.completed_date, "outcome": a.outcome,
                     "status": a.status}
                    for a in session.scalars(select(ActionRow)
                                             .where(ActionRow.recommendation_id == rec.id)
                                             .order_by(ActionRow.document_id,
                                                       ActionRow.position))
                    if not (hide and a.document_id in hide.documents)],
    })
    if hide is None:
        marks = hidden(session)
        if marks:
            _marked(rec, out, marks)
    history: list[dict[str, Any]] = []
    if show:
        ups = list(session.scalars(select(Update).where(Update.recommendation_id == rec.id)
                                   .order_by(Update.seq)))
        users: dict[int | None, str | None] = {}
        if private_ok:
            ids = {u.user_id for u in ups if u.user_id}
            users = {u.id: u.name or u.email
                     for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
        history = [_update_dict(u, names, private_ok, users) for u in ups]
    out["history"] = history
    return out


def org_dict(o: OrganisationRow) -> dict[str, Any]:
    return {"id": o.id, "name": o.name, "kind": o.kind, "agency": o.agency, "region": o.region,
            "aliases": list(o.aliases or []), "url": f"/api/v1/organisations/{o.id}"}


def organisation_detail(session: Session, org_id: str, *, viewer: Principal | None,
                        public_status: bool) -> dict[str, Any] | None:
    org = session.get(OrganisationRow, org_id)
    if org is None:
        return None
    owned = select(RecommendationOwner.recommendation_id).where(
        RecommendationOwner.organisation_id == org_id)
    hide = public_filter(session, viewer)
    if hide:
        owned = owned.where(RecommendationOwner.recommendation_id.in_(
            select(ReviewRecommendation.id).where(*visible_clauses(hide))))
    total = session.scalar(select(func.count()).select_from(ReviewRecommendation)
                           .where(ReviewRecommendation.id.in_(owned)))
    out = org_dict(org)
    recs: dict[str, Any] = {"total": total,
                            "url": f"/api/v1/review-recommendations?owner={org_id}"}
    if can_read_status(viewer, public_status):
        counts: dict[str, int] = dict(
            session.execute(select(ReviewRecommendation.status, func.count())
                            .where(ReviewRecommendation.id.in_(owned))
                            .group_by(ReviewRecommendation.status)).tuples().all())
        recs["status_counts"] = {s: counts.get(s, 0) for s in STATUSES}
        recs["overdue"] = session.scalar(
            select(func.count()).select_from(ReviewRecommendation)
            .where(ReviewRecommendation.id.in_(owned),
                   ReviewRecommendation.target_due < today(),
                   ReviewRecommendation.status.not_in(CLOSED)))
    out["recommendations"] = recs
    out["csp_reviews"] = session.scalar(select(func.count()).select_from(ReviewRow)
                                        .where(ReviewRow.csp_organisation_id == org_id))
    return out


def list_organisations(session: Session, kind: list[str] | None = None) -> dict[str, Any]:
    q = select(OrganisationRow).order_by(OrganisationRow.name)
    if kind:
        q = q.where(OrganisationRow.kind.in_(kind))
    rows = [org_dict(o) for o in session.scalars(q)]
    return {"total": len(rows), "results": rows}


def review_detail(session: Session, review_key: str, *, viewer: Principal | None,
                  public_status: bool) -> dict[str, Any] | None:
    """One review: its metadata, the documents that print its recommendations or action plan,
    and its recommendations once each (not once per document), in printed order."""
    review = session.get(ReviewRow, review_key)
    hide = public_filter(session, viewer)
    if review is None or (hide and review_key in hide.review_keys):
        return None  # a suppressed review is not found, for the public
    names = OrgNames(session)
    recs = list(session.scalars(select(ReviewRecommendation)
                                .where(ReviewRecommendation.review_key == review_key,
                                       *(visible_clauses(hide) if hide else []))
                                .order_by(ReviewRecommendation.position,
                                          ReviewRecommendation.id)))
    names.preload({o.organisation_id for r in recs for o in r.owners}
                  | {review.csp_organisation_id})
    show = can_read_status(viewer, public_status)
    documents: dict[str, dict[str, Any]] = {}
    for r in recs:
        for a in r.appearances:
            documents.setdefault(a.document_id, {"id": a.document_id, "doc_type": a.doc_type})
    for doc_id in session.scalars(select(ActionRow.document_id).distinct()
                                  .where(ActionRow.review_key == review_key)):
        documents.setdefault(doc_id, {"id": doc_id, "doc_type": "action_plan"})
    if hide:
        documents = {k: v for k, v in documents.items() if k not in hide.documents}
    csp = review.csp_organisation_id
    return {"review_key": review.review_key, "area": review.area, "region": review.region,
            "year": review.year, "pseudonym": review.pseudonym,
            "csp": {"id": csp, "name": names.get(csp)} if csp else None,
            "documents": list(documents.values()),
            "recommendations": [summary(r, names, show, hide) for r in recs],
            "status_shown": show}


def organisation_recommendations(session: Session, org_id: str, *, viewer: Principal | None,
                                 public_status: bool, status: list[str] | None = None,
                                 overdue: bool | None = None,
                                 limit: int = 5000) -> list[dict[str, Any]]:
    """The review recommendations an organisation owns (filtered by status and overdue when
    statuses are visible to the viewer), ordered by review and printed position."""
    show = can_read_status(viewer, public_status)
    f = RecFilters(owner=[org_id], status=list(status or []) if show else [],
                   overdue=overdue if show else None)
    hide = public_filter(session, viewer)
    rows = list(session.scalars(_filtered(f, hide).order_by(ReviewRecommendation.review_key,
                                                      ReviewRecommendation.position,
                                                      ReviewRecommendation.id).limit(limit)))
    names = OrgNames(session)
    names.preload({o.organisation_id for r in rows for o in r.owners})
    return [summary(r, names, show, hide) for r in rows]


def csp_recommendations(session: Session, org_id: str, *, viewer: Principal | None,
                        public_status: bool, limit: int = 5000) -> list[dict[str, Any]]:
    """The recommendations of the reviews whose Community Safety Partnership ``org_id`` is
    (its editors may update them too), by review and printed position."""
    show = can_read_status(viewer, public_status)
    hide = public_filter(session, viewer)
    rows = list(session.scalars(
        select(ReviewRecommendation)
        .join(ReviewRow, ReviewRow.review_key == ReviewRecommendation.review_key)
        .where(ReviewRow.csp_organisation_id == org_id,
               *(visible_clauses(hide) if hide else []))
        .order_by(ReviewRecommendation.review_key, ReviewRecommendation.position,
                  ReviewRecommendation.id).limit(limit)))
    names = OrgNames(session)
    names.preload({o.organisation_id for r in rows for o in r.owners})
    return [summary(r, names, show) for r in rows]


def evidence_file_for(session: Session, rec_id: str, seq: int, *, viewer: Principal | None,
                      public_status: bool) -> tuple[str, str] | None:
    """(sha256, file name) of an update's evidence file, only when the viewer may see that
    update (the same rule as the timeline): None otherwise, as for a missing one."""
    rec = session.get(ReviewRecommendation, rec_id)
    if rec is None or not can_read_status(viewer, public_status):
        return None
    upd = session.scalar(select(Update).where(Update.recommendation_id == rec_id,
                                              Update.seq == seq))
    if upd is None or not upd.evidence_sha256:
        return None
    if not upd.public:
        review = session.get(ReviewRow, rec.review_key)
        if not can_read_private(viewer, [o.organisation_id for o in rec.owners],
                                review.csp_organisation_id if review else None):
            return None
    return upd.evidence_sha256, upd.evidence_filename or "evidence"


__all__ = [
    "CursorError",
    "RecFilters",
    "csp_recommendations",
    "evidence_file_for",
    "list_organisations",
    "list_recommendations",
    "organisation_detail",
    "organisation_recommendations",
    "public_filter",
    "recommendation_detail",
    "review_detail",
    "update_dict",
    "visible_clauses",
]
