"""Serving concerns: rate limiting, an unreachable backend, and the production WSGI server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from dhr.config import ConfigError, config_from_dict
from search_api import create_app
from search_api.ratelimit import ClientLimiter
from search_api.wsgi import BackgroundServer

from .conftest import make_config


def test_the_limiter_allows_its_limit_per_client_then_says_when_to_retry():
    limiter = ClientLimiter(3)
    decisions = [limiter.take("a") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions[:3]] == [2, 1, 0]
    assert 1 <= decisions[3].retry_after <= 60
    assert limiter.take("b").allowed  # counts are per client


def test_a_rate_limit_storage_that_is_not_a_uri_is_refused(tmp_path: Path):
    with pytest.raises(ConfigError, match="rate_limit_storage"):
        make_config(tmp_path, "sqlite", rate_limit_storage="somewhere")


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path):
    config = make_config(tmp_path, "sqlite", rate_limit_per_minute=3)
    app = create_app(config)
    with BackgroundServer(app, threads=2) as server, requests.Session() as s:
        statuses = [s.get(server.url + "/api/v1/search", timeout=30).status_code
                    for _ in range(3)]
        assert statuses == [200, 200, 200]
        resp = s.get(server.url + "/api/v1/search", timeout=30)
        assert resp.status_code == 429
        assert resp.json()["error"]["code"] == "rate_limited"
        assert int(resp.headers["Retry-After"]) >= 1
        assert resp.headers["X-RateLimit-Limit"] == "3"
        # health checks and the API description are not limited
        assert s.get(server.url + "/healthz", timeout=30).status_code == 200
        assert s.get(server.url + "/api/v1/openapi.json", timeout=30).status_code == 200


def test_rate_limit_is_off_by_default(tmp_path: Path):
    app = create_app(make_config(tmp_path, "sqlite"))
    client = app.test_client()
    assert all(client.get("/api/v1/search").status_code == 200 for _ in range(30))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_elasticsearch_gives_503_not_500(tmp_path: Path):
    config = config_from_dict({
        "storage": {"data_dir": str(tmp_path)},
        "search": {"backend": "elasticsearch", "elasticsearch": {
            "url": f"http://127.0.0.1:{_closed_port()}", "request_timeout": 2}}}, env={})
    client = create_app(config).test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json["status"] == "unavailable"
    for path in ("/api/v1/search?q=police", "/api/v1/recommendations", "/api/v1/facets",
                 "/api/v1/stats", "/api/v1/documents/" + "0" * 64):
        resp = client.get(path)
        assert resp.status_code == 503, (path, resp.status_code, resp.get_data(as_text=True))
        assert resp.json["error"]["code"] == "unavailable"
        assert resp.headers["Retry-After"]


def test_serve_runs_waitress_on_the_given_port(tmp_path: Path):
    (tmp_path / "config.yaml").write_text(f"storage:\n  data_dir: {tmp_path / 'data'}\n")
    port = _closed_port()
    code = ("import sys; from dhr.config import load_config; from search_api.wsgi import serve; "
            f"serve(load_config({str(tmp_path / 'config.yaml')!r}), '127.0.0.1', {port})")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                resp = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert resp.status_code == 200
        assert resp.headers["Server"] == "dhr"  # waitress, not the Flask development server
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert f"Serving on http://127.0.0.1:{port}/" in proc.stdout.read().decode()
