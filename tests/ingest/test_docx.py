"""DOCX extraction over real python-docx files: order, headings, numbering, tables, pages."""

from __future__ import annotations

import pytest

from ingest.errors import ExtractionError
from ingest.extract import extract_structured_bytes
from tests.ingest.builders import BODY_1, HEADER, report_docx, zip_bomb_docx


@pytest.fixture(scope="module")
def doc():
    return extract_structured_bytes(report_docx())


def test_paragraphs_in_order_with_list_numbers_and_bullets(doc) -> None:
    first = doc.pages[0].split("\n\n")
    assert first == ["Synthetic Sample Review", "Introduction", BODY_1,
                     "1. The first line of enquiry", "2. The second line of enquiry",
                     "• A bulleted point", "Text before the page break."]


def test_pages_from_explicit_breaks(doc) -> None:
    assert doc.page_count == 3
    assert doc.pages[1].startswith("Text after the page break.\n\nTerms of Reference")
    assert doc.pages[2].startswith("Chronology")


def test_headers_footers_and_markings_excluded(doc) -> None:
    text = "\n".join(doc.pages)
    assert HEADER not in text and "Footer text" not in text and "OFFICIAL" not in text


def test_heading_levels_and_title(doc) -> None:
    assert doc.title == "Synthetic Sample Review: Overview Report"
    assert [(s.title, s.page, s.level) for s in doc.sections] == [
        ("Introduction", 1, 1), ("Terms of Reference", 2, 1), ("Scope of the review", 2, 2),
        ("Chronology", 3, 1)]


def test_tables_as_rows_and_cells(doc) -> None:
    assert [(t.page, t.rows[0], len(t.rows)) for t in doc.tables] == [
        (2, ["Recommendation", "Lead agency", "Target date"], 3)]
    assert "Audit referrals to MARAC Community Safety Partnership June 2024" in doc.pages[1]


def test_rendered_page_breaks_win_when_word_recorded_them() -> None:
    import io
    import zipfile

    src = report_docx()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                # Word's layout put "Terms of Reference" at the top of a page; the explicit
                # breaks are ignored when rendered ones exist.
                data = data.replace(b"<w:t>Terms of Reference</w:t>",
                                    b"<w:lastRenderedPageBreak/><w:t>Terms of Reference</w:t>")
            zout.writestr(item, data)
    doc = extract_structured_bytes(out.getvalue())
    assert doc.page_count == 2
    assert doc.pages[1].startswith("Terms of Reference")


def test_zip_bomb_refused_before_decompression() -> None:
    with pytest.raises(ExtractionError) as err:
        extract_structured_bytes(zip_bomb_docx())
    assert err.value.reason == "too_large"


def test_corrupt_docx() -> None:
    src = report_docx()
    broken = src.replace(b"word/document.xml", b"word/documenX.xml")
    with pytest.raises(ExtractionError) as err:
        extract_structured_bytes(broken)
    assert err.value.reason in ("corrupt", "unsupported")


def test_section_breaks_and_page_break_before() -> None:
    import io

    import docx
    from docx.enum.section import WD_SECTION_START

    d = docx.Document()
    d.add_paragraph("First page text.")
    d.add_section(WD_SECTION_START.CONTINUOUS)
    d.add_paragraph("Still the first page after a continuous section break.")
    d.add_section(WD_SECTION_START.NEW_PAGE)
    d.add_paragraph("Second page after a next-page section break.")
    p = d.add_paragraph("Third page: this paragraph starts a page.")
    p.paragraph_format.page_break_before = True
    buf = io.BytesIO()
    d.save(buf)
    doc = extract_structured_bytes(buf.getvalue())
    assert doc.pages == [("First page text.\n\nStill the first page after a continuous section "
                          "break."),
                         "Second page after a next-page section break.",
                         "Third page: this paragraph starts a page."]


def test_numbered_headings_from_word_numbering() -> None:
    """Heading styles linked to a multi-level list: the number Word draws becomes the section
    number."""
    import io

    import docx
    from docx.oxml import parse_xml

    d = docx.Document()
    numbering = d.part.numbering_part.element
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering.append(parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText '
        'w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText '
        'w:val="%1.%2"/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def numbered(text: str, style: str | None, level: int) -> None:
        p = d.add_paragraph(text, style=style)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {w}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))

    numbered("Introduction", "Heading 1", 0)
    numbered("The review examined the contact agencies had with Adult A in detail.", None, 1)
    numbered("The panel met six times between March and October.", None, 1)
    numbered("Terms of Reference", "Heading 1", 0)
    numbered("The terms of reference were agreed at the first meeting.", None, 1)
    buf = io.BytesIO()
    d.save(buf)
    doc = extract_structured_bytes(buf.getvalue())
    assert doc.pages[0].split("\n\n") == [
        "1. Introduction",
        "1.1 The review examined the contact agencies had with Adult A in detail.",
        "1.2 The panel met six times between March and October.", "2. Terms of Reference",
        "2.1 The terms of reference were agreed at the first meeting."]
    assert [(s.number, s.title, s.level) for s in doc.sections] == [
        ("1", "Introduction", 1), ("2", "Terms of Reference", 1)]
