"""The Flask application factory: one app serves the JSON API (and, later, the web UI).

``create_app(config)`` opens the configured search backend (or takes one given by the caller,
e.g. a test), registers the API blueprint under ``/api/v1`` and the health checks, installs the
JSON error handlers, security headers, CORS and, if configured, per-client rate limiting.
The web UI (issue 8) adds its own blueprint for ``/``, ``/search``, ``/documents/<id>``,
``/recommendations`` and ``/trends``. Production serving: :mod:`search_api.wsgi`.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.engine import Engine

from dhr.config import Config
from dhr.search import open_backend
from dhr.search.base import SearchBackend
from dhr.store import CorpusStore

from . import admission, caching, errors, ratelimit, security
from .api import api, ops
from .feeds import feeds
from .state import EXTENSION_KEY, ApiState
from .tracker import install_tracker
from .ui import ui

MAX_BODY_BYTES = 64 * 1024  # the API is read-only: no request needs a body


def create_app(config: Config, *, backend: SearchBackend | None = None,
               store: CorpusStore | None = None, tracker_engine: Engine | None = None) -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION_KEY] = ApiState(config, backend or open_backend(config), store)
    if config.server.rate_limit_per_minute:
        app.extensions[ratelimit.EXTENSION_KEY] = ratelimit.ClientLimiter(
            config.server.rate_limit_per_minute, storage_uri=config.server.rate_limit_storage)
    app.register_blueprint(api)
    app.register_blueprint(ops)
    app.register_blueprint(ui)
    app.register_blueprint(feeds)  # Atom feeds (issue 15)
    errors.register_error_handlers(app)
    install_tracker(app, config, tracker_engine)
    security.install(app)
    caching.install(app)  # Cache-Control for every answer (README: Caching)
    admission.install(app, config.server.max_expensive_requests)
    logging.getLogger("search_api").setLevel(logging.INFO)
    return app
