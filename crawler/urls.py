"""URL identity: one report is one catalog record, however a site links to it.

Council sites link the same file as ``www.`` and bare host, through old CMS host names, with
tracking query strings (``utm_source`` ...), fragments and default ports. :func:`canonical_url` maps
all of those to one URL; it is the key under which the store records sightings and the basis of
the crawler's request de-duplication (``CanonicalRequestFingerprinter``). Requests themselves go to
the URL as linked: only identity is normalised, never what is fetched.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from .rules import Rules, load_rules

DEFAULT_PORTS = {"http": 80, "https": 443}


def strip_www(host: str) -> str:
    host = host.lower().rstrip(".")
    for prefix in ("www.", "www1.", "www2."):
        if host.startswith(prefix) and host.count(".") >= 2:
            return host[len(prefix):]
    return host


def canonical_host(host: str, rules: Rules | None = None) -> str:
    rules = rules or load_rules()
    host = strip_www(host)
    return rules.host_aliases.get(host, host)


def canonical_url(url: str, rules: Rules | None = None) -> str:
    """The catalog identity of ``url`` (see module docstring)."""
    rules = rules or load_rules()
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = canonical_host(parts.hostname or "", rules)
    port = parts.port
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not rules.is_tracking_param(k)]
    rebuilt = urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))
    # w3lib sorts the query and normalises percent-encoding, so equal URLs compare equal.
    return canonicalize_url(rebuilt, keep_fragments=False)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def default_allowed_domains(start_urls: list[str]) -> list[str]:
    """The start URLs' hosts without ``www.``, so bare host and sub-domains are allowed too."""
    out: list[str] = []
    for url in start_urls:
        d = strip_www(host_of(url))
        if d and d not in out:
            out.append(d)
    return out


def host_in_domains(host: str, domains: list[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


class CanonicalRequestFingerprinter:
    """Scrapy request fingerprinter keyed on :func:`canonical_url`: ``www``/bare host and
    tracking-parameter duplicates are fetched once per run."""

    def __init__(self, crawler=None):
        self._cache: dict[tuple[str, str, bytes], bytes] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def fingerprint(self, request) -> bytes:
        key = (request.method, request.url, request.body or b"")
        fp = self._cache.get(key)
        if fp is None:
            h = hashlib.sha1()
            h.update(request.method.encode())
            h.update(canonical_url(request.url).encode())
            h.update(request.body or b"")
            fp = self._cache[key] = h.digest()
        return fp
