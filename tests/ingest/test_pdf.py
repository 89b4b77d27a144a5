"""PDF extraction over real reportlab files: page texts, cleaning, outline, tables, encryption."""

from __future__ import annotations

import pytest

from ingest.errors import ExtractionError
from ingest.extract import extract_bytes, extract_structured_bytes
from tests.ingest.builders import BODY_1, HEADER, broken_xref_pdf, encrypted_pdf, report_pdf


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return report_pdf(4)


def test_pages_keep_their_text_and_paragraph_numbers(pdf: bytes) -> None:
    doc = extract_structured_bytes(pdf)
    assert doc.format == "pdf" and doc.page_count == 4
    assert BODY_1 in doc.pages[0]  # unwrapped across lines, number kept with its paragraph
    assert doc.pages[1].splitlines()[0] == "2. Terms of Reference"
    assert "\n\n" in doc.pages[0]  # paragraph boundaries survive


def test_running_header_footer_marking_and_page_numbers_removed(pdf: bytes) -> None:
    doc = extract_structured_bytes(pdf)
    for text in doc.pages:
        assert HEADER not in text
        assert "OFFICIAL" not in text
        assert "Page " not in text and " of 4" not in text


def test_outline_with_pages_and_title(pdf: bytes) -> None:
    doc = extract_structured_bytes(pdf)
    assert doc.title == "Synthetic Sample Review"
    assert [(s.number, s.title, s.page, s.level) for s in doc.sections] == [
        ("1", "Introduction", 1, 1), ("2", "Terms of Reference", 2, 1),
        ("3", "Chronology", 3, 1), ("4", "Analysis", 4, 1)]


def test_ruled_table_rows_and_cells(pdf: bytes) -> None:
    doc = extract_structured_bytes(pdf)
    assert [(t.page, t.rows) for t in doc.tables] == [(1, [
        ["Recommendation", "Lead agency", "Target date"],
        ["Review the training on risk assessment", "Police", "March 2024"],
        ["Audit referrals to MARAC", "Community Safety Partnership", "June 2024"]])]


def test_document_fields(pdf: bytes) -> None:
    import hashlib

    from ingest.extract import EXTRACTOR_VERSION

    doc = extract_bytes(pdf, filename="report.pdf")
    assert doc.id == hashlib.sha256(pdf).hexdigest()
    assert (doc.filename, doc.format, doc.extractor_version, doc.page_count, doc.ocr_pages) == (
        "report.pdf", "pdf", EXTRACTOR_VERSION, 4, [])
    assert len(doc.pages) == 4 and doc.to_json_dict()["schema"] == "dhr.document/1"


def test_empty_user_password_is_read(pdf: bytes) -> None:
    doc = extract_structured_bytes(encrypted_pdf(pdf, user_password=""))
    assert doc.page_count == 4 and BODY_1 in doc.pages[0]


def test_password_protected_is_quarantined_as_encrypted(pdf: bytes) -> None:
    with pytest.raises(ExtractionError) as err:
        extract_structured_bytes(encrypted_pdf(pdf, user_password="secret"))
    assert err.value.reason == "encrypted"


def test_broken_xref_is_repaired(pdf: bytes) -> None:
    doc = extract_structured_bytes(broken_xref_pdf(pdf))
    assert doc.page_count == 4 and BODY_1 in doc.pages[0]


@pytest.mark.parametrize("cut", [0.5, 0.1])
def test_truncated_pdf_is_corrupt_or_partial(pdf: bytes, cut: float) -> None:
    try:
        doc = extract_structured_bytes(pdf[: int(len(pdf) * cut)])
    except ExtractionError as exc:
        assert exc.reason in ("corrupt", "empty")
    else:
        assert doc.page_count >= 1


def test_pdf_without_text_or_images_is_empty() -> None:
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.line(10, 10, 100, 100)
    c.showPage()
    c.save()
    with pytest.raises(ExtractionError) as err:
        extract_structured_bytes(buf.getvalue())
    assert err.value.reason == "empty"
