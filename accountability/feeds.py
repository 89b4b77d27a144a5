"""What an organisation's Atom feed lists: its new recommendations and their public status
changes, newest first (the web layer, :mod:`search_api.feeds`, renders them as Atom).

Only public information: a status change is listed only from a *public* update (a published
action plan's rows, or an update its author marked public), with that update's note; a
non-public update never appears, nor does its note. When the deployment keeps statuses private
(``tracker.public_status: false``) the feed lists new recommendations only. Entry ids are
derived from the recommendation's stable id (and the update's place in its history), so they
are the same at every request and on every server.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import OrganisationRow, RecommendationOwner, ReviewRecommendation, ReviewRow, Update
from .queries import visible_clauses
from .takedown import hidden

MAX_ENTRIES = 50
STATUS_LABELS = {"no_information": "No information", "not_started": "Not started",
                 "in_progress": "In progress", "completed": "Completed",
                 "not_accepted": "Not accepted", "superseded": "Superseded"}


def entry_id(name: str) -> str:
    """A stable Atom id (RFC 4122 name-based UUID URN) for a name such as
    ``recommendation:rr-...``."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"dhr:{name}").urn


@dataclass(frozen=True)
class FeedEntry:
    id: str
    kind: str  # new_recommendation | status_change
    recommendation_id: str
    title: str
    text: str
    updated: datetime


def _review_label(review: ReviewRow | None) -> str:
    if review is None:
        return "a review"
    place = ", ".join(str(x) for x in (review.area, review.year) if x)
    return f"review {place}" if place else f"review {review.review_key}"


def _rec_label(rec: ReviewRecommendation) -> str:
    return f"Recommendation {rec.number}" if rec.number else "A recommendation"


def organisation_entries(session: Session, org_id: str, *, public_status: bool,
                         limit: int = MAX_ENTRIES) -> list[FeedEntry]:
    owned = (select(RecommendationOwner.recommendation_id)
             .where(RecommendationOwner.organisation_id == org_id))
    hide = hidden(session)  # feeds are public: suppressed reviews and documents stay out
    shown = visible_clauses(hide) if hide else []
    recs = list(session.scalars(select(ReviewRecommendation)
                                .where(ReviewRecommendation.id.in_(owned), *shown)
                                .order_by(ReviewRecommendation.created_at.desc(),
                                          ReviewRecommendation.id).limit(limit)))
    updates: list[tuple[Update, ReviewRecommendation]] = []
    if public_status:
        updates = [(u, r) for u, r in session.execute(
            select(Update, ReviewRecommendation)
            .join(ReviewRecommendation, ReviewRecommendation.id == Update.recommendation_id)
            .where(Update.recommendation_id.in_(owned), Update.public.is_(True),
                   Update.status.is_not(None), *shown)
            .order_by(Update.created_at.desc(), Update.id.desc()).limit(limit)).tuples()]
    reviews = {r.review_key: r for r in session.scalars(select(ReviewRow).where(
        ReviewRow.review_key.in_({r.review_key for r in recs}
                                 | {r.review_key for _, r in updates})))}
    entries = [FeedEntry(entry_id(f"recommendation:{r.id}"), "new_recommendation", r.id,
                         f"New: {_rec_label(r)} of {_review_label(reviews.get(r.review_key))}",
                         r.text, r.created_at) for r in recs]
    for u, r in updates:
        label = STATUS_LABELS.get(u.status or "", u.status or "")
        how = " (as published in the review's action plan)" if u.source == "published" else ""
        entries.append(FeedEntry(
            entry_id(f"recommendation:{r.id}:update:{u.seq}"), "status_change", r.id,
            f"{_rec_label(r)} of {_review_label(reviews.get(r.review_key))}: {label}",
            f"Status: {label}{how}." + (f"\n\n{u.note}" if u.note else ""), u.created_at))
    entries.sort(key=lambda e: (e.updated, e.id), reverse=True)
    return entries[:limit]


def organisation(session: Session, org_id: str) -> OrganisationRow | None:
    return session.get(OrganisationRow, org_id)
