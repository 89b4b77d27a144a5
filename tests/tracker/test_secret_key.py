"""The session key kept in ``<data_dir>/secret_key``: private to its owner, whole, and the
same for every server that shares the directory; an untrustworthy key file stops the server."""

from __future__ import annotations

import stat

import pytest

from search_api.tracker_state import SecretKeyError, secret_key
from tests.conftest import make_config


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.delenv("DHR_SECRET_KEY", raising=False)
    return make_config(tmp_path, "sqlite")


def test_the_key_file_is_made_once_private_to_its_owner(config):
    first = secret_key(config)
    path = config.data_dir / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32 and secret_key(config) == first
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".secret_key")] == []


def test_a_key_file_others_can_read_is_refused(config):
    secret_key(config)
    (config.data_dir / "secret_key").chmod(0o644)
    with pytest.raises(SecretKeyError, match="chmod 600"):
        secret_key(config)


def test_an_empty_key_file_is_refused(config):
    config.data_dir.mkdir(parents=True, exist_ok=True)
    path = config.data_dir / "secret_key"
    path.touch(mode=0o600)
    path.chmod(0o600)
    with pytest.raises(SecretKeyError, match="shorter than"):
        secret_key(config)
