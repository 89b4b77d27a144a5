"""A real threaded HTTP server on 127.0.0.1 serving the fixture websites by ``Host`` header.

Behaviours a crawler meets on council sites, set per route in ``routes.json`` (written by
``samples/sites/build.py``): redirects, 404s (any unknown path), slow responses, a status that
fails every other request (500, or 429 with ``Retry-After``), ``Content-Disposition`` headers,
ETag / Last-Modified with conditional GETs (304), and servers that ignore conditional requests
or send a different ETag every time. ``__PORT__`` in pages and redirect targets is replaced by
the server's port. Every request is logged (host, path, status, conditional or not, body bytes) so
tests can assert what was, and was not, requested.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .library import render_search_page


class FixtureHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0):
        super().__init__((host, port), _Handler)
        self.root = Path(root)
        self.lock = threading.Lock()
        self.log: list[dict[str, Any]] = []
        self.counters: dict[str, int] = {}
        self.reload()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def reload(self) -> None:
        with self.lock:
            self.routes: dict[str, dict[str, dict]] = json.loads(
                (self.root / "routes.json").read_text(encoding="utf-8"))
            lib = self.root / "library.json"
            self.library: dict[str, Any] = (json.loads(lib.read_text(encoding="utf-8"))
                                            if lib.exists() else {})

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.log.append(entry)

    def next_count(self, key: str) -> int:
        with self.lock:
            self.counters[key] = self.counters.get(key, 0) + 1
            return self.counters[key]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FixtureHTTPServer
    server_version = "FixtureCMS/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    # -- dispatch ------------------------------------------------------------------------------
    def _serve(self, head: bool) -> None:
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        parts = urlsplit(self.path)
        key = parts.path + (f"?{parts.query}" if parts.query else "")
        entry = {"host": host, "path": key, "time": time.time(), "status": None, "bytes": 0,
                 "conditional": bool(self.headers.get("If-None-Match")
                                     or self.headers.get("If-Modified-Since")),
                 "user_agent": self.headers.get("User-Agent")}
        try:
            lib = self.server.library
            if lib and host == lib.get("host") and parts.path == "/":
                q = parse_qs(parts.query)
                n = int((q.get("pagination[pageNumber]") or ["0"])[0] or 0)
                size = (q.get("pagination[pageSize]") or [""])[0]
                html = render_search_page(lib["cards"], n, int(size) if size else None)
                self._send(entry, 200, html.encode(), "text/html; charset=utf-8", head=head)
                return
            routes = self.server.routes.get(host, {})
            route = routes.get(key) or routes.get(parts.path)
            if route is None:
                self._send(entry, 404, b"<html><body><h1>Page not found</h1></body></html>",
                           "text/html; charset=utf-8", head=head)
                return
            self._route(entry, host, key, route, head)
        except (BrokenPipeError, ConnectionResetError):
            entry["status"] = entry["status"] or 499
        finally:
            self.server.record(entry)

    def _route(self, entry: dict, host: str, key: str, route: dict, head: bool) -> None:
        flaky = route.get("flaky")
        if flaky and self.server.next_count(f"{host}{key}") % flaky.get("every", 2) == 1:
            headers = {"Retry-After": str(flaky["retry_after"])} if flaky.get("retry_after") else {}
            self._send(entry, flaky["status"], b"<html><body>Temporarily unavailable</body></html>",
                       "text/html; charset=utf-8", head=head, headers=headers)
            return
        if route.get("delay"):
            time.sleep(float(route["delay"]))
        if route.get("redirect"):
            location = route["redirect"].replace("__PORT__", str(self.server.port))
            self._send(entry, route.get("status", 301), b"", "text/html", head=head,
                       headers={"Location": location})
            return
        path = self.server.root / "files" / route["file"]
        if not path.exists():
            self._send(entry, 404, b"<html><body><h1>Page not found</h1></body></html>",
                       "text/html; charset=utf-8", head=head)
            return
        body = path.read_bytes()
        ctype = route.get("content_type", "text/html; charset=utf-8")
        if ctype.startswith("text/html"):
            body = body.replace(b"__PORT__", str(self.server.port).encode())
        headers = dict(route.get("headers") or {})
        etag_mode = route.get("etag", "content")
        etag = None
        if etag_mode == "content":
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        elif etag_mode == "random":
            etag = '"' + uuid.uuid4().hex + '"'
        if etag:
            headers["ETag"] = etag
        mtime = path.stat().st_mtime
        if route.get("last_modified", True):
            headers["Last-Modified"] = formatdate(mtime, usegmt=True)
        if route.get("conditional", True) and self._not_modified(etag, mtime):
            self._send(entry, 304, b"", None, head=True, headers=headers)
            return
        self._send(entry, route.get("status", 200), body, ctype, head=head, headers=headers)

    def _not_modified(self, etag: str | None, mtime: float) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag is not None and etag in [t.strip() for t in inm.split(",")]
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                return int(mtime) <= parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def _send(self, entry: dict, status: int, body: bytes, ctype: str | None, *, head: bool,
              headers: dict[str, str] | None = None) -> None:
        entry["status"] = status
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)) if status != 304 else "0")
        self.end_headers()
        if not head and status != 304 and body:
            self.wfile.write(body)
            entry["bytes"] = len(body)
