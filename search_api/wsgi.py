"""Production serving: the app under waitress (a multi-threaded production WSGI server).

``dhr serve`` calls :func:`serve`; tests and benchmarks use :func:`create_server` to run a real
HTTP server on a free loopback port in a background thread (:class:`BackgroundServer`).
Never the Flask development server.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any, Protocol, Self, cast

import waitress.server
from flask import Flask
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer
from waitress.task import ErrorTask

from dhr.config import Config

from .app import create_app
from .security import CSP, HEADERS

log = logging.getLogger(__name__)

SERVER_OPTIONS: dict[str, Any] = {
    "ident": "dhr",
    "max_request_body_size": 64 * 1024,  # read-only API
    "max_request_header_size": 64 * 1024,
    "channel_timeout": 60,
    "connection_limit": 200,
    "clear_untrusted_proxy_headers": True,
}


class HardenedErrorTask(ErrorTask):
    """waitress's own error replies (413 body too large, 431 headers too large, 400 malformed
    request, 500 when the app fails mid-response) never reach the Flask app, so its
    after-request hook cannot add the security headers: they are added here."""

    def execute(self) -> None:
        self.response_headers.extend(ERROR_HEADERS)  # type: ignore[attr-defined]  # a list
        super().execute()


class HardenedChannel(HTTPChannel):
    error_task_class = HardenedErrorTask


ERROR_HEADERS = [("Content-Security-Policy", CSP), *HEADERS.items(),
                 ("Cache-Control", "no-store")]


class _Trigger(Protocol):
    def pull_trigger(self, thunk: Any = None) -> None: ...


class Server(Protocol):
    """What this module uses of a waitress server (its published stubs miss these attributes)."""

    effective_host: str
    effective_port: int
    trigger: _Trigger
    _map: dict[int, Any]
    task_dispatcher: Any

    def run(self) -> None: ...

    def close(self) -> None: ...


def create_server(app: Flask, host: str = "127.0.0.1", port: int = 0, *, threads: int = 8,
                  **options: Any) -> Server:
    """A bound (not yet running) waitress server; ``port=0`` picks a free port."""
    opts = {**SERVER_OPTIONS, **options}
    server = waitress.server.create_server(app, host=host, port=port, threads=threads, **opts)
    # One listener (BaseWSGIServer) or several (MultiSocketServer, whose map holds them).
    for listener in [server, *getattr(server, "map", {}).values()]:
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = HardenedChannel
    return cast(Server, server)


def serve(config: Config, host: str | None = None, port: int | None = None) -> None:
    """Serve the API (and web UI) until interrupted."""
    app = create_app(config)
    server = create_server(app, host or config.server.host,
                           config.server.port if port is None else port,
                           threads=config.server.threads)
    log.info("serving on http://%s:%s/ (backend: %s)", server.effective_host,
             server.effective_port, config.search.backend)
    print(f"Serving on http://{_display_host(str(server.effective_host))}:{server.effective_port}/",
          flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


class BackgroundServer:
    """A real waitress server on loopback in a daemon thread:
    ``with BackgroundServer(app) as s``."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0, threads: int = 8):
        self.server = create_server(app, host, port, threads=threads)
        self.thread = threading.Thread(target=self.server.run, name="dhr-http", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.server.effective_host}:{self.server.effective_port}"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        # Close every socket from inside the server's own loop thread (the trigger runs the
        # callable there), so no other thread closes a descriptor the loop is polling; the loop
        # ends when its map is empty. Then stop the worker threads.
        if self.thread.is_alive():
            # OSError: the trigger is closed already: the loop is ending on its own.
            with contextlib.suppress(OSError):
                self.server.trigger.pull_trigger(
                    lambda: wasyncore.close_all(self.server._map, ignore_all=True))
            self.thread.join(timeout=10)
        if not self.thread.is_alive():
            wasyncore.close_all(self.server._map, ignore_all=True)  # whatever is left; idempotent
        self.server.task_dispatcher.shutdown()


def _display_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "") else host
