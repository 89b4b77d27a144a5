"""The enrichment store: DHRD incidents and their links to reviews, apart from extracted data.

One SQLite file, ``<data_dir>/enrichment.db``: the last import's provenance (folder, file
hashes, time, counts), every incident's record, and each incident's link (matched to one
review_key, ambiguous with candidates, or unmatched). An import replaces the previous one in
one transaction. Nothing here is derived from the reports, so re-extraction never touches it;
:func:`dhrd_tags_for` and the indexer read it by review_key.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..sqlite_db import ThreadLocalDB
from .dhrd import (
    ATTRIBUTION,
    DHRD_FACETS,
    LICENCE,
    LICENCE_URL,
    Incident,
    incident_tags,
    merge_tags,
)
from .matching import MatchReport

FILENAME = "enrichment.db"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS dhrd_import (
    id INTEGER PRIMARY KEY CHECK (id = 1), imported_at TEXT NOT NULL, source TEXT NOT NULL,
    files TEXT NOT NULL, counts TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dhrd_incidents (
    incident_id TEXT PRIMARY KEY, csp TEXT, region TEXT, death_month TEXT, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dhrd_links (
    incident_id TEXT PRIMARY KEY, status TEXT NOT NULL, review_key TEXT, candidates TEXT,
    reason TEXT);
CREATE INDEX IF NOT EXISTS dhrd_links_review ON dhrd_links (review_key);
"""


@dataclass(frozen=True)
class DhrdTags:
    """What the DHRD says about one review, with what its licence asks a reader be told."""

    review_key: str
    incident_ids: tuple[str, ...]
    tags: dict[str, list[str]]  # facet name -> values
    licence: str = LICENCE
    licence_url: str = LICENCE_URL
    attribution: str = ATTRIBUTION

    def rows(self) -> list[tuple[str, str]]:
        """(legend, values joined) in facet order, for a page."""
        return [(DHRD_FACETS[k], ", ".join(self.tags[k])) for k in DHRD_FACETS if k in self.tags]


class EnrichmentStore:
    def __init__(self, data_dir: str | Path):
        self.path = Path(data_dir) / FILENAME
        self._conn = ThreadLocalDB(self.path)
        self._ready = False

    def _db(self) -> sqlite3.Connection:
        db = self._conn.get()
        if not self._ready:
            db.executescript(_SCHEMA)
            self._ready = True
        return db

    def exists(self) -> bool:
        return self.path.exists()

    def replace_dhrd(self, incidents: list[Incident], report: MatchReport, *, source: str,
                     files: dict[str, str], imported_at: str) -> None:
        self._db()
        with self._conn.transaction() as db:
            db.execute("DELETE FROM dhrd_links")
            db.execute("DELETE FROM dhrd_incidents")
            db.executemany("INSERT INTO dhrd_incidents VALUES (?,?,?,?,?)", [
                (i.incident_id, i.csp, i.region, i.death_month,
                 json.dumps(i.record(), ensure_ascii=False, sort_keys=True)) for i in incidents])
            rows: list[tuple[object, ...]] = [
                (m["incident_id"], "matched", m["review_key"], None, None)
                    for m in report.matched]
            rows += [(m["incident_id"], "ambiguous", None, json.dumps(m["candidates"]),
                      m["reason"]) for m in report.ambiguous]
            rows += [(m["incident_id"], "unmatched", None, None, m["reason"])
                     for m in report.unmatched]
            db.executemany("INSERT INTO dhrd_links VALUES (?,?,?,?,?)", rows)
            db.execute("INSERT OR REPLACE INTO dhrd_import VALUES (1,?,?,?,?)",
                       (imported_at, source, json.dumps(files, sort_keys=True),
                        json.dumps(report.counts())))

    def last_import(self) -> dict[str, Any] | None:
        if not self.exists():
            return None
        row = self._db().execute("SELECT * FROM dhrd_import WHERE id=1").fetchone()
        if row is None:
            return None
        return {"imported_at": row["imported_at"], "source": row["source"],
                "files": json.loads(row["files"]), "counts": json.loads(row["counts"])}

    def incidents(self) -> list[Incident]:
        """The incidents of the last import (to match them again after new reviews arrive)."""
        if not self.exists():
            return []
        out = []
        for r in self._db().execute("SELECT * FROM dhrd_incidents ORDER BY incident_id"):
            rec = json.loads(r["record"])
            out.append(Incident(r["incident_id"], r["csp"], r["region"], r["death_month"],
                                rec.get("incident") or {}, rec.get("victim"),
                                rec.get("perpetrators") or []))
        return out

    def matched_review_keys(self) -> set[str]:
        if not self.exists():
            return set()
        rows = self._db().execute(
            "SELECT DISTINCT review_key FROM dhrd_links WHERE status='matched'").fetchall()
        return {r[0] for r in rows}

    def tags_by_review(self) -> dict[str, DhrdTags]:
        """Every matched review's tags (one read, for indexing and export)."""
        if not self.exists():
            return {}
        rows = self._db().execute(
            "SELECT l.review_key, i.incident_id, i.record FROM dhrd_links l JOIN dhrd_incidents"
            " i ON i.incident_id = l.incident_id WHERE l.status='matched'"
            " ORDER BY l.review_key, i.incident_id").fetchall()
        grouped: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for r in rows:
            grouped.setdefault(r["review_key"], []).append((r["incident_id"],
                                                            json.loads(r["record"])))
        return {key: DhrdTags(key, tuple(i for i, _ in items),
                              merge_tags(incident_tags(rec) for _, rec in items))
                for key, items in grouped.items()}

    def tags_for(self, review_key: str) -> DhrdTags | None:
        if not self.exists():
            return None
        rows = self._db().execute(
            "SELECT i.incident_id, i.record FROM dhrd_links l JOIN dhrd_incidents i"
            " ON i.incident_id = l.incident_id WHERE l.status='matched' AND l.review_key=?"
            " ORDER BY i.incident_id", (review_key,)).fetchall()
        if not rows:
            return None
        return DhrdTags(review_key, tuple(r["incident_id"] for r in rows),
                        merge_tags(incident_tags(json.loads(r["record"])) for r in rows))

    def matched_records(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(review_key, incident_id, record) of every matched incident (for the export)."""
        if not self.exists():
            return []
        rows = self._db().execute(
            "SELECT l.review_key, i.incident_id, i.record FROM dhrd_links l JOIN dhrd_incidents"
            " i ON i.incident_id = l.incident_id WHERE l.status='matched'"
            " ORDER BY l.review_key, i.incident_id").fetchall()
        return [(r[0], r[1], json.loads(r[2])) for r in rows]

    def close(self) -> None:
        self._conn.close()


def dhrd_tags_for(review_key: str, data_dir: str | Path) -> DhrdTags | None:
    """The DHRD tags of one review (None when no DHRD incident is matched to it): for the
    review page (``/reviews/<key>``) and the document page."""
    store = EnrichmentStore(data_dir)
    if not store.exists():
        return None
    try:
        return store.tags_for(review_key)
    finally:
        store.close()
