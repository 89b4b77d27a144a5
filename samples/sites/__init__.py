"""Fixture websites for the crawler: generated synthetic sites served on 127.0.0.1.

Used by the crawler tests, the crawl benchmark, end-to-end tests and ``dhr demo``::

    from samples.sites import FixtureSites

    with FixtureSites(tmp_path / "sites") as sites:
        config = config_from_dict(sites.config_dict(tmp_path / "data"))
        report = run_crawl(config)
        assert {canonical_url(u) for u in sites.expected_reports("northbridge")} == ...
        sites.remove_file(NORTHBRIDGE, "/media/2130/a-2018.pdf")   # the council takes it down

The sites use realistic host names (``www.northbridge.gov.test``...) that the crawler maps to
127.0.0.1 through ``crawler.hosts`` in the generated config (with ``allow_private_hosts: true``).
``python -m samples.sites ROOT`` serves them in the foreground and prints the config to use.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Self

from .build import (
    BULK,
    EASTMOOR,
    ELSEWHERE,
    LIBRARY,
    NORTHBRIDGE,
    NORTHBRIDGE_BARE,
    NORTHBRIDGE_CSP,
    WESTVALE,
    build_sites,
)
from .server import FixtureHTTPServer

__all__ = [
    "BULK",
    "EASTMOOR",
    "ELSEWHERE",
    "LIBRARY",
    "NORTHBRIDGE",
    "NORTHBRIDGE_BARE",
    "NORTHBRIDGE_CSP",
    "WESTVALE",
    "FixtureSites",
    "build_sites",
]


class FixtureSites:
    """Build (if needed) and serve the fixture sites; mutate them between crawls."""

    def __init__(self, root: str | Path, *, seed: int = 0, bulk_reports: int = 0,
                 rebuild: bool = True, port: int = 0):
        self.root = Path(root)
        if rebuild or not (self.root / "manifest.json").exists():
            build_sites(self.root, seed=seed, bulk_reports=bulk_reports)
        self.manifest: dict[str, Any] = json.loads((self.root / "manifest.json").read_text("utf-8"))
        self._port = port
        self.server: FixtureHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> Self:
        self.server = FixtureHTTPServer(self.root, port=self._port)
        self._thread = threading.Thread(target=self.server.serve_forever, name="fixture-sites",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self.server is not None, "start() the sites first"
        return self.server.port

    def _fill(self, text: str) -> str:
        return text.replace("__PORT__", str(self.port))

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"

    # -- configuration for the crawler --------------------------------------------------------
    def source_names(self) -> list[str]:
        return [s["name"] for s in self.manifest["sources"]]

    def config_sources(self, names: list[str] | None = None) -> list[dict[str, Any]]:
        """``sources`` entries for config.yaml pointing at the served sites."""
        out = []
        for s in self.manifest["sources"]:
            if names is None or s["name"] in names:
                out.append(json.loads(self._fill(json.dumps(s))))
        return out

    def crawler_config(self, **overrides: Any) -> dict[str, Any]:
        """``crawler`` section: host map to 127.0.0.1, private hosts allowed, politeness off."""
        cfg = {"user_agent": "dhr-repository-tests (+https://example.org/contact)",
               "allow_private_hosts": True, "download_delay": 0, "autothrottle": False,
               "timeout": 10, "retries": 2,
               "hosts": {h: "127.0.0.1" for h in self.manifest["hosts"] + [ELSEWHERE]}}
        cfg.update(overrides)
        return cfg

    def config_dict(self, data_dir: str | Path, *, sources: list[str] | None = None,
                    **crawler_overrides: Any) -> dict[str, Any]:
        """A whole config (storage, crawler, sources) for ``dhr.config.config_from_dict``."""
        return {"storage": {"data_dir": str(data_dir)},
                "crawler": self.crawler_config(**crawler_overrides),
                "sources": self.config_sources(sources)}

    # -- what a correct crawl does ---------------------------------------------------------------
    def expected_reports(self, source: str) -> list[str]:
        """URLs (as linked) of the reports a correct crawl of ``source`` stores."""
        return [self._fill(u) for u in self.manifest["expected"].get(source, [])]

    def never_fetched(self, source: str) -> list[str]:
        """URLs on the server a correct crawl of ``source`` never requests."""
        return [self._fill(u) for u in self.manifest["never"].get(source, [])]

    # -- what was requested ----------------------------------------------------------------------
    @property
    def requests(self) -> list[dict[str, Any]]:
        assert self.server is not None
        with self.server.lock:
            return list(self.server.log)

    def requested_urls(self) -> list[str]:
        return [self.url(r["host"], r["path"]) for r in self.requests]

    def clear_log(self) -> None:
        assert self.server is not None
        with self.server.lock:
            self.server.log.clear()

    # -- mutations between runs ------------------------------------------------------------------
    def _routes(self) -> dict[str, dict[str, dict]]:
        return json.loads((self.root / "routes.json").read_text("utf-8"))

    def _save_routes(self, routes: dict) -> None:
        (self.root / "routes.json").write_text(json.dumps(routes, indent=1), "utf-8")
        if self.server is not None:
            self.server.reload()

    def _file(self, host: str, path: str) -> Path:
        return self.root / "files" / self._routes()[host][path]["file"]

    def remove_file(self, host: str, path: str) -> None:
        """The site takes the file down: the URL now answers 404."""
        routes = self._routes()
        del routes[host][path]
        self._save_routes(routes)

    def replace_file(self, host: str, path: str, data: bytes) -> None:
        """The site publishes new bytes at the same URL (a revised report)."""
        f = self._file(host, path)
        f.write_bytes(data)
        later = time.time() + 5  # a clearly newer Last-Modified
        os.utime(f, (later, later))

    def edit_page(self, host: str, path: str, old: str, new: str) -> None:
        """Change a page's HTML (e.g. drop a link, or replace the whole listing)."""
        f = self._file(host, path)
        html = f.read_text("utf-8")
        if old not in html:
            raise ValueError(f"{old!r} not found in {host}{path}")
        f.write_text(html.replace(old, new), "utf-8")

    def remove_library_card(self, pseudonym: str) -> None:
        lib_path = self.root / "library.json"
        lib = json.loads(lib_path.read_text("utf-8"))
        lib["cards"] = [c for c in lib["cards"] if c["pseudonym"] != pseudonym]
        lib_path.write_text(json.dumps(lib, indent=1), "utf-8")
        if self.server is not None:
            self.server.reload()

    def set_route(self, host: str, path: str, **route: Any) -> None:
        """Change how a path is served (delay, flaky status, headers...)."""
        routes = self._routes()
        routes.setdefault(host, {}).setdefault(path, {}).update(route)
        self._save_routes(routes)
