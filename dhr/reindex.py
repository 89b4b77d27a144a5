"""Index stored Documents again at once (a correction changed them), on the search backend.

Lives in the core so that the tracker (``accountability.corrections``) can make a correction
visible at once without reaching up to the pipeline; suppressed documents stay out and DHRD
tags are added, as in every other index write.
"""

from __future__ import annotations

from typing import Any

from .enrichment.index import enrich
from .search.base import SearchBackend
from .store import CorpusStore
from .takedown import publishable


def reindex_documents(store: CorpusStore, backend: SearchBackend,
                      shas: list[str]) -> dict[str, Any]:
    """Index these stored Documents now (a correction changed them) and make them visible to
    searches and facet counts at once. Raises :class:`BackendUnavailable` when the backend
    cannot be reached; they stay pending for the next ``dhr ingest`` / ``dhr nightly``."""
    # suppressed documents stay out (takedown); DHRD tags added (enrichment)
    docs = list(enrich(publishable(store, (store.get_document(s) for s in dict.fromkeys(shas))),
                       store.root))
    if not docs:
        return {"indexed": 0, "failed": []}
    backend.ensure_indices()
    report = backend.index_documents(docs)
    bad = {f["id"] for f in report.failed}
    ok = [d for d in docs if d.id not in bad]
    for version in {d.extractor_version for d in ok}:
        store.mark_indexed([d.id for d in ok if d.extractor_version == version], backend.name,
                           version)
    backend.refresh()
    return {"indexed": len(ok), "failed": report.failed}
