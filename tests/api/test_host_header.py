"""The request's Host header never reaches a response: absolute URLs come from the configured
``server.public_url`` (or are relative to the site), so a forged Host cannot poison the OpenAPI
description (cached publicly) or the links in an export."""

from __future__ import annotations

import csv
import io
import json

import pytest
import requests

from dhr.config import ConfigError, config_from_dict
from search_api import create_app

from .conftest import make_config

EVIL = "evil.example"
SITE = "https://dhr.example.org"


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/search.csv", "/search.json",
                                  "/recommendations.csv", "/recommendations.json"])
def test_a_forged_host_appears_nowhere(api, path):
    resp = api.get(path, headers={"Host": EVIL, "X-Forwarded-Host": EVIL})
    assert resp.status_code == 200
    assert EVIL not in resp.text
    assert EVIL not in json.dumps(dict(resp.headers))


def test_export_links_are_relative_without_a_public_url(api):
    rows = _rows(api.get("/search.csv", headers={"Host": EVIL}).text)
    assert rows and all(r["url"] == f"/documents/{r['id']}" for r in rows)
    recs = _rows(api.get("/recommendations.csv", headers={"Host": EVIL}).text)
    assert recs and all(r["url"].startswith(f"/documents/{r['document_id']}#recommendation-")
                        for r in recs)
    assert api.json("/api/v1/openapi.json")["servers"] == [{"url": "/"}]


def test_public_url_makes_the_absolute_urls(api, tmp_path):
    config = make_config(tmp_path / "data", "sqlite", public_url=SITE + "/")
    app = create_app(config, backend=api.backend if api.backend_name == "sqlite" else None,
                     store=None)
    client = app.test_client()
    doc = client.get("/api/v1/openapi.json", headers={"Host": EVIL}).json
    assert doc["servers"] == [{"url": SITE}]
    if api.backend_name == "sqlite":
        rows = _rows(client.get("/search.csv", headers={"Host": EVIL}).get_data(as_text=True))
        assert rows and all(r["url"] == f"{SITE}/documents/{r['id']}" for r in rows)


@pytest.mark.parametrize("bad", ["ftp://dhr.example.org", "dhr.example.org", "https://",
                                 "https://dhr.example.org/?q=1", "https://u:p@dhr.example.org"])
def test_public_url_must_be_a_plain_http_base_url(bad):
    with pytest.raises(ConfigError) as err:
        config_from_dict({"server": {"public_url": bad}}, env={})
    assert "server.public_url" in str(err.value)


def test_openapi_is_the_same_whatever_the_host(api):
    plain = api.get("/api/v1/openapi.json")
    forged = requests.get(api.base_url + "/api/v1/openapi.json", headers={"Host": EVIL},
                          timeout=30)
    assert plain.content == forged.content
    assert "public" in plain.headers["Cache-Control"]
