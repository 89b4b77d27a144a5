"""Fixtures for the API tests: one generated corpus, indexed into each backend, served over HTTP.

``api`` is parametrised over both backends (SQLite, Elasticsearch): every test that uses it runs
against a real waitress server on a loopback port, in front of a real index built from the
corpus's ground-truth Documents (``DHR_API_TESTS_EXTRACT=1``: from what ``ingest.extract`` makes
of the generated files instead), with the original files in a real store. Elasticsearch is the
node given by ``DHR_ELASTICSEARCH_URL`` (the shared ``es_url`` fixture: skipped only when it is
unset outside CI, a failure under ``CI``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from dhr.config import Config, config_from_dict
from dhr.search import open_backend
from dhr.search.base import SearchBackend
from dhr.store import CorpusStore
from search_api import create_app
from search_api.wsgi import BackgroundServer

from .corpus import CorpusItem, load_corpus

BACKENDS = ("sqlite", "elasticsearch")


def make_config(data_dir: Path, backend: str, es_url: str | None = None,
                **server: Any) -> Config:
    raw: dict[str, Any] = {"storage": {"data_dir": str(data_dir)},
                           "search": {"backend": backend}, "server": server}
    if backend == "elasticsearch":
        raw["search"]["elasticsearch"] = {
            "url": es_url, "index_prefix": f"dhrapi-{uuid.uuid4().hex[:10]}",
            "request_timeout": 60}
    return config_from_dict(raw, env={})


@dataclass
class Api:
    """A live API server over one backend, with the corpus it was built from."""

    backend_name: str
    base_url: str
    session: requests.Session
    corpus: list[CorpusItem]
    backend: SearchBackend
    config: Config

    def get(self, path: str, params: Any = None, **kwargs: Any) -> requests.Response:
        return self.session.get(self.base_url + path, params=params, timeout=60, **kwargs)

    def json(self, path: str, params: Any = None) -> Any:
        resp = self.get(path, params)
        assert resp.status_code == 200, (resp.status_code, resp.text[:500])
        return resp.json()

    def all_results(self, path: str, params: list[tuple[str, Any]]) -> list[dict]:
        """Every result of a search, following next_cursor."""
        out: list[dict] = []
        cursor = None
        for _ in range(1000):
            page = self.json(path, params + ([("cursor", cursor)] if cursor else []))
            out.extend(page["results"])
            cursor = page["next_cursor"]
            if cursor is None:
                return out
        raise AssertionError("pagination did not end")

    @property
    def docs(self):
        return [item.doc for item in self.corpus]


@pytest.fixture(scope="session")
def api_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("api-data")


@pytest.fixture(scope="session")
def api_corpus(tmp_path_factory: pytest.TempPathFactory) -> list[CorpusItem]:
    items = load_corpus(tmp_path_factory.mktemp("api-corpus"))
    if os.environ.get("DHR_API_TESTS_EXTRACT") == "1":
        # Index what the project's extractor makes of each file instead of the generator's
        # truth; expectations are computed from the indexed Documents either way.
        from ingest.extract import extract_file

        items = [CorpusItem(extract_file(i.path, filename=i.doc.filename), i.path) for i in items]
    return items


@pytest.fixture(scope="session")
def api_store(api_data_dir: Path, api_corpus: list[CorpusItem]) -> CorpusStore:
    store = CorpusStore(api_data_dir)
    for item in api_corpus:
        put = store.put(item.path.read_bytes(), ext=item.path.suffix,
                        filename=item.doc.filename or item.path.name)
        assert put.sha256 == item.doc.id, f"{item.path}: truth id is not the file's sha256"
    return store


@pytest.fixture(scope="session", params=BACKENDS)
def api(request: pytest.FixtureRequest, api_data_dir: Path, api_corpus: list[CorpusItem],
        api_store: CorpusStore) -> Iterator[Api]:
    # es_url (tests/conftest.py) skips without a node, and fails under CI.
    es_url = request.getfixturevalue("es_url") if request.param == "elasticsearch" else None
    config = make_config(api_data_dir, request.param, es_url)
    backend = open_backend(config)
    backend.ensure_indices()
    report = backend.index_documents([item.doc for item in api_corpus], refresh=True)
    assert report.indexed == len(api_corpus) and not report.failed, report
    app = create_app(config, backend=backend, store=api_store)
    with BackgroundServer(app, threads=4) as server, requests.Session() as session:
        yield Api(request.param, server.url, session, api_corpus, backend, config)
    if hasattr(backend, "drop"):
        backend.drop()
    backend.close()
