"""The recommendations explorer's link to the tracker: for each search result (one review
recommendation as the index lists it), the review recommendation it is, with owners and status.

The explorer asks the index for one result per review recommendation (records stamped with the
tracker's id, :mod:`accountability.index_keys`); :func:`tracking_for` takes that id, or for a record
not stamped yet matches it through the tracker's appearances (same document, same wording, else same
number), in one query, so the explorer can show the status and link to the review-level page
``/recommendations/<id>``. It never fails the explorer: with no tracker database (a search-only
server: no embedded tracker file, nothing is created) or on a database error it returns nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from accountability.db import read_session
from accountability.models import Appearance, ReviewRecommendation
from accountability.permissions import can_read_status
from accountability.queries import OrgNames, summary

from .tracker_auth import session_principal
from .tracker_state import tracker

log = logging.getLogger(__name__)


def _tracker_exists() -> bool:
    url = make_url(tracker().config.tracker_database_url)
    if url.get_backend_name() != "sqlite":
        return True
    return url.database is not None and url.database != "" and Path(url.database).exists()


def tracking_for(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """{search result id: review recommendation summary} for the results that are tracked."""
    if not results or not _tracker_exists():
        return {}
    doc_ids = {r["document_id"] for r in results if r.get("document_id")}
    try:
        with read_session(tracker().engine) as s:
            rows = s.execute(select(Appearance.document_id, Appearance.number, Appearance.text,
                                    Appearance.recommendation_id)
                             .where(Appearance.document_id.in_(doc_ids))).all()
            by_text = {(d, t): rid for d, _n, t, rid in rows}
            by_number = {(d, n): rid for d, n, _t, rid in rows if n}
            wanted: dict[str, str] = {}
            for r in results:
                # The index's key (stamped after each tracker sync), else the appearances.
                rid = (r.get("review_recommendation")
                       or by_text.get((r.get("document_id"), r.get("text")))
                       or by_number.get((r.get("document_id"), r.get("number"))))
                if rid:
                    wanted[r["id"]] = rid
            recs = {rec.id: rec for rec in s.scalars(select(ReviewRecommendation).where(
                ReviewRecommendation.id.in_(set(wanted.values()))))} if wanted else {}
            names = OrgNames(s)
            names.preload({o.organisation_id for rec in recs.values() for o in rec.owners})
            show = can_read_status(session_principal(), tracker().public_status)
            out = {rid: summary(rec, names, show) for rid, rec in recs.items()}
    except SQLAlchemyError as err:
        log.warning("explorer: the tracker is not available: %s", type(err).__name__)
        return {}
    return {result_id: out[rid] for result_id, rid in wanted.items() if rid in out}


def collapse(results: list[dict[str, Any]], tracking: dict[str, dict[str, Any]]
             ) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """One entry per review recommendation on this page: the first printed copy is shown, the
    others (the same recommendation in another document of the review) are listed under it.
    Returns (results to show, {shown result id: the other copies})."""
    shown: list[dict[str, Any]] = []
    first_of: dict[str, str] = {}
    copies: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        tracked = tracking.get(r["id"])
        if tracked is not None and tracked["id"] in first_of:
            _add_copies(copies[first_of[tracked["id"]]], [r, *r.get("copies", [])])
            continue
        if tracked is not None:
            first_of[tracked["id"]] = r["id"]
        copies[r["id"]] = []
        _add_copies(copies[r["id"]], r.get("copies") or [])
        shown.append(r)
    return shown, copies


def _add_copies(into: list[dict[str, Any]], more: list[dict[str, Any]]) -> None:
    have = {c["id"] for c in into}
    into.extend(c for c in more if c["id"] not in have)


def progress_options() -> dict[str, Any] | None:
    """What the explorer's "Filter by progress" form offers (statuses, owners), or None on a
    server without a tracker database (the form is then not shown)."""
    if not _tracker_exists():
        return None
    from .explorer_tracked import LABELS, _owners

    try:
        with read_session(tracker().engine) as s:
            owners = _owners(s)
    except SQLAlchemyError as err:
        log.warning("explorer: the tracker is not available: %s", type(err).__name__)
        return None
    return {"statuses": list(LABELS.items()), "owners": owners}
