"""Configuration: validation errors are one line naming the key, the problem and the file."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from dhr.config import ConfigError, load_config

DHR = [sys.executable, "-m", "orchestration.cli"]


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.yaml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("text, expected", [
    ("storage:\n  data_dirr: ./x\n", "storage.data_dirr: unknown key"),
    ("search:\n  backend: solr\n", "search.backend: Input should be 'sqlite' or 'elasticsearch'"),
    ("search:\n  elasticsearch:\n    shards: many\n", "search.elasticsearch.shards"),
    ("sources:\n  - name: x\n    kind: site\n    start_urls: [ftp://a]\n", "sources.0.start_urls"),
    (("sources:\n  - {name: a, kind: site, start_urls: ['http://a']}\n"
      "  - {name: a, kind: site, start_urls: ['http://b']}\n"), "duplicate source name"),
    ("storage: [1, 2\n", "not valid YAML"),
    ("- just\n- a list\n", "must hold a mapping"),
])
def test_bad_config_is_one_line_naming_key_and_file(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    message = str(err.value)
    assert expected in message and str(path) in message and "\n" not in message


def test_defaults_and_relative_data_dir(tmp_path):
    cfg = load_config(write(tmp_path, "storage:\n  data_dir: ./store\n"), env={})
    assert cfg.data_dir == (tmp_path / "store").resolve()
    assert cfg.search.backend == "sqlite"
    assert cfg.search.elasticsearch.index_prefix == "dhr"


def test_environment_overrides_urls_and_secrets(tmp_path):
    env = {"DHR_ELASTICSEARCH_URL": "https://a:9200,https://b:9200",
           "DHR_ELASTICSEARCH_API_KEY": "secret", "DHR_SEARCH_BACKEND": "elasticsearch"}
    cfg = load_config(write(tmp_path, "search:\n  backend: sqlite\n"), env=env)
    assert cfg.search.backend == "elasticsearch"
    assert cfg.search.elasticsearch.urls == ["https://a:9200", "https://b:9200"]
    assert cfg.search.elasticsearch.api_key == "secret"


def test_repository_config_is_valid():
    cfg = load_config(Path(__file__).resolve().parents[2] / "config.yaml", env={})
    assert {s.name for s in cfg.sources} >= {"homeoffice-library", "preston"}


def run_cli(*args: str, cwd: Path, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("DHR_")}
    env.update(env_extra or {})
    return subprocess.run([*DHR, *args], check=False, cwd=cwd, capture_output=True, text=True,
                          env=env,
                          timeout=60)


@pytest.mark.parametrize("text", [
    "storage:\n  data_dirr: ./x\n",
    "search:\n  elasticsearch:\n    replicas: lots\n",
])
def test_cli_bad_config_exits_2_with_one_line(tmp_path, text):
    path = write(tmp_path, text)
    for args in (["files", "--config", str(path)], ["--config", str(path), "files"]):
        res = run_cli(*args, cwd=tmp_path)
        assert res.returncode == 2
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and str(path) in lines[0], res.stderr


def test_cli_missing_explicit_config_exits_2(tmp_path):
    res = run_cli("files", "--config", str(tmp_path / "nope.yaml"), cwd=tmp_path)
    assert res.returncode == 2 and "not found" in res.stderr


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_cli_unreachable_elasticsearch_exits_2(tmp_path):
    path = write(tmp_path, "search:\n  backend: elasticsearch\n  elasticsearch:\n"
                           f"    url: http://127.0.0.1:{_closed_port()}\n"
                           "    request_timeout: 2\n")
    res = run_cli("index", "--rebuild", "--config", str(path), cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "not reachable" in lines[0]


def test_dhr_config_environment_variable(tmp_path):
    path = write(tmp_path, "storage:\n  data_dirr: x\n")
    res = run_cli("files", cwd=tmp_path, env_extra={"DHR_CONFIG": str(path)})
    assert res.returncode == 2 and "data_dirr" in res.stderr
