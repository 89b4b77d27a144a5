"""Ingest pipeline: store files, extract them in isolated workers, merge source metadata, index.

Used by ``dhr ingest``, ``dhr index --rebuild`` and ``dhr nightly``. A file that cannot be
extracted is quarantined with its reason and the batch goes on; a backend that cannot be reached
leaves the extracted Documents marked as not yet indexed, for the next run.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .config import Config
from .document import Document
from .merge import merge_document
from .search.base import BackendUnavailable, SearchBackend
from .store import SAFE_EXTENSIONS, CorpusStore

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


def store_local_files(store: CorpusStore, paths: list[Path]) -> list[str]:
    shas = []
    for path in _iter_files(paths):
        ext = path.suffix.lower().lstrip(".")
        res = store.put(path.read_bytes(), ext=ext if ext in SAFE_EXTENSIONS else "bin",
                        filename=path.name)
        store.record_sighting(path.resolve().as_uri(), res.sha256, source="local")
        shas.append(res.sha256)
    return list(dict.fromkeys(shas))


def extract_pending(cfg: Config, store: CorpusStore, shas: list[str], *,
                    progress: bool = False) -> tuple[list[str], list[dict[str, str]]]:
    """Extract these stored files; returns (extracted ids, quarantined [{sha256, file, reason}])."""
    from ingest.extract import EXTRACTOR_VERSION, extract_many

    done, quarantined = [], []
    by_path = {store.file_path(s): s for s in shas}
    bar = _Progress(len(by_path), progress, "extract")
    processes = max(1, min(2, os.cpu_count() or 1))
    for path, outcome in extract_many(list(by_path), processes=processes):
        sha = by_path[path]
        info = store.file_info(sha) or {}
        if isinstance(outcome, Document):
            doc = outcome.model_copy(update={"filename": info.get("filename") or outcome.filename})
            doc = merge_document(doc, store.sightings_of(sha))
            store.put_document(doc)
            done.append(sha)
        else:
            reason = f"{outcome.reason}: {outcome.message}"
            store.quarantine(sha, reason, EXTRACTOR_VERSION)
            quarantined.append({"sha256": sha, "file": info.get("filename") or path.name,
                                "reason": reason})
        bar.step()
    return done, quarantined


def index_pending(store: CorpusStore, backend: SearchBackend) -> dict[str, Any]:
    """Index every extracted Document the backend does not have in its current version."""
    pending = store.pending_index(backend.name)
    indexed, failed = 0, []
    for i in range(0, len(pending), INDEX_BATCH):
        batch = [d for d in (store.get_document(s) for s in pending[i:i + INDEX_BATCH]) if d]
        report = backend.index_documents(batch)
        bad = {f["id"] for f in report.failed}
        ok = [d for d in batch if d.id not in bad]
        for d in ok:
            store.mark_indexed([d.id], backend.name, d.extractor_version)
        indexed += len(ok)
        failed += report.failed
    backend.refresh()
    return {"indexed": indexed, "failed": failed, "pending": len(pending)}


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
    try:
        idx = index_pending(store, backend)
        index_failed = len(idx["failed"])
    except BackendUnavailable:
        index_failed = len(done)
    return {"ingested": len(done), "unchanged": unchanged,
            "failed": len(quarantined) + index_failed, "quarantined": quarantined}


def rebuild_index(cfg: Config, backend: SearchBackend) -> dict[str, Any]:
    store = CorpusStore(cfg.data_dir)
    docs = list(store.documents())
    report = backend.rebuild(iter(docs))
    store.clear_index_state(backend.name)
    bad = {f["id"] for f in report.failed}
    for d in docs:
        if d.id not in bad:
            store.mark_indexed([d.id], backend.name, d.extractor_version)
    return {"indexed": report.indexed, "failed": len(report.failed)}
