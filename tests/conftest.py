"""Shared fixtures: configurations for both search backends against real engines.

Elasticsearch tests use the node that ``make test`` starts (scripts/esnode.sh exports
``DHR_ELASTICSEARCH_URL``). Without it they are skipped on a developer machine, but under
``CI=true`` a missing or unreachable node FAILS the run: CI must never pass with them skipped.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import pytest

from dhr.config import Config, config_from_dict

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _es_url() -> str | None:
    return os.environ.get("DHR_ELASTICSEARCH_URL") or None


@pytest.fixture(scope="session")
def es_url() -> str:
    url = _es_url()
    if not url:
        if IN_CI:
            pytest.fail("CI=true but DHR_ELASTICSEARCH_URL is not set: Elasticsearch tests "
                        "must run (use `make test`)")
        pytest.skip("no Elasticsearch node (run through `make test` or set DHR_ELASTICSEARCH_URL)")
    from elasticsearch import Elasticsearch

    try:
        Elasticsearch(url, request_timeout=10).info()
    except Exception as err:  # noqa: BLE001
        pytest.fail(f"Elasticsearch at {url} is not reachable: {err}")
    return url


def make_config(tmp_path: Path, backend: str, es_url: str | None = None, **extra) -> Config:
    raw: dict = {"storage": {"data_dir": str(tmp_path / "data")},
                 "search": {"backend": backend}}
    if backend == "elasticsearch":
        raw["search"]["elasticsearch"] = {"url": es_url,
                                          "index_prefix": f"t{uuid.uuid4().hex[:10]}"}
    for key, value in extra.items():
        raw[key] = value
    return config_from_dict(raw, tmp_path / "config.yaml", env={})


@pytest.fixture
def sqlite_config(tmp_path: Path) -> Config:
    return make_config(tmp_path, "sqlite")


@pytest.fixture
def es_config(tmp_path: Path, es_url: str):
    cfg = make_config(tmp_path, "elasticsearch", es_url)
    yield cfg
    _drop_es(cfg)


@pytest.fixture(params=["sqlite", "elasticsearch"])
def backend_config(request, tmp_path: Path):
    if request.param == "sqlite":
        yield make_config(tmp_path, "sqlite")
        return
    cfg = make_config(tmp_path, "elasticsearch", request.getfixturevalue("es_url"))
    yield cfg
    _drop_es(cfg)


def _drop_es(cfg: Config) -> None:
    from dhr.search.elasticsearch import ElasticsearchBackend

    with contextlib.suppress(Exception):  # cleanup only: a failed test already reports
        ElasticsearchBackend(cfg.search.elasticsearch).drop()


def pytest_collection_modifyitems(config, items):
    # Tests that take the Elasticsearch fixtures get the marker, so `-m elasticsearch` selects them.
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & {"es_url", "es_config", "backend_config"}:
            item.add_marker(pytest.mark.elasticsearch)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if "elasticsearch" in getattr(r, "keywords", {})]
    es_ran = [r for key in ("passed", "failed") for r in terminalreporter.stats.get(key, [])
              if "elasticsearch" in getattr(r, "keywords", {}) and r.when == "call"]
    terminalreporter.write_line(f"Elasticsearch tests run: {len(es_ran)}, skipped: {len(skipped)}")
