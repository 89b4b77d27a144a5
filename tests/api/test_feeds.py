"""The Atom feed of a search (``/feeds/search.atom``) on both backends, over HTTP: valid Atom
(parsed by feedparser), the same documents as the same search in the API, stable ids and dates,
the same validation as ``/search``, and the search page linking to it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import feedparser
import pytest

from accountability.feeds import entry_id

ATOM = "application/atom+xml"


def fetch(api, params):
    resp = api.get("/feeds/search.atom", params)
    assert resp.status_code == 200, resp.text[:300]
    assert resp.headers["Content-Type"].startswith(ATOM)
    feed = feedparser.parse(resp.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return resp, feed


@pytest.mark.parametrize("params", [
    [("q", "risk assessment")],
    [("q", "risk"), ("doc_type", "overview_report")],
    [("theme", "risk_assessment"), ("sort", "oldest")],
])
def test_the_feed_lists_the_documents_of_the_same_search(api, params):
    _, feed = fetch(api, params)
    sort = [] if any(k == "sort" for k, _ in params) else [("sort", "newest")]
    expected = api.json("/api/v1/search", params + sort + [("page_size", 50)])["results"]
    assert expected, "the search should find documents in the corpus"
    assert [e.link for e in feed.entries] == [f"/documents/{r['id']}" for r in expected]
    assert [e.id for e in feed.entries] == [entry_id(f"document:{r['id']}") for r in expected]
    assert [e.title for e in feed.entries] == [r["display_title"] for r in expected]


def test_entry_dates_are_when_the_repository_stored_the_document(api):
    _, feed = fetch(api, [("q", "risk")])
    store = _store(api)
    for e in feed.entries:
        doc_id = e.link.rsplit("/", 1)[1]
        stored = datetime.fromisoformat(store.file_info(doc_id)["stored_at"])
        assert datetime(*e.updated_parsed[:6], tzinfo=UTC) == stored.astimezone(UTC)
    newest = max(datetime(*e.updated_parsed[:6], tzinfo=UTC) for e in feed.entries)
    assert datetime(*feed.feed.updated_parsed[:6], tzinfo=UTC) == newest


def _store(api):
    from dhr.store import CorpusStore

    return CorpusStore(api.config.data_dir)


def test_ids_and_dates_are_the_same_at_every_fetch(api):
    first, feed1 = fetch(api, [("q", "risk"), ("doc_type", "overview_report")])
    second, feed2 = fetch(api, [("doc_type", "overview_report"), ("q", "risk")])
    assert feed1.feed.id == feed2.feed.id  # parameter order does not matter
    assert first.content == second.content
    _, feed3 = fetch(api, [("q", "risk")])
    assert feed3.feed.id != feed1.feed.id
    links = {link.rel: link.href for link in feed1.feed.links}
    assert links["self"].startswith("/feeds/search.atom?")
    assert links["alternate"].startswith("/search?")


@pytest.mark.parametrize("params", [
    [("q", '"unclosed phrase')],
    [("q", "risk"), ("colour", "blue")],
    [("year_from", "2020"), ("year_to", "2010")],
    [("theme", "not-a-theme")],
    [("page_size", "0")],
])
def test_a_bad_search_is_a_400_as_on_the_search_page(api, params):
    assert api.get("/search", params).status_code == 400
    resp = api.get("/feeds/search.atom", params)
    assert resp.status_code == 400
    assert resp.json()["error"]["message"]


def test_the_search_page_links_to_its_feed(api):
    page = api.get("/search", [("q", "risk"), ("doc_type", "overview_report"), ("page", "1")])
    links = re.findall(r'<link rel="alternate" type="application/atom\+xml" href="([^"]+)"',
                       page.text)
    assert links == ["/feeds/search.atom?q=risk&amp;doc_type=overview_report"]
    assert api.get(links[0].replace("&amp;", "&")).status_code == 200
