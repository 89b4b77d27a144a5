"""Safety rules for what the crawler may fetch (issue 5, item 9).

- Only the configured domains (a source's ``allowed_domains``, by default its start URLs' hosts
  without ``www.``) are fetched, including after redirects.
- Private, loopback, link-local and other non-public addresses are refused unless
  ``crawler.allow_private_hosts: true`` (tests and demos on 127.0.0.1). The check runs on the
  resolved address (``crawler/resolver.py``), so a public name pointing at an internal address is
  refused too, and on IP literals in URLs (``crawler/middlewares.py``).
"""

from __future__ import annotations

import ipaddress

from twisted.internet.error import DNSLookupError

# host -> why it was refused, so the failure can be reported in words (Twisted turns a resolver
# error into a bare "DNS lookup failed") and is not retried.
REFUSED_HOSTS: dict[str, str] = {}


class RefusedAddress(DNSLookupError):
    """A request was refused by the safety rules (not retried, reported as failed).

    A DNSLookupError so that Twisted's resolver plumbing treats it as a failed lookup quietly."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "refused"


def is_private_address(ip: str) -> bool:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    return (addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved
            or addr.is_multicast or addr.is_unspecified)


def ip_literal(host: str) -> str | None:
    """``host`` itself if it is an IP address literal, else None."""
    host = host.strip("[]")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def check_address(host: str, ip: str, allow_private: bool) -> None:
    """Raise :class:`RefusedAddress` if ``host`` (resolved to ``ip``) must not be fetched."""
    if not allow_private and is_private_address(ip):
        message = (f"refused: {host} resolves to non-public address {ip}"
                   " (set crawler.allow_private_hosts: true only for local test sites)")
        REFUSED_HOSTS[host.lower()] = message
        raise RefusedAddress(message)
