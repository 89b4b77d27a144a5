"""The embedded backend's relevance order (dhr/search/sqlite_rank.py) is the order of the SQL
ranking statement it replaced, with and without its worker thread, across every page of
cursors; a worker that sees another version of the index, is busy, or holds a connection to a
file a rebuild replaced never changes an answer."""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from corpus import build_corpus

from dhr.document import Document
from dhr.search import cursor as cursors
from dhr.search import sqlite as sqlite_backend
from dhr.search import sqlite_rank
from dhr.search.base import DocumentRequest
from dhr.search.ranking import KEY_WEIGHT, SUBJECT_WEIGHT
from samples.reports import generate_documents

QUERIES = ["risk assessment police", '"domestic abuse"', "training", "referr* MARAC",
           "alcohol drinking incidents", "police -training", "housing OR homelessness",
           "coercive control", "GP routine enquiry", "zzzz-no-such-word", "-training"]
FILTERS = [{}, {"theme": ["risk_assessment"]}, {"agency": ["police", "health_gp"]}]


def _corpus() -> list[Document]:
    generated = [Document.model_validate(d) for d in generate_documents(120, 5)]
    return build_corpus() + generated


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> sqlite_backend.SqliteBackend:
    backend = sqlite_backend.SqliteBackend(tmp_path_factory.mktemp("rank") / "index.sqlite")
    backend.index_documents(_corpus())
    return backend


@contextmanager
def _yielding(value: bool) -> Iterator[bool]:
    yield value


def test_a_query_ranks_on_two_connections_only_when_no_other_is_ranking(engine):
    with engine._ranking_alone() as first, engine._ranking_alone() as second:
        assert (first, second) == (True, False)
    with engine._ranking_alone() as again:
        assert again


def _reference_scores(path: Path, expr: str) -> dict[int, float]:
    """What the replaced SQL statement computed for each row the rank expression finds."""
    db = sqlite3.connect(path)
    try:
        return dict(db.execute(
            "WITH s AS MATERIALIZED (SELECT rowid AS r, bm25(doc_stem) AS score FROM doc_stem"
            " WHERE doc_stem MATCH ?), k AS MATERIALIZED (SELECT rowid AS r,"
            " bm25(doc_key, 1.0, ?) AS score FROM doc_key WHERE doc_key MATCH ?)"
            " SELECT s.r, (s.score + ? * COALESCE(k.score, 0.0)) * COALESCE(p.prior, 1.0)"
            " FROM s LEFT JOIN k ON k.r = s.r LEFT JOIN doc_rank p ON p.rowid = s.r",
            (expr, SUBJECT_WEIGHT / KEY_WEIGHT, expr, KEY_WEIGHT)).fetchall())
    finally:
        db.close()


def _walk(engine: sqlite_backend.SqliteBackend, q: str, filters: dict, size: int = 7
          ) -> tuple[int, list[str], list]:
    """Total, every result id over all pages, and the first page's facets."""
    first = engine.search(DocumentRequest(q=q, filters=filters, page_size=size))
    ids = [r["id"] for r in first.results]
    cursor = first.next_cursor
    while cursor:
        page = engine.search(DocumentRequest(q=q, filters=filters, page_size=size,
                                             cursor=cursor))
        ids += [r["id"] for r in page.results]
        cursor = page.next_cursor
    return first.total, ids, first.facets


@pytest.mark.parametrize("q", QUERIES)
def test_the_order_is_the_sql_statements_with_and_without_the_worker(engine, q, monkeypatch):
    node = DocumentRequest(q=q).query
    expr = sqlite_backend._rank_expression(node)
    reference = _reference_scores(engine.path, expr) if expr else {}
    with closing(sqlite3.connect(engine.path)) as db:
        rowid = {i: r for r, i in db.execute("SELECT rowid, id FROM docs")}
    answers = {}
    # Two connections; one (no worker: one CPU, or the worker busy); and the one-statement SQL
    # ranking (a small index, or another query ranking at the same time).
    monkeypatch.setattr(engine, "parallel_from", 0)
    workers = engine._workers
    for mode in ("two connections", "one connection", "sql"):
        if mode == "one connection":
            monkeypatch.setattr(engine, "_workers", sqlite_rank.RankWorkers(engine._conn, 0))
        if mode == "sql":
            monkeypatch.setattr(engine, "_workers", workers)
            monkeypatch.setattr(engine, "_ranking_alone", lambda: _yielding(False))
        for filters in FILTERS:
            total, ids, facets = _walk(engine, q, filters)
            assert len(ids) == total == len(set(ids))
            expected = sorted(ids, key=lambda i: (reference.get(rowid[i], 0.0), i))
            assert ids == expected, (q, filters)
            answers.setdefault(str(filters), []).append((total, ids, facets))
    for same in answers.values():
        assert same[0] == same[1] == same[2]
    if q != "zzzz-no-such-word":
        assert any(total for total, _ids, _f in (a[0] for a in answers.values()))
    # The cursor carries k1 as the SQL wrote it: a float score, or the integer 0 when the
    # query has nothing to rank by (only exclusions), so cursors are the same as before.
    first = engine.search(DocumentRequest(q=q, page_size=2))
    if first.next_cursor:
        k1 = cursors.decode(first.next_cursor, DocumentRequest(q=q, page_size=2),
                            engine.cursor_key)[0]
        assert type(k1) is (float if expr else int)


def test_a_worker_that_sees_another_version_leaves_the_pass_to_the_query(engine):
    task = sqlite_rank.stem_pass("doc_stem", '"risk"')
    workers = sqlite_rank.RankWorkers(engine._conn, workers=1)
    try:
        db = engine._db()
        future = workers.start("a version nobody wrote", task)
        assert future is not None and future.result() is None
        got = sqlite_rank.RankWorkers.result(future, db, task)
        want = task.columns(db)
        assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()
        assert len(want[0]) > 0
    finally:
        workers.close()


def test_a_busy_worker_leaves_the_pass_to_the_query(engine):
    task = sqlite_rank.stem_pass("doc_stem", '"police"')
    workers = sqlite_rank.RankWorkers(engine._conn, workers=1)
    release = threading.Event()
    started = threading.Event()

    def block() -> None:
        started.set()
        release.wait(30)

    try:
        assert workers._pool is not None
        workers._pool.submit(block)
        started.wait(30)
        db = engine._db()
        version = sqlite_backend.facet_postings.current_version(db)
        future = workers.start(version, task)
        got = sqlite_rank.RankWorkers.result(future, db, task)  # cancels the queued pass
        assert future is not None and future.cancelled()
        assert got[0].tolist() == task.columns(db)[0].tolist()
    finally:
        release.set()
        workers.close()


def test_after_a_rebuild_the_worker_reads_the_new_file(tmp_path, monkeypatch):
    backend = sqlite_backend.SqliteBackend(tmp_path / "index.sqlite")
    monkeypatch.setattr(backend, "parallel_from", 0)
    corpus = build_corpus()
    backend.index_documents(corpus[:10])
    before = _walk(backend, "risk assessment", {})
    backend.rebuild(iter(corpus))
    after = _walk(backend, "risk assessment", {})
    fresh = sqlite_backend.SqliteBackend(tmp_path / "fresh.sqlite")
    monkeypatch.setattr(fresh, "parallel_from", 10**9)
    fresh.index_documents(corpus)
    assert after[1] == _walk(fresh, "risk assessment", {})[1]
    assert after[0] > before[0]


def test_a_tampered_cursor_value_is_a_client_error(engine, monkeypatch):
    from dhr.search.base import SearchError

    monkeypatch.setattr(engine, "parallel_from", 0)

    request = DocumentRequest(q="police", page_size=2)
    bad = cursors.encode(["not a number", 0, "x"], request, engine.cursor_key)
    with pytest.raises(SearchError):
        engine.search(DocumentRequest(q="police", page_size=2, cursor=bad))
