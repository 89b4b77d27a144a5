"""The oversight page and a document page with DHRD tags in a real browser: axe-core (WCAG 2.2
AA) with every disclosure open, and no sideways scrolling at 320 CSS pixels, for a visitor and
for a signed-in oversight user (who also sees the private detail).

The UI corpus is synced into a SQLite tracker (recommendations with owners, statuses from its
action plans), an oversight account is added, and a synthetic DHRD folder is imported so one
review carries DHRD tags.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from accountability.accounts import add_user
from accountability.db import create_tracker_engine, upgrade
from accountability.organisations import seed_registry
from accountability.sync import sync_documents
from dhr.enrichment.store import EnrichmentStore
from dhr.search import open_backend
from orchestration.dhrd_import import import_dhrd
from search_api import create_app
from search_api.wsgi import BackgroundServer
from tests.api.dhrd_fixture import write_dhrd

from .browser import describe_violations, run_axe
from .conftest import _config
from .test_browser import WIDER_THAN_VIEWPORT

pytestmark = pytest.mark.slow
OVERSIGHT = ("oversight-ui@example.org", "correct horse battery staple")


@pytest.fixture(scope="module")
def oversight_site(ui_corpus, tmp_path_factory) -> Iterator[tuple[str, str]]:
    data = tmp_path_factory.mktemp("oversight-ui")
    shutil.copytree(ui_corpus.store.root, data, dirs_exist_ok=True)
    from dhr.store import CorpusStore

    store = CorpusStore(data)
    for doc in ui_corpus.docs:
        store.put_document(doc)
    config = _config(data, "sqlite", None)
    engine = create_tracker_engine(config.tracker_database_url)
    upgrade(engine)
    seed_registry(engine)
    sync_documents(engine, ui_corpus.docs)
    add_user(engine, OVERSIGHT[0], OVERSIGHT[1], "domestic-abuse-commissioner", "oversight")
    write_dhrd(data / "dhrd", ui_corpus.docs)
    backend = open_backend(config)
    backend.ensure_indices()
    import_dhrd(config, data / "dhrd", backend)
    key = min(EnrichmentStore(data).matched_review_keys())
    enriched = next(d.id for d in ui_corpus.docs if (d.review_key or d.id) == key)
    app = create_app(config, backend=backend, store=store, tracker_engine=engine)
    with BackgroundServer(app, threads=4) as server:
        yield server.url, enriched
    backend.close()
    engine.dispose()


def _check(page, axe_source, url: str) -> str:
    response = page.goto(url)
    assert response.status == 200
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    violations = run_axe(page, axe_source)
    assert violations == [], describe_violations(violations)
    return page.content()


def _reflows(browser, url: str, sign_in: bool = False) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        tab = context.new_page()
        if sign_in:
            _sign_in(tab, url.split("/", 3)[0] + "//" + url.split("/", 3)[2])
        tab.goto(url)
        width = tab.evaluate("document.documentElement.scrollWidth")
        wide = tab.evaluate(WIDER_THAN_VIEWPORT)
        assert width <= 320 and not wide, (url, width, wide)
    finally:
        context.close()


def _sign_in(page, base: str) -> None:
    page.goto(base + "/sign-in")
    page.fill("input[name=email]", OVERSIGHT[0])
    page.fill("input[name=password]", OVERSIGHT[1])
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_load_state()


def test_the_oversight_page_passes_axe_and_reflows_for_a_visitor(oversight_site, page,
                                                                  axe_source, browser,
                                                                  screenshots: Path):
    url, _ = oversight_site
    html = _check(page, axe_source, url + "/oversight")
    assert "Recommendations by owner level" in html and "Detail for oversight" not in html
    assert html.count('role="img"') >= 6
    page.screenshot(path=str(screenshots / "oversight.png"), full_page=True)
    _reflows(browser, url + "/oversight")


def test_the_oversight_page_with_private_detail_passes_axe_and_reflows(oversight_site, page,
                                                                       axe_source, browser):
    url, _ = oversight_site
    _sign_in(page, url)
    html = _check(page, axe_source, url + "/oversight")
    assert "Detail for oversight" in html
    _reflows(browser, url + "/oversight", sign_in=True)


def test_a_document_page_with_dhrd_tags_passes_axe_and_reflows(oversight_site, page,
                                                               axe_source, browser):
    url, doc_id = oversight_site
    html = _check(page, axe_source, f"{url}/documents/{doc_id}")
    assert "In the Domestic Homicide Review Dataset" in html
    _reflows(browser, f"{url}/documents/{doc_id}")
