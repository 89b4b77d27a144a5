"""Embedded search backend on SQLite FTS5 (standard library): the zero-setup default.

Tables: ``docs`` (one row per Document, JSON summary and body), ``doc_facets`` (one row per
facet value), two FTS5 indexes over the same normalised text (``doc_stem`` with the Porter
stemmer for plain words, ``doc_exact`` unstemmed for phrases and prefixes), ``pages`` with a
stemmed FTS5 index for page-numbered snippets, and the same layout for recommendations.

A parsed query (dhr/query.py) compiles to set algebra over FTS5 matches (INTERSECT / UNION /
EXCEPT), so that mixed stemmed and exact clauses combine exactly as they do on Elasticsearch.
Facet counts are multi-select: each facet is counted with every filter but its own; they and
the total are counted over per-value row bitmaps (``postings``, dhr/search/postings.py) kept in
step with the rows, which makes a query's facet counting independent of the corpus size.
Writes happen in transactions, so a killed process leaves the index as it was before.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pyroaring import BitMap

from ..document import Document
from ..query import And, AtLeast, MatchNone, Not, Or, Phrase, Prefix, Term, positive_leaves
from ..sqlite_db import ThreadLocalDB
from . import cursor as cursors
from . import postings as facet_postings
from . import sqlite_rank
from .base import (
    DOC_FACETS,
    REC_FACETS,
    TAXONOMY_KIND,
    DocumentRequest,
    IndexReport,
    RecommendationRequest,
    SearchBackend,
    SearchResponse,
    _Request,
)
from .fields import (
    document_record,
    facet_list,
    recommendation_records,
    recommendation_result,
    with_copies,
)
from .highlight import POST, PRE, highlight_leaves, normalize_for_index, safe_snippet
from .ranking import KEY_WEIGHT, SUBJECT_WEIGHT, proximity_phrases, ranking_record

SCHEMA_VERSION = "1"
STEM = "porter unicode61 remove_diacritics 2"
EXACT = "unicode61 remove_diacritics 2"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS docs (
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, summary TEXT NOT NULL, body TEXT NOT NULL,
    year INTEGER, date_key INTEGER, ntext TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS doc_facets (doc INTEGER NOT NULL, facet TEXT NOT NULL, \
value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS doc_facets_fv ON doc_facets (facet, value, doc);
CREATE INDEX IF NOT EXISTS doc_facets_doc ON doc_facets (doc);
CREATE INDEX IF NOT EXISTS docs_keys ON docs (date_key, year, id);
CREATE VIRTUAL TABLE IF NOT EXISTS doc_stem USING fts5(ntext, content='docs', \
content_rowid='rowid', tokenize='{STEM}');
CREATE VIRTUAL TABLE IF NOT EXISTS doc_exact USING fts5(ntext, content='docs', \
content_rowid='rowid', tokenize='{EXACT}');
CREATE TABLE IF NOT EXISTS doc_rank (rowid INTEGER PRIMARY KEY, prior REAL NOT NULL, \
ktext TEXT NOT NULL, subjects TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS doc_rank_prior ON doc_rank (prior);
CREATE VIRTUAL TABLE IF NOT EXISTS doc_key USING fts5(ktext, subjects, content='doc_rank', \
content_rowid='rowid', tokenize='{STEM}');
CREATE TABLE IF NOT EXISTS pages (rowid INTEGER PRIMARY KEY, doc INTEGER NOT NULL, \
page INTEGER NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS pages_doc ON pages (doc, page);
CREATE VIRTUAL TABLE IF NOT EXISTS page_stem USING fts5(text, content='pages', \
content_rowid='rowid', tokenize='{STEM}');
CREATE TABLE IF NOT EXISTS recs (
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, doc INTEGER NOT NULL, body TEXT NOT NULL,
    year INTEGER, date_key INTEGER, smart_score INTEGER, ntext TEXT NOT NULL, rkey TEXT);
CREATE INDEX IF NOT EXISTS recs_doc ON recs (doc);
CREATE INDEX IF NOT EXISTS recs_keys ON recs (date_key, year, smart_score, id);
CREATE TABLE IF NOT EXISTS rec_facets (doc INTEGER NOT NULL, facet TEXT NOT NULL, \
value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS rec_facets_fv ON rec_facets (facet, value, doc);
CREATE INDEX IF NOT EXISTS rec_facets_doc ON rec_facets (doc);
CREATE VIRTUAL TABLE IF NOT EXISTS rec_stem USING fts5(ntext, content='recs', \
content_rowid='rowid', tokenize='{STEM}');
CREATE VIRTUAL TABLE IF NOT EXISTS rec_exact USING fts5(ntext, content='recs', \
content_rowid='rowid', tokenize='{EXACT}');
"""


class _Tables:
    def __init__(self, main: str, facets: str, stem: str, exact: str, facet_fields: dict[str, str],
                 key: str | None = None):
        self.main, self.facets, self.stem, self.exact = main, facets, stem, exact
        self.facet_fields = facet_fields
        self.key = key  # FTS5 index of the key text, ranked with the prior (dhr.search.ranking)


DOCS = _Tables("docs", "doc_facets", "doc_stem", "doc_exact", DOC_FACETS, key="doc_key")
RECS = _Tables("recs", "rec_facets", "rec_stem", "rec_exact", REC_FACETS)


def _fts_phrase(tokens: Iterable[str]) -> str:
    # Tokens are letters and digits only (dhr.query.tokenize), so quoting is safe.
    return '"' + " ".join(tokens) + '"'


def _leaf(node: Term | Phrase | Prefix, t: _Tables) -> tuple[str, str]:
    """(table, FTS5 expression) for one leaf."""
    if isinstance(node, Term):
        return t.stem, _fts_phrase([node.token])
    if isinstance(node, Phrase):
        return (t.exact if node.exact else t.stem), _fts_phrase(node.tokens)
    return t.exact, _fts_phrase([node.prefix]) + " *"


# At most this many SELECTs in one compound (SQLite's SQLITE_MAX_COMPOUND_SELECT is 500).
_COMPOUND_CHUNK = 100
# Snippets for up to this many results without a prefix are cut one result at a time.
_SNIPPETS_ONE_BY_ONE = 20


def _compile(node: Any, t: _Tables, args: list[Any]) -> str:
    """SQL selecting column ``r`` (rowids) of the rows matching ``node``.

    Flat whatever the shape of the query: every node of the tree becomes one named common table
    expression that refers to its children by name, so the SQL nests a single level deep
    (nested subqueries overflow SQLite's fixed parser stack at about ten levels). Leaves of one
    AND or OR group that search the same FTS5 table are one MATCH (``"a" OR "b" *``): FTS5's own
    AND / OR give the same sets as INTERSECT / UNION, for one index lookup instead of many.
    """
    ctes: list[str] = []

    def add(sql: str) -> str:
        name = f"q{len(ctes)}"
        ctes.append(f"{name}(r) AS ({sql})")
        return name

    def match(table: str, exprs: list[str], op: str) -> str:
        args.append(f" {op} ".join(exprs))
        return add(f"SELECT rowid FROM {table} WHERE {table} MATCH ?")

    def combine(op: str, names: list[str]) -> str:
        """One name for the compound of ``names``, in chunks SQLite accepts."""
        while len(names) > 1:
            chunks = [names[i:i + _COMPOUND_CHUNK] for i in range(0, len(names), _COMPOUND_CHUNK)]
            names = [add(f" {op} ".join(f"SELECT r FROM {n}" for n in chunk))
                     if len(chunk) > 1 else chunk[0] for chunk in chunks]
        return names[0]

    def group(children: list[Any], fts_op: str) -> list[str]:
        """CTE names for ``children``: one MATCH per FTS5 table for the leaves, then the rest."""
        by_table: dict[str, list[str]] = {}
        names = []
        for child in children:
            if isinstance(child, (Term, Phrase, Prefix)):
                table, expr = _leaf(child, t)
                by_table.setdefault(table, []).append(expr)
            else:
                names.append(visit(child))
        return [match(table, exprs, fts_op) for table, exprs in by_table.items()] + names

    def visit(n: Any) -> str:
        if isinstance(n, (Term, Phrase, Prefix)):
            table, expr = _leaf(n, t)
            return match(table, [expr], "OR")
        if isinstance(n, MatchNone):
            return add(f"SELECT rowid FROM {t.main} WHERE 0")
        if isinstance(n, Not):
            return add(f"SELECT rowid FROM {t.main} EXCEPT SELECT r FROM {visit(n.child)}")
        if isinstance(n, Or):
            return combine("UNION", group(list(n.children), "OR"))
        if isinstance(n, AtLeast):  # each part yields distinct rowids: count the parts matched
            parts = " UNION ALL ".join(f"SELECT r FROM {visit(c)}" for c in n.children)
            args.append(n.k)
            return add(f"SELECT r FROM ({parts}) GROUP BY r HAVING COUNT(*) >= ?")
        assert isinstance(n, And)
        pos = [c for c in n.children if not isinstance(c, Not)]
        neg = [c.child for c in n.children if isinstance(c, Not)]
        base = (combine("INTERSECT", group(pos, "AND")) if pos
                else add(f"SELECT rowid FROM {t.main}"))
        if not neg:
            return base
        return add(f"SELECT r FROM {base} EXCEPT SELECT r FROM "
                   f"{combine('UNION', group(neg, 'OR'))}")

    root = visit(node)
    return f"WITH {', '.join(ctes)} SELECT r FROM {root}"


def _single_match(node: Any, t: _Tables) -> tuple[str, list[str]] | None:
    """(table, the leaves' FTS5 expressions) when ``node`` is one leaf or an AND of leaves that
    all search the same FTS5 table: one MATCH of their FTS5 AND then finds the same rows as the
    INTERSECT of one MATCH per leaf that :func:`_compile` writes, several times faster (FTS5
    walks the rarest term's list and skips through the others). None otherwise."""
    leaves = node.children if isinstance(node, And) else [node]
    if not leaves or not all(isinstance(c, (Term, Phrase, Prefix)) for c in leaves):
        return None
    found = [_leaf(c, t) for c in leaves if isinstance(c, (Term, Phrase, Prefix))]  # all are
    if len({table for table, _ in found}) != 1:
        return None
    return found[0][0], [expr for _, expr in found]


def _match_sql(node: Any, t: _Tables) -> tuple[str, list[Any], tuple[str, list[str]] | None]:
    """SQL selecting column ``r`` (rowids) of the rows matching ``node``, its arguments, and
    :func:`_single_match`'s (table, expressions) when the query is one MATCH."""
    args: list[Any] = []
    single = _single_match(node, t)
    if single:
        table, exprs = single
        args.append(" AND ".join(f"({e})" for e in exprs))
        return f"SELECT rowid AS r FROM {table} WHERE {table} MATCH ?", args, single
    return _compile(node, t, args), args, None


def _rank_expression(node: Any) -> str | None:
    """An OR of the positive leaves (and of the words typed side by side, as phrases) on the
    stemmed index: what bm25 ranks by."""
    parts = []
    for leaf in [*positive_leaves(node), *proximity_phrases(node)]:
        if isinstance(leaf, Term):
            parts.append(_fts_phrase([leaf.token]))
        elif isinstance(leaf, Phrase):
            parts.append(_fts_phrase(leaf.tokens))
        else:
            parts.append(_fts_phrase([leaf.prefix]) + " *")
    return " OR ".join(dict.fromkeys(parts)) or None


def _snippet_expression(node: Any) -> str | None:
    """Like :func:`_rank_expression`, for the raw page text: phrases become NEAR groups, since
    raw text keeps tokens the normalised index drops (a possessive's "s")."""
    parts = []
    for leaf in highlight_leaves(node):
        if isinstance(leaf, Phrase) and len(leaf.tokens) > 1:
            parts.append("NEAR(" + " ".join(_fts_phrase([t]) for t in leaf.tokens)
                         + f", {len(leaf.tokens)})")
        elif isinstance(leaf, Prefix):
            parts.append(_fts_phrase([leaf.prefix]) + " *")
        else:
            tokens = [leaf.token] if isinstance(leaf, Term) else list(leaf.tokens)
            parts.append(_fts_phrase(tokens))
    return " OR ".join(dict.fromkeys(parts)) or None


class SqliteBackend(SearchBackend):
    name = "sqlite"
    # Documents ranked on two connections from this many indexed documents (sqlite_rank).
    parallel_from = sqlite_rank.PARALLEL_FROM

    def __init__(self, path: str | Path, *, cursor_key: bytes = b"dhr-dev-key"):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.cursor_key = cursor_key
        self._conn = ThreadLocalDB(self.path, busy_ms=60000,
                                   pragmas=("temp_store=MEMORY", "cache_size=-65536"))
        self._postings = facet_postings.Cache()
        self._priors = sqlite_rank.Priors()
        self._workers = sqlite_rank.RankWorkers(self._conn)
        self._ranking_lock = threading.Lock()
        self._ranking_now = 0  # documents-by-relevance queries running (_ranking_alone)
        self.ensure_indices()

    # -- connections ---------------------------------------------------------------------
    def _fresh(self) -> None:
        """At the start of each operation: if `dhr index --rebuild` swapped in a new database
        file, reconnect to it (one operation always runs on one connection)."""
        if self._conn.is_stale():
            self._conn.close()

    def _db(self) -> sqlite3.Connection:
        return self._conn.get()

    def _tx(self):
        return self._conn.transaction()

    def close(self) -> None:
        self._conn.close()

    def ping(self) -> bool:
        try:
            self._db().execute("SELECT 1 FROM docs LIMIT 1").fetchall()
            return True
        except sqlite3.Error:
            return False

    def ensure_indices(self) -> None:
        db = self._db()
        db.executescript(_SCHEMA)
        if "rkey" not in {c[1] for c in db.execute("PRAGMA table_info(recs)")}:
            db.execute("ALTER TABLE recs ADD COLUMN rkey TEXT")  # an index from before the key
        db.execute("CREATE INDEX IF NOT EXISTS recs_rkey ON recs (rkey)")
        db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        db.executescript(facet_postings.SCHEMA)
        if not facet_postings.current_version(db):
            # A database from before the postings (or a new one): compute and store them.
            with self._tx() as tx:
                if not facet_postings.current_version(tx):
                    for t in (DOCS, RECS):
                        facet_postings.store(tx, t.main, facet_postings.compute(
                            tx, t.main, t.facets, ""))
                    facet_postings.bump_version(tx)

    # -- writing -------------------------------------------------------------------------
    def _delete_rows(self, db: sqlite3.Connection, doc_ids: list[str],
                     changes: facet_postings.Changes | None = None) -> int:
        deleted = 0
        for doc_id in doc_ids:
            row = db.execute("SELECT rowid, ntext FROM docs WHERE id=?", (doc_id,)).fetchone()
            if row is None:
                continue
            rowid, ntext = row
            if changes is not None:
                changes.remove("docs", rowid, db.execute(
                    "SELECT facet, value FROM doc_facets WHERE doc=?", (rowid,)).fetchall())
                for (rrow,) in db.execute("SELECT rowid FROM recs WHERE doc=?",
                                          (rowid,)).fetchall():
                    changes.remove("recs", rrow, db.execute(
                        "SELECT facet, value FROM rec_facets WHERE doc=?", (rrow,)).fetchall())
            # External-content FTS5 tables need the old values to delete their entries.
            for table in ("doc_stem", "doc_exact"):
                db.execute(f"INSERT INTO {table}({table}, rowid, ntext) VALUES('delete', ?, ?)",
                           (rowid, ntext))
            for ktext, subj in db.execute("SELECT ktext, subjects FROM doc_rank WHERE rowid=?",
                                          (rowid,)):
                db.execute("INSERT INTO doc_key(doc_key, rowid, ktext, subjects)"
                           " VALUES('delete', ?, ?, ?)", (rowid, ktext, subj))
            db.execute("DELETE FROM doc_rank WHERE rowid=?", (rowid,))
            for prow, ptext in db.execute("SELECT rowid, text FROM pages WHERE doc=?", (rowid,)):
                db.execute("INSERT INTO page_stem(page_stem, rowid, text) VALUES('delete', ?, ?)",
                           (prow, ptext))
            for rrow, rtext in db.execute("SELECT rowid, ntext FROM recs WHERE doc=?", (rowid,)):
                for table in ("rec_stem", "rec_exact"):
                    db.execute(f"INSERT INTO {table}({table}, rowid, ntext) VALUES('delete', ?, ?)",
                               (rrow, rtext))
            db.execute("DELETE FROM rec_facets WHERE doc IN (SELECT rowid FROM recs WHERE doc=?)",
                       (rowid,))
            db.execute("DELETE FROM recs WHERE doc=?", (rowid,))
            db.execute("DELETE FROM pages WHERE doc=?", (rowid,))
            db.execute("DELETE FROM doc_facets WHERE doc=?", (rowid,))
            db.execute("DELETE FROM docs WHERE rowid=?", (rowid,))
            deleted += 1
        return deleted

    def _insert(self, db: sqlite3.Connection, doc: Document,
                changes: facet_postings.Changes | None = None) -> None:
        rec = document_record(doc)
        body = doc.to_json_dict()
        body.pop("pages", None)
        ntext = normalize_for_index(rec["text"])
        cur = db.execute(
            "INSERT INTO docs (id, summary, body, year, date_key, ntext) VALUES (?,?,?,?,?,?)",
            (doc.id, json.dumps(rec["summary"]), json.dumps(body), rec["year"], rec["date_key"],
             ntext))
        rowid = cur.lastrowid
        assert rowid is not None  # set by the INSERT
        db.execute("INSERT INTO doc_stem(rowid, ntext) VALUES (?, ?)", (rowid, ntext))
        db.execute("INSERT INTO doc_exact(rowid, ntext) VALUES (?, ?)", (rowid, ntext))
        rank = ranking_record(doc, ntext)
        db.execute("INSERT INTO doc_rank (rowid, prior, ktext, subjects) VALUES (?,?,?,?)",
                   (rowid, rank["prior"], rank["key_text"], rank["subjects"]))
        db.execute("INSERT INTO doc_key(rowid, ktext, subjects) VALUES (?, ?, ?)",
                   (rowid, rank["key_text"], rank["subjects"]))
        values = _facet_values(rec, DOC_FACETS)
        db.executemany("INSERT INTO doc_facets VALUES (?,?,?)",
                       [(rowid, f, str(v)) for f, v in values])
        if changes is not None:
            changes.add("docs", rowid, values)
        for i, text in enumerate(doc.pages, start=1):
            pcur = db.execute("INSERT INTO pages (doc, page, text) VALUES (?,?,?)",
                              (rowid, i, text))
            db.execute("INSERT INTO page_stem(rowid, text) VALUES (?, ?)", (pcur.lastrowid, text))
        for r in recommendation_records(doc):
            rntext = normalize_for_index(r["text"])
            rcur = db.execute(
                "INSERT INTO recs (id, doc, body, year, date_key, smart_score, ntext)"
                " VALUES (?,?,?,?,?,?,?)",
                (r["id"], rowid, json.dumps(r), r["year"], r["date_key"], r["smart_score"], rntext))
            rrow = rcur.lastrowid
            assert rrow is not None
            db.execute("INSERT INTO rec_stem(rowid, ntext) VALUES (?, ?)", (rrow, rntext))
            db.execute("INSERT INTO rec_exact(rowid, ntext) VALUES (?, ?)", (rrow, rntext))
            rvalues = _facet_values(r, REC_FACETS)
            db.executemany("INSERT INTO rec_facets VALUES (?,?,?)",
                           [(rrow, f, str(v)) for f, v in rvalues])
            if changes is not None:
                changes.add("recs", rrow, rvalues)

    def index_documents(self, docs: Iterable[Document], *, refresh: bool = False,
                        batch_size: int = 200) -> IndexReport:
        report = IndexReport()
        batch: list[Document] = []

        def flush() -> None:
            self._fresh()
            with self._tx() as db:
                changes = facet_postings.Changes()
                self._delete_rows(db, [d.id for d in batch], changes)
                for d in batch:
                    self._insert(db, d, changes)
                changes.apply(db)
            report.indexed += len(batch)
            batch.clear()

        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
        return report

    def delete_documents(self, ids: Iterable[str], *, refresh: bool = False) -> int:
        self._fresh()
        with self._tx() as db:
            changes = facet_postings.Changes()
            deleted = self._delete_rows(db, list(ids), changes)
            changes.apply(db)
            return deleted

    def set_review_recommendations(self, keys: dict[str, str | None], *,
                                   refresh: bool = False) -> int:
        self._fresh()
        stamped = 0
        with self._tx() as db:
            for rec_id, key in keys.items():
                stamped += db.execute(
                    "UPDATE recs SET rkey=?, body=json_set(body, '$.review_rec', ?) WHERE id=?"
                    " AND rkey IS NOT ?", (key, key, rec_id, key)).rowcount
        return stamped

    def rebuild(self, docs: Iterable[Document]) -> IndexReport:
        """Build a new database file beside the live one, then swap it in atomically."""
        tmp = self.path.with_name(self.path.name + ".rebuild")
        for suffix in ("", "-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        fresh = SqliteBackend(tmp, cursor_key=self.cursor_key)
        report = fresh.index_documents(docs)
        fresh._db().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        fresh.close()
        self.close()
        os.replace(tmp, self.path)
        for suffix in ("-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        return report

    # -- reading -------------------------------------------------------------------------
    def count(self) -> int:
        self._fresh()
        return self._db().execute("SELECT COUNT(*) FROM docs").fetchone()[0]

    def get_document(self, doc_id: str, *, pages: bool = False) -> dict[str, Any] | None:
        self._fresh()
        db = self._db()
        row = db.execute("SELECT rowid, body FROM docs WHERE id=?", (doc_id,)).fetchone()
        if row is None:
            return None
        body = json.loads(row[1])
        if pages:
            body["pages"] = [t for (t,) in db.execute(
                "SELECT text FROM pages WHERE doc=? ORDER BY page", (row[0],))]
        return body

    def _filter_sql(self, t: _Tables, request: _Request, skip: str | None) -> tuple[str, list]:
        """Conditions on ``t.main`` rowid (aliased x) for every filter except ``skip``."""
        conds: list[str] = []
        args: list[Any] = []
        for name, values in request.filters.items():
            if name == skip:
                continue
            marks = ",".join("?" * len(values))
            conds.append(f"x.rowid IN (SELECT doc FROM {t.facets} WHERE facet=? AND value IN "
                         f"({marks}))")
            args += [name, *values]
        if request.year_from is not None:
            conds.append("x.year >= ?")
            args.append(request.year_from)
        if request.year_to is not None:
            conds.append("x.year <= ?")
            args.append(request.year_to)
        if isinstance(request, RecommendationRequest) and request.smart_min is not None:
            conds.append("x.smart_score >= ?")
            args.append(request.smart_min)
        return (" AND ".join(conds) or "1"), args

    def _run(self, t: _Tables, request: _Request):
        """One read transaction: the match, the postings, the counts and the page of rows all
        see the same snapshot, even while another process writes."""
        db = self._db()
        own = not db.in_transaction
        if own:
            db.execute("BEGIN")
        try:
            return self._run_snapshot(db, t, request)
        finally:
            if own:
                db.execute("COMMIT")

    def _run_snapshot(self, db: sqlite3.Connection, t: _Tables, request: _Request):
        """Documents matching a query by relevance in a large index: _run_by_relevance when no
        other such query is running; otherwise, and for everything else, _run_in_sql."""
        if (request.query is not None and t.key is not None and request.sort == "relevance"
                and len(self._postings.get(db, t.main, t.facets).all) >= self.parallel_from):
            with self._ranking_alone() as alone:
                if alone:
                    return self._run_by_relevance(db, t, request)
        return self._run_in_sql(db, t, request)

    @contextmanager
    def _ranking_alone(self) -> Iterator[bool]:
        """True when no other documents-by-relevance query of this backend is running. Then
        ranking spreads over two connections (sqlite_rank): the query answers in about half
        the time. When several run at once the cores are busy anyway, and the one-statement
        SQL ranking (all of it inside SQLite, the GIL released) gives more queries a second
        than many threads fetching rows into Python side by side. Both give the same answer."""
        with self._ranking_lock:
            self._ranking_now += 1
            alone = self._ranking_now == 1
        try:
            yield alone
        finally:
            with self._ranking_lock:
                self._ranking_now -= 1

    def _run_in_sql(self, db: sqlite3.Connection, t: _Tables, request: _Request):
        """The match into a temporary table, the counts over the postings, the ranking (when
        asked) into another, and the page of rows by one SQL query."""
        node = request.query
        use_match = node is not None
        ranked = False  # True once temp.rk holds the bm25 rank of every match
        if use_match:
            sql, args, single = _match_sql(node, t)
            if single:
                table, exprs = single
                # A row's bm25 depends only on the phrases (their IDF over the whole table) and
                # on their instances in the row: under the AND of the phrases it is the same
                # number as under their OR (the rank expression) for every row that matches, so
                # one pass over the index both matches and ranks. Not with filters: they may
                # leave no row, and then nothing needs ranking.
                unfiltered = (not request.filters and request.year_from is None
                              and request.year_to is None
                              and getattr(request, "smart_min", None) is None)
                # Documents rank with the key text and the prior too (dhr.search.ranking): only
                # tables ranked by bm25 alone take this path.
                ranked = (unfiltered and t.key is None and table == t.stem
                          and request.sort == "relevance"
                          and len(set(exprs)) == len(exprs)
                          and _rank_expression(node) == " OR ".join(exprs))
            db.execute("DROP TABLE IF EXISTS temp.m")
            db.execute("CREATE TEMP TABLE m (r INTEGER PRIMARY KEY)")
            if ranked:
                db.execute("DROP TABLE IF EXISTS temp.rk")
                db.execute("CREATE TEMP TABLE rk (r INTEGER PRIMARY KEY, s REAL)")
                db.execute(f"INSERT OR IGNORE INTO temp.rk SELECT rowid, bm25({t.stem})"
                           f" FROM {t.stem} WHERE {t.stem} MATCH ?", args)
                db.execute("INSERT INTO temp.m SELECT r FROM temp.rk")
            else:
                db.execute(f"INSERT OR IGNORE INTO temp.m SELECT r FROM ({sql})", args)
        match_cond = "x.rowid IN (SELECT r FROM temp.m)" if use_match else "1"

        if isinstance(request, RecommendationRequest) and request.by_review:
            return self._run_grouped(db, t, request, match_cond, ranked, use_match)
        # The total and the facet counts, over the facet postings: each facet ignores its own
        # filter and respects all the others (multi-select).
        post = self._postings.get(db, t.main, t.facets)
        matched = (BitMap(r for (r,) in db.execute("SELECT r FROM temp.m")) if use_match
                   else post.all)
        total, facets, _everything = self._counts(t, request, post, matched)

        cond, fargs = self._filter_sql(t, request, skip=None)
        where = f"{match_cond} AND {cond}"
        # The page of rows reads only rowid, id, year, date_key (and smart_score): from the
        # narrow covering index rather than the wide rows, unless only a few rows qualify.
        indexed = f"INDEXED BY {t.main}_keys" if total > 500 else ""
        k1, k2, order = self._sort_keys(db, t, request, ranked, use_match, total)
        after, after_args = self._after_cursor(request, "x.id")
        rows = db.execute(
            f"SELECT * FROM (SELECT x.rowid AS rowid, x.id AS id, {k1} AS k1, {k2} AS k2"
            f" FROM {t.main} x {indexed} WHERE {where}) x WHERE {after} ORDER BY {order} LIMIT ?",
            [*fargs, *after_args, request.page_size + 1]).fetchall()
        rows, next_cursor = self._page(rows, request, 1)
        return total, rows, facets, next_cursor

    def _counts(self, t: _Tables, request: _Request, post: facet_postings.Postings,
                matched: BitMap) -> tuple[int, dict[str, list[dict]], BitMap]:
        """The total, the facet counts and the rows of ``matched`` that pass every filter, over
        the facet postings: each facet ignores its own filter and respects all the others
        (multi-select)."""
        filters = {name: post.union(name, values) for name, values in request.filters.items()}
        # Ranges are filters no facet ignores (their keys are not facet names).
        if request.year_from is not None or request.year_to is not None:
            filters[" year range"] = post.at_least("year", request.year_from, request.year_to)
        if isinstance(request, RecommendationRequest) and request.smart_min is not None:
            filters[" smart_min"] = post.at_least("smart_score", request.smart_min)
        everything, counts = facet_postings.facet_counts(
            post, matched, filters, t.facet_fields if request.facets else ())
        facets: dict[str, list[dict]] = {}
        if request.facets:
            for name in t.facet_fields:
                facets[name] = facet_list(name, counts[name], request.filters.get(name, []),
                                          TAXONOMY_KIND.get(name))
        return len(everything), facets, everything

    def _run_by_relevance(self, db: sqlite3.Connection, t: _Tables, request: _Request):
        """Documents matching a query, in relevance order (dhr/search/sqlite_rank.py): the
        full-text bm25 pass runs in a worker thread while this one finds the matches, counts
        the facets and runs the key-text pass; the scores are joined and the page is chosen in
        memory."""
        node = request.query
        post = self._postings.get(db, t.main, t.facets)
        expr = _rank_expression(node)
        stem = sqlite_rank.stem_pass(t.stem, expr) if expr else None
        future = self._workers.start(post.version, stem) if stem is not None else None
        sql, args, _single = _match_sql(node, t)
        cur = db.cursor()
        cur.row_factory = None
        matched = BitMap([r for (r,) in cur.execute(f"SELECT r FROM ({sql})", args)])
        total, facets, everything = self._counts(t, request, post, matched)
        ranked = sqlite_rank.nothing_ranked()
        if stem is not None and total:
            key = sqlite_rank.key_pass(t.key or "", expr or "").columns(db)
            ranked = sqlite_rank.scores(self._workers.result(future, db, stem), key,
                                        self._priors.get(db, post.version), matched)
        elif future is not None:
            future.cancel()
        rows = sqlite_rank.page(db, everything, ranked, self._cursor_values(request),
                                request.page_size + 1, unranked=0.0 if expr else 0)
        rows, next_cursor = self._page(rows, request, 1)
        return total, rows, facets, next_cursor

    def _page(self, rows: list[Any], request: _Request, last: int) -> tuple[list[Any], str | None]:
        """The page of ``rows`` (fetched one beyond the page size) and the cursor after it, on
        its last row's (k1, k2, column ``last``); None when there is no further page."""
        if len(rows) <= request.page_size:
            return rows, None
        rows = rows[:request.page_size]
        end = rows[-1]
        return rows, cursors.encode([end[2], end[3], end[last]], request, self.cursor_key)

    def _cursor_values(self, request: _Request) -> list[Any] | None:
        """(k1, k2, last) of the last row of the previous page; None on the first page."""
        if not request.cursor:
            return None
        v = cursors.decode(request.cursor, request, self.cursor_key)
        if len(v) != 3:
            from .base import SearchError
            raise SearchError("invalid cursor", "cursor")
        return v

    def _after_cursor(self, request: _Request, last: str) -> tuple[str, list[Any]]:
        """The keyset condition for the page after ``request.cursor`` on (k1, k2, ``last``),
        and its arguments ("1" and none on the first page)."""
        v = self._cursor_values(request)
        if v is None:
            return "1", []
        return (f"(k1 > ? OR (k1 = ? AND (k2 > ? OR (k2 = ? AND {last} > ?))))",
                [v[0], v[0], v[1], v[1], v[2]])

    def _run_grouped(self, db: sqlite3.Connection, t: _Tables, request: RecommendationRequest,
                     match_cond: str, ranked: bool, use_match: bool):
        """One row per review recommendation (``COALESCE(rkey, id)``: an unstamped record is
        its own group): a group matches when one of its copies matches the query and every
        filter; the total and each facet's counts are numbers of groups (multi-select as
        above); a page lists each group's best copy, ordered like copies, keyset-paged on
        (k1, k2, group)."""
        group = "COALESCE(x.rkey, x.id)"
        cond, fargs = self._filter_sql(t, request, skip=None)
        where = f"{match_cond} AND {cond}"
        total = db.execute(f"SELECT COUNT(DISTINCT {group}) FROM {t.main} x WHERE {where}",
                           fargs).fetchone()[0]
        facets: dict[str, list[dict]] = {}
        for name in t.facet_fields if request.facets else ():
            fcond, fa = self._filter_sql(t, request, skip=name)
            counts = {str(v): c for v, c in db.execute(
                f"SELECT f.value, COUNT(DISTINCT {group}) FROM {t.facets} f JOIN {t.main} x"
                f" ON x.rowid = f.doc WHERE f.facet = ? AND {match_cond} AND {fcond}"
                " GROUP BY f.value", [name, *fa])}
            facets[name] = facet_list(name, counts, request.filters.get(name, []),
                                      TAXONOMY_KIND.get(name))
        k1, k2, _order = self._sort_keys(db, t, request, ranked, use_match, total)
        after, after_args = self._after_cursor(request, "g")
        rows = db.execute(
            f"SELECT rowid, id, k1, k2, g FROM (SELECT rowid, id, g, k1, k2, ROW_NUMBER() OVER"
            f" (PARTITION BY g ORDER BY k1, k2, id) AS n FROM (SELECT x.rowid AS rowid,"
            f" x.id AS id, {group} AS g, {k1} AS k1, {k2} AS k2 FROM {t.main} x WHERE {where}))"
            f" WHERE n = 1 AND {after} ORDER BY k1, k2, g LIMIT ?",
            [*fargs, *after_args, request.page_size + 1]).fetchall()
        rows, next_cursor = self._page(rows, request, 4)
        return total, rows, facets, next_cursor

    def _sort_keys(self, db: sqlite3.Connection, t: _Tables, request: _Request, ranked: bool,
                   use_match: bool, total: int) -> tuple[str, str, str]:
        """Sort keys (k1, k2) as SQL over row x, and the ORDER BY. Relevance: bm25 rank (lower
        is better), unranked last; fills temp.rk when the rank is needed and not there yet."""
        node = request.query
        rank_sql = "0"
        if ranked:
            rank_sql = "COALESCE((SELECT s FROM temp.rk WHERE r = x.rowid), 0.0)"
        elif request.sort == "relevance" and use_match and total:  # nothing to rank if no rows
            expr = _rank_expression(node)
            if expr:
                db.execute("DROP TABLE IF EXISTS temp.rk")
                db.execute("CREATE TEMP TABLE rk (r INTEGER PRIMARY KEY, s REAL)")
                # Rank every match once, then keep those in the result set: a `rowid IN (...)`
                # constraint on an FTS5 table re-runs the MATCH for each rowid.
                if t.key:  # documents: full text + weighted key text, times the prior
                    # (what sqlite_rank computes on two connections when the backend is idle)
                    db.execute(
                        f"WITH s AS MATERIALIZED (SELECT rowid AS r, bm25({t.stem}) AS score"
                        f" FROM {t.stem} WHERE {t.stem} MATCH ?), k AS MATERIALIZED"
                        f" (SELECT rowid AS r, bm25({t.key}, 1.0, ?) AS score FROM {t.key}"
                        f" WHERE {t.key} MATCH ?) INSERT OR IGNORE INTO temp.rk"
                        f" SELECT s.r, (s.score + ? * COALESCE(k.score, 0.0))"
                        f" * COALESCE(p.prior, 1.0) FROM s JOIN temp.m ON temp.m.r = s.r"
                        f" LEFT JOIN k ON k.r = s.r LEFT JOIN doc_rank p ON p.rowid = s.r",
                        (expr, SUBJECT_WEIGHT / KEY_WEIGHT, expr, KEY_WEIGHT))
                else:
                    db.execute(f"WITH s AS MATERIALIZED (SELECT rowid AS r, bm25({t.stem})"
                               f" AS score FROM {t.stem} WHERE {t.stem} MATCH ?) INSERT OR IGNORE"
                               f" INTO temp.rk SELECT s.r, s.score FROM s JOIN temp.m"
                               f" ON temp.m.r = s.r", (expr,))
                rank_sql = "COALESCE((SELECT s FROM temp.rk WHERE r = x.rowid), 0.0)"
        if request.sort == "relevance":
            k1, k2 = rank_sql, "0"
            order = "k1 ASC, k2 ASC, x.id ASC"
        elif request.sort == "newest":
            k1, k2 = "(x.date_key IS NULL)", "COALESCE(-x.date_key, 0)"
            order = "k1 ASC, k2 ASC, x.id ASC"
        else:
            k1, k2 = "(x.date_key IS NULL)", "COALESCE(x.date_key, 0)"
            order = "k1 ASC, k2 ASC, x.id ASC"
        return k1, k2, order

    def search(self, request: DocumentRequest) -> SearchResponse:
        self._fresh()
        total, rows, facets, next_cursor = self._run(DOCS, request)
        db = self._db()
        results = []
        snippet_expr = (_snippet_expression(request.query)
                        if request.query is not None and request.snippets else None)
        snippets = self._snippets([r[0] for r in rows], snippet_expr) if snippet_expr else {}
        for rowid, _id, _k1, _k2 in rows:
            summary = json.loads(db.execute("SELECT summary FROM docs WHERE rowid=?",
                                            (rowid,)).fetchone()[0])
            summary["snippets"] = snippets.get(rowid, [])
            results.append(summary)
        return SearchResponse(total, results, facets, next_cursor)

    def _snippets(self, doc_rowids: list[int], expr: str,
                  limit: int = 3) -> dict[int, list[dict[str, Any]]]:
        """Up to ``limit`` page-numbered snippets for each of these documents, best pages first.

        A few documents without a prefix: one query each, over the document's pages (FTS5 seeks
        to their rowid range in each word's entries). Otherwise two FTS5 queries for the whole
        page of results: a prefix's every word is merged from the whole index on each MATCH,
        whatever rowid range it is asked for (a two-letter prefix cost ~0.2 s a result on 3000
        documents), and many documents cost more one by one than in one pass. The ``+`` keeps
        the rowid lists from becoming lookup constraints, which would run the MATCH once per
        rowid.
        """
        if not doc_rowids:
            return {}
        if len(doc_rowids) <= _SNIPPETS_ONE_BY_ONE and "*" not in expr:
            return {rowid: self._doc_snippets(rowid, expr, limit) for rowid in doc_rowids}
        db = self._db()
        marks = ",".join("?" * len(doc_rowids))
        best: dict[int, list[tuple[float, int]]] = {}
        for prow, doc, score in db.execute(
                "SELECT page_stem.rowid, p.doc, bm25(page_stem) FROM page_stem"
                " JOIN pages p ON p.rowid = page_stem.rowid"
                f" WHERE page_stem MATCH ? AND +p.doc IN ({marks})", (expr, *doc_rowids)):
            best.setdefault(doc, []).append((score, prow))
        chosen = {prow: doc for doc, pages in best.items() for _, prow in sorted(pages)[:limit]}
        if not chosen:
            return {}
        marks = ",".join("?" * len(chosen))
        cut: dict[int, tuple[int, str]] = {}
        for prow, page, text in db.execute(
                "SELECT page_stem.rowid, p.page, snippet(page_stem, 0, ?, ?, '…', 20)"
                " FROM page_stem JOIN pages p ON p.rowid = page_stem.rowid"
                f" WHERE page_stem MATCH ? AND +page_stem.rowid IN ({marks})",
                (PRE, POST, expr, *chosen)):
            cut[prow] = (page, text)
        return {doc: [{"page": cut[prow][0], "html": safe_snippet(cut[prow][1])}
                      for _, prow in sorted(pages)[:limit] if prow in cut]
                for doc, pages in best.items()}

    def _doc_snippets(self, doc_rowid: int, expr: str, limit: int) -> list[dict[str, Any]]:
        db = self._db()
        lo, hi = db.execute("SELECT MIN(rowid), MAX(rowid) FROM pages WHERE doc=?",
                            (doc_rowid,)).fetchone()
        if lo is None:
            return []
        # A document's pages have consecutive rowids: FTS5 uses the rowid range directly.
        # The pages with the most highlighted matches come first (then the earlier page). Not
        # bm25: bm25 in a statement first counts each phrase over the whole page index (its
        # IDF), 15 ms or more per result at 10,000 documents; this reads only these pages.
        found = db.execute(
            "SELECT page_stem.rowid, p.page, highlight(page_stem, 0, char(2), '') FROM page_stem"
            " JOIN pages p ON p.rowid = page_stem.rowid WHERE page_stem MATCH ?"
            " AND page_stem.rowid BETWEEN ? AND ?", (expr, lo, hi)).fetchall()
        best = sorted(found, key=lambda r: (-r[2].count("\x02"), r[1]))[:limit]
        snippets = []
        for prow, page, _ in best:
            (text,) = db.execute(
                "SELECT snippet(page_stem, 0, ?, ?, '…', 20) FROM page_stem"
                " WHERE page_stem MATCH ? AND rowid = ?", (PRE, POST, expr, prow)).fetchone()
            snippets.append({"page": page, "html": safe_snippet(text)})
        return snippets

    def search_recommendations(self, request: RecommendationRequest) -> SearchResponse:
        self._fresh()
        total, rows, facets, next_cursor = self._run(RECS, request)
        db = self._db()
        results = []
        for rowid, *_ in rows:
            body = json.loads(db.execute("SELECT body FROM recs WHERE rowid=?",
                                         (rowid,)).fetchone()[0])
            results.append(recommendation_result(body))
        if request.by_review:
            with_copies(results, self._copies([r["review_recommendation"] for r in results
                                               if r["review_recommendation"]]))
        return SearchResponse(total, results, facets, next_cursor)

    def _copies(self, keys: list[str]) -> list[dict[str, Any]]:
        """Every record stamped with one of these review recommendation keys."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        return [recommendation_result(json.loads(b)) for (b,) in self._db().execute(
            f"SELECT body FROM recs WHERE rkey IN ({marks})", keys)]

    def similar(self, doc_id: str, *, size: int = 10) -> list[dict[str, Any]]:
        """Documents sharing this one's most distinctive words (a more-like-this by bm25)."""
        self._fresh()
        db = self._db()
        row = db.execute("SELECT rowid, ntext FROM docs WHERE id=?", (doc_id,)).fetchone()
        if row is None:
            return []
        terms = _distinctive_terms(db, row[1])
        if not terms:
            return []
        expr = " OR ".join(_fts_phrase([t]) for t in terms)
        rows = db.execute(
            "SELECT d.summary FROM doc_stem JOIN docs d ON d.rowid = doc_stem.rowid"
            " WHERE doc_stem MATCH ? AND d.rowid != ? ORDER BY bm25(doc_stem) LIMIT ?",
            (expr, row[0], size)).fetchall()
        return [json.loads(s) for (s,) in rows]

    def stats(self) -> dict[str, Any]:
        self._fresh()
        db = self._db()

        def grouped(sql: str) -> list[tuple]:
            return db.execute(sql).fetchall()

        by_year = [{"year": y, "count": c} for y, c in grouped(
            "SELECT year, COUNT(*) FROM docs WHERE year IS NOT NULL GROUP BY year ORDER BY year")]
        theme_year = [{"year": int(y), "theme": th, "count": c} for y, th, c in grouped(
            "SELECT y.value, t.value, COUNT(*) FROM doc_facets t JOIN doc_facets y"
            " ON y.doc = t.doc AND y.facet='year' WHERE t.facet='theme'"
            " GROUP BY y.value, t.value ORDER BY y.value, t.value")]
        agencies = [{"agency": a, "documents": c} for a, c in grouped(
            "SELECT value, COUNT(*) FROM doc_facets WHERE facet='agency' GROUP BY value"
            " ORDER BY COUNT(*) DESC, value")]
        rec_agencies = [{"agency": a, "recommendations": c} for a, c in grouped(
            "SELECT value, COUNT(*) FROM rec_facets WHERE facet='agency' GROUP BY value"
            " ORDER BY COUNT(*) DESC, value")]
        review_types = [{"review_type": r, "count": c} for r, c in grouped(
            "SELECT value, COUNT(*) FROM doc_facets WHERE facet='review_type' GROUP BY value"
            " ORDER BY COUNT(*) DESC, value")]
        return {
            "documents": self.count(),
            "recommendations": db.execute("SELECT COUNT(*) FROM recs").fetchone()[0],
            "by_year": by_year, "themes_by_year": theme_year, "by_agency": agencies,
            "recommendations_by_agency": rec_agencies, "by_review_type": review_types,
        }


def _facet_values(record: dict[str, Any], fields: dict[str, str]) -> list[tuple[str, Any]]:
    out = []
    for facet, field in fields.items():
        value = record.get(field)
        if value is None:
            continue
        for v in value if isinstance(value, list) else [value]:
            if v is not None and v != "":
                out.append((facet, v))
    return out


def _distinctive_terms(db: sqlite3.Connection, ntext: str, n: int = 25) -> list[str]:
    """Terms frequent in this text but rare in the collection (tf-idf over the exact index)."""
    from collections import Counter
    from math import log

    from ..query import STOP_WORDS

    counts = Counter(t for t in ntext.split() if len(t) > 3 and not t.isdigit()
                     and t not in STOP_WORDS)
    if not counts:
        return []
    total = db.execute("SELECT COUNT(*) FROM docs").fetchone()[0] or 1
    scored = []
    for term, tf in counts.most_common(200):
        df = db.execute("SELECT COUNT(*) FROM doc_exact WHERE doc_exact MATCH ?",
                        (_fts_phrase([term]),)).fetchone()[0]
        scored.append((tf * log((total + 1) / (df + 0.5)), term))
    scored.sort(reverse=True)
    return [t for _, t in scored[:n]]
