"""Serving an original report file from the store: content type and a safe download name.

Files are addressed only by their sha256 (never by a path a client sends). The download name
comes from the store's recorded filename, cleaned to printable characters with the stored
extension, so it cannot carry a path, quotes or header-splitting characters; werkzeug adds the
RFC 6266 ``filename*`` form for non-ASCII names. Stored HTML is active content from a third
party: every file is sent as an attachment under a sandboxing Content-Security-Policy, and only
PDF and plain text may be shown inline (``?inline=1``).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from flask import Response, send_file

from dhr.store import CorpusStore

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "html": "text/html; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
    "bin": "application/octet-stream",
}
INLINE_OK = {"pdf", "txt"}
FILE_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"
MAX_NAME_CHARS = 150
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:;*?<>|%]+')


def content_type(ext: str) -> str:
    return CONTENT_TYPES.get(ext.lower(), "application/octet-stream")


def mimetype(ext: str) -> str:
    return content_type(ext).split(";")[0]


def safe_download_name(filename: str | None, sha256: str, ext: str) -> str:
    """A display name safe in a Content-Disposition header, ending in the stored extension."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if ch.isprintable())
    name = _UNSAFE.sub("_", name).strip(" ._")
    stem = name[: -len(ext) - 1] if name.lower().endswith("." + ext.lower()) else name
    stem = stem.strip(" ._")[:MAX_NAME_CHARS]
    if not stem:
        stem = f"dhr-{sha256[:12]}"
    return f"{stem}.{ext.lower()}"


def send_stored_file(store: CorpusStore, sha256: str, info: dict, *, inline: bool) -> Response:
    ext = str(info.get("ext") or "bin")
    path: Path = store.file_path(sha256, ext)
    resp = send_file(
        path,
        mimetype=mimetype(ext),  # werkzeug adds "; charset=utf-8" to text types itself
        as_attachment=not (inline and ext in INLINE_OK),
        download_name=safe_download_name(info.get("filename"), sha256, ext),
        conditional=True,
        etag=sha256,
        max_age=86400,
    )
    resp.headers["Content-Type"] = content_type(ext)  # exactly one charset, whatever werkzeug does
    resp.headers["Content-Security-Policy"] = FILE_CSP
    resp.headers["Cache-Control"] = "public, max-age=86400, immutable"
    return resp
