"""Ingest pipeline: store files, extract them in isolated workers, merge source metadata, index.

Used by ``dhr ingest``, ``dhr index --rebuild`` and ``dhr nightly`` (``orchestration/nightly.py``).
The stages, each restartable because its state lives in the store's catalog:

1. :func:`extract_pending`: files not yet extracted by the current extractor version -> Documents,
   merged with what the sources say (``ingest/merge.py``); a file that cannot be extracted is
   quarantined with its reason and the batch goes on;
2. :func:`sync_sources`: files whose sources changed (taken down, new library metadata) are
   merged again, and a review's documents are linked (``ingest/resync.py``);
3. :func:`index_pending`: Documents the backend does not hold in their current form are indexed
   in batches (one transaction each on SQLite, bulk requests on Elasticsearch); a backend that
   cannot be reached leaves them pending for the next run.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from dhr.config import Config
from dhr.document import Document
from dhr.enrichment.index import enrich
from dhr.search.base import BackendUnavailable, SearchBackend
from dhr.store import SAFE_EXTENSIONS, CorpusStore, TombstonedError
from dhr.takedown import publishable, withdraw_late
from ingest.resync import MergeState, relink_reviews, resync_sources, store_merged

INDEX_BATCH = 100


def _iter_files(paths: Iterable[Path]) -> Iterable[Path]:
    for p in paths:
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.is_file() and not child.name.startswith(".") and \
                        not child.name.endswith((".truth.json", ".layout.json")):
                    yield child
        elif p.is_file():
            yield p


class _Progress:
    def __init__(self, total: int, enabled: bool, label: str):
        self.total, self.enabled, self.label, self.done = total, enabled and total > 0, label, 0
        self.start = time.monotonic()

    def step(self, n: int = 1) -> None:
        self.done += n
        if self.enabled:
            width = 30
            filled = int(width * self.done / self.total)
            rate = self.done / max(time.monotonic() - self.start, 1e-6)
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
                             f"{self.done}/{self.total} ({rate:.1f}/s)")
            sys.stderr.flush()
            if self.done >= self.total:
                sys.stderr.write("\n")


def local_url(filename: str) -> str:
    """How a file ingested from local disk is recorded as seen: ``local:<file name>``."""
    return "local:" + quote(filename)


def store_local_files(store: CorpusStore, paths: list[Path]) -> list[str]:
    shas = []
    for path in _iter_files(paths):
        ext = path.suffix.lower().lstrip(".")
        try:
            res = store.put(path.read_bytes(), ext=ext if ext in SAFE_EXTENSIONS else "bin",
                            filename=path.name)
        except TombstonedError:
            continue  # deleted by a legal order: never stored again
        # The file's name only: a path on this server must never reach anything public.
        store.record_sighting(local_url(path.name), res.sha256, source="local")
        shas.append(res.sha256)
    return list(dict.fromkeys(shas))


def extract_pending(cfg: Config, store: CorpusStore, shas: list[str], *,
                    progress: bool = False) -> tuple[list[str], list[dict[str, str]]]:
    """Extract these stored files; returns (extracted ids, quarantined [{sha256, file, reason}])."""
    from ingest.extract import EXTRACTOR_VERSION, extract_many

    done: list[str] = []
    quarantined: list[dict[str, str]] = []
    if not shas:
        return done, quarantined  # (starting the worker processes takes seconds)
    by_path = {store.file_path(s): s for s in shas}
    bar = _Progress(len(by_path), progress, "extract")
    processes = max(1, min(2, os.cpu_count() or 1))
    state = MergeState(store)
    try:
        for path, outcome in extract_many(list(by_path), processes=processes):
            sha = by_path[path]
            info = store.file_info(sha) or {}
            if isinstance(outcome, Document):
                doc = outcome.model_copy(update={"filename": info.get("filename")
                                                 or outcome.filename})
                store.invalidate_index([sha])
                store_merged(store, state, doc)
                done.append(sha)
            else:
                reason = f"{outcome.reason}: {outcome.message}"
                store.quarantine(sha, reason, EXTRACTOR_VERSION)
                quarantined.append({"sha256": sha, "file": info.get("filename") or path.name,
                                    "reason": reason})
            bar.step()
    finally:
        state.close()
    return done, quarantined


def sync_sources(store: CorpusStore, touched: list[str]) -> dict[str, list[str]]:
    """Re-merge files whose sources changed, then link the touched reviews' documents."""
    state = MergeState(store)
    try:
        synced = resync_sources(store, state)
        relinked = relink_reviews(store, state, list(dict.fromkeys(touched + synced["remerged"])))
    finally:
        state.close()
    return {**synced, "relinked": relinked}


def index_pending(store: CorpusStore, backend: SearchBackend) -> dict[str, Any]:
    """Index every extracted Document the backend does not hold in its current form.

    Raises :class:`BackendUnavailable` if the backend cannot be reached; what was indexed before
    stays recorded, the rest stays pending. If the backend holds fewer documents than the
    catalog says (an emptied or replaced index), everything is indexed again.
    """
    backend.ensure_indices()
    recorded = store.indexed_count(backend.name)
    reset = False
    if recorded and backend.count() < recorded:
        store.clear_index_state(backend.name)
        reset = True
    pending = store.pending_index(backend.name)
    indexed, failed = 0, []
    for i in range(0, len(pending), INDEX_BATCH):
        batch = publishable(store, (store.get_document(s) for s in pending[i:i + INDEX_BATCH]))
        batch = list(enrich(batch, store.root))
        report = backend.index_documents(batch)
        bad = {f["id"] for f in report.failed}
        bad |= withdraw_late(store, backend, [d for d in batch if d.id not in bad])
        ok = [d for d in batch if d.id not in bad]
        for version in {d.extractor_version for d in ok}:
            store.mark_indexed([d.id for d in ok if d.extractor_version == version],
                               backend.name, version)
        indexed += len(ok)
        failed += report.failed
    if pending:
        backend.refresh()
    return {"indexed": indexed, "failed": failed, "pending": len(pending),
            "index_was_reset": reset}


def ingest_paths(cfg: Config, paths: list[Path], *, backend: SearchBackend,
                 progress: bool = False) -> dict[str, Any]:
    from ingest.extract import EXTRACTOR_VERSION

    store = CorpusStore(cfg.data_dir)
    store.repair()
    if paths:
        shas = store_local_files(store, paths)
        todo = [s for s in shas if (store.file_info(s) or {}).get("extractor_version")
                != EXTRACTOR_VERSION or (store.file_info(s) or {}).get("status") == "pending"]
        unchanged = len(shas) - len(todo)
    else:
        todo = store.pending_extraction(EXTRACTOR_VERSION)
        unchanged = 0
    done, quarantined = extract_pending(cfg, store, todo, progress=progress)
    sync_sources(store, done)
    try:
        idx = index_pending(store, backend)
        index_failed = len(idx["failed"])
    except BackendUnavailable:
        index_failed = len(done)
    return {"ingested": len(done), "unchanged": unchanged,
            "failed": len(quarantined) + index_failed, "quarantined": quarantined}


def rebuild_index(cfg: Config, backend: SearchBackend) -> dict[str, Any]:
    store = CorpusStore(cfg.data_dir)
    # suppressed documents stay out (takedown); DHRD tags added (enrichment)
    docs = list(enrich(publishable(store, store.documents()), cfg.data_dir))
    report = backend.rebuild(iter(docs))
    store.clear_index_state(backend.name)
    bad = {f["id"] for f in report.failed}
    bad |= withdraw_late(store, backend, [d for d in docs if d.id not in bad])
    for d in docs:
        if d.id not in bad:
            store.mark_indexed([d.id], backend.name, d.extractor_version)
    return {"indexed": report.indexed, "failed": len(report.failed)}
