"""Opaque, signed pagination cursors.

A cursor carries the sort values of the last hit (Elasticsearch's ``search_after``; the embedded
backend uses them the same way) and a fingerprint of the request it belongs to. It is signed
with HMAC so a tampered or foreign cursor is a 400, never a backend error.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from .base import SearchError


def fingerprint(request: Any) -> str:
    parts = {
        "q": request.q or "", "f": sorted((k, sorted(v)) for k, v in request.filters.items()),
        "yf": request.year_from, "yt": request.year_to, "s": request.sort,
        "sm": getattr(request, "smart_min", None), "t": type(request).__name__,
    }
    if getattr(request, "by_review", False):  # grouped pages: their own cursors
        parts["g"] = True
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def encode(values: list[Any], request: Any, key: bytes) -> str:
    body = json.dumps({"v": values, "f": fingerprint(request)}, separators=(",", ":")).encode()
    sig = hmac.new(key, body, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(sig + body).decode().rstrip("=")


def decode(token: str, request: Any, key: bytes) -> list[Any]:
    bad = SearchError("invalid cursor: use next_cursor from the previous page of the same search",
                      "cursor")
    if not token or len(token) > 2000:
        raise bad
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        raise bad from None
    sig, body = raw[:12], raw[12:]
    if not hmac.compare_digest(sig, hmac.new(key, body, hashlib.sha256).digest()[:12]):
        raise bad
    try:
        data = json.loads(body)
    except ValueError:
        raise bad from None
    if data.get("f") != fingerprint(request) or not isinstance(data.get("v"), list):
        raise bad
    return data["v"]
