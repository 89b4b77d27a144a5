"""Plain text (form feeds are pages) and legacy Word through antiword."""

from __future__ import annotations

import shutil

import pytest

from ingest.errors import ExtractionError
from ingest.extract import extract_structured_bytes

TEXT = ("OFFICIAL\n\n1. Introduction\n\n1.1 The panel met six\ntimes in total.\n\nPage 1 of 2\f"
        "OFFICIAL\n\n2. Chronology\n\n2.1 Agencies had contact with Adult A.\n\nPage 2 of 2\n")


def test_text_pages_paragraphs_and_cleaning() -> None:
    doc = extract_structured_bytes(TEXT.encode("utf-8"))
    assert doc.format == "txt"
    assert doc.pages == ["1. Introduction\n\n1.1 The panel met six times in total.",
                         "2. Chronology\n\n2.1 Agencies had contact with Adult A."]
    assert [(s.number, s.title, s.page) for s in doc.sections] == [("1", "Introduction", 1),
                                                                   ("2", "Chronology", 2)]


def test_windows_1252_text() -> None:
    doc = extract_structured_bytes("Caf\xe9 \u2013 \u201cquoted\u201d text".encode("cp1252"))
    assert doc.pages == ['Caf\xe9 \u2013 "quoted" text']


@pytest.mark.skipif(shutil.which("antiword") is None,
                    reason="antiword (Debian package) not installed")
def test_broken_legacy_word_file_is_corrupt_not_a_crash() -> None:
    fake = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000
            + "WordDocument".encode("utf-16-le") + b"\x00" * 600)
    with pytest.raises(ExtractionError) as err:
        extract_structured_bytes(fake)
    assert err.value.reason == "corrupt"
    assert "input.doc" in err.value.message or "antiword" in err.value.message
