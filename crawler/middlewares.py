"""Downloader middlewares: safety (what may be fetched) and polite retries.

- ``SafetyMiddleware`` refuses any request outside the source's domains (also after redirects and
  for retries, which Scrapy's own offsite filter lets through) and URLs with a private / loopback /
  link-local IP literal unless ``crawler.allow_private_hosts`` (names are checked on resolution,
  ``crawler/resolver.py``). It also puts ``www.`` and bare hosts in one download slot: they are
  the same server, so they share its concurrency and delay.
- ``TombstoneMiddleware`` never requests a URL whose file was deleted by a legal order
  (``dhr/takedown.py``): the store's tombstones name it.
- ``PoliteRobotsTxtMiddleware`` is Scrapy's robots.txt middleware plus the ``Crawl-delay`` it
  ignores: requests to a host that asks for one start at least that many seconds apart (capped
  at ``DHR_MAX_CRAWL_DELAY``, so one odd robots.txt cannot stall a nightly run).
- ``BackoffRetryMiddleware`` retries 5xx, 408 and 429 and network errors like Scrapy's
  ``RetryMiddleware`` but waits first: the server's ``Retry-After`` (seconds or HTTP date, capped)
  or an exponential backoff (``DHR_RETRY_BACKOFF`` x 2^n, capped at ``DHR_RETRY_BACKOFF_MAX``).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message
from twisted.internet import reactor, task

from .safety import REFUSED_HOSTS, check_address, ip_literal
from .urls import host_in_domains, host_of


class SafetyMiddleware:
    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.allow_private = crawler.settings.getbool("DHR_ALLOW_PRIVATE_HOSTS")

    @classmethod
    def from_crawler(cls, crawler: Any) -> SafetyMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        host = host_of(request.url)
        if not request.url.startswith(("http://", "https://")):
            raise IgnoreRequest(f"offsite: unsupported URL scheme in {request.url}")
        spider = self.crawler.spider
        domains = list(getattr(spider, "allowed_domains", None) or [])
        if domains and not host_in_domains(host, domains):
            raise IgnoreRequest(f"offsite: {host} is not one of the source's domains")
        ip = ip_literal(host)
        if ip is not None:
            check_address(host, ip, self.allow_private)  # raises RefusedAddress
        request.meta.setdefault("download_slot", server_key(host))


class TombstoneMiddleware:
    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> TombstoneMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        from .urls import canonical_url

        spider = self.crawler.spider
        store = getattr(spider, "store", None)
        if store is None:
            return
        key = canonical_url(request.url, getattr(spider, "rules", None))
        if store.is_tombstoned_url(key) or store.is_tombstoned_url(request.url):
            spider.count("refused_deleted")
            raise IgnoreRequest(f"deleted by a legal order: {key} is not fetched again")


def server_key(host: str) -> str:
    """One key per server: ``www.example.gov.uk`` and ``example.gov.uk`` are the same site."""
    return host.removeprefix("www.")


def retry_after_seconds(response: Response, now: datetime | None = None) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


async def _sleep(seconds: float) -> None:
    if seconds > 0:
        await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))


class PoliteRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler: Any):
        super().__init__(crawler)
        self.max_crawl_delay = crawler.settings.getfloat("DHR_MAX_CRAWL_DELAY", 30.0)
        self._next_start: dict[str, float] = {}  # server key -> earliest start of its next request

    async def process_request(self, request: Request) -> None:  # type: ignore[override]
        await super().process_request(request)  # raises IgnoreRequest when disallowed
        if request.meta.get("dont_obey_robotstxt") or not request.url.startswith("http"):
            return
        delay = self._crawl_delay(request)
        if not delay:
            return
        key = request.meta.get("download_slot") or server_key(host_of(request.url))
        now = time.monotonic()
        start = max(now, self._next_start.get(key, 0.0))
        self._next_start[key] = start + delay
        await _sleep(start - now)

    def _crawl_delay(self, request: Request) -> float:
        parser = self._parsers.get(urlparse_cached(request).netloc)
        if parser is None or not hasattr(parser, "crawl_delay"):
            return 0.0  # no robots.txt, or still being fetched
        agent = self._robotstxt_useragent or request.headers.get(b"User-Agent",
                                                                 self._default_useragent)
        try:
            delay = parser.crawl_delay(agent)  # type: ignore[arg-type]  # None when no agent is set
        except Exception:  # noqa: BLE001 - a parser quirk must not stop the crawl
            return 0.0
        if not delay or delay <= 0:
            return 0.0
        if delay > self.max_crawl_delay:
            self.crawler.stats.inc_value("robotstxt/crawl_delay_capped")
        return min(float(delay), self.max_crawl_delay)


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: Any):
        super().__init__(settings)
        self.backoff = settings.getfloat("DHR_RETRY_BACKOFF", 1.0)
        self.backoff_max = settings.getfloat("DHR_RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("DHR_RETRY_AFTER_MAX", 300.0)

    def _delay(self, request: Request, response: Response | None = None) -> float:
        if response is not None:
            after = retry_after_seconds(response)
            if after is not None:
                return min(after, self.retry_after_max)
        n = request.meta.get("retry_times", 0)
        return min(self.backoff * (2 ** n), self.backoff_max)

    def _may_retry(self, request: Request) -> bool:
        if host_of(request.url) in REFUSED_HOSTS:
            return False
        limit = request.meta.get("max_retry_times", self.max_retry_times)
        return request.meta.get("retry_times", 0) < limit

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        if self._may_retry(request):
            await _sleep(self._delay(request, response))
        return self._retry(request, response_status_message(response.status)) or response

    async def process_exception(self, request: Request,  # type: ignore[override]
                                exception: Exception) -> Request | Response | None:
        if (not isinstance(exception, self.exceptions_to_retry)
            or request.meta.get("dont_retry", False)
                or host_of(request.url) in REFUSED_HOSTS):
            return None
        if self._may_retry(request):
            await _sleep(self._delay(request))
        return self._retry(request, exception)
