"""`dhr index --rebuild` keeps searches answering: readers never see a missing or empty index."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import build_corpus

from dhr.search import open_backend
from dhr.search.base import DocumentRequest


def test_searches_keep_answering_during_rebuild(backend_config):
    corpus = build_corpus()
    backend = open_backend(backend_config)
    backend.ensure_indices()
    backend.index_documents(corpus, refresh=True)
    errors: list[str] = []
    totals: list[int] = []
    stop = threading.Event()

    def reader() -> None:
        reader_backend = open_backend(backend_config)  # a separate client, like the API server
        while not stop.is_set():
            try:
                totals.append(reader_backend.search(DocumentRequest(q="agencies")).total)
            except Exception as err:  # noqa: BLE001 - any failure is what we are testing for
                errors.append(repr(err))

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    # Rebuild with one document fewer: readers must see the old set, then the new one.
    report = backend.rebuild(iter(corpus[1:]))
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert report.indexed == len(corpus) - 1
    assert not errors, errors[:3]
    expected_before = open_backend(backend_config).search(DocumentRequest(q="agencies")).total
    assert totals and set(totals) <= {expected_before, expected_before + 1}
    assert totals[-1] == expected_before
    # the rebuilt index is complete and the old physical index is gone
    assert backend.count() == len(corpus) - 1
