"""``dhr dhrd import``: read the DHRD folder, match its incidents to reviews, store, re-index.

The reviews are the store's current Documents grouped by review_key. The match replaces the
previous import (enrichment store); Documents whose review gained, lost or changed DHRD tags
are marked for indexing again, and indexed at once when the search backend is reachable (else
the next ``dhr ingest`` / ``dhr nightly`` does it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dhr.config import Config
from dhr.enrichment.dhrd import DatasetError, dataset_fingerprint, now_iso, read_dataset
from dhr.enrichment.matching import MatchReport, match_incidents, reviews_of
from dhr.enrichment.store import EnrichmentStore
from dhr.search.base import BackendUnavailable, SearchBackend
from dhr.store import CorpusStore


@dataclass
class ImportResult:
    report: MatchReport
    reviews: int
    reindexed: int
    index_pending: bool  # the backend could not be reached: re-indexed on the next run


def import_dhrd(cfg: Config, folder: Path | None, backend: SearchBackend | None
                ) -> ImportResult:
    """Import the DHRD folder; with ``folder`` None, match the incidents of the last import
    again (after new reviews were ingested)."""
    from .pipeline import index_pending

    enrichment = EnrichmentStore(cfg.data_dir)
    if folder is None:
        incidents = enrichment.incidents()
        last = enrichment.last_import()
        if not incidents or last is None:
            enrichment.close()
            raise DatasetError("no DHRD import to match again: give the DHRD folder")
        source, files = str(last["source"]), dict(last["files"])
    else:
        incidents = read_dataset(folder)
        source, files = str(folder.resolve()), dataset_fingerprint(folder)
    store = CorpusStore(cfg.data_dir)
    try:
        docs = list(store.documents())
        reviews = reviews_of(docs)
        report = match_incidents(incidents, reviews)
        before = enrichment.tags_by_review()
        enrichment.replace_dhrd(incidents, report, source=source, files=files,
                                imported_at=now_iso())
        after = enrichment.tags_by_review()
        changed = {k for k in set(before) | set(after)
                   if (before.get(k) and before[k].tags) != (after.get(k) and after[k].tags)}
        shas = [d.id for d in docs if (d.review_key or d.id) in changed]
        store.invalidate_index(shas)
        pending = False
        if backend is not None and shas:
            try:
                index_pending(store, backend)
            except BackendUnavailable:
                pending = True
        return ImportResult(report, len(reviews), len(shas), pending)
    finally:
        enrichment.close()
        store.close()
