"""Evidence files attached to updates: what is accepted, how it is kept, how it is served.

Accepted: PDF, DOCX, PNG, JPEG and plain text, up to :data:`MAX_EVIDENCE_BYTES`. The type is
decided from the file's own bytes (its signature; a DOCX must be a ZIP holding
``word/document.xml``; text must be UTF-8 without control characters) and must agree with the
name's extension, so a renamed executable or an HTML page is refused whatever the browser
claims. Files are kept in the content-addressed evidence store (``<data_dir>/evidence``, a
:class:`dhr.store.CorpusStore` apart from the corpus, so they are never ingested as reports)
with the detected content type, which is the one they are served with (as an attachment,
under a sanitised name).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024

# extension -> (kind, content type)
TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "png": ("png", "image/png"),
    "jpg": ("jpeg", "image/jpeg"),
    "jpeg": ("jpeg", "image/jpeg"),
    "txt": ("text", "text/plain; charset=utf-8"),
}
ACCEPT = ".pdf,.docx,.png,.jpg,.jpeg,.txt"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class EvidenceError(ValueError):
    """The file is refused; the message says why, in words for the person uploading."""


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    filename: str  # sanitised
    ext: str
    content_type: str


def safe_filename(name: str | None, ext: str | None = None) -> str:
    """A download name without paths, control or quote characters, at most 120 characters."""
    base = Path((name or "").replace("\\", "/")).name
    base = unicodedata.normalize("NFKC", base)
    base = re.sub(r"[^\w.\- ()]+", "_", base).strip(" ._") or "evidence"
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ext or ""
    stem = stem[:100] or "evidence"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def sniff(content: bytes) -> str | None:
    """The kind of file the bytes are, among the accepted ones; None for anything else."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as z:
                return "docx" if "word/document.xml" in z.namelist() else None
        except zipfile.BadZipFile:
            return None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _CONTROL.search(text) or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        return None
    return "text"


def check_file(content: bytes, filename: str | None) -> CheckedFile:
    if not content:
        raise EvidenceError("The selected file is empty")
    if len(content) > MAX_EVIDENCE_BYTES:
        raise EvidenceError(f"The selected file must be smaller than "
                            f"{MAX_EVIDENCE_BYTES // (1024 * 1024)} MB")
    ext = Path(filename or "").suffix.lower().lstrip(".")
    if ext not in TYPES:
        raise EvidenceError("The selected file must be a PDF, DOCX, PNG, JPEG or plain text file")
    kind, content_type = TYPES[ext]
    if sniff(content) != kind:
        raise EvidenceError(f"The selected file is not a real {ext.upper()} file")
    return CheckedFile(content, safe_filename(filename, ext), ext, content_type)


def _store(data_dir: str | Path):
    from dhr.store import CorpusStore

    return CorpusStore(Path(data_dir) / "evidence")


def store_file(data_dir: str | Path, checked: CheckedFile) -> tuple[str, str]:
    """Keep the file; returns (sha256, sanitised name) for the update row."""
    store = _store(data_dir)
    try:
        put = store.put(checked.content, ext=checked.ext, filename=checked.filename,
                        content_type=checked.content_type)
    finally:
        store.close()
    return put.sha256, checked.filename


def open_file(data_dir: str | Path, sha256: str, filename: str) -> tuple[Path, str] | None:
    """(path, content type) of a stored evidence file; None if it is not in the store. The type
    is the one recorded at upload, else the one its name's extension implies, else a download."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        return None
    store = _store(data_dir)
    try:
        if not store.has_file(sha256):
            return None
        info = store.file_info(sha256) or {}
        path = store.file_path(sha256)
    finally:
        store.close()
    ext = Path(filename).suffix.lower().lstrip(".")
    content_type = info.get("content_type") or TYPES.get(ext, ("", "application/octet-stream"))[1]
    return path, content_type
