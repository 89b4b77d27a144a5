"""What the API's views share: the configuration, the search backend and the store.

:func:`search_api.create_app` builds one :class:`ApiState` per app and keeps it in
``app.extensions``; views reach it with :func:`state`. The store is opened lazily (only the file
download needs it), so an API process can run against an index without a local store.
The backend is wrapped in :class:`search_api.public.PublicBackend`.
"""

from __future__ import annotations

import threading

from flask import current_app

from dhr.config import Config
from dhr.search.base import SearchBackend
from dhr.store import CorpusStore

from .public import PublicBackend

EXTENSION_KEY = "dhr"


class ApiState:
    def __init__(self, config: Config, backend: SearchBackend, store: CorpusStore | None = None):
        self.config = config
        # Views see the backend through PublicBackend: no server path reaches a response.
        # ... and nothing the store withholds (takedown) is shown.
        self.backend = PublicBackend(backend, withheld=self._withheld)
        self._store = store
        self._lock = threading.Lock()

    @property
    def store(self) -> CorpusStore:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = CorpusStore(self.config.data_dir)
        return self._store


    def _withheld(self, items: list[tuple[str, str | None]]) -> set[str]:
        return self.store.withheld_among(items)

    def is_withheld(self, sha256: str) -> bool:
        """Suppressed or deleted (takedown): public views answer 404 as for an unknown id."""
        return self.store.is_withheld(sha256) or self.store.is_tombstoned(sha256)


def state() -> ApiState:
    return current_app.extensions[EXTENSION_KEY]
