"""End-to-end fixtures: generated reports published on real fixture websites, crawled for real.

Everything is real: ``samples.reports`` writes PDF and DOCX reports with ground truth,
``orchestration/demo_sites.py`` publishes them (a library-like search and council pages) and
``samples.sites`` serves them on 127.0.0.1; ``dhr nightly`` crawls them with Scrapy in a child
process, extracts in worker processes, and indexes into SQLite or the Elasticsearch node of
``scripts/esnode.sh with`` (``DHR_ELASTICSEARCH_URL``; the shared ``es_url`` fixture skips without
it, and fails under ``CI``). The corpus is small (four reviews) so the suite stays quick.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import pytest
import requests
import yaml

from dhr.config import Config, config_from_dict
from orchestration.demo_sites import build_corpus_sites
from samples.sites import FixtureSites

SEED = 11
N_REVIEWS = 4
ROOT = Path(__file__).resolve().parents[2]
DHR = [sys.executable, "-m", "orchestration.cli"]


@pytest.fixture(scope="session")
def corpus_files(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    from samples.reports import generate_corpus

    return generate_corpus(tmp_path_factory.mktemp("e2e-corpus"), seed=SEED, n_reviews=N_REVIEWS,
                           formats=("pdf", "docx"))


def publish(root: Path, files: list[Any], **kwargs: Any) -> FixtureSites:
    """Fixture sites for these files under ``root`` (not started)."""
    build_corpus_sites(root, files, **kwargs)
    return FixtureSites(root, rebuild=False)


def review_files(files: list[Any], n: int) -> list[Any]:
    """The files of the first ``n`` reviews (a smaller corpus for the fault tests)."""
    ids = list(dict.fromkeys(f.review_id for f in files))[:n]
    return [f for f in files if f.review_id in ids]


def nightly_config(tmp: Path, sites: FixtureSites, backend: str, es_url: str | None = None,
                   *, prefix: str | None = None, **crawler: Any) -> Config:
    raw: dict[str, Any] = {
        "storage": {"data_dir": str(tmp / "data")},
        "search": {"backend": backend},
        "crawler": sites.crawler_config(**crawler),
        "sources": sites.config_sources(),
    }
    if backend == "elasticsearch":
        raw["search"]["elasticsearch"] = {"url": es_url, "request_timeout": 30,
                                          "index_prefix": prefix or f"e2e{uuid.uuid4().hex[:10]}"}
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return config_from_dict(raw, path, env={})


def drop_es(cfg: Config) -> None:
    if cfg.search.backend != "elasticsearch":
        return
    from dhr.search.elasticsearch import ElasticsearchBackend

    with contextlib.suppress(Exception):  # cleanup only
        ElasticsearchBackend(cfg.search.elasticsearch).drop()


def run_dhr(*args: str, config: Config, timeout: float = 300,
            **kw: Any) -> subprocess.CompletedProcess:
    """The real ``dhr`` command in a child process (as cron runs it)."""
    return subprocess.run([*DHR, "--config", str(config.path), *args], capture_output=True,
                          check=False, text=True, timeout=timeout, cwd=ROOT, env=child_env(), **kw)


def start_dhr(*args: str, config: Config) -> subprocess.Popen:
    return subprocess.Popen([*DHR, "--config", str(config.path), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, env=child_env())


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DHR_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def load_report(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


@dataclass
class Truth:
    """What the published documents are, from the generator's truth and the sites' manifest."""

    manifest: dict[str, Any]

    @property
    def documents(self) -> list[dict[str, Any]]:
        return self.manifest["documents"]

    def doc(self, entry: dict[str, Any]) -> dict[str, Any]:
        return json.loads(Path(entry["truth"]).read_text(encoding="utf-8"))

    def by_id(self) -> dict[str, dict[str, Any]]:
        return {e["sha256"]: self.doc(e) for e in self.documents}

    def review_date(self, review_id: str) -> str | None:
        dates = [self.doc(e)["review"]["date_of_death"] for e in self.documents
                 if e["review_id"] == review_id and self.doc(e)["review"]["date_of_death"]]
        return dates[0] if dates else None

    def expected_year(self, entry: dict[str, Any]) -> int | None:
        """The document's own year of death; a library card adds its review's year."""
        own = self.doc(entry)["review"]["date_of_death"]
        if not own and entry["source"] == "homeoffice-library":
            own = self.review_date(entry["review_id"])
        return int(own[:4]) if own else None


def truth_of(sites: FixtureSites) -> Truth:
    return Truth(sites.manifest)


class Api:
    """The API of a config, served by a real waitress server on a loopback port."""

    def __init__(self, cfg: Config):
        from search_api import create_app
        from search_api.wsgi import BackgroundServer

        self.server = BackgroundServer(create_app(cfg), threads=4)
        self.session = requests.Session()

    def __enter__(self) -> Self:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.close()
        self.server.close()

    def json(self, path: str, params: Any = None) -> Any:
        resp = self.session.get(self.server.url + path, params=params, timeout=60)
        assert resp.status_code == 200, (path, resp.status_code, resp.text[:300])
        return resp.json()

    def all(self, path: str, params: list[tuple[str, Any]] | None = None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor = None
        for _ in range(200):
            page = self.json(path, (params or []) + [("page_size", 100)]
                             + ([("cursor", cursor)] if cursor else []))
            out += page["results"]
            cursor = page["next_cursor"]
            if not cursor:
                return out
        raise AssertionError("pagination did not end")


@pytest.fixture
def api_for() -> Iterator[Any]:
    opened: list[Api] = []

    def open_api(cfg: Config) -> Api:
        api = Api(cfg).__enter__()
        opened.append(api)
        return api

    yield open_api
    for api in opened:
        api.__exit__()
