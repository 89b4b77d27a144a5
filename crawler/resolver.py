"""DNS for the crawler: Scrapy's caching resolver plus a static host map and the address check.

Installed through the ``TWISTED_DNS_RESOLVER`` setting. ``crawler.hosts`` in config.yaml maps host
names to addresses (like ``curl --resolve``) so fixture sites with realistic names (``www.`` and
bare host, a second allowed host) run on 127.0.0.1; every resolved address then goes through
:func:`crawler.safety.check_address`, which refuses private and loopback addresses unless
``crawler.allow_private_hosts`` is true.
"""

from __future__ import annotations

from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

from .safety import check_address


class SafeResolver(CachingThreadedResolver):
    def __init__(self, reactor: Any, cache_size: int, timeout: float,
                 hosts: dict[str, str] | None = None, allow_private: bool = False):
        super().__init__(reactor, cache_size, timeout)
        self.hosts = {h.lower(): ip for h, ip in (hosts or {}).items()}
        self.allow_private = allow_private

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> SafeResolver:
        s = crawler.settings
        cache_size = s.getint("DNSCACHE_SIZE") if s.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, cache_size, s.getfloat("DNS_TIMEOUT"),
                   hosts=s.getdict("DHR_HOSTS"), allow_private=s.getbool("DHR_ALLOW_PRIVATE_HOSTS"))

    def getHostByName(self, name: str, timeout: Any = ()) -> defer.Deferred:
        mapped = self.hosts.get(name.lower().rstrip("."))
        d = defer.succeed(mapped) if mapped else super().getHostByName(name, timeout)

        def check(ip: str) -> str:
            check_address(name, ip, self.allow_private)
            return ip

        return d.addCallback(check)
