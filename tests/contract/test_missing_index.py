"""An Elasticsearch cluster without our indices answers 'unavailable' (503), never a crash."""

from __future__ import annotations

import pytest

from dhr.search import open_backend
from dhr.search.base import BackendUnavailable, DocumentRequest


def test_missing_indices_are_unavailable_not_an_error(es_config):
    backend = open_backend(es_config)  # ensure_indices() deliberately not called
    with pytest.raises(BackendUnavailable, match="index --rebuild"):
        backend.stats()
    with pytest.raises(BackendUnavailable):
        backend.search(DocumentRequest(q="police"))
    assert backend.count() == 0
    backend.ensure_indices()
    assert backend.search(DocumentRequest(q="police")).total == 0
