"""The store: the system of record (design.md). Everything else can be rebuilt from it.

- Files are content-addressed: ``files/ab/<sha256>.<ext>``, written to a temporary file, fsynced
  and renamed into place, so a crash never leaves a partial file under its final name, and putting
  the same bytes twice is a no-op.
- A SQLite catalog (WAL, one transaction per change) records where each file was seen: one row per
  URL (first_seen, last_seen, online, etag, last_modified, http status, what the crawler learned)
  and one per (URL, sha256) version, so every version of every file is kept.
- Extracted Documents are kept per (sha256, extractor_version); a new extractor version
  re-extracts from the stored files.
- Takedown (``dhr/takedown.py``): ``withheld`` names the files, reviews (``review_key``) and URLs
  an admin suppressed; nothing withheld is ever indexed, served or re-published, and the file,
  its versions and sightings stay. ``tombstones`` keep the sha256, URLs and reason of a file
  deleted by a legal order, so it is never fetched or stored again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .document import Document
from .sqlite_db import ThreadLocalDB

SAFE_EXTENSIONS = {"pdf", "docx", "doc", "html", "txt", "odt", "rtf", "bin"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT PRIMARY KEY,
    ext TEXT NOT NULL,
    size INTEGER NOT NULL,
    filename TEXT,
    content_type TEXT,
    stored_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',      -- pending | extracted | quarantined | deleted
    reason TEXT,
    extractor_version TEXT
);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    source TEXT,
    sha256 TEXT,                                  -- the version last fetched
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    online INTEGER NOT NULL DEFAULT 1,
    withdrawn_at TEXT,
    etag TEXT,
    last_modified TEXT,
    http_status INTEGER,
    metadata TEXT                                 -- JSON: what the crawler learned (library \
card...)
);
CREATE TABLE IF NOT EXISTS url_versions (
    url TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    PRIMARY KEY (url, sha256)
);
CREATE INDEX IF NOT EXISTS url_versions_sha ON url_versions (sha256);
CREATE TABLE IF NOT EXISTS documents (
    sha256 TEXT NOT NULL,
    extractor_version TEXT NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (sha256, extractor_version)
);
CREATE TABLE IF NOT EXISTS withheld (
    kind TEXT NOT NULL,                           -- sha256 | review_key | url
    value TEXT NOT NULL,
    suppression TEXT NOT NULL,                    -- the tracker's suppression id
    since TEXT NOT NULL,
    PRIMARY KEY (kind, value, suppression)
);
CREATE TABLE IF NOT EXISTS tombstones (
    kind TEXT NOT NULL,                           -- sha256 | url
    value TEXT NOT NULL,
    suppression TEXT NOT NULL,
    reason TEXT NOT NULL,
    deleted_at TEXT NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE TABLE IF NOT EXISTS index_state (
    sha256 TEXT NOT NULL,
    backend TEXT NOT NULL,
    extractor_version TEXT NOT NULL,
    indexed_at TEXT NOT NULL,
    PRIMARY KEY (sha256, backend)
);
"""


def utcnow() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sha256_bytes(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class TombstonedError(ValueError):
    """These bytes were deleted by a legal order (``tombstones``): they are never stored again."""


@dataclass(frozen=True)
class PutResult:
    sha256: str
    path: Path
    new: bool


@dataclass(frozen=True)
class Sighting:
    """Outcome of recording a fetch of ``url``: ``new``, ``changed`` or ``unchanged``."""

    url: str
    sha256: str
    change: str


@dataclass(frozen=True)
class FileRecord:
    sha256: str
    urls: list[str]
    source: str | None
    first_seen: str | None
    last_seen: str | None
    online: bool
    status: str
    reason: str | None
    filename: str | None
    ext: str
    size: int
    extractor_version: str | None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256, "urls": self.urls, "source": self.source,
            "first_seen": self.first_seen, "last_seen": self.last_seen, "online": self.online,
            "status": self.status, "reason": self.reason, "filename": self.filename,
            "size": self.size, "extractor_version": self.extractor_version,
        }


class CorpusStore:
    """Content-addressed files plus the SQLite catalog, under ``data_dir``."""

    def __init__(self, data_dir: str | Path):
        self.root = Path(data_dir)
        self.files_dir = self.root / "files"
        self.tmp_dir = self.root / "tmp"
        for d in (self.files_dir, self.tmp_dir):
            d.mkdir(parents=True, exist_ok=True)
        self.catalog_path = self.root / "catalog.sqlite"
        self._conn = ThreadLocalDB(self.catalog_path)
        self._db().executescript(_SCHEMA)

    # -- connection handling -------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        return self._conn.get()

    def _tx(self):
        return self._conn.transaction()

    def close(self) -> None:
        self._conn.close()

    # -- files -------------------------------------------------------------------------
    def file_path(self, sha256: str, ext: str | None = None) -> Path:
        if ext is None:
            row = self._db().execute("SELECT ext FROM files WHERE sha256=?", (sha256,)).fetchone()
            if row is None:
                raise KeyError(sha256)
            ext = row["ext"]
        return self.files_dir / sha256[:2] / f"{sha256}.{ext}"

    def put(self, content: bytes, *, ext: str = "bin", filename: str | None = None,
            content_type: str | None = None) -> PutResult:
        """Store bytes under their sha256; a no-op (``new=False``) if they are already stored."""
        sha = sha256_bytes(content)
        if self.is_tombstoned(sha):
            raise TombstonedError(f"file {sha} was deleted by a legal order and is not stored "
                                  "again")
        ext = ext.lower().lstrip(".")
        if ext not in SAFE_EXTENSIONS:
            ext = "bin"
        row = self._db().execute("SELECT ext FROM files WHERE sha256=?", (sha,)).fetchone()
        if row is not None and self.file_path(sha, row["ext"]).exists():
            return PutResult(sha, self.file_path(sha, row["ext"]), False)
        final = self.file_path(sha, row["ext"] if row else ext)
        if not final.exists():
            self._write_atomic(final, content)
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO files (sha256, ext, size, filename, content_type, stored_at)"
                " VALUES (?,?,?,?,?,?)",
                (sha, final.suffix[1:], len(content), _safe_filename(filename), content_type,
                 utcnow()),
            )
        return PutResult(sha, final, True)

    def _write_atomic(self, final: Path, content: bytes) -> None:
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.tmp_dir, prefix="put-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read_bytes(self, sha256: str) -> bytes:
        return self.file_path(sha256).read_bytes()

    def has_file(self, sha256: str) -> bool:
        row = self._db().execute("SELECT ext FROM files WHERE sha256=?", (sha256,)).fetchone()
        return row is not None and self.file_path(sha256, row["ext"]).exists()

    def file_info(self, sha256: str) -> dict[str, Any] | None:
        row = self._db().execute("SELECT * FROM files WHERE sha256=?", (sha256,)).fetchone()
        return dict(row) if row else None

    def repair(self) -> dict[str, int]:
        """Finish what a killed process left: drop temp files, adopt stored files with no row."""
        removed = 0
        for tmp in self.tmp_dir.glob("*.part"):
            tmp.unlink(missing_ok=True)
            removed += 1
        known = {r[0] for r in self._db().execute("SELECT sha256 FROM files")}
        adopted = 0
        for path in self.files_dir.glob("*/*.*"):
            sha, _, ext = path.name.partition(".")
            if sha in known or len(sha) != 64:
                continue
            if sha256_bytes(path.read_bytes()) != sha:  # cannot happen with rename, but be safe
                path.unlink()
                continue
            with self._tx() as db:
                db.execute("INSERT OR IGNORE INTO files (sha256, ext, size, stored_at) VALUES "
                           "(?,?,?,?)",
                           (sha, ext, path.stat().st_size, utcnow()))
            adopted += 1
        return {"temp_removed": removed, "adopted": adopted}

    # -- where files were seen ---------------------------------------------------------
    def record_sighting(self, url: str, sha256: str, *, source: str | None = None,
                        etag: str | None = None, last_modified: str | None = None,
                        http_status: int | None = 200, metadata: dict[str, Any] | None = None,
                        seen_at: str | None = None) -> Sighting:
        """Record that ``url`` served ``sha256`` now; the change is decided by the hash alone."""
        now = seen_at or utcnow()
        meta = json.dumps(metadata, sort_keys=True) if metadata else None
        with self._tx() as db:
            row = db.execute("SELECT sha256 FROM urls WHERE url=?", (url,)).fetchone()
            if row is None:
                change = "new"
                db.execute(
                    "INSERT INTO urls (url, source, sha256, first_seen, last_seen, online, etag,"
                    " last_modified, http_status, metadata) VALUES (?,?,?,?,?,1,?,?,?,?)",
                    (url, source, sha256, now, now, etag, last_modified, http_status, meta))
            else:
                change = "unchanged" if row["sha256"] == sha256 else "changed"
                db.execute(
                    "UPDATE urls SET sha256=?, last_seen=?, online=1, withdrawn_at=NULL, etag=?,"
                    " last_modified=?, http_status=?, source=COALESCE(?, source),"
                    " metadata=COALESCE(?, metadata) WHERE url=?",
                    (sha256, now, etag, last_modified, http_status, source, meta, url))
            db.execute(
                "INSERT INTO url_versions (url, sha256, first_seen, last_seen) VALUES (?,?,?,?)"
                " ON CONFLICT (url, sha256) DO UPDATE SET last_seen=excluded.last_seen",
                (url, sha256, now, now))
            # A new version served at a suppressed URL is withheld with it: finding it again
            # never re-publishes what an admin took down.
            db.execute("INSERT OR IGNORE INTO withheld (kind, value, suppression, since)"
                       " SELECT 'sha256', ?, suppression, ? FROM withheld"
                       " WHERE kind='url' AND value=?", (sha256, now, url))
        return Sighting(url, sha256, change)

    def touch_url(self, url: str, *, http_status: int = 304, seen_at: str | None = None) -> None:
        """A conditional request answered 'not modified': the URL is still online, same bytes."""
        now = seen_at or utcnow()
        with self._tx() as db:
            db.execute("UPDATE urls SET last_seen=?, online=1, withdrawn_at=NULL, http_status=?"
                       " WHERE url=?", (now, http_status, url))
            db.execute("UPDATE url_versions SET last_seen=? WHERE url=? AND sha256="
                       "(SELECT sha256 FROM urls WHERE url=?)", (now, url, url))

    def mark_offline(self, url: str, *, http_status: int | None = None,
                     when: str | None = None) -> bool:
        """The report is gone from its site: keep everything, record when (online=false)."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE urls SET online=0, withdrawn_at=COALESCE(withdrawn_at, ?),"
                " http_status=COALESCE(?, http_status) WHERE url=? AND online=1",
                (when or utcnow(), http_status, url))
            return cur.rowcount > 0

    def url_info(self, url: str) -> dict[str, Any] | None:
        row = self._db().execute("SELECT * FROM urls WHERE url=?", (url,)).fetchone()
        if row is None:
            return None
        info = dict(row)
        info["online"] = bool(info["online"])
        info["metadata"] = json.loads(info["metadata"]) if info["metadata"] else None
        return info

    def urls_for_source(self, source: str) -> list[dict[str, Any]]:
        rows = self._db().execute("SELECT url FROM urls WHERE source=? ORDER BY url", (source,))
        infos = (self.url_info(r["url"]) for r in rows.fetchall())
        return [info for info in infos if info is not None]  # (all are: the rows are there)

    def sightings_of(self, sha256: str) -> list[dict[str, Any]]:
        """Every URL that served this file, with the URL's state (oldest first)."""
        rows = self._db().execute(
            "SELECT u.url, u.source, v.first_seen, v.last_seen, u.online, u.withdrawn_at,"
            " u.sha256 = v.sha256 AS current, u.metadata FROM url_versions v JOIN urls u"
            " ON u.url = v.url WHERE v.sha256=? ORDER BY v.first_seen, u.url", (sha256,))
        out = []
        for r in rows.fetchall():
            d = dict(r)
            d["online"] = bool(d["online"]) and bool(d["current"])
            d["current"] = bool(d["current"])
            d["metadata"] = json.loads(d["metadata"]) if d["metadata"] else None
            out.append(d)
        return out

    # -- extraction results --------------------------------------------------------------
    def put_document(self, doc: Document) -> None:
        body = json.dumps(doc.to_json_dict(), ensure_ascii=False, sort_keys=True)
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO documents (sha256, extractor_version, created_at, "
                       "body)"
                       " VALUES (?,?,?,?)", (doc.id, doc.extractor_version, utcnow(), body))
            db.execute("UPDATE files SET status='extracted', reason=NULL, extractor_version=?"
                       " WHERE sha256=?", (doc.extractor_version, doc.id))

    def quarantine(self, sha256: str, reason: str, extractor_version: str | None = None) -> None:
        with self._tx() as db:
            db.execute("UPDATE files SET status='quarantined', reason=?, extractor_version=?"
                       " WHERE sha256=?", (reason, extractor_version, sha256))

    def get_document(self, sha256: str, extractor_version: str | None = None) -> Document | None:
        if extractor_version is None:
            row = self._db().execute(
                "SELECT d.body FROM documents d JOIN files f ON f.sha256 = d.sha256"
                " WHERE d.sha256=? ORDER BY (d.extractor_version = f.extractor_version) DESC,"
                " d.created_at DESC LIMIT 1", (sha256,)).fetchone()
        else:
            row = self._db().execute("SELECT body FROM documents WHERE sha256=? AND "
                                     "extractor_version=?",
                                     (sha256, extractor_version)).fetchone()
        return Document.from_json_dict(json.loads(row["body"])) if row else None

    def documents(self, extractor_version: str | None = None) -> Iterator[Document]:
        """Current Documents: for each extracted file, its document of its recorded version."""
        sql = ("SELECT d.body FROM documents d JOIN files f ON f.sha256 = d.sha256"
               " AND f.extractor_version = d.extractor_version WHERE f.status='extracted'")
        args: tuple = ()
        if extractor_version is not None:
            sql += " AND d.extractor_version=?"
            args = (extractor_version,)
        for row in self._db().execute(sql + " ORDER BY d.sha256", args).fetchall():
            yield Document.from_json_dict(json.loads(row["body"]))

    def pending_extraction(self, extractor_version: str) -> list[str]:
        """Files not yet extracted by this extractor version (quarantined ones are retried too)."""
        rows = self._db().execute(
            "SELECT sha256 FROM files WHERE (extractor_version IS NULL OR extractor_version != ?"
            " OR status = 'pending') AND status != 'deleted' ORDER BY stored_at, sha256",
            (extractor_version,))
        return [r[0] for r in rows.fetchall()]

    # -- index bookkeeping (so a run that could not index leaves a backlog) ------------------
    def mark_indexed(self, sha256s: list[str], backend: str, extractor_version: str) -> None:
        now = utcnow()
        with self._tx() as db:
            db.executemany("INSERT OR REPLACE INTO index_state VALUES (?,?,?,?)",
                           [(s, backend, extractor_version, now) for s in sha256s])

    def pending_index(self, backend: str) -> list[str]:
        rows = self._db().execute(
            "SELECT f.sha256 FROM files f LEFT JOIN index_state i ON i.sha256 = f.sha256"
            " AND i.backend = ? WHERE f.status = 'extracted' AND (i.sha256 IS NULL OR"
            " i.extractor_version != f.extractor_version) AND f.sha256 NOT IN"
            " (SELECT value FROM withheld WHERE kind='sha256') ORDER BY f.sha256", (backend,))
        return [r[0] for r in rows.fetchall()]

    def invalidate_index(self, sha256s: list[str]) -> None:
        """These Documents changed (e.g. re-merged with new source metadata): every backend
        indexes them again on its next run."""
        with self._tx() as db:
            db.executemany("DELETE FROM index_state WHERE sha256=?", [(s,) for s in sha256s])

    def indexed_count(self, backend: str) -> int:
        """How many current Documents the catalog says this backend holds."""
        row = self._db().execute(
            "SELECT COUNT(*) FROM index_state i JOIN files f ON f.sha256 = i.sha256"
            " WHERE i.backend = ? AND f.status = 'extracted'", (backend,)).fetchone()
        return int(row[0])

    def clear_index_state(self, backend: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM index_state WHERE backend=?", (backend,))

    # -- takedown (dhr/takedown.py) ---------------------------------------------------------
    def withhold(self, suppression: str, *, sha256s: Sequence[str] = (),
                 review_keys: Sequence[str] = (), urls: Sequence[str] = ()) -> None:
        """Withhold these files, reviews and URLs under ``suppression`` (idempotent). Their
        index bookkeeping is dropped, so the catalog no longer counts them as indexed."""
        now = utcnow()
        rows = ([("sha256", v) for v in sha256s] + [("review_key", v) for v in review_keys]
                + [("url", v) for v in urls])
        with self._tx() as db:
            db.executemany("INSERT OR IGNORE INTO withheld (kind, value, suppression, since)"
                           " VALUES (?,?,?,?)", [(k, v, suppression, now) for k, v in rows])
            db.executemany("DELETE FROM index_state WHERE sha256=?", [(v,) for v in sha256s])

    def release(self, suppression: str) -> list[str]:
        """End one suppression; returns the files it withheld that nothing else withholds."""
        with self._tx() as db:
            shas = [r[0] for r in db.execute(
                "SELECT value FROM withheld WHERE kind='sha256' AND suppression=?",
                (suppression,)).fetchall()]
            db.execute("DELETE FROM withheld WHERE suppression=?", (suppression,))
            still = {r[0] for r in db.execute(
                "SELECT value FROM withheld WHERE kind='sha256'").fetchall()}
        return [s for s in shas if s not in still]

    def withheld_files(self, suppression: str | None = None) -> list[str]:
        sql = "SELECT DISTINCT value FROM withheld WHERE kind='sha256'"
        args: tuple[str, ...] = ()
        if suppression is not None:
            sql, args = sql + " AND suppression=?", (suppression,)
        return [r[0] for r in self._db().execute(sql + " ORDER BY value", args).fetchall()]

    def withheld_among(self, items: list[tuple[str, str | None]]) -> set[str]:
        """Of these (sha256, review_key) pairs, the sha256s withheld (a query per 500)."""
        found: set[str] = set()
        for start in range(0, len(items), 500):
            chunk = items[start:start + 500]
            shas = [i for i, _ in chunk]
            keys = [k for _, k in chunk if k]
            marks = ",".join("?" * len(shas))
            found |= {r[0] for r in self._db().execute(
                f"SELECT value FROM withheld WHERE kind='sha256' AND value IN ({marks})",
                shas).fetchall()}
            if keys:
                kmarks = ",".join("?" * len(keys))
                bad = {r[0] for r in self._db().execute(
                    f"SELECT value FROM withheld WHERE kind='review_key' AND value IN ({kmarks})",
                    keys).fetchall()}
                found |= {i for i, k in chunk if k in bad}
        return found

    def suppressions_of_review(self, review_key: str) -> list[str]:
        return [r[0] for r in self._db().execute(
            "SELECT suppression FROM withheld WHERE kind='review_key' AND value=?",
            (review_key,)).fetchall()]

    def versions_at(self, urls: list[str]) -> list[str]:
        """Every file version these URLs served (oldest first)."""
        out: list[str] = []
        for url in urls:
            for r in self._db().execute("SELECT sha256 FROM url_versions WHERE url=?"
                                        " ORDER BY first_seen", (url,)).fetchall():
                if r[0] not in out:
                    out.append(r[0])
        return out

    def withheld_review_keys(self) -> set[str]:
        return {r[0] for r in self._db().execute(
            "SELECT value FROM withheld WHERE kind='review_key'").fetchall()}

    def is_withheld(self, sha256: str, review_key: str | None = None) -> bool:
        """True if this file (or, given its key, its review) must not be shown to the public."""
        row = self._db().execute(
            "SELECT 1 FROM withheld WHERE (kind='sha256' AND value=?) OR"
            " (kind='review_key' AND value=?) LIMIT 1", (sha256, review_key or "")).fetchone()
        return row is not None or self.is_tombstoned(sha256)

    def tombstone(self, suppression: str, reason: str, *, sha256s: Sequence[str],
                  urls: Sequence[str]) -> None:
        """Record a hard deletion: these files and URLs are never fetched or stored again."""
        now = utcnow()
        with self._tx() as db:
            db.executemany("INSERT OR IGNORE INTO tombstones (kind, value, suppression, reason,"
                           " deleted_at) VALUES (?,?,?,?,?)",
                           [("sha256", s, suppression, reason, now) for s in sha256s]
                           + [("url", u, suppression, reason, now) for u in urls])

    def is_tombstoned(self, sha256: str) -> bool:
        return self._db().execute("SELECT 1 FROM tombstones WHERE kind='sha256' AND value=?",
                                  (sha256,)).fetchone() is not None

    def is_tombstoned_url(self, url: str) -> bool:
        return self._db().execute("SELECT 1 FROM tombstones WHERE kind='url' AND value=?",
                                  (url,)).fetchone() is not None

    def tombstones(self) -> list[dict[str, Any]]:
        rows = self._db().execute("SELECT * FROM tombstones ORDER BY deleted_at, kind, value")
        return [dict(r) for r in rows.fetchall()]

    def erase_file(self, sha256: str) -> bool:
        """Remove a file's bytes and every extracted Document of it (a legal order). Its
        sightings stay (the URLs are tombstoned) so the catalog still says where it was."""
        info = self.file_info(sha256)
        if info is None:
            return False
        self.file_path(sha256, info["ext"]).unlink(missing_ok=True)
        with self._tx() as db:
            db.execute("DELETE FROM documents WHERE sha256=?", (sha256,))
            db.execute("DELETE FROM index_state WHERE sha256=?", (sha256,))
            db.execute("UPDATE files SET status='deleted', reason='deleted by legal order',"
                       " filename=NULL WHERE sha256=?", (sha256,))
        return True

    # -- listing -------------------------------------------------------------------------
    def list_files(self) -> Iterator[FileRecord]:
        db = self._db()
        for f in db.execute("SELECT * FROM files ORDER BY stored_at, sha256").fetchall():
            seen = db.execute(
                "SELECT v.url, u.source, v.first_seen, v.last_seen, u.online, u.sha256 AS cur"
                " FROM url_versions v JOIN urls u ON u.url = v.url WHERE v.sha256=?"
                " ORDER BY v.first_seen, v.url", (f["sha256"],)).fetchall()
            yield FileRecord(
                sha256=f["sha256"],
                urls=[r["url"] for r in seen],
                source=seen[0]["source"] if seen else None,
                first_seen=min((r["first_seen"] for r in seen), default=None),
                last_seen=max((r["last_seen"] for r in seen), default=None),
                online=any(r["online"] and r["cur"] == f["sha256"] for r in seen),
                status=f["status"], reason=f["reason"], filename=f["filename"], ext=f["ext"],
                size=f["size"], extractor_version=f["extractor_version"],
            )

    def counts(self) -> dict[str, int]:
        rows = self._db().execute("SELECT status, COUNT(*) FROM files GROUP BY status").fetchall()
        return {r[0]: r[1] for r in rows}


def _safe_filename(name: str | None) -> str | None:
    """Keep a display name only: never a path (Content-Disposition can say anything)."""
    if not name:
        return None
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    return name[:200] or None
