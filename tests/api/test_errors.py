"""Every invalid request is a JSON 4xx naming what is wrong; nothing a client sends gives a 500."""

from __future__ import annotations

import random
import string

import pytest

ZERO_ID = "0" * 64

# (path, params, field named in the error)
BAD_REQUESTS = [
    ("/api/v1/search", {"page_size": "0"}, "page_size"),
    ("/api/v1/search", {"page_size": "101"}, "page_size"),
    ("/api/v1/search", {"page_size": "ten"}, "page_size"),
    ("/api/v1/search", {"page_size": "1.5"}, "page_size"),
    ("/api/v1/search", {"colour": "red"}, "colour"),
    ("/api/v1/search", {"scope": "local"}, "scope"),  # a recommendation facet only
    ("/api/v1/search", {"theme": "not_a_theme"}, "theme"),
    ("/api/v1/search", {"theme": ["risk_assessment"] * 51}, "theme"),
    ("/api/v1/search", {"area": "x" * 201}, "area"),
    ("/api/v1/search", {"q": '"unclosed phrase'}, "q"),
    ("/api/v1/search", {"q": "(risk assessment"}, "q"),
    ("/api/v1/search", {"q": "risk)"}, "q"),
    ("/api/v1/search", {"q": "OR police"}, "q"),
    ("/api/v1/search", {"q": "police OR"}, "q"),
    ("/api/v1/search", {"q": "a*"}, "q"),
    ("/api/v1/search", {"q": '""'}, "q"),
    ("/api/v1/search", {"q": "x" * 4001}, "q"),
    ("/api/v1/search", {"q": "nul\x00byte"}, "q"),
    ("/api/v1/search", {"q": ["one", "two"]}, "q"),
    ("/api/v1/search", {"cursor": "not-a-cursor"}, "cursor"),
    ("/api/v1/search", {"cursor": "A" * 2001}, "cursor"),
    ("/api/v1/search", {"year_from": "2020", "year_to": "2019"}, "year_from"),
    ("/api/v1/search", {"year_from": "1800"}, "year_from"),
    ("/api/v1/search", {"year_to": "twenty"}, "year_to"),
    ("/api/v1/search", {"year_to": "2019.0"}, "year_to"),
    ("/api/v1/search", {"sort": "random"}, "sort"),
    ("/api/v1/search", {"facets": "maybe"}, "facets"),
    ("/api/v1/recommendations", {"smart_min": "4"}, "smart_min"),
    ("/api/v1/recommendations", {"smart_min": "high"}, "smart_min"),
    ("/api/v1/recommendations", {"doc_type": "overview_report"}, "doc_type"),
    ("/api/v1/recommendations", {"scope": "global"}, "scope"),
    (f"/api/v1/documents/{ZERO_ID}", {"pages": "maybe"}, "pages"),
    (f"/api/v1/documents/{ZERO_ID}", {"full": "1"}, "full"),
    (f"/api/v1/documents/{ZERO_ID}/similar", {"page_size": "0"}, "page_size"),
    (f"/api/v1/documents/{ZERO_ID}/file", {"inline": "perhaps"}, "inline"),
    ("/api/v1/facets", {"theme": "risk_assessment"}, "theme"),
    ("/api/v1/stats", {"year": "2020"}, "year"),
]


def assert_error(resp, status: int, field: str | None = None) -> dict:
    assert resp.status_code == status, (resp.status_code, resp.text[:300])
    assert resp.headers["Content-Type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert err["code"] and err["message"]
    if field is not None:
        assert err.get("field") == field, err
    return err


@pytest.mark.parametrize("path,params,field", BAD_REQUESTS)
def test_invalid_parameter_is_a_400_naming_it(api, path, params, field):
    err = assert_error(api.get(path, params), 400, field)
    assert err["code"] == "bad_request"


def test_malformed_query_message_says_what_to_fix(api):
    err = assert_error(api.get("/api/v1/search", {"q": '"risk assessment'}), 400, "q")
    assert "quote" in err["message"]


def test_overlong_query_string_is_a_400(api):
    resp = api.get("/api/v1/search", [("area", "x" * 150)] * 120)
    assert_error(resp, 400)


def test_tampered_cursor_is_a_400(api):
    page = api.json("/api/v1/search", {"page_size": "2"})
    cursor = page["next_cursor"]
    assert cursor
    assert api.get("/api/v1/search", {"page_size": "2", "cursor": cursor}).status_code == 200
    flipped = cursor[:-3] + ("A" if cursor[-3] != "A" else "B") + cursor[-2:]
    assert_error(api.get("/api/v1/search", {"page_size": "2", "cursor": flipped}), 400, "cursor")
    # a cursor from another search is refused too
    assert_error(api.get("/api/v1/search", {"page_size": "2", "cursor": cursor, "q": "police"}),
                 400, "cursor")


@pytest.mark.parametrize("path", [
    f"/api/v1/documents/{ZERO_ID}", f"/api/v1/documents/{ZERO_ID}/similar",
    f"/api/v1/documents/{ZERO_ID}/file", "/api/v1/documents/not-an-id",
    "/api/v1/documents/" + "A" * 64, "/api/v1/documents/../../etc/passwd/file",
    "/api/v1/documents/%2e%2e%2fcatalog.sqlite/file", "/api/v1/nothing-here", "/api/v2/search",
])
def test_unknown_ids_and_paths_are_json_404s(api, path):
    err = assert_error(api.get(path), 404)
    assert err["code"] == "not_found"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/recommendations",
                                  f"/api/v1/documents/{ZERO_ID}", "/healthz"])
def test_other_methods_are_405_with_allow(api, method, path):
    resp = api.session.request(method, api.base_url + path, data=b"{}", timeout=30)
    err = assert_error(resp, 405)
    assert err["code"] == "method_not_allowed"
    assert "GET" in resp.headers["Allow"]


@pytest.mark.parametrize("accept,status", [
    ("text/html", 406), ("image/png, text/csv", 406), ("application/json", 200),
    ("*/*", 200), ("text/html, application/json;q=0.5", 200), ("application/*", 200),
])
def test_accept_header_must_allow_json(api, accept, status):
    resp = api.get("/api/v1/search", headers={"Accept": accept})
    assert resp.status_code == status
    if status == 406:
        assert_error(resp, 406)


def test_invalid_utf8_in_query_is_handled(api):
    resp = api.session.get(api.base_url + "/api/v1/search?q=%ff%fe%80", timeout=30)
    assert resp.status_code in (200, 400)
    assert resp.headers["Content-Type"].startswith("application/json")


def _random_value(rng: random.Random) -> str:
    pools = [string.printable, "\"()-*OR AND ", "\u00e9\u2019\u202e\U0001f600<>&'", "0123456789-+."]
    pool = rng.choice(pools)
    return "".join(rng.choice(pool) for _ in range(rng.randint(0, 40)))


def test_fuzzed_parameters_never_give_a_server_error(api):
    """A fixed-seed fuzz of names and values on every endpoint: only 2xx and 4xx answers."""
    rng = random.Random(1234)
    names = ["q", "theme", "agency", "area", "year_from", "year_to", "sort", "page_size",
             "cursor", "smart_min", "scope", "pages", "facets", "inline", "x"]
    doc_id = api.docs[0].id
    paths = ["/api/v1/search", "/api/v1/recommendations", f"/api/v1/documents/{doc_id}",
             f"/api/v1/documents/{doc_id}/similar", f"/api/v1/documents/{doc_id}/file",
             "/api/v1/facets"]
    statuses = set()
    for _ in range(150):
        params = [(rng.choice(names), _random_value(rng)) for _ in range(rng.randint(0, 4))]
        resp = api.get(rng.choice(paths), params)
        statuses.add(resp.status_code)
        assert resp.status_code < 500, (params, resp.text[:300])
    assert 200 in statuses and 400 in statuses
