"""What the public may see of stored data: no location on the server, ever.

``dhr ingest PATH`` used to record a local file's sighting as ``file:///<absolute path>``, which
then became the Document's ``source.url`` (API, document pages, exports). New ingests record only
the file name (``orchestration/pipeline.py``) and the merge keeps non-web URLs out of ``source.url``
(``ingest/merge.py``); this module covers what was stored before: every answer the web app gets from
the search backend passes through :class:`PublicBackend`, which blanks any ``*url`` value that is
not a web address (http, https) or a link within this site.

It also keeps suppressed content out (takedown, ``dhr/takedown.py``): suppression removes a
document from the index at once, and, in case an index still held it (a replica restored from
an old snapshot), :class:`PublicBackend` asks the store's ``withheld`` table too and answers as
if the document did not exist.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from dhr.search.base import DocumentRequest, RecommendationRequest, SearchBackend, SearchResponse

PUBLIC_SCHEMES = ("", "http", "https")  # "": a link within this site (/api/v1/documents/...)


def is_public_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme == "" and (parts.netloc or not url.startswith(("/", "#"))):
        return False  # only site-absolute paths: a bare "C:..." or "home/x" is a local path
    return parts.scheme in PUBLIC_SCHEMES


def local_file_name(url: str) -> str:
    """``file:///srv/in/Report.pdf`` or ``local:Report.pdf`` -> ``Report.pdf``."""
    path = unquote(urlsplit(url).path if "://" in url else url.split(":", 1)[-1])
    return PurePosixPath(path.replace("\\", "/")).name


# What a human correction replaced stays with the tracker and the store (dhr/corrections.py):
# the public see the corrected value and who corrected it, when and why, never the old value
# (a correction may have replaced a name that should not have been published).
_CORRECTION_INTERNALS = ("replaced", "replaced_age_band", "underlying", "baseline", "old_value",
                         "target", "absent")


def _public_provenance(prov: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in prov.items() if k != "review_key_before_corrections"}
    if isinstance(out.get("corrections"), list):
        out["corrections"] = [{k: v for k, v in c.items() if k not in _CORRECTION_INTERNALS}
                              if isinstance(c, dict) else c for c in out["corrections"]]
    return out


def scrub(value: Any) -> Any:
    """``value`` with every ``url`` / ``*_url`` string that is not public set to None (and a
    correction's replaced values left out)."""
    if isinstance(value, dict):
        return {k: (None if isinstance(v, str) and _is_url_key(k) and not is_public_url(v)
                    else scrub(_public_provenance(v) if k == "provenance"
                               and isinstance(v, dict) else v)) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def _is_url_key(key: Any) -> bool:
    return isinstance(key, str) and (key == "url" or key.endswith("_url"))


class PublicBackend:
    """A search backend whose documents and results are scrubbed for the public (see above);
    everything else is the wrapped backend's own."""

    def __init__(self, backend: SearchBackend,
                 withheld: Callable[[list[tuple[str, str | None]]], set[str]] | None = None):
        self.backend = backend
        self._withheld = withheld

    def _hidden(self, results: list[dict[str, Any]]) -> set[str]:
        if self._withheld is None or not results:
            return set()
        return self._withheld([(str(r.get("document_id") or r.get("id") or ""),
                                r.get("review_key")) for r in results])

    def _visible(self, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # A review-level recommendation result lists its other printed copies: checked too.
        copies = [c for r in results if isinstance(r, dict)
                  for c in r.get("copies") or [] if isinstance(c, dict)]
        bad = self._hidden(results + copies)
        if not bad:
            return results

        def shown(r: dict[str, Any]) -> bool:
            return str(r.get("document_id") or r.get("id") or "") not in bad

        return [({**r, "copies": [c for c in r["copies"] if shown(c)]}
                 if isinstance(r.get("copies"), list) else r)
                for r in results if shown(r)]

    def _public(self, resp: SearchResponse) -> SearchResponse:
        return dataclasses.replace(_scrubbed(resp), results=self._visible(scrub(resp.results)))

    def __getattr__(self, name: str) -> Any:
        # Deny by default: whatever else the backend answers (a method added later, such as
        # the fallback searches) is scrubbed too.
        attr = getattr(self.backend, name)
        if not callable(attr):
            return attr

        def scrubbed(*args: Any, **kwargs: Any) -> Any:
            out = attr(*args, **kwargs)
            if isinstance(out, SearchResponse):
                return self._public(out)
            return scrub(out) if isinstance(out, (dict, list)) else out
        return scrubbed

    def get_document(self, doc_id: str, *, pages: bool = False) -> dict[str, Any] | None:
        doc = self.backend.get_document(doc_id, pages=pages)
        if doc is None or self._hidden([doc]):
            return None  # suppressed: the same answer as an unknown id
        return scrub(doc)

    def search(self, request: DocumentRequest) -> SearchResponse:
        return self._public(self.backend.search(request))

    def search_recommendations(self, request: RecommendationRequest) -> SearchResponse:
        return self._public(self.backend.search_recommendations(request))

    def search_with_fallback(self, request: DocumentRequest) -> SearchResponse:
        return self._public(self.backend.search_with_fallback(request))

    def search_recommendations_with_fallback(self, request: RecommendationRequest
                                             ) -> SearchResponse:
        return self._public(self.backend.search_recommendations_with_fallback(request))

    def similar(self, doc_id: str, *, size: int = 10) -> list[dict[str, Any]]:
        return self._visible(scrub(self.backend.similar(doc_id, size=size)))


def _scrubbed(resp: SearchResponse) -> SearchResponse:
    return dataclasses.replace(resp, results=scrub(resp.results))
