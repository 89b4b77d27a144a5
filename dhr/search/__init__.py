"""Search backends: one interface (:mod:`dhr.search.base`), two engines.

:func:`open_backend` picks the engine from ``search.backend`` in the configuration:
``sqlite`` (embedded SQLite FTS5, the zero-setup default) or ``elasticsearch``.
Both pass the same contract test suite (tests/contract/).
"""

from __future__ import annotations

from ..config import Config
from .base import (  # noqa: F401  (re-exported)
    BackendUnavailable,
    DocumentRequest,
    RecommendationRequest,
    SearchBackend,
    SearchError,
    SearchResponse,
)


def open_backend(config: Config) -> SearchBackend:
    if config.search.backend == "elasticsearch":
        from .elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend(config.search.elasticsearch, cursor_key=_cursor_key(config))
    from .sqlite import SqliteBackend

    return SqliteBackend(config.data_dir / "index.sqlite", cursor_key=_cursor_key(config))


def _cursor_key(config: Config) -> bytes:
    """A per-installation key that signs cursors (stable across restarts)."""
    import os
    import secrets

    env = os.environ.get("DHR_CURSOR_KEY")
    if env:
        return env.encode()
    path = config.data_dir / "cursor.key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32).encode()
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(key)
        os.replace(tmp, path)
        return path.read_bytes()
