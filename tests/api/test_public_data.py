"""No location on the server reaches anything public: a file ingested from local disk
(``dhr ingest PATH``) shows its name, never its path, in the API, on its page and in the exports,
on both backends, including documents stored by older versions with a ``file:///`` source URL."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from dhr.document import Source
from dhr.search import open_backend
from dhr.store import CorpusStore
from orchestration.pipeline import ingest_paths
from search_api import create_app
from search_api.public import is_public_url, local_file_name, scrub

SECRET = "private-intake-7f3a"  # a folder name that must not leak
REPORT = """Domestic Homicide Review: Overview Report into the death of Ms A (synthetic sample)

This report is synthetic: generated for software tests, about no real person.

1. Introduction
The review panel considered the contact agencies had with Ms A and her partner in Testshire.
The police received three reports of domestic abuse. A DASH risk assessment was completed.

2. Recommendations
1. Testshire Police to review how repeat reports of domestic abuse are escalated.
"""


def public_paths(doc_id: str) -> list[str]:
    return [f"/api/v1/documents/{doc_id}", f"/api/v1/documents/{doc_id}?pages=1",
            "/api/v1/search?q=testshire", f"/api/v1/documents/{doc_id}/similar",
            "/api/v1/recommendations?q=testshire", f"/documents/{doc_id}",
            "/search?q=testshire", "/search.csv?q=testshire", "/search.json?q=testshire",
            "/recommendations.csv?q=testshire", "/recommendations.json?q=testshire"]


def assert_nothing_leaks(client, doc_id: str, *secrets: str) -> None:
    for path in public_paths(doc_id):
        with client.get(path) as resp:  # closed, as a server closes it (an export's slot)
            assert resp.status_code == 200, (path, resp.status_code)
            body = resp.get_data(as_text=True)
        for secret in secrets:
            assert secret not in body, (path, secret)
        assert "file://" not in body, path


def test_an_ingested_local_file_is_public_by_name_only(backend_config, tmp_path: Path):
    folder = tmp_path / SECRET / "incoming"
    folder.mkdir(parents=True)
    (folder / "testshire-overview.txt").write_text(REPORT, encoding="utf-8")
    backend = open_backend(backend_config)
    try:
        summary = ingest_paths(backend_config, [folder], backend=backend)
        assert summary["ingested"] == 1 and summary["failed"] == 0, summary
        store = CorpusStore(backend_config.data_dir)
        (record,) = list(store.list_files())
        doc = store.get_document(record.sha256)
        assert doc is not None and doc.source is not None
        assert doc.source.url is None and doc.source.first_seen  # seen, but at no public address
        assert record.urls == ["local:testshire-overview.txt"]
        client = create_app(backend_config, backend=backend, store=store).test_client()
        assert_nothing_leaks(client, doc.id, SECRET, str(tmp_path))
        page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
        assert "Local file: testshire-overview.txt" in page
        with client.get("/search.csv?q=testshire") as export:
            rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
        assert [r["source_url"] for r in rows] == [""]
    finally:
        backend.close()


def test_documents_stored_with_a_file_url_are_scrubbed_when_read(backend_config, tmp_path: Path):
    """What an older version stored (a file:/// source URL and sighting) never shows."""
    legacy = f"file:///srv/{SECRET}/legacy/testshire-overview.txt"
    store = CorpusStore(backend_config.data_dir)
    put = store.put(REPORT.encode(), ext="txt", filename="testshire-overview.txt")
    store.record_sighting(legacy, put.sha256, source="local")
    from ingest.extract import extract_file

    path = tmp_path / "testshire-overview.txt"
    path.write_text(REPORT, encoding="utf-8")
    doc = extract_file(path, filename="testshire-overview.txt")
    doc = doc.model_copy(update={"source": Source(url=legacy, first_seen="2024-01-01T00:00:00Z",
                                                  last_seen="2024-01-01T00:00:00Z", online=True)})
    assert doc.id == put.sha256
    store.put_document(doc)
    backend = open_backend(backend_config)
    try:
        backend.ensure_indices()
        backend.index_documents([doc], refresh=True)
        assert backend.get_document(doc.id)["source"]["url"] == legacy  # stored as it was
        client = create_app(backend_config, backend=backend, store=store).test_client()
        assert_nothing_leaks(client, doc.id, SECRET)
        assert client.get(f"/api/v1/documents/{doc.id}").json["source"]["url"] is None
        assert "Local file: testshire-overview.txt" in client.get(
            f"/documents/{doc.id}").get_data(as_text=True)
    finally:
        backend.close()


@pytest.mark.parametrize("url, public", [
    ("https://www.preston.gov.uk/dhr.pdf", True), ("http://example.org/a", True),
    ("/api/v1/documents/ab", True), ("#recommendation-1", True),
    ("file:///home/x/report.pdf", False), ("local:report.pdf", False),
    ("C:\\intake\\report.pdf", False), ("home/x/report.pdf", False),
    ("//evil.example/x", False), ("javascript:alert(1)", False),
])
def test_which_urls_are_public(url, public):
    assert is_public_url(url) is public


def test_scrub_blanks_private_urls_at_any_depth():
    doc = {"url": "/api/v1/documents/x", "source": {"url": "file:///srv/in/a.pdf", "site": None},
           "provenance": {"fields": {"review.area": {"from": "source", "url": "local:a.pdf"}}},
           "source_url": "file:///a", "items": [{"url": "https://ok.example/"}], "text": "file:x"}
    assert scrub(doc) == {
        "url": "/api/v1/documents/x", "source": {"url": None, "site": None},
        "provenance": {"fields": {"review.area": {"from": "source", "url": None}}},
        "source_url": None, "items": [{"url": "https://ok.example/"}], "text": "file:x"}


def test_local_file_names():
    assert local_file_name("file:///srv/in/My%20Report.pdf") == "My Report.pdf"
    assert local_file_name("local:My%20Report.pdf") == "My Report.pdf"

