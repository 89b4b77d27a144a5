"""Wiring of the accountability tracker into the Flask app (one call from ``create_app``):
its state and session settings, authentication (Flask-Login, CSRFProtect, Flask-Limiter), the
JSON API blueprint (exempt from CSRF: it takes bearer tokens, never cookies) and the pages."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.engine import Engine

from dhr.config import Config

from . import (
    corrections_web,
    oversight_web,
    takedown_web,
    tracker_auth,
    tracker_pages,
    tracker_state,
    tracker_web,
)
from .corrections_api import corrections_api
from .recurring_web import recurring_web
from .takedown_api import takedown_api
from .tracker_api import tracker_api


def install_tracker(app: Flask, config: Config, engine: Engine | None = None) -> None:
    tracker_state.install(app, config, engine)
    tracker_auth.install(app, config.tracker.refusal_audit_per_minute)
    app.register_blueprint(tracker_api)
    app.extensions["dhr_csrf"].exempt(tracker_api)
    app.register_blueprint(takedown_api)
    app.extensions["dhr_csrf"].exempt(takedown_api)
    tracker_web.install(app)
    oversight_web.install(app)
    takedown_web.install(app)
    tracker_pages.install(app)
    app.register_blueprint(recurring_web)
    # Corrections (issue 19): the API takes bearer tokens (no cookie, no CSRF); the pages use
    # sessions and CSRF-protected forms.
    app.register_blueprint(corrections_api)
    app.extensions["dhr_csrf"].exempt(corrections_api)
    corrections_web.install(app)
