"""The embedded backend's facet postings stay in step with its rows: facet counts and totals are
those of the indexed Documents after indexing, re-indexing and deleting, in a reader process
that did not write, after a rebuild swapped the database file, and on a database made before
the postings existed. Expected counts are computed here from the Documents themselves."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import build_corpus

from dhr.document import Document
from dhr.search import postings
from dhr.search.base import DOC_FACETS, DocumentRequest
from dhr.search.fields import document_record
from dhr.search.sqlite import SqliteBackend


def _values(doc: Document) -> dict[str, set[str]]:
    record = document_record(doc)
    out: dict[str, set[str]] = {}
    for facet, field in DOC_FACETS.items():
        value = record.get(field)
        items = value if isinstance(value, list) else [value]
        out[facet] = {str(v) for v in items if v is not None and v != ""}
    return out


def expected(docs: list[Document], filters: dict[str, list[str]] | None = None
             ) -> tuple[int, dict[str, dict[str, int]]]:
    """(total, counts) by brute force: each facet counted with every filter but its own."""
    filters = filters or {}
    values = [_values(d) for d in docs]

    def passes(v: dict[str, set[str]], skip: str | None) -> bool:
        return all(v[name] & set(wanted) for name, wanted in filters.items() if name != skip)

    total = sum(passes(v, None) for v in values)
    counts = {}
    for facet in DOC_FACETS:
        counter: Counter[str] = Counter()
        for v in values:
            if passes(v, facet):
                counter.update(v[facet])
        counts[facet] = dict(counter)
    return total, counts


def observed(backend: SqliteBackend, filters: dict[str, list[str]] | None = None
             ) -> tuple[int, dict[str, dict[str, int]]]:
    resp = backend.search(DocumentRequest(filters=filters or {}, page_size=1))
    return resp.total, {name: {f["value"]: f["count"] for f in items if f["count"]}
                        for name, items in resp.facets.items()}


FILTERS = [None, {"theme": ["risk_assessment", "alcohol"]},
           {"theme": ["risk_assessment"], "region": ["Wales", "East"]}]


def assert_in_step(backend: SqliteBackend, docs: list[Document]) -> None:
    for filters in FILTERS:
        assert observed(backend, filters) == expected(docs, filters), filters
    # The stored postings themselves, not only the answers (a reader that finds postings out
    # of step with the rows recomputes them, which would hide a writer's mistake).
    with sqlite3.connect(backend.path) as db:
        for table, facets in (("docs", "doc_facets"), ("recs", "rec_facets")):
            stored = postings.load(db, table, "")
            truth = postings.compute(db, table, facets, "")
            assert (stored.all, stored.values) == (truth.all, truth.values), table


def test_counts_follow_indexing_reindexing_and_deleting(tmp_path: Path) -> None:
    corpus = build_corpus()
    backend = SqliteBackend(tmp_path / "index.sqlite")
    backend.index_documents(corpus)
    assert_in_step(backend, corpus)
    # Re-indexing a Document with other facet values moves it from one posting to another.
    changed = corpus[0].model_copy(update={"themes": corpus[1].themes,
                                           "agencies": corpus[2].agencies})
    backend.index_documents([changed])
    current = [changed, *corpus[1:]]
    assert_in_step(backend, current)
    assert backend.delete_documents([d.id for d in corpus[3:9]]) == 6
    current = [d for d in current if d not in corpus[3:9]]
    assert_in_step(backend, current)
    # A row id freed by a delete may be given to the next new row: it must not keep old values.
    backend.index_documents(corpus[3:5])
    assert_in_step(backend, current + corpus[3:5])


_WRITER = """
import sys
sys.path.insert(0, sys.argv[2])
from corpus import build_corpus
from dhr.search.sqlite import SqliteBackend
backend = SqliteBackend(sys.argv[1])
corpus = build_corpus()
print(backend.delete_documents([d.id for d in corpus[:5]]))
"""


def test_a_reader_sees_what_another_process_wrote(tmp_path: Path) -> None:
    corpus = build_corpus()
    path = tmp_path / "index.sqlite"
    SqliteBackend(path).index_documents(corpus)
    reader = SqliteBackend(path)  # like the web server: its postings are loaded and cached
    assert_in_step(reader, corpus)
    done = subprocess.run([sys.executable, "-c", _WRITER, str(path), str(Path(__file__).parent)],
                          capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "5"
    assert_in_step(reader, corpus[5:])


def test_a_rebuild_brings_its_own_postings(tmp_path: Path) -> None:
    corpus = build_corpus()
    path = tmp_path / "index.sqlite"
    SqliteBackend(path).index_documents(corpus)
    reader = SqliteBackend(path)
    assert_in_step(reader, corpus)
    SqliteBackend(path).rebuild(iter(corpus[10:]))
    assert_in_step(reader, corpus[10:])


def test_a_database_made_before_the_postings_gets_them(tmp_path: Path) -> None:
    corpus = build_corpus()
    path = tmp_path / "index.sqlite"
    SqliteBackend(path).close()
    old = sqlite3.connect(path)
    with old:  # what the previous version left: rows and facet rows, no postings
        old.execute("DROP TABLE postings")
        old.execute("DELETE FROM meta WHERE key='postings_version'")
    old.close()
    writer = SqliteBackend(path)
    writer.index_documents(corpus)
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE postings")
        db.execute("DELETE FROM meta WHERE key='postings_version'")
    assert_in_step(SqliteBackend(path), corpus)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM postings").fetchone()[0] > len(DOC_FACETS)
