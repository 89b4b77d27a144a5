"""The tracker pages in a real browser (headless Chromium), over both search backends: the
review, recommendation and organisation pages, sign-in, the account and organisation admin
pages and the update form with an evidence file. axe-core (WCAG 2.2 AA) finds nothing on each,
signed out and signed in, with forms in their error states; no page scrolls sideways at 320 px;
an editor adds an update with the keyboard alone, and another with JavaScript switched off.
Screenshots go to ``artifacts/screenshots/tracker-<page>.png``."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape as html_escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from accountability.accounts import Principal, add_user, principal_of
from accountability.db import create_tracker_engine, read_session, upgrade
from accountability.index_keys import stamp_index
from accountability.models import RecommendationOwner, ReviewRecommendation, User
from accountability.organisations import seed_registry
from accountability.sync import sync_documents
from accountability.updates import UpdateInput, add_update
from dhr.config import config_from_dict
from dhr.search import open_backend
from search_api import create_app
from search_api.wsgi import BackgroundServer

from .browser import describe_violations, has_visible_focus, run_axe, tab_until
from .test_browser import WIDER_THAN_VIEWPORT

pytestmark = pytest.mark.slow

PASSWORD = "synthetic demo password 1"
PRIVATE_NOTE = "Private: internal audit of missed referrals"


@dataclass
class TrackerSite:
    backend_name: str
    url: str
    rec_id: str  # owned by ``org_id``, with a public and a private update
    org_id: str
    review_key: str
    editor: str  # editor of org_id
    org_admin: str  # org_admin of org_id
    stranger: str  # editor of another organisation
    engine: Any  # the tracker database


def _principal(engine, email: str) -> Principal:
    with read_session(engine) as s:
        return principal_of(s.scalar(select(User).where(User.email == email)))


# sqlite: SQLite search backend and SQLite tracker; elasticsearch: Elasticsearch and SQLite;
# postgresql: SQLite search backend and a PostgreSQL tracker (a real server the test starts).
@pytest.fixture(scope="module", params=[
    "sqlite", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch), "postgresql"])
def tracker_site(request: pytest.FixtureRequest, ui_corpus: Any,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrackerSite]:
    data = tmp_path_factory.mktemp("tracker-site")
    backend_name = "elasticsearch" if request.param == "elasticsearch" else "sqlite"
    tracker_url = (request.getfixturevalue("pg_server").create_database()
                   if request.param == "postgresql" else f"sqlite:///{data / 'tracker.db'}")
    raw: dict[str, Any] = {"storage": {"data_dir": str(data)},
                           "search": {"backend": backend_name},
                           "tracker": {"database_url": tracker_url}}
    if request.param == "elasticsearch":
        raw["search"]["elasticsearch"] = {"url": request.getfixturevalue("es_url"),
                                          "index_prefix": f"dhrtr-{uuid.uuid4().hex[:10]}",
                                          "request_timeout": 60}
    config = config_from_dict(raw, env={})
    backend = open_backend(config)
    backend.ensure_indices()
    backend.index_documents(ui_corpus.docs, refresh=True)
    engine = create_tracker_engine(config.tracker_database_url)
    upgrade(engine)
    seed_registry(engine)
    sync_documents(engine, ui_corpus.docs)
    stamp_index(engine, backend, ui_corpus.docs)  # as every tracker sync does (index_keys)
    with read_session(engine) as s:
        owned = s.execute(select(RecommendationOwner.recommendation_id,
                                 RecommendationOwner.organisation_id)
                          .where(RecommendationOwner.organisation_id.is_not(None))
                          .order_by(RecommendationOwner.recommendation_id)).first()
        assert owned, "the UI corpus has no recommendation with a registry owner"
        rec_id, org_id = owned
        review_key = s.get(ReviewRecommendation, rec_id).review_key
    other = "home-office" if org_id != "home-office" else "ministry-of-justice"
    people = {"editor": (f"editor@{org_id}.example.org", org_id, "editor"),
              "org_admin": (f"admin@{org_id}.example.org", org_id, "org_admin"),
              "stranger": ("editor@other.example.org", other, "editor")}
    for email, org, role in people.values():
        add_user(engine, email, PASSWORD, org, role)
    editor = _principal(engine, people["editor"][0])
    add_update(engine, rec_id, editor, UpdateInput(status="in_progress", public=True,
                                                   note="Training plan agreed"))
    add_update(engine, rec_id, editor, UpdateInput(note=PRIVATE_NOTE, public=False))
    app = create_app(config, backend=backend, store=ui_corpus.store, tracker_engine=engine)
    # Every test signs in from 127.0.0.1: more than the per-address limit (tested elsewhere).
    app.config["DHR_SIGNIN_LIMIT"] = "1000 per minute"
    with BackgroundServer(app, threads=4) as server:
        yield TrackerSite(request.param, server.url, rec_id, org_id, review_key,
                          people["editor"][0], people["org_admin"][0], people["stranger"][0],
                          engine)
    if hasattr(backend, "drop"):
        backend.drop()
    backend.close()
    engine.dispose()


def sign_in(page: Any, site: TrackerSite, email: str) -> None:
    page.goto(site.url + "/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(site.url + "/")
    assert page.locator("a", has_text="Your account").count() == 1


# -- pages, their states, and who sees them ----------------------------------------------------
def _review(site: TrackerSite) -> str:
    return f"/reviews/{quote(site.review_key, safe='')}"


SIGNED_OUT = {
    "review": (_review, 200),
    "recommendation": (lambda s: f"/recommendations/{s.rec_id}", 200),
    "organisation": (lambda s: f"/organisations/{s.org_id}", 200),
    "organisation-error": (lambda s: f"/organisations/{s.org_id}?status=done&overdue=x", 400),
    "review-not-found": (lambda s: "/reviews/no-such-review", 404),
    "sign-in": (lambda s: "/sign-in", 200),
    "explorer-with-statuses": (lambda s: "/recommendations?q=training", 200),
    "explorer-by-progress": (lambda s: f"/recommendations?status=in_progress&owner={s.org_id}",
                             200),
    "explorer-by-progress-error": (lambda s: "/recommendations?status=bogus&year_from=20x9",
                                   400),
}
SIGNED_IN = {
    "account": (lambda s: "/account", 200),
    "password-form": (lambda s: "/account/password", 200),
    "org-admin": (lambda s: f"/organisations/{s.org_id}/admin", 200),
    "update-form": (lambda s: f"/recommendations/{s.rec_id}/update", 200),
    "recommendation-editor": (lambda s: f"/recommendations/{s.rec_id}", 200),
    "organisation-editor": (lambda s: f"/organisations/{s.org_id}", 200),
}


def _check(page: Any, axe_source: str, screenshots: Path, name: str) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    violations = run_axe(page, axe_source)
    page.screenshot(path=str(screenshots / f"tracker-{name}.png"), full_page=True)
    assert violations == [], f"{name}:\n" + describe_violations(violations)


@pytest.mark.parametrize("tracker_site", ["sqlite"], indirect=True)
@pytest.mark.parametrize("name", list(SIGNED_OUT))
def test_axe_signed_out(tracker_site, page, axe_source, screenshots, name):
    path, status = SIGNED_OUT[name]
    response = page.goto(tracker_site.url + path(tracker_site))
    assert response.status == status
    if name == "recommendation":
        assert PRIVATE_NOTE not in page.content()
    if name == "explorer-with-statuses":
        assert page.locator(".dhr-tracked").count() > 0
    _check(page, axe_source, screenshots, name)


@pytest.mark.parametrize("tracker_site", ["sqlite"], indirect=True)
@pytest.mark.parametrize("name", list(SIGNED_IN))
def test_axe_signed_in(tracker_site, page, axe_source, screenshots, name):
    sign_in(page, tracker_site, tracker_site.org_admin if name == "org-admin"
            else tracker_site.editor)
    path, status = SIGNED_IN[name]
    response = page.goto(tracker_site.url + path(tracker_site))
    assert response.status == status
    if name == "recommendation-editor":
        assert PRIVATE_NOTE in page.content()  # the owner's editor sees its private note
    _check(page, axe_source, screenshots, name)


@pytest.mark.parametrize("tracker_site", ["sqlite"], indirect=True)
def test_axe_on_forms_in_their_error_states(tracker_site, page, axe_source, screenshots,
                                            tmp_path):
    sign_in(page, tracker_site, tracker_site.org_admin)
    page.goto(tracker_site.url + f"/organisations/{tracker_site.org_id}/admin")
    page.locator("button", has_text="Add user").click()  # no email address
    page.wait_for_selector(".govuk-error-summary")
    _check(page, axe_source, screenshots, "org-admin-error")
    page.fill("#contact", "not an address")
    page.locator("button", has_text="Add contact").click()
    page.wait_for_selector("#contact-error")
    assert "correct format" in page.locator(".govuk-error-summary").inner_text()
    _check(page, axe_source, screenshots, "org-admin-contact-error")

    page.goto(tracker_site.url + "/account")
    page.locator("#days").evaluate("s => { s.options[s.selectedIndex].value = '7'; }")  # forged
    page.locator("button", has_text="Create token").click()
    page.wait_for_selector(".govuk-error-summary")
    _check(page, axe_source, screenshots, "account-error")
    page.check("#scope-read")
    page.locator("button", has_text="Create token").click()
    page.wait_for_selector("#new-token")
    assert page.locator("#new-token").inner_text().startswith("dhr_")
    _check(page, axe_source, screenshots, "account-new-token")

    # The change-password form with every field in error (the password is not changed: other
    # tests sign in with it).
    page.locator("a", has_text="Change").first.click()
    page.wait_for_url("**/account/password")
    page.fill("#new_password", "too short")
    page.fill("#confirm_password", "something else")
    page.locator("button", has_text="Change password").click()
    page.wait_for_selector(".govuk-error-summary")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter your current password" in summary and "at least" in summary
    _check(page, axe_source, screenshots, "password-form-error")
    page.fill("#current_password", "not the password at all")
    page.fill("#new_password", "a long enough new passphrase")
    page.fill("#confirm_password", "a long enough new passphrase")
    page.locator("button", has_text="Change password").click()
    page.wait_for_selector("#current_password-error")
    assert "not right" in page.locator(".govuk-error-summary").inner_text()
    _check(page, axe_source, screenshots, "password-form-wrong-current")

    page.goto(tracker_site.url + "/sign-out")
    page.locator("button", has_text="Sign out").click()
    page.wait_for_url("**/sign-in")
    sign_in(page, tracker_site, tracker_site.editor)
    page.goto(tracker_site.url + f"/recommendations/{tracker_site.rec_id}/update")
    bad = tmp_path / "notes.pdf"
    bad.write_bytes(b"this is not a PDF")
    page.set_input_files("#evidence_file", str(bad))
    page.locator("button", has_text="Add update").click()
    page.wait_for_selector("#evidence_file-error")
    assert "not a real PDF" in page.locator(".govuk-error-summary").inner_text()
    _check(page, axe_source, screenshots, "update-form-error")


@pytest.mark.parametrize("tracker_site", ["sqlite"], indirect=True)
def test_tracker_pages_reflow_at_320_css_pixels(tracker_site, browser):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        tab = context.new_page()
        for name, (path, _status) in SIGNED_OUT.items():
            tab.goto(tracker_site.url + path(tracker_site))
            width = tab.evaluate("document.documentElement.scrollWidth")
            wide = tab.evaluate(WIDER_THAN_VIEWPORT)
            assert width <= 320 and not wide, (name, width, wide)
        sign_in(tab, tracker_site, tracker_site.org_admin)
        for name, (path, _status) in SIGNED_IN.items():
            tab.goto(tracker_site.url + path(tracker_site))
            width = tab.evaluate("document.documentElement.scrollWidth")
            wide = tab.evaluate(WIDER_THAN_VIEWPORT)
            assert width <= 320 and not wide, (name, width, wide)
    finally:
        context.close()


# -- flows ------------------------------------------------------------------------------------
def test_review_page_names_its_documents_and_links_each_recommendation_once(tracker_site, page):
    page.goto(tracker_site.url + _review(tracker_site))
    links = page.locator("#main-content table a[href^='/recommendations/rr-']")
    hrefs = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert hrefs and len(hrefs) == len(set(hrefs))
    assert f"/recommendations/{tracker_site.rec_id}" in hrefs
    docs = page.locator("#main-content ul a[href^='/documents/']")
    assert docs.count() >= 1
    # titles come from the search index of either backend
    first = docs.first.inner_text()
    doc_id = docs.first.get_attribute("href").rsplit("/", 1)[-1]
    page.goto(tracker_site.url + f"/documents/{doc_id}")
    assert first in (page.locator("h1").inner_text(),
                     page.locator(".govuk-caption-l").first.inner_text())


def test_keyboard_only_an_editor_adds_an_update_from_the_organisation_page(tracker_site, page):
    sign_in(page, tracker_site, tracker_site.editor)
    page.goto(tracker_site.url + f"/organisations/{tracker_site.org_id}")
    link = tab_until(page, lambda f: (f.get("href") or "").endswith("/update"))
    assert has_visible_focus(link)
    rec_id = link["href"].split("/")[2]
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/recommendations/{rec_id}/update")
    box = tab_until(page, lambda f: f.get("id") == "status")
    assert has_visible_focus(box)
    page.keyboard.press("End")  # the last status: superseded
    tab_until(page, lambda f: f.get("id") == "note")
    page.keyboard.type("Replaced by the force-wide policy")
    tab_until(page, lambda f: f.get("id") == "public")
    page.keyboard.press("Space")
    button = tab_until(page, lambda f: f.get("text") == "Add update")
    assert has_visible_focus(button)
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Your update was added")
    public = page.context.browser.new_context()
    try:
        tab = public.new_page()
        tab.goto(tracker_site.url + f"/recommendations/{rec_id}")
        assert "Superseded" in tab.locator("#status").inner_text()
        assert "Replaced by the force-wide policy" in tab.content()
    finally:
        public.close()


@pytest.mark.parametrize("tracker_site", ["sqlite", "postgresql"], indirect=True)
def test_without_javascript_an_editor_uploads_evidence_and_the_public_downloads_it(
        tracker_site, browser, tmp_path):
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    try:
        tab = context.new_page()
        sign_in(tab, tracker_site, tracker_site.editor)
        tab.goto(tracker_site.url + f"/recommendations/{tracker_site.rec_id}/update")
        evidence = tmp_path / "minutes.txt"
        evidence.write_text("Minutes: the training plan was approved.\n", encoding="utf-8")
        tab.select_option("#status", "completed")
        tab.check("#public")
        tab.set_input_files("#evidence_file", str(evidence))
        tab.locator("button", has_text="Add update").click()
        tab.wait_for_selector("text=Your update was added")
    finally:
        context.close()
    anonymous = browser.new_context(accept_downloads=True)
    try:
        tab = anonymous.new_page()
        tab.goto(tracker_site.url + f"/recommendations/{tracker_site.rec_id}")
        assert "Completed" in tab.locator("#status").inner_text()
        with tab.expect_download() as download:
            tab.locator("a", has_text="Evidence file: minutes.txt").click()
        assert download.value.suggested_filename == "minutes.txt"
        assert Path(download.value.path()).read_text(encoding="utf-8") == \
            evidence.read_text(encoding="utf-8")
        # the audit log has the update, by the editor, with its evidence
        from accountability.models import AuditEntry

        with read_session(tracker_site.engine) as s:
            last = s.scalars(select(AuditEntry).where(AuditEntry.action == "update.create")
                             .order_by(AuditEntry.seq.desc())).first()
        assert last.actor == f"user:{tracker_site.editor}"
        assert last.target_id == tracker_site.rec_id and '"evidence":true' in last.detail
    finally:
        anonymous.close()


@pytest.mark.parametrize("tracker_site", ["sqlite"], indirect=True)
def test_another_organisations_editor_sees_no_private_note_and_no_update_link(tracker_site,
                                                                             page):
    sign_in(page, tracker_site, tracker_site.stranger)
    page.goto(tracker_site.url + f"/recommendations/{tracker_site.rec_id}")
    assert PRIVATE_NOTE not in page.content()
    assert page.locator("a", has_text="Add an update").count() == 0
    response = page.goto(tracker_site.url + f"/recommendations/{tracker_site.rec_id}/update")
    assert response.status == 403


def test_the_explorer_links_each_result_to_its_tracked_review_recommendation(tracker_site):
    import requests

    listed = requests.get(tracker_site.url + "/api/v1/review-recommendations",
                          params={"page_size": "100"}, timeout=30).json()["results"]
    # one printed in two documents of its review (an overview report and its summary)
    rec = next(r for r in listed if len({d["id"] for d in r["documents"]}) >= 2)
    words = " ".join(rec["text"].split()[:6])
    html = requests.get(tracker_site.url + "/recommendations",
                        params={"q": f'"{words}"', "page_size": "100"},
                        timeout=30).text
    assert "What was done" in html
    # listed once (review level); the other documents that print it are named under it
    assert html.count(f'href="/recommendations/{rec["id"]}"') == 1
    entry = html.split(f'href="/recommendations/{rec["id"]}"')[1].split("</li>")[0]
    others = {d["id"] for d in rec["documents"]} - {entry.split('href="/documents/')[1][:64]}
    assert others
    for doc_id in others:
        assert f'href="/documents/{doc_id}#recommendation-' in entry.split("Also printed in")[1]


def test_the_explorer_lists_each_review_recommendation_once_with_its_documents(tracker_site):
    """The default list (no progress filter) is review-level on every backend: walking its
    pages gives each tracked review recommendation exactly once, the count says so, and each
    entry names every document (and page) that prints it, its owner and status, and links to
    its page."""
    import requests

    tracked, cursor = {}, None
    while True:
        page = requests.get(tracker_site.url + "/api/v1/review-recommendations",
                            params={"page_size": "100", **({"cursor": cursor} if cursor else {})},
                            timeout=30).json()
        tracked.update({r["id"]: r for r in page["results"] if r["documents"]})
        cursor = page["next_cursor"]
        if not cursor:
            break
    copies = requests.get(tracker_site.url + "/api/v1/recommendations",
                          params={"page_size": "100"}, timeout=30).json()
    assert copies["total"] > len(tracked)  # some are printed in more than one document
    links: list[str] = []
    url = tracker_site.url + "/recommendations?page_size=7"
    first = None
    while url:
        html = requests.get(url, timeout=30).text
        first = first or html
        for entry in html.split('<li class="dhr-result">')[1:]:
            entry = entry.split("</li>\n")[0]
            rid = re.search(r'href="/recommendations/(rr-[0-9a-f]{16})"', entry)[1]
            links.append(rid)
            printed = set(re.findall(r'href="/documents/([0-9a-f]{64})#recommendation-', entry))
            assert printed == {d["id"] for d in tracked[rid]["documents"]}, rid
            assert "govuk-tag" in entry  # its status
            if tracked[rid]["owners"]:
                name = tracked[rid]["owners"][0]["name"]
                assert html_escape(name, quote=False) in entry.replace("&#39;", "'"), rid
        nxt = re.search(r'href="([^"]+)" rel="next"', html)
        url = tracker_site.url + nxt[1].replace("&amp;", "&") if nxt else None
    assert sorted(links) == sorted(tracked)  # each once, none missing
    assert f"{len(tracked)} recommendations" in first
