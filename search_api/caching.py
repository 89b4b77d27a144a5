"""Cache-Control for every answer: stored nowhere unless it is the same for everyone.

- Pages, API JSON, exports, errors and health checks: ``no-store`` (the default for anything a
  view does not mark itself). A search can be sensitive (a relative's name, a place) and should
  not stay in a shared computer's browser cache; answers carry per-client rate-limit headers;
  and nothing personal may ever sit in a shared cache once pages gain sign-in.
- Views that answer the same for everyone set their own: the OpenAPI description
  (``public, max-age=300``), original files, addressed by their sha256
  (``public, max-age=86400, immutable``).
- Static assets: links to them carry a version (``?v=`` and the first hex digits of the file's
  sha256, added to every ``url_for('static', ...)``), so a versioned request is cached for a year
  (``immutable``) and a new release is fetched at once; an unversioned one (a URL inside the CSS)
  for an hour.

No answer depends on the Host, Origin or Cookie headers, so none needs ``Vary`` for them; the
only negotiated header is Accept (JSON or HTML errors, 406), and those answers are ``no-store``.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

DYNAMIC = "no-store"
STATIC_VERSIONED = "public, max-age=31536000, immutable"
STATIC_UNVERSIONED = "public, max-age=3600"


@lru_cache(maxsize=512)
def _version(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def asset_version(static_folder: str | None, filename: str) -> str | None:
    """The version of a static file (changes with its content), or None if there is no file."""
    if not static_folder:
        return None
    root = Path(static_folder).resolve()
    path = (root / filename).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return _version(str(path), os.stat(path).st_mtime_ns)


def install(app: Flask) -> None:
    @app.url_defaults
    def _versioned_static(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = asset_version(app.static_folder, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def _cache_control(resp: Response) -> Response:
        if request.endpoint == "static" and resp.status_code in (200, 304):
            filename = (request.view_args or {}).get("filename", "")
            current = asset_version(app.static_folder, filename)
            versioned = current is not None and request.args.get("v") == current
            resp.headers["Cache-Control"] = STATIC_VERSIONED if versioned else STATIC_UNVERSIONED
        elif "Cache-Control" not in resp.headers or resp.status_code >= 400:
            resp.headers["Cache-Control"] = DYNAMIC
        return resp
