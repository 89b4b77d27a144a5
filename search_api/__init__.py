"""search_api: the Flask JSON API v1 (and the web UI's home), over the configured search backend.

Last stage of the flow (design.md): store -> ingest -> index -> ``search_api``.
Build the app with :func:`create_app`; serve it in production with :func:`search_api.wsgi.serve`.
"""

from .app import create_app

__all__ = ["create_app"]
