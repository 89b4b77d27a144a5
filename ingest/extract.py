"""Entry points of the extraction engine: file or bytes -> clean, structured ``Document``.

Flow: ``detect.py`` names the format from the bytes -> ``registry.py`` picks the format module,
which returns a ``RawDocument`` -> ``clean.py`` removes boilerplate -> ``sections.py`` builds
the outline -> an ``Extracted`` (pages, tables, sections) -> the contract ``Document``, which
``understanding.understand`` (metadata, agencies, themes, recommendations) fills further when that
module is present. ``extract_isolated`` / ``extract_many`` run the same in worker processes with
time and memory limits (``worker.py``); the CLI and ingest use those for untrusted files.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

from dhr.document import Document
from ingest.clean import clean_pages, clean_tables, page_text
from ingest.detect import detect
from ingest.errors import ExtractionError, Quarantined
from ingest.extracted import Extracted
from ingest.registry import extractor_for
from ingest.sections import build_outline, find_title

__all__ = [
    "EXTRACTOR_VERSION",
    "Extracted",
    "ExtractionError",
    "Quarantined",
    "extract_bytes",
    "extract_file",
    "extract_isolated",
    "extract_many",
    "extract_structured",
    "extract_structured_bytes",
    "to_document",
]

EXTRACTOR_VERSION = "1.2.0"  # bump when extraction output changes: stored files get re-extracted
MAX_FILE_BYTES = 300 * 1024 * 1024

log = logging.getLogger(__name__)


def extract_structured_bytes(content: bytes) -> Extracted:
    """Clean page texts, tables, outline and title of a file's bytes (no understanding)."""
    if len(content) > MAX_FILE_BYTES:
        raise ExtractionError("too_large", f"{len(content)} bytes (limit {MAX_FILE_BYTES})")
    found = detect(content)
    if found.empty:
        raise ExtractionError("empty", "the file is empty")
    if found.format is None:
        raise ExtractionError("unsupported", f"unsupported format: {found.detail}")
    extractor = extractor_for(found.format)
    if extractor is None:
        raise ExtractionError("unsupported", f"no extractor for {found.format}")
    raw = extractor(content)
    blocks = clean_pages(raw.pages)
    pages = [page_text(b) for b in blocks]
    if not any(p.strip() for p in pages):
        warnings = raw.meta.get("warnings") or []
        detail = f" ({warnings[0]})" if warnings else ""
        raise ExtractionError("empty", f"no text found in the {found.format} file{detail}")
    title = find_title(blocks, _clean_title(raw.title))
    return Extracted(
        format=raw.format,
        pages=pages,
        tables=clean_tables(raw.tables),
        sections=build_outline(blocks, title=title),
        title=title,
        ocr_pages=sorted(raw.ocr_pages),
        meta=raw.meta,
        blocks=blocks,
    )


def extract_structured(path: Path) -> Extracted:
    return extract_structured_bytes(_read(path))


def to_document(extracted: Extracted, content: bytes, *, filename: str | None = None,
                understanding: bool = True) -> Document:
    """The contract Document for an extraction, understood further when ``understanding.understand``
    exists (written separately; optional here) and ``understanding`` is on."""
    document = Document(
        id=hashlib.sha256(content).hexdigest(),
        filename=filename,
        format=extracted.format,  # type: ignore[arg-type]
        extractor_version=EXTRACTOR_VERSION,
        page_count=extracted.page_count,
        ocr_pages=extracted.ocr_pages,
        title=extracted.title,
        sections=extracted.sections,
        pages=extracted.pages,
    )
    understand = _understand() if understanding else None
    if understand is None:
        return document
    return understand(extracted, document)


def extract_bytes(content: bytes, *, filename: str | None = None) -> Document:
    return to_document(extract_structured_bytes(content), content, filename=filename)


def extract_file(path: Path, *, filename: str | None = None) -> Document:
    path = Path(path)
    content = _read(path)
    return to_document(extract_structured_bytes(content), content, filename=filename or path.name)


def extract_isolated(path: Path, *, timeout: float = 120, memory_mb: int = 2048,
                     filename: str | None = None) -> Document | Quarantined:
    """``extract_file`` in a worker process with a time and memory limit; never raises for bad
    input.
    The worker is forked straight from this process when that is safe (``WorkerPool(lean=True)``):
    a one-off extraction then costs no second interpreter."""
    from ingest.worker import WorkerPool

    with WorkerPool(processes=1, timeout=timeout, memory_mb=memory_mb, lean=True) as pool:
        return pool.run(Path(path), filename=filename)


def extract_many(paths: Iterable[Path], *, processes: int = 1, timeout: float = 120,
                 memory_mb: int = 2048) -> Iterator[tuple[Path, Document | Quarantined]]:
    """Extract files in ``processes`` workers; yields (path, outcome) as each finishes."""
    from ingest.worker import WorkerPool

    with WorkerPool(processes=processes, timeout=timeout, memory_mb=memory_mb) as pool:
        yield from pool.map(Path(p) for p in paths)


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ExtractionError("corrupt", f"cannot read the file ({exc.strerror})") from exc
    if size > MAX_FILE_BYTES:
        raise ExtractionError("too_large", f"{size} bytes (limit {MAX_FILE_BYTES})")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ExtractionError("corrupt", f"cannot read the file ({exc.strerror})") from exc


def _clean_title(title: str | None) -> str | None:
    from ingest.clean import clean_text

    return clean_text(title) or None if title else None


def _understand():
    try:
        module = importlib.import_module("understanding.understand")
    except ModuleNotFoundError as exc:
        if exc.name in ("understanding.understand",):
            return None
        raise
    return getattr(module, "understand", None)
