"""The notification outbox: new review recommendations waiting to be told to their owners.

The tracker sync calls :func:`enqueue_new_recommendations` inside the transaction that creates
the recommendations, so a recommendation and its outbox rows are committed together (or not at
all). Only recommendations that are new to the tracker are queued: not one re-linked to a
tracked id, not one that might be a tracked one re-worded (flagged for a person), and not one
printed only by documents the tracker already knew (a re-extraction of known documents).
:func:`due`, :func:`claim`, :func:`mark_sent` and :func:`mark_failed` are what ``dhr notify``
(:mod:`accountability.notify`) does with the rows.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .contacts import orgs_with_contacts
from .models import Appearance, NotificationSend, OutboxItem, ReviewRecommendation, utcnow

NEW_RECOMMENDATION = "new_recommendation"
LEASE = timedelta(minutes=15)  # a run that died mid-send leaves its rows due again after this


def enqueue_new_recommendations(s: Session, recs: Iterable[ReviewRecommendation],
                                known_documents: set[str]) -> int:
    """One outbox row per (owner with contacts, new recommendation); returns how many."""
    fresh = []
    for rec in recs:
        docs = {a.document_id for a in s.scalars(select(Appearance).where(
            Appearance.recommendation_id == rec.id))}
        if docs and docs <= known_documents:
            continue  # a re-extraction of documents the tracker already had
        fresh.append(rec)
    owners = {rec.id: {o.organisation_id for o in rec.owners if o.organisation_id}
              for rec in fresh}
    told = orgs_with_contacts(s, set().union(*owners.values()) if owners else set())
    now, added = utcnow(), 0
    for rec in fresh:
        for org in sorted(owners[rec.id] & told):
            s.add(OutboxItem(organisation_id=org, recommendation_id=rec.id,
                             kind=NEW_RECOMMENDATION, created_at=now, next_attempt_at=now))
            added += 1
    return added


def due(s: Session, now: datetime) -> dict[str, list[OutboxItem]]:
    """Rows to send now, by organisation (not sent, not given up, next attempt passed)."""
    rows = s.scalars(select(OutboxItem).where(OutboxItem.sent_at.is_(None),
                                              OutboxItem.gave_up_at.is_(None),
                                              OutboxItem.next_attempt_at <= now)
                     .order_by(OutboxItem.organisation_id, OutboxItem.id))
    out: dict[str, list[OutboxItem]] = defaultdict(list)
    for row in rows:
        out[row.organisation_id].append(row)
    return dict(out)


def claim(s: Session, items: list[OutboxItem], now: datetime) -> str:
    """Take the rows for one send: a claim token and a lease (their next attempt moves ahead),
    so a second run at the same time leaves them alone."""
    token = secrets.token_hex(16)
    for item in items:
        item.claim, item.next_attempt_at = token, now + LEASE
    return token


def mark_sent(s: Session, ids: list[int], token: str, send: NotificationSend) -> int:
    """In the transaction that records ``send``: the claimed rows are sent (once: a row whose
    claim changed or that is already sent is not touched). Returns the rows marked."""
    s.add(send)
    s.flush()
    result = s.execute(update(OutboxItem)
                       .where(OutboxItem.id.in_(ids), OutboxItem.claim == token,
                              OutboxItem.sent_at.is_(None))
                       .values(sent_at=send.sent_at, send_id=send.id,
                               attempts=OutboxItem.attempts + 1, last_error=None)
                       .execution_options(synchronize_session=False))
    return getattr(result, "rowcount", 0) or 0  # a CursorResult for an UPDATE


def backoff(attempts: int, first: float, most: float) -> timedelta:
    """The wait before attempt ``attempts + 1``: ``first`` seconds, doubling, at most ``most``."""
    return timedelta(seconds=min(most, first * 2 ** max(0, attempts - 1)))


def mark_failed(s: Session, ids: list[int], token: str, error: str, now: datetime, *,
                max_attempts: int, first: float, most: float) -> list[OutboxItem]:
    """Count a failed attempt on the claimed rows: retry later with backoff, or give up after
    ``max_attempts``. Returns the rows given up now."""
    gave_up = []
    for item in s.scalars(select(OutboxItem).where(OutboxItem.id.in_(ids),
                                                   OutboxItem.claim == token,
                                                   OutboxItem.sent_at.is_(None))):
        item.attempts += 1
        item.last_error = error[:2000]
        item.claim = None
        if item.attempts >= max_attempts:
            item.gave_up_at = now
            gave_up.append(item)
        else:
            item.next_attempt_at = now + backoff(item.attempts, first, most)
    return gave_up
