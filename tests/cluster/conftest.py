"""Fixtures for the cluster tests: a real 3-node Elasticsearch cluster and the sample corpus.

The cluster is started here (``escluster.EsCluster``: three JVMs of the project's node build,
512 MB heap each) and stopped at the end of the module; it is separate from the single node
``make test`` runs for the rest of the suite. These tests run under ``make test`` (which sets
``DHR_TEST_ES``) and always under ``CI``; a node that fails to start fails the run. Elsewhere
(a bare ``pytest`` on a developer machine) they are skipped, like the other Elasticsearch tests.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dhr.config import Config, config_from_dict
from dhr.document import Document
from dhr.store import CorpusStore

from .escluster import ClusterError, EsCluster

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
N_DOCS = 100  # generated sample reviews, about 30 KB of text each
SHARDS, REPLICAS = 3, 1


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EsCluster]:
    if not (IN_CI or os.environ.get("DHR_TEST_ES")):
        pytest.skip("cluster tests run under `make test` or CI=true (they start 3 JVMs)")
    try:
        with EsCluster(tmp_path_factory.mktemp("escluster"), 3, heap="512m") as started:
            yield started
    except ClusterError as err:
        pytest.fail(f"the test cluster did not start: {err}")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[CorpusStore, list[Document]]:
    """The generated sample corpus, stored as ``dhr ingest`` would have left it (a .txt file
    per review and its extracted Document), so the index can be rebuilt from the store."""
    from samples.reports import generate_documents

    store = CorpusStore(tmp_path_factory.mktemp("cluster-data"))
    docs = []
    for data in generate_documents(N_DOCS, seed=5):
        text = "\f".join(data["pages"]).encode("utf-8")
        put = store.put(text, ext="txt", filename=data["filename"])
        doc = Document.model_validate({**data, "id": put.sha256})  # the stored file's id
        store.put_document(doc)
        docs.append(doc)
    return store, docs


def cluster_config(store: CorpusStore, cluster: EsCluster, path: Path) -> Config:
    """Every node's URL, 3 shards and 1 replica; written to ``path`` for the command line."""
    import yaml

    raw: dict[str, Any] = {
        "storage": {"data_dir": str(store.root)},
        "search": {"backend": "elasticsearch", "elasticsearch": {
            "url": cluster.urls, "index_prefix": f"c{uuid.uuid4().hex[:10]}",
            "shards": SHARDS, "replicas": REPLICAS}},
    }
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return config_from_dict(raw, path, env={})
