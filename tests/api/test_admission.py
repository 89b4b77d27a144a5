"""Expensive searches run a few at a time (server.max_expensive_requests): one more is a 503
with Retry-After, at once, while ordinary searches are never held back; an export keeps its slot
until its last row is sent."""

from __future__ import annotations

import pytest
import requests

from dhr.search.base import DocumentRequest
from search_api import create_app
from search_api.admission import MANY_LEAVES, SHORT_PREFIX, is_expensive
from search_api.wsgi import BackgroundServer

from .conftest import make_config

EXPENSIVE = {"q": "co*"}


@pytest.mark.parametrize("q, expensive", [
    ("police", False), ('"risk assessment" -covid', False), ("assess*", False),
    ("co*", True), ("-(police OR ris*)", True), (None, False),
    (" OR ".join(["police"] * MANY_LEAVES), False),
    (" OR ".join(["police"] * (MANY_LEAVES + 1)), True),
    (" OR ".join(["idva"] * (MANY_LEAVES // 3 + 1)), True),  # synonyms count
])
def test_which_searches_are_expensive(q, expensive):
    assert SHORT_PREFIX == 4
    assert is_expensive(DocumentRequest(q=q)) is expensive


@pytest.fixture
def one_slot(api, tmp_path):
    config = make_config(tmp_path, "sqlite", max_expensive_requests=1)
    return create_app(config, backend=api.backend, store=None).test_client()


def test_an_open_export_holds_the_only_slot(one_slot):
    export = one_slot.get("/search.csv", buffered=False)  # streaming, not read yet
    assert export.status_code == 200
    try:
        for path in ("/api/v1/search", "/api/v1/recommendations"):
            busy = one_slot.get(path, query_string=EXPENSIVE)
            assert busy.status_code == 503, path
            assert busy.headers["Retry-After"] == "5"
            assert busy.json["error"]["code"] == "busy"
        assert one_slot.get("/search.json").status_code == 503  # every export is expensive
        page = one_slot.get("/search", query_string=EXPENSIVE)
        assert page.status_code == 503 and "busy" in page.get_data(as_text=True)
        assert page.headers["Retry-After"] == "5"
        # ordinary searches go on
        assert one_slot.get("/api/v1/search", query_string={"q": "police"}).status_code == 200
        assert one_slot.get("/search", query_string={"q": "police"}).status_code == 200
        assert export.get_data(as_text=True).count("\n") > 1
    finally:
        export.close()
    assert one_slot.get("/api/v1/search", query_string=EXPENSIVE).status_code == 200


def test_slots_are_given_back_after_errors_and_finished_exports(api, tmp_path):
    """Over a real waitress server, which closes every answer it sends."""
    config = make_config(tmp_path, "sqlite", max_expensive_requests=1)
    app = create_app(config, backend=api.backend, store=None)
    with BackgroundServer(app, threads=2) as server, requests.Session() as http:
        def get(path: str, **params: str) -> requests.Response:
            return http.get(server.url + path, params=params, timeout=60)

        for _ in range(3):
            assert get("/api/v1/search", **EXPENSIVE).status_code == 200
            assert get("/api/v1/search", q="co*", cursor="x").status_code == 400
            export = get("/search.csv", **EXPENSIVE)
            assert export.status_code == 200 and export.text.count("\n") > 1
            assert get("/search", **EXPENSIVE).status_code == 200
        assert get("/search.json").status_code == 200
