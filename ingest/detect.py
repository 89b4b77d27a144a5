"""Format detection by content (magic bytes and container inspection), never by file name.

First step of extraction: ``registry.py`` maps the detected format to its extractor. Office
Open XML and OpenDocument files are all zip containers, so the member names decide between
DOCX and formats we do not read (XLSX, PPTX, ODT...); legacy Word is an OLE2 compound file with
a ``WordDocument`` stream (an OLE2 file whose directory cannot be read, e.g. truncated, goes to
the Word reader too, which reports it as corrupt). RTF, often published with a ``.doc`` name,
starts with ``{\\rtf``. Anything else that decodes as text is HTML (by its tags) or plain text.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
WORD_STREAM = "WordDocument".encode("utf-16-le")

# Binary formats we recognise only to name them in the quarantine reason.
KNOWN_BINARIES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x7fELF", "ELF executable"),
    (b"MZ", "Windows executable"),
    (b"%!PS", "PostScript"),
)

_HTML_SNIFF = re.compile(
    rb"<\s*(!doctype\s+html|html|head|body|title|meta|div|p|h[1-6]|article|main|table)\b",
    re.IGNORECASE
)


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


@dataclass(frozen=True)
class Detected:
    format: str | None  # pdf | docx | doc | rtf | html | txt, or None when unsupported/empty
    detail: str  # human-readable description for reasons and logs
    empty: bool = False


def detect(content: bytes) -> Detected:
    """Name the format of ``content`` from its bytes."""
    if not content.strip():
        return Detected(None, "empty file", empty=True)
    head = content[:1024]
    if b"%PDF-" in head:  # the spec tolerates junk before the header
        return Detected("pdf", "PDF")
    if content.startswith(ZIP_MAGICS):
        return _detect_zip(content)
    if content.startswith(OLE2_MAGIC):
        return _detect_ole2(content)
    if is_rtf(content):
        return Detected("rtf", "Rich Text Format document")
    for magic, name in KNOWN_BINARIES:
        if content.startswith(magic):
            return Detected(None, name)
    text = decode_text(content[:65536])
    if text is None:
        return Detected(None, "binary data of unknown format")
    if _HTML_SNIFF.search(content[:8192]):
        return Detected("html", "HTML")
    return Detected("txt", "plain text")


# OLE2 stream names of formats we recognise only to name them in the quarantine reason.
OLE2_KINDS: tuple[tuple[str, str], ...] = (
    ("Workbook", "Excel workbook (XLS)"),
    ("Book", "Excel workbook (XLS)"),
    ("PowerPoint Document", "PowerPoint presentation (PPT)"),
    ("__properties_version1.0", "Outlook message (MSG)"),
    ("EncryptedPackage", "password-protected Office document (encrypted OOXML)"),
)

# In a container whose directory cannot be read, only names too specific to be body text count.
DAMAGED_OLE2_HINTS = (("Workbook", "Excel workbook (XLS)"),
                      ("PowerPoint Document", "PowerPoint presentation (PPT)"))


def is_rtf(content: bytes) -> bool:
    return content[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf")


def _detect_ole2(content: bytes) -> Detected:
    import olefile

    try:
        with olefile.OleFileIO(content) as ole:
            names = {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
    except Exception:  # noqa: BLE001 - olefile raises several types on damaged containers
        for stream, name in DAMAGED_OLE2_HINTS:
            if stream.encode("utf-16-le") in content and WORD_STREAM not in content:
                return Detected(None, f"{name}, damaged")
        return Detected("doc", "damaged OLE2 compound file (legacy Word?)")
    if "WordDocument" in names:
        return Detected("doc", "legacy Word document")
    for stream, name in OLE2_KINDS:
        if stream in names:
            return Detected(None, name)
    return Detected(None, "OLE2 compound file that is not a Word document")


def _detect_zip(content: bytes) -> Detected:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            names = set(zf.namelist())
            mimetype = (zf.read("mimetype")[:100].decode("ascii", "replace") if "mimetype" in names
                        else "")
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError):
        return Detected(None, "zip container that cannot be read")
    if "word/document.xml" in names:
        return Detected("docx", "Word document (DOCX)")
    if any(n.startswith("xl/") for n in names):
        return Detected(None, "Excel workbook (XLSX)")
    if any(n.startswith("ppt/") for n in names):
        return Detected(None, "PowerPoint presentation (PPTX)")
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        return Detected(None, f"OpenDocument file ({mimetype.strip()})")
    return Detected(None, "zip archive")


def decode_text(content: bytes) -> str | None:
    """Decode bytes that look like text (UTF-8/UTF-16 with BOM, else UTF-8, else Windows-1252);
    ``None`` when the bytes look binary."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in content:
        return None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start >= len(content) - 3:  # a multibyte character cut at the sample's end
            text = content[: exc.start].decode("utf-8-sig")
        else:
            text = content.decode("cp1252", errors="replace")
    controls = len(_CONTROLS.findall(text))
    if text and controls / len(text) > 0.01:
        return None
    return text
