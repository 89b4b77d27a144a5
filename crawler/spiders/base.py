"""What every source spider shares: one spider instance per configured source.

- builds requests (with If-None-Match / If-Modified-Since for URLs already in the catalog, so an
  unchanged file costs a 304 instead of its bytes);
- turns responses into store items: a document (type from the bytes), ``NotModified`` (304) or
  ``Gone`` (404/410);
- keeps the run's bookkeeping in ``self.state`` (counts, report URLs seen, failures), which
  Scrapy's JOBDIR persists, so an interrupted crawl resumes with its counts and its list of
  what was still linked;
- records why a request failed, in words a person can act on.

Concrete spiders: ``site.py`` (council / CSP websites) and ``homeoffice_library.py``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TimeoutError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

from dhr.config import Config, SourceConfig
from dhr.store import CorpusStore, utcnow

from ..config_settings import settings_from_config
from ..filetypes import detect_document_type, disposition_filename
from ..items import FetchedReport, Gone, NotModified
from ..rules import load_rules
from ..safety import REFUSED_HOSTS, RefusedAddress
from ..urls import canonical_url, default_allowed_domains, host_in_domains, host_of

HANDLED_STATUSES = [304, 404, 410]
COUNTERS = ("pages_visited", "new", "changed", "unchanged", "withdrawn", "bytes_downloaded",
            "skipped_distractors", "skipped_robots", "skipped_offsite", "skipped_not_reports")


class SourceSpider(scrapy.Spider):
    """Base class; ``crawler.spiders.spider_for_source`` makes one subclass per source."""

    source: ClassVar[SourceConfig]
    dhr_config: ClassVar[Config]

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        if getattr(cls, "dhr_config", None) is not None:
            settings.setdict(settings_from_config(cls.dhr_config), priority="spider")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rules = load_rules()
        self.allowed_domains = list(self.source.allowed_domains
                                    or default_allowed_domains(self.source.start_urls))
        self.state: dict[str, Any] = {}  # replaced by the persisted state when JOBDIR is set
        self._store: CorpusStore | None = None
        self._catalog: dict[str, dict[str, Any]] | None = None

    # -- run bookkeeping (persisted across an interrupted run by JOBDIR) --------------------
    @property
    def run(self) -> dict[str, Any]:
        st = self.state
        if "counts" not in st:
            st.update(counts=dict.fromkeys(COUNTERS, 0), report_urls=set(), failed={},
                      broken_links={}, pages_failed=0, start_failed=[], started=utcnow(),
                      parts=0, elapsed_before=0.0)
        return st

    def count(self, key: str, n: int = 1) -> None:
        self.run["counts"][key] = self.run["counts"].get(key, 0) + n

    def fail(self, url: str, reason: str, *, role: str = "report", start: bool = False) -> None:
        self.run["failed"][canonical_url(url, self.rules)] = {"url": url, "reason": reason}
        if role == "page":
            self.run["pages_failed"] += 1
        if start:
            self.run["start_failed"].append({"url": url, "reason": reason})

    def succeeded(self, url: str) -> None:
        self.run["failed"].pop(canonical_url(url, self.rules), None)

    # -- store access ----------------------------------------------------------------------
    @property
    def store(self) -> CorpusStore:
        if self._store is None:
            self._store = CorpusStore(self.dhr_config.data_dir)
        return self._store

    @property
    def catalog(self) -> dict[str, dict[str, Any]]:
        """This source's URLs already in the catalog (catalog URL -> url_info)."""
        if self._catalog is None:
            self._catalog = {i["url"]: i for i in self.store.urls_for_source(self.source.name)}
        return self._catalog

    def closed(self, reason: str) -> None:
        if self._store is not None:
            self._store.close()

    # -- requests ----------------------------------------------------------------------------
    def allowed(self, url: str) -> bool:
        return host_in_domains(host_of(url), self.allowed_domains)

    def request_for(self, url: str, *, role: str, depth: int, callback: Any = None,
                    link: dict[str, Any] | None = None, priority: int = 0) -> Request:
        key = canonical_url(url, self.rules)
        headers: dict[str, str] = {}
        info = self.catalog.get(key)
        if info and info.get("sha256") and self.store.has_file(info["sha256"]):
            if info.get("etag"):
                headers["If-None-Match"] = info["etag"]
            if info.get("last_modified"):
                headers["If-Modified-Since"] = info["last_modified"]
        return Request(
            url, callback=callback or self.parse, errback=self.on_error, headers=headers,
            priority=priority, dont_filter=False,
            meta={"dhr_role": role, "dhr_depth": depth, "dhr_link": link or {},
                  "handle_httpstatus_list": HANDLED_STATUSES},
        )

    # -- responses -------------------------------------------------------------------------
    def handled_status(self, response: Response) -> list[Any] | None:
        """Items for a 304/404/410 response, or None for a normal response."""
        key = canonical_url(original_url(response), self.rules)
        link = response.meta.get("dhr_link", {})
        if response.status == 304:
            self.succeeded(original_url(response))
            self.run["report_urls"].add(key)
            return [NotModified(self.source.name, key)]
        if response.status in (404, 410):
            if link.get("start"):
                self.fail(response.url, f"HTTP {response.status}: start page not found",
                          role="page", start=True)
                return []
            return [Gone(self.source.name, key, original_url(response), response.status,
                         link.get("found_on"))]
        return None

    def document_item(self, response: Response, metadata: dict[str, Any]) -> FetchedReport | None:
        """A ``FetchedReport`` if the body is a review document format, else None."""
        ctype = _header(response, "Content-Type")
        filename = disposition_filename(response.headers.get("Content-Disposition"))
        ext = detect_document_type(response.body, ctype, filename)
        if ext is None:
            return None
        if not filename:
            last = response.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
            filename = last if "." in last else f"{last or 'document'}.{ext}"
        request_url = original_url(response)
        key = canonical_url(request_url, self.rules)
        self.run["report_urls"].add(key)
        self.count("bytes_downloaded", len(response.body))
        self.succeeded(request_url)
        meta = {k: v for k, v in metadata.items() if v not in (None, "", [], {})}
        if canonical_url(response.url, self.rules) != key:
            meta["final_url"] = response.url
        return FetchedReport(
            source=self.source.name, url=key, fetched_url=request_url, final_url=response.url,
            body=response.body, ext=ext, filename=filename, content_type=ctype,
            etag=_header(response, "ETag"), last_modified=_header(response, "Last-Modified"),
            http_status=response.status, metadata=meta,
        )

    # -- failures ----------------------------------------------------------------------------
    def on_error(self, failure: Failure) -> None:
        request: Request = failure.request  # type: ignore[attr-defined]
        role = request.meta.get("dhr_role", "report")
        start = bool(request.meta.get("dhr_link", {}).get("start"))
        exc = failure.value
        url = original_url(request)
        if isinstance(exc, IgnoreRequest) and not isinstance(exc, HttpError):
            text = str(exc).lower()
            self.count("skipped_robots" if "robots" in text else "skipped_offsite")
            self.run["report_urls"].discard(canonical_url(url, self.rules))  # cannot be fetched
            if start:
                self.fail(url, f"not fetched: {exc}", role="page", start=True)
            return
        self.fail(url, failure_reason(failure, request, self.settings), role=role, start=start)


def failure_reason(failure: Failure, request: Request, settings: Any) -> str:
    """A short reason a person can act on ("timeout after 60s", "HTTP 503 after 3 retries")."""
    exc = failure.value
    retries = request.meta.get("retry_times", 0)
    after = f" after {retries} retries" if retries else ""
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status}{after}"
    inner = exc
    if isinstance(exc, ResponseNeverReceived) and exc.reasons:
        inner = exc.reasons[0].value
    if isinstance(inner, RefusedAddress):
        return str(inner)
    if host_of(request.url) in REFUSED_HOSTS:
        return REFUSED_HOSTS[host_of(request.url)]
    if isinstance(exc, (DownloadTimeoutError, TimeoutError)):
        return f"timeout after {settings.getfloat('DOWNLOAD_TIMEOUT'):g}s{after}"
    if isinstance(exc, (CannotResolveHostError, DNSLookupError)):
        return f"DNS lookup failed for {host_of(request.url)}{after}"
    if isinstance(exc, (DownloadConnectionRefusedError, ConnectionRefusedError)):
        return f"connection refused{after}"
    if isinstance(exc, (DownloadCancelledError, CancelledError)) and "max" in str(exc).lower():
        return f"too large (over {_size(settings.getint('DOWNLOAD_MAXSIZE'))})"
    return f"{inner.__class__.__name__}: {inner}{after}"[:300]


def _size(n: int) -> str:
    return f"{n / 1048576:g} MB" if n >= 1048576 else f"{n / 1024:.0f} KB"


def original_url(r: Response | Request) -> str:
    """The URL as linked, before any redirect (its catalog URL is the record's identity)."""
    redirects = r.meta.get("redirect_urls") if r.meta else None
    if redirects:
        return redirects[0]
    if isinstance(r, Response):
        return r.request.url if r.request is not None else r.url
    return r.url


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() if value else None
