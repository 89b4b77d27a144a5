"""Keep stored Documents in step with what the sources say about their files.

Between extraction and indexing (``orchestration/pipeline.py``, ``dhr nightly``). A crawl can change
what is known about a file without changing its bytes: the council takes the report down
(``online: false``), a library card gains a date of death or a tag, the same file turns up on a
second site. For each extracted file a fingerprint of those facts (URLs, online state, and the
metadata fields :mod:`ingest.merge` uses) is kept in the ``merge_state`` table of the catalog;
a file whose fingerprint changed is merged again from its stored Document and queued for
re-indexing. The table also holds each Document's area, pseudonym and year so that a review's
documents can be linked (``review_key``) without reading every Document.

Nothing here is lost by a kill: a fingerprint is recorded only after its Document is stored, so
an interrupted run's work is redone (idempotently) by the next.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any

from dhr import corrections
from dhr.document import Document
from dhr.store import CorpusStore
from dhr.text import fold

from .merge import REVIEW_KEYS, link_review_keys, merge_document

_SCHEMA = """
CREATE TABLE IF NOT EXISTS merge_state (
    sha256 TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    area TEXT,                -- normalised, for linking a review's documents
    pseudonym TEXT,
    review TEXT,              -- JSON: the merged review's area, pseudonym, date_of_death
    review_key TEXT
);
CREATE INDEX IF NOT EXISTS merge_state_group ON merge_state (area, pseudonym);
"""
# Metadata fields the merge reads; others (link text, page context) do not trigger a re-merge.
_MERGE_INPUTS = (*REVIEW_KEYS, "tags", "abuse_types", "victim", "title")


def fingerprint(sightings: list[dict[str, Any]]) -> str:
    facts = sorted(
        (s["url"], bool(s.get("online")), bool(s.get("current")),
         json.dumps({k: (s.get("metadata") or {}).get(k) for k in _MERGE_INPUTS
                     if (s.get("metadata") or {}).get(k) not in (None, "", [])}, sort_keys=True))
        for s in sightings)
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()


class MergeState:
    """The ``merge_state`` table beside the store's catalog."""

    def __init__(self, store: CorpusStore):
        self.store = store
        self.db = sqlite3.connect(store.catalog_path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA busy_timeout=30000")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def record(self, doc: Document, fp: str) -> None:
        r = doc.review
        review = {"area": r.area, "pseudonym": r.pseudonym, "date_of_death": r.date_of_death}
        self.db.execute(
            "INSERT OR REPLACE INTO merge_state VALUES (?,?,?,?,?,?)",
            (doc.id, fp, fold(r.area) if r.area else None,
             fold(r.pseudonym) if r.pseudonym else None, json.dumps(review), doc.review_key))

    def update_review(self, doc: Document) -> None:
        """Record a Document's review fields again, keeping its fingerprint (a correction
        changed them; the sources did not)."""
        r = doc.review
        review = {"area": r.area, "pseudonym": r.pseudonym, "date_of_death": r.date_of_death}
        self.db.execute("UPDATE merge_state SET area=?, pseudonym=?, review=?, review_key=?"
                        " WHERE sha256=?",
                        (fold(r.area) if r.area else None,
                         fold(r.pseudonym) if r.pseudonym else None, json.dumps(review),
                         doc.review_key, doc.id))

    def review_members(self, keys: set[str]) -> list[str]:
        """Ids of the extracted documents whose review key is one of ``keys``."""
        out: list[str] = []
        for key in sorted(k for k in keys if k):
            out += [row[0] for row in self.db.execute(
                "SELECT m.sha256 FROM merge_state m JOIN files f ON f.sha256 = m.sha256"
                " WHERE f.status = 'extracted' AND m.review_key = ?", (key,)).fetchall()]
        return list(dict.fromkeys(out))

    def fingerprints(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT sha256, fingerprint FROM merge_state").fetchall())

    def group_members(self, groups: set[tuple[str, str]]) -> list[dict[str, Any]]:
        out = []
        for area, pseudonym in sorted(groups):
            rows = self.db.execute(
                "SELECT m.sha256, m.review, m.review_key FROM merge_state m JOIN files f"
                " ON f.sha256 = m.sha256 WHERE f.status = 'extracted' AND m.area = ?"
                " AND m.pseudonym = ?", (area, pseudonym)).fetchall()
            out += [{"id": sha, "review": json.loads(review), "review_key": key}
                    for sha, review, key in rows]
        return out

    def groups_of(self, shas: list[str]) -> set[tuple[str, str]]:
        groups = set()
        for sha in shas:
            row = self.db.execute("SELECT area, pseudonym FROM merge_state WHERE sha256=?",
                                  (sha,)).fetchone()
            if row and row[0] and row[1]:
                groups.add((row[0], row[1]))
        return groups


def store_merged(store: CorpusStore, state: MergeState, doc: Document) -> Document:
    """Merge a Document with its file's sightings, lay the human corrections it (or the
    version stored before it: a re-extraction) carries over it, store it and record its
    fingerprint. Corrections win over every re-extraction and re-merge until removed."""
    sightings = store.sightings_of(doc.id)
    previous = None if doc.provenance.get("corrections") else store.get_document(doc.id)
    carried = corrections.records_of(doc) or corrections.records_of(previous)
    merged = merge_document(doc, sightings)
    if carried:
        merged = corrections.apply(merged, carried, previous=list(
            (previous.provenance if previous else doc.provenance).get("corrections") or []))
    store.put_document(merged)
    state.record(merged, fingerprint(sightings))
    return merged


def store_corrected(store: CorpusStore, state: MergeState, doc: Document,
                    applied: list[corrections.Applied]) -> Document | None:
    """Lay exactly ``applied`` over a stored Document (replacing the corrections it carried);
    stores it and queues it for re-indexing when that changed it. Returns the new Document, or
    None when nothing changed."""
    new = corrections.apply(doc, applied)
    if new == doc:
        return None
    store.invalidate_index([doc.id])
    store.put_document(new)
    state.update_review(new)
    return new


def resync_sources(store: CorpusStore, state: MergeState) -> dict[str, Any]:
    """Re-merge every extracted file whose sources changed; they are queued for re-indexing."""
    known = state.fingerprints()
    remerged: list[str] = []
    withdrawn: list[str] = []
    for rec in store.list_files():
        if rec.status != "extracted":
            continue
        sightings = store.sightings_of(rec.sha256)
        if known.get(rec.sha256) == fingerprint(sightings):
            continue
        doc = store.get_document(rec.sha256)
        if doc is None:
            continue
        was_online = doc.source.online if doc.source else None
        store.invalidate_index([rec.sha256])
        merged = store_merged(store, state, doc)
        remerged.append(rec.sha256)
        if was_online and merged.source is not None and merged.source.online is False:
            withdrawn.append(rec.sha256)
    return {"remerged": remerged, "withdrawn": withdrawn}


def relink_reviews(store: CorpusStore, state: MergeState, shas: list[str]) -> list[str]:
    """Recompute ``review_key`` for the reviews these documents belong to; returns the ids
    whose key changed (stored again and queued for re-indexing)."""
    groups = state.groups_of(shas)
    if not groups:
        return []
    members = state.group_members(groups)
    keys = link_review_keys(members)
    changed = []
    for m in members:
        new = keys.get(m["id"])
        if new == m["review_key"]:
            continue
        doc = store.get_document(m["id"])
        if doc is None:
            continue
        doc = doc.model_copy(update={"review_key": new})
        store.invalidate_index([doc.id])
        store.put_document(doc)
        state.db.execute("UPDATE merge_state SET review_key=? WHERE sha256=?", (new, doc.id))
        changed.append(doc.id)
    return changed
