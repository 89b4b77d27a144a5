"""Bulk loading into Elasticsearch: concurrent bulk streams keep each document's writes in
order, and a rebuild that cannot finish leaves the live indices as they were."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from corpus import build_corpus

from dhr.search import open_backend
from dhr.search.base import DocumentRequest
from dhr.search.es_bulk import parallel_bulk


def test_concurrent_bulk_streams_apply_each_documents_writes_in_order(es_config):
    backend = open_backend(es_config)
    index = f"{backend.prefix}-order"
    backend.es.indices.create(index=index)
    try:
        # 40 documents, each written 10 times: the last version written must be the one kept.
        actions = [{"_op_type": "index", "_index": index, "_id": f"d{i}",
                    "_source": {"version": v, "padding": "x" * 2000}}
                   for v in range(10) for i in range(40)]
        results = []
        finished = parallel_bulk(backend.es, actions, workers=4, chunk_actions=7,
                                 on_result=lambda ok, item: results.append(ok) or True)
        assert finished and len(results) == 400 and all(results)
        backend.es.indices.refresh(index=index)
        hits = backend.es.search(index=index, size=100)["hits"]["hits"]
        assert {h["_id"]: h["_source"]["version"] for h in hits} == {f"d{i}": 9 for i in range(40)}
    finally:
        backend.es.indices.delete(index=index)


def test_returning_false_from_on_result_stops_the_load(es_config):
    backend = open_backend(es_config)
    index = f"{backend.prefix}-stop"
    backend.es.indices.create(index=index)
    try:
        seen = []
        actions = ({"_index": index, "_id": str(i), "_source": {"n": i}} for i in range(100_000))
        finished = parallel_bulk(backend.es, actions, workers=2, chunk_actions=50,
                                 on_result=lambda ok, item: seen.append(ok) or len(seen) < 120)
        assert finished is False
        assert 120 <= len(seen) < 100_000  # the requests in flight finished, no new one started
    finally:
        backend.es.indices.delete(index=index)


class Broken(Exception):
    pass


def test_a_rebuild_that_fails_midway_keeps_the_live_indices_and_leaves_nothing(es_config):
    corpus = build_corpus()
    backend = open_backend(es_config)
    backend.ensure_indices()
    backend.index_documents(corpus, refresh=True)
    before = {alias: backend._alias_targets(alias) for alias in backend.alias.values()}

    def failing():
        yield from corpus[:10]
        raise Broken("the store could not be read")

    with pytest.raises(Broken):
        backend.rebuild(failing())
    assert {alias: backend._alias_targets(alias) for alias in backend.alias.values()} == before
    indices = backend.es.indices.get(index=f"{backend.prefix}-*").body
    assert sorted(indices) == sorted(i for names in before.values() for i in names)
    assert backend.search(DocumentRequest()).total == len(corpus)
    # and run again, it completes
    report = backend.rebuild(iter(corpus))
    assert report.indexed == len(corpus) and not report.failed
    assert backend.search(DocumentRequest()).total == len(corpus)
