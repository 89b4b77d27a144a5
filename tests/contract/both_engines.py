"""Both search backends side by side with the same documents, for tests that compare them."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from dhr.document import Document
from dhr.search import open_backend
from dhr.search.base import SearchBackend
from tests.conftest import make_config


def indexed_engines(tmp_path_factory: pytest.TempPathFactory, es_url: str,
                    docs: Iterable[Document]) -> dict[str, SearchBackend]:
    """An SQLite and an Elasticsearch backend, each holding every one of ``docs`` (refreshed)."""
    docs = list(docs)
    engines = {"sqlite": open_backend(make_config(tmp_path_factory.mktemp("sqlite"), "sqlite")),
               "elasticsearch": open_backend(make_config(tmp_path_factory.mktemp("es"),
                                                         "elasticsearch", es_url))}
    for engine in engines.values():
        engine.ensure_indices()
        report = engine.index_documents(docs, refresh=True)
        assert report.indexed == len(docs) and not report.failed
    return engines
