"""Relevance order of documents for the embedded (SQLite) backend, on both cores.

What is computed is exactly what one SQL statement of :mod:`dhr.search.sqlite` computed until
this module (``tests/contract/test_sqlite_parallel_rank.py`` keeps it as the reference;
dhr/search/ranking.py says what it weighs): for every matched document,
``(bm25(full text) + KEY_WEIGHT * bm25(key text, 1.0, SUBJECT_WEIGHT / KEY_WEIGHT)) * prior``,
0.0 for a matched document the rank expression does not find, and the page ordered by that
value, then by id. Only how it is computed differs, because at national scale (100,000
documents) one SQL statement spent about 0.6 s on it:

- the two bm25 passes (FTS5, in C) are independent reads, so they run at the same time on two
  connections, one of them in a worker thread; SQLite releases the GIL while it works. The
  worker opens its own read transaction and uses it only when it sees the same version of the
  index as the query's own transaction (``meta.postings_version``, which every write changes);
  otherwise the query's thread computes that part itself, so answers never mix two versions;
- the join of the passes, the priors and the matched set, and the choice of the page, happen in
  memory (numpy) instead of in a temporary table with an automatic index: the arithmetic is the
  same IEEE operations in the same order, so every score is the same double and cursors stay
  valid across versions of the code;
- the priors are read once per index version from a narrow covering index.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from pyroaring import BitMap

from ..sqlite_db import ThreadLocalDB
from . import postings as facet_postings
from .base import SearchError
from .ranking import KEY_WEIGHT, SUBJECT_WEIGHT

if TYPE_CHECKING:
    import numpy as np

# Below this many indexed documents the one-statement SQL ranking answers as fast (10,000
# documents: words 58 ms either way), and a worker's own transaction and handing its rows over
# would cost more than they save.
PARALLEL_FROM = 20000
# Ids are read for at most this many candidate rows per statement.
_ID_CHUNK = 10000

Columns = tuple["np.ndarray", "np.ndarray"]  # rowids ascending, and a value for each
_PART = "dhr_rank_part"  # the in-memory database a worker's pass writes to


class Pass:
    """One bm25 pass: a statement selecting (rowid, score) rows."""

    def __init__(self, sql: str, args: tuple[Any, ...]):
        self.sql, self.args = sql, args

    def columns(self, db: sqlite3.Connection) -> Columns:
        """Run on ``db`` (in the caller's transaction) and fetch the rows."""
        return _columns(_select(db, self.sql, self.args))

    def columns_apart(self, db: sqlite3.Connection) -> Columns:
        """The same, when another thread runs a pass at the same time: this pass runs into an
        in-memory table in one step, all of it in SQLite, which releases the GIL; only then
        are the rows fetched. Fetching them as the pass finds them would hand the GIL back and
        forth with the other thread (fetching its rows too) for every row, and both would
        crawl. Needs :func:`attach_part` (else it does what :meth:`columns` does)."""
        if not _attached(db):
            return self.columns(db)
        db.execute(f"DELETE FROM {_PART}.part")
        db.execute(f"WITH c AS MATERIALIZED ({self.sql}) INSERT INTO {_PART}.part"
                   " SELECT * FROM c", self.args)
        return _columns(_select(db, f"SELECT r, s FROM {_PART}.part", ()))


def attach_part(db: sqlite3.Connection) -> None:
    """The in-memory table :meth:`Pass.columns_apart` writes to (ATTACH outside a
    transaction)."""
    if not _attached(db):
        db.execute(f"ATTACH ':memory:' AS {_PART}")
        db.execute(f"CREATE TABLE {_PART}.part (r INTEGER PRIMARY KEY, s REAL)")


def _attached(db: sqlite3.Connection) -> bool:
    return any(row[1] == _PART for row in db.execute("PRAGMA database_list"))


def _select(db: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> list[Any]:
    cur = db.cursor()
    cur.row_factory = None  # plain tuples: many rows
    return cur.execute(sql, args).fetchall()


def stem_pass(table: str, expr: str) -> Pass:
    """(rowid, bm25) of every row of the full-text index the rank expression finds."""
    return Pass(f"SELECT rowid, bm25({table}) FROM {table} WHERE {table} MATCH ?", (expr,))


def key_pass(table: str, expr: str) -> Pass:
    """(rowid, bm25) of every row of the key-text index (key text, subjects weighted)."""
    return Pass(f"SELECT rowid, bm25({table}, 1.0, ?) FROM {table} WHERE {table} MATCH ?",
                (SUBJECT_WEIGHT / KEY_WEIGHT, expr))


class RankWorkers:
    """Read connections in worker threads that run bm25 passes alongside the query's thread."""

    def __init__(self, conn: ThreadLocalDB, workers: int | None = None):
        self._conn = conn
        if workers is None:
            workers = min(3, (os.cpu_count() or 1) - 1)
        self._pool = (ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dhr-rank")
                      if workers > 0 else None)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _in_worker(self, version: str, task: Pass) -> Columns | None:
        """``task`` on this worker thread's connection, if it sees index version ``version``."""
        if self._conn.is_stale():  # the index file was swapped by a rebuild
            self._conn.close()
        db = self._conn.get()
        attach_part(db)
        db.execute("BEGIN")
        try:
            if facet_postings.current_version(db) != version:
                return None
            return task.columns_apart(db)
        finally:
            db.execute("COMMIT")

    def start(self, version: str, task: Pass) -> Future[Columns | None] | None:
        """Start ``task`` in a worker (None when there are no workers)."""
        with self._lock:
            if self._pool is None or not version:
                return None
            return self._pool.submit(self._in_worker, version, task)

    @staticmethod
    def result(future: Future[Columns | None] | None, db: sqlite3.Connection, task: Pass
               ) -> Columns:
        """The worker's columns, or ``task`` run on ``db`` when the worker could not do it (it
        saw another version of the index) or had not started it yet (all workers busy)."""
        done = None
        if future is not None and not future.cancel():
            done = future.result()
        return task.columns(db) if done is None else done


class Priors:
    """Each document's ranking prior, by rowid, as of one index version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = ""
        self._values: np.ndarray | None = None

    def get(self, db: sqlite3.Connection, version: str) -> np.ndarray:
        """``values[rowid]`` is the prior of row ``rowid`` (1.0 where there is none)."""
        import numpy as np

        with self._lock:
            if version and version == self._version and self._values is not None:
                return self._values
        rows = _select(db, "SELECT rowid, prior FROM doc_rank INDEXED BY doc_rank_prior", ())
        top = max((r for r, _ in rows), default=0)
        values = np.ones(top + 1, dtype=np.float64)
        if rows:
            array = np.array(rows, dtype=np.float64)
            values[array[:, 0].astype(np.int64)] = array[:, 1]
        with self._lock:
            self._version, self._values = version, values
        return values


def _columns(rows: list[tuple[int, float]]) -> Columns:
    """(rowids ascending, values) of (rowid, value) rows."""
    import numpy as np

    ids = np.fromiter((r for r, _ in rows), dtype=np.int64, count=len(rows))
    values = np.fromiter((v for _, v in rows), dtype=np.float64, count=len(rows))
    if len(ids) > 1 and not bool(np.all(ids[1:] > ids[:-1])):
        order = np.argsort(ids, kind="stable")
        ids, values = ids[order], values[order]
    return ids, values


def _lookup(ids: np.ndarray, values: np.ndarray, wanted: np.ndarray, default: float
            ) -> np.ndarray:
    """``values`` at ``wanted`` rowids (``ids`` ascending), ``default`` where absent."""
    import numpy as np

    out = np.full(len(wanted), default, dtype=np.float64)
    if len(ids):
        at = np.searchsorted(ids, wanted)
        inside = at < len(ids)
        hit = np.zeros(len(wanted), dtype=bool)
        hit[inside] = ids[at[inside]] == wanted[inside]
        out[hit] = values[at[hit]]
    return out


def nothing_ranked() -> Columns:
    import numpy as np

    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)


def scores(stem: Columns, key: Columns, priors: np.ndarray, matched: BitMap) -> Columns:
    """(rowids, scores) of the matched rows the stem pass found: the SQL statement's
    ``(s.score + KEY_WEIGHT * COALESCE(k.score, 0.0)) * COALESCE(p.prior, 1.0)``."""
    import numpy as np

    s_ids, s_values = stem
    keep = np.isin(s_ids, np.array(matched.to_array(), dtype=np.int64), assume_unique=True)
    s_ids, s_values = s_ids[keep], s_values[keep]
    k_at = _lookup(key[0], key[1], s_ids, 0.0)
    inside = s_ids < len(priors)
    p_at = np.ones(len(s_ids), dtype=np.float64)
    p_at[inside] = priors[s_ids[inside]]
    return s_ids, (s_values + KEY_WEIGHT * k_at) * p_at


def page(db: sqlite3.Connection, everything: BitMap, ranked: Columns,
         after: list[Any] | None, size: int, unranked: float = 0.0
         ) -> list[tuple[int, str, float, int]]:
    """The first ``size`` rows of ``everything`` in the order ``k1 ASC, k2 ASC, id ASC``
    (k1 the score, ``unranked`` for a row without one; k2 always 0), after the cursor values
    ``after`` ((k1, k2, id) of the last row of the previous page): what the SQL page query
    returns. (``unranked`` is the integer 0 when the query has nothing to rank by, as the SQL
    wrote it then, so that cursors are the same.)"""
    import numpy as np

    rows = np.array(everything.to_array(), dtype=np.int64)
    k1 = _lookup(ranked[0], ranked[1], rows, float(unranked))
    if after is not None:
        v0, v1, v2 = after
        if not (_number(v0) and _number(v1) and isinstance(v2, str)):
            raise SearchError("invalid cursor", "cursor")
        later = k1 > v0
        if 0 > v1:
            later |= k1 == v0
        elif 0 == v1:  # ties on the score: the id decides, read for those rows only
            tied = np.nonzero(k1 == v0)[0]
            ids = _ids(db, rows[tied])
            later[tied[[ids[int(r)] > v2 for r in rows[tied]]]] = True
        rows, k1 = rows[later], k1[later]
    if len(rows) > size:  # every row that can be among the first `size`, ties included
        cut = np.partition(k1, size - 1)[size - 1]
        near = k1 <= cut
        rows, k1 = rows[near], k1[near]
    ids = _ids(db, rows)
    ordered = sorted((score, ids[r], r) for score, r in zip(k1.tolist(), rows.tolist(),
                                                             strict=True))
    if isinstance(unranked, int):  # nothing ranked: every k1 is that integer
        return [(rowid, doc_id, unranked, 0) for _score, doc_id, rowid in ordered[:size]]
    return [(rowid, doc_id, score, 0) for score, doc_id, rowid in ordered[:size]]


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _ids(db: sqlite3.Connection, rowids: Any) -> dict[int, str]:
    out: dict[int, str] = {}
    wanted = [int(r) for r in rowids]
    for i in range(0, len(wanted), _ID_CHUNK):
        chunk = wanted[i:i + _ID_CHUNK]
        out.update(_select(db, f"SELECT rowid, id FROM docs WHERE rowid IN "
                               f"({','.join('?' * len(chunk))})", tuple(chunk)))
    return out
