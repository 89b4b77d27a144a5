"""Response headers that the security review checked: one charset on file downloads, the
security headers on waitress's own error replies, and the caching policy of every kind of answer
(README, "Caching")."""

from __future__ import annotations

import re
import socket

import pytest

from search_api.files import CONTENT_TYPES
from search_api.security import CSP, HEADERS


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_file_download_content_type_is_exactly_the_stored_type(api, fmt):
    item = next(i for i in api.corpus if i.path.suffix == "." + fmt)
    resp = api.get(f"/api/v1/documents/{item.doc.id}/file")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == CONTENT_TYPES[fmt]
    assert resp.headers["Content-Type"].count("charset") <= 1


def _raw_request(base_url: str, request: bytes) -> tuple[int, dict[str, str]]:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers


def _assert_hardened(headers: dict[str, str]) -> None:
    assert headers.get("content-security-policy") == CSP
    for name, value in HEADERS.items():
        assert headers.get(name.lower()) == value, name
    assert headers.get("cache-control") == "no-store"


def test_waitress_413_for_a_large_body_carries_the_security_headers(api):
    body = b"x" * (100 * 1024)  # over max_request_body_size (64 KiB)
    status, headers = _raw_request(api.base_url, (
        b"POST /api/v1/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body))
    assert status == 413
    _assert_hardened(headers)


def test_waitress_431_for_large_headers_carries_the_security_headers(api):
    status, headers = _raw_request(api.base_url, (
        b"GET /api/v1/search HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + b"".join(b"X-Filler-%d: %s\r\n" % (i, b"y" * 1000) for i in range(80)) + b"\r\n"))
    assert status == 431
    _assert_hardened(headers)


def test_waitress_400_for_a_malformed_request_carries_the_security_headers(api):
    status, headers = _raw_request(api.base_url, b"GET /api/v1/search HTTP/1.1\r\n"
                                                 b"Host: 127.0.0.1\r\nContent-Length: x\r\n\r\n")
    assert status == 400
    _assert_hardened(headers)


@pytest.mark.parametrize("path", [
    "/", "/search?q=police", "/recommendations", "/trends", "/about", "/api/v1/search",
    "/api/v1/recommendations", "/api/v1/facets", "/api/v1/stats", "/search.csv", "/search.json",
    "/healthz", "/readyz", "/api/v1/nothing", "/nothing", "/api/v1/search?page_size=0",
])
def test_dynamic_answers_are_not_stored(api, path):
    assert api.get(path).headers["Cache-Control"] == "no-store"


def test_documents_and_their_pages_are_not_stored(api):
    doc = api.docs[0]
    for path in (f"/documents/{doc.id}", f"/api/v1/documents/{doc.id}",
                 f"/api/v1/documents/{doc.id}/similar"):
        assert api.get(path).headers["Cache-Control"] == "no-store", path


def test_answers_the_same_for_everyone_are_cached(api):
    assert api.get("/api/v1/openapi.json").headers["Cache-Control"] == "public, max-age=300"
    doc = api.docs[0]
    assert api.get(f"/api/v1/documents/{doc.id}/file").headers["Cache-Control"] == \
        "public, max-age=86400, immutable"


def test_static_assets_are_versioned_and_cached_for_a_year(api):
    page = api.get("/search").text
    links = re.findall(r'href="(/static/[^"]+)"', page)
    assert links and all(re.search(r"\?v=[0-9a-f]{12}$", link) for link in links), links
    for link in links:
        resp = api.get(link)
        assert resp.status_code == 200
        assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    bare = links[0].split("?")[0]
    assert api.get(bare).headers["Cache-Control"] == "public, max-age=3600"
    assert api.get(bare + "?v=000000000000").headers["Cache-Control"] == "public, max-age=3600"
    assert api.get("/static/nothing.css").headers["Cache-Control"] == "no-store"
