"""Fixtures for the web UI tests: a live server per backend, and a real headless Chromium.

``site`` is parametrised over both backends (SQLite, Elasticsearch): a real waitress server on a
loopback port (as ``dhr serve`` runs it) in front of a real index built from the generated
corpus, with the original files and their sightings in a real store. Elasticsearch is the node
in ``DHR_ELASTICSEARCH_URL`` (``scripts/esnode.sh with -- pytest tests/ui``); without it those
tests skip, and under ``CI`` they fail (tests/conftest.py's ``es_url``).

The browser is the system Chromium (Debian ``chromium``) driven by Playwright; ``playwright
install`` is never needed. axe-core comes from ``search_api/frontend/node_modules`` (installed
by ``search_api/frontend/build.sh --test-tools``). Every page a test opens is checked for console
errors, so a Content-Security-Policy violation (an inline script or style) fails the test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from dhr.config import Config, config_from_dict
from dhr.search import open_backend
from dhr.search.base import SearchBackend
from search_api import create_app
from search_api.wsgi import BackgroundServer

from .corpus import UiCorpus, build_ui_corpus

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("DHR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_JS = ROOT / "search_api" / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _missing(what: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} (CI must run the browser tests)")
    pytest.skip(what)


@dataclass
class Site:
    """A live server over one backend, with the corpus it serves."""

    backend_name: str
    url: str
    corpus: UiCorpus
    backend: SearchBackend
    config: Config
    http: requests.Session = field(default_factory=requests.Session)

    def get(self, path: str, params: Any = None, **kwargs: Any) -> requests.Response:
        return self.http.get(self.url + path, params=params, timeout=60, **kwargs)

    def api(self, path: str, params: Any = None) -> Any:
        resp = self.get("/api/v1" + path, params)
        assert resp.status_code == 200, (resp.status_code, resp.text[:300])
        return resp.json()

    def all_ids(self, path: str, params: list[tuple[str, str]], key: str = "id") -> list[str]:
        """Every result id of an API search, following next_cursor."""
        out: list[str] = []
        cursor = None
        for _ in range(500):
            page = self.api(path, params + [("page_size", "100")]
                            + ([("cursor", cursor)] if cursor else []))
            out.extend(r[key] for r in page["results"])
            cursor = page["next_cursor"]
            if not cursor:
                return out
        raise AssertionError("pagination did not end")


@pytest.fixture(scope="session")
def ui_corpus(tmp_path_factory: pytest.TempPathFactory) -> UiCorpus:
    root = tmp_path_factory.mktemp("ui")
    return build_ui_corpus(root / "files", root / "data")


def _config(data_dir: Path, backend: str, es_url: str | None) -> Config:
    raw: dict[str, Any] = {"storage": {"data_dir": str(data_dir)}, "search": {"backend": backend}}
    if backend == "elasticsearch":
        raw["search"]["elasticsearch"] = {"url": es_url,
                                          "index_prefix": f"dhrui-{uuid.uuid4().hex[:10]}",
                                          "request_timeout": 60}
    return config_from_dict(raw, env={})


@pytest.fixture(scope="session", params=[
    "sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def site(request: pytest.FixtureRequest, ui_corpus: UiCorpus) -> Iterator[Site]:
    es_url = request.getfixturevalue("es_url") if request.param == "elasticsearch" else None
    config = _config(ui_corpus.store.root, request.param, es_url)
    backend = open_backend(config)
    backend.ensure_indices()
    report = backend.index_documents(ui_corpus.docs, refresh=True)
    assert report.indexed == len(ui_corpus.docs) and not report.failed, report
    app = create_app(config, backend=backend, store=ui_corpus.store)
    with BackgroundServer(app, threads=4) as server:
        s = Site(request.param, server.url, ui_corpus, backend, config)
        yield s
        s.http.close()
    if hasattr(backend, "drop"):
        backend.drop()
    backend.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser tab; fails the test if the page logged an error (e.g. a CSP violation)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    problems: list[str] = []
    # A page's own 4xx status is logged as a console error; a failed asset is caught below.
    tab.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
           if m.type == "error" and "Failed to load resource" not in m.text else None)
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    tab.on("response", lambda r: problems.append(f"{r.status} for {r.url}")
           if r.status >= 400 and r.request.resource_type != "document" else None)
    # A request the browser itself abandoned (the page navigated on, the tab closed) is not a
    # failure of the site; anything else (refused, blocked, reset) is.
    tab.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})")
           if r.resource_type != "document" and r.failure != "net::ERR_ABORTED" else None)
    yield tab
    context.close()
    assert not problems, problems


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        _missing(f"axe-core is not installed ({AXE_JS}); run search_api/frontend/build.sh "
                 "--test-tools")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """One real PostgreSQL server (started by the tests) for the UI tests of the tracker; each
    test makes its own database with ``create_database()``."""
    from tests.conftest import IN_CI
    from tests.tracker.pgserver import PostgresServer, PostgresUnavailable

    try:
        server = PostgresServer().start()
    except PostgresUnavailable as err:
        if IN_CI:
            pytest.fail(f"CI=true but the PostgreSQL test server cannot start: {err}")
        pytest.skip(f"no PostgreSQL server: {err}")
    yield server
    server.stop()
