"""What a downloaded body is: a review document (pdf, docx, doc, odt, rtf), a web page, or other.

The Home Office DHR Library serves ``/download/<id>`` without an extension and council CMSs often
do the same, so the bytes decide; ``Content-Type`` and the ``Content-Disposition`` filename are
only hints (a server may call a DOCX ``application/octet-stream``). The Content-Disposition filename
is returned as a display name only: it is never used as a path (the store keeps files under their
sha256).
"""

from __future__ import annotations

import io
import re
import zipfile
from email.message import Message
from urllib.parse import unquote

DOCUMENT_TYPES = ("pdf", "docx", "doc", "odt", "rtf")

_CONTENT_TYPES = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/rtf": "rtf",
    "text/rtf": "rtf",
}
CONTENT_TYPE_OF = {v: k for k, v in _CONTENT_TYPES.items()
                   if k not in ("application/x-pdf", "text/rtf")}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_bytes(body: bytes) -> str | None:
    """The document type the bytes themselves prove, or None."""
    head = body[:1024]
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(_OLE_MAGIC):
        # An OLE container: Word 97-2003 has a "WordDocument" stream, named in UTF-16 in the
        # directory (anywhere in the file). Excel/PowerPoint containers are not reviews.
        return "doc" if "WordDocument".encode("utf-16-le") in body else None
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(body)
    return None


def _sniff_zip(body: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            names = set(zf.namelist())
            if "word/document.xml" in names:
                return "docx"
            if ("mimetype" in names
                and zf.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text"):
                return "odt"
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    return None


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    ct = (content_type or "").split(";")[0].strip().lower()
    if ct in ("text/html", "application/xhtml+xml"):
        return True
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def detect_document_type(body: bytes, content_type: str | None = None,
                         filename: str | None = None) -> str | None:
    """pdf/docx/doc/odt/rtf if the body is such a document, else None (web page, image...)."""
    sniffed = sniff_bytes(body)
    if sniffed:
        return sniffed
    if looks_like_html(body, content_type) or body[:8] == _OLE_MAGIC or body[:4] == b"PK\x03\x04":
        return None  # a web page, or a container that is not one of our formats (xls, xlsx...)
    # No proof in the bytes: a truncated or unusual file. Trust an explicit document type only if
    # nothing contradicts it (ingest quarantines it if it cannot be read).
    ct = (content_type or "").split(";")[0].strip().lower()
    hinted = _CONTENT_TYPES.get(ct)
    if hinted is None and filename and "." in filename:
        ext = filename.rsplit(".", 1)[-1].lower()
        hinted = ext if ext in DOCUMENT_TYPES else None
    if hinted in ("pdf", "docx", "odt"):
        return None  # these formats always carry their magic bytes: not really that type
    return hinted


def disposition_filename(header: str | bytes | None) -> str | None:
    """The filename a ``Content-Disposition`` header proposes (``filename*`` preferred), or None.

    For display only: callers must never build a filesystem path from it.
    """
    if not header:
        return None
    if isinstance(header, bytes):
        header = header.decode("latin-1")
    m = re.search(r"(?i)filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)", header)
    if m:  # RFC 6266 / 5987 extended value: charset''percent-encoded
        try:
            name: str | None = unquote(m.group(2).strip().strip('"'), encoding=m.group(1),
                                       errors="replace")
        except LookupError:
            name = unquote(m.group(2).strip().strip('"'), errors="replace")
    else:
        msg = Message()
        msg["content-disposition"] = header
        raw = msg.get_param("filename", header="content-disposition")
        name = raw[2] if isinstance(raw, tuple) else raw
    if not name:
        return None
    name = str(name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name or None
