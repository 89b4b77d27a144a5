"""Format detection looks at content, never at the file name."""

from __future__ import annotations

import pytest

from ingest.detect import detect
from tests.ingest.builders import report_docx, report_pdf, zip_bomb_docx


def _zip(names: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in names.items():
            zf.writestr(name, data)
    return buf.getvalue()


CASES = [
    ("pdf", lambda: report_pdf(1)),
    ("pdf", lambda: b"garbage before header\n" + report_pdf(1)),
    ("docx", report_docx),
    ("docx", zip_bomb_docx),  # detection reads only the central directory
    ("doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
     + "WordDocument".encode("utf-16-le")),
    ("html", lambda: b"<!DOCTYPE html><html><body><p>Review</p></body></html>"),
    ("html", lambda: b"\xef\xbb\xbf  <div><h2>Action plan</h2><p>Text</p></div>"),
    ("txt",
     lambda: "Domestic Homicide Review \u2013 overview.\n\nSecond paragraph.".encode("utf-8")),
    ("txt", lambda: "Caf\xe9 notes in Windows-1252".encode("cp1252")),
    (None, lambda: _zip({"xl/workbook.xml": b"<x/>", "[Content_Types].xml": b"<x/>"})),
    (None, lambda: _zip({"ppt/presentation.xml": b"<x/>"})),
    (None, lambda: _zip({"mimetype": b"application/vnd.oasis.opendocument.text",
                         "content.xml": b"<x/>"})),
    (None, lambda: _zip({"readme.txt": b"hello"})),
    (None,
     lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "Workbook".encode("utf-16-le")),
    (None, lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
    (None, lambda: b"\x7fELF\x02\x01\x01" + bytes(range(256))),
    (None, lambda: bytes(range(256)) * 8),
    (None, lambda: b"PK\x03\x04 truncated zip"),
]


@pytest.mark.parametrize("expected,make", CASES)
def test_detects_format_from_content(expected: str | None, make) -> None:
    assert detect(make()).format == expected


@pytest.mark.parametrize("content", [b"", b"   \n\t  "])
def test_empty_input_is_reported_as_empty(content: bytes) -> None:
    found = detect(content)
    assert found.format is None and found.empty


def test_unsupported_formats_are_named() -> None:
    assert "Excel" in detect(_zip({"xl/workbook.xml": b"<x/>"})).detail
    assert "PNG" in detect(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).detail
