"""What the spiders hand to the store pipeline (``crawler/pipelines.py``).

Three outcomes of fetching a report URL: the bytes (``FetchedReport``), "not modified" for a
conditional request (``NotModified``), or gone from the site (``Gone``: 404/410). ``url`` is always
the catalog identity (``crawler.urls.canonical_url``) of the URL as linked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FetchedReport:
    source: str
    url: str                 # catalog URL
    fetched_url: str         # URL as linked and requested
    final_url: str           # after redirects
    body: bytes = field(repr=False)
    ext: str = "bin"
    filename: str | None = None      # display name only (never a path)
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    http_status: int = 200
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class NotModified:
    source: str
    url: str
    http_status: int = 304


@dataclass
class Gone:
    source: str
    url: str
    fetched_url: str
    http_status: int
    found_on: str | None = None
