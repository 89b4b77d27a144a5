"""Downloader middlewares: safety (what may be fetched) and polite retries.

- ``SafetyMiddleware`` refuses any request outside the source's domains (also after redirects and
  for retries, which Scrapy's own offsite filter lets through) and URLs with a private / loopback /
  link-local IP literal unless ``crawler.allow_private_hosts`` (names are checked on resolution,
  ``crawler/resolver.py``).
- ``BackoffRetryMiddleware`` retries 5xx, 408 and 429 and network errors like Scrapy's
  ``RetryMiddleware`` but waits first: the server's ``Retry-After`` (seconds or HTTP date, capped)
  or an exponential backoff (``DHR_RETRY_BACKOFF`` x 2^n, capped at ``DHR_RETRY_BACKOFF_MAX``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
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

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        if (not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False)
                or host_of(request.url) in REFUSED_HOSTS):
            return None
        if self._may_retry(request):
            await _sleep(self._delay(request))
        return self._retry(request, exception)
