"""OCR of scanned pages with Tesseract: a two-page excerpt of a generated report, rasterised
and degraded by the generator's scanner, compared with the ground truth of those pages."""

from __future__ import annotations

import json
import re
import shutil
from difflib import SequenceMatcher

import pypdfium2 as pdfium
import pytest

from ingest.clean import normalize_chars
from ingest.extract import extract_structured_bytes
from samples.reports import generate_review
from samples.reports.render_scanned import render_scanned

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None,
                                reason="tesseract (Debian package tesseract-ocr) not installed")
FIRST, LAST = 3, 4  # 1-based pages of the excerpt: numbered sections and paragraphs


@pytest.fixture(scope="module")
def review_files(tmp_path_factory: pytest.TempPathFactory):
    """One generated review (text-layer PDFs) that the scanned-page tests render as scans."""
    return generate_review(tmp_path_factory.mktemp("scan"), seed=5, index=0, formats=("pdf",))


@pytest.fixture(scope="module")
def scanned(review_files):
    report = next(f for f in review_files if f.doc_type == "overview_report")
    truth = json.loads(report.truth_path.read_text(encoding="utf-8"))
    layout = json.loads(
        report.path.with_name(report.path.stem + ".layout.json").read_text(encoding="utf-8"))
    src = pdfium.PdfDocument(report.path.read_bytes())
    excerpt = pdfium.PdfDocument.new()
    excerpt.import_pages(src, list(range(FIRST - 1, LAST)))
    import io

    buf = io.BytesIO()
    excerpt.save(buf)
    data = render_scanned(buf.getvalue(), title=truth["title"], seed="ocr-test")
    return extract_structured_bytes(data), truth, layout


def words(text: str) -> list[str]:
    return re.findall(r"\w+", normalize_chars(text).lower())


def test_every_page_is_ocrd(scanned) -> None:
    doc, _, _ = scanned
    assert doc.page_count == 2 and doc.ocr_pages == [1, 2]


def test_ocr_text_matches_the_page_text(scanned) -> None:
    doc, truth, _ = scanned
    for mine, expected in zip(doc.pages, truth["pages"][FIRST - 1:LAST], strict=False):
        ratio = SequenceMatcher(None, words(mine), words(expected), autojunk=False).ratio()
        assert ratio >= 0.9


def test_running_header_and_page_numbers_removed_after_ocr(scanned) -> None:
    doc, _, layout = scanned
    for text in doc.pages:
        lines = [ln.strip() for ln in text.splitlines()]
        assert layout["running_header"] not in text
        assert layout["marking"] not in lines
        assert not any(re.fullmatch(r"Page \d+ of \d+", ln) for ln in lines)


def test_numbered_sections_found_on_ocr_pages(scanned) -> None:
    doc, truth, _ = scanned
    expected = [(s["number"], s["title"]) for s in truth["sections"]
                if FIRST <= s["page"] <= LAST and s["number"]]
    found = [(s.number, s.title) for s in doc.sections]
    assert expected and all(e in found for e in expected)


# ----- tables on scanned pages (ingest/ocr_tables.py) ------------------------------------------
@pytest.fixture(scope="module")
def scanned_action_plan(review_files):
    """A generated action plan (Home Office template table), scanned by the generator."""
    plan = next(f for f in review_files if f.doc_type == "action_plan")
    truth = json.loads(plan.truth_path.read_text(encoding="utf-8"))
    data = render_scanned(plan.path.read_bytes(), title=truth["title"], seed="ocr-table-test")
    extracted = extract_structured_bytes(data)
    return extracted, data, truth


def test_scanned_action_plan_tables_rebuilt(scanned_action_plan) -> None:
    doc, _, _truth = scanned_action_plan
    assert doc.ocr_pages == list(range(1, doc.page_count + 1))
    assert doc.tables, "no table rebuilt from the OCR word boxes"
    header = [c.lower() for c in doc.tables[0].rows[0]]
    assert "recommendation" in header[0] and any("lead" in c for c in header)
    assert all(len(r) == len(doc.tables[0].rows[0]) for t in doc.tables for r in t.rows)
    assert all(t.page in doc.ocr_pages for t in doc.tables)
    # Page text keeps one line per row: columns of a row are never interleaved.
    assert any(" | " in page for page in doc.pages)


def test_scanned_action_plan_recommendations_match_truth(scanned_action_plan) -> None:
    from ingest.extract import to_document

    doc, data, truth = scanned_action_plan
    found = to_document(doc, data, filename="plan.pdf").recommendations
    expected = truth["recommendations"]
    assert expected

    def norm(s: str) -> str:
        return " ".join(re.findall(r"\w+", s.lower()))

    matched = 0
    agency_ok = 0
    for t in expected:
        best = max(found,
                   key=lambda r: SequenceMatcher(None, norm(r.text), norm(t["text"])).ratio())
        if SequenceMatcher(None, norm(best.text), norm(t["text"])).ratio() >= 0.9:
            matched += 1
            agency_ok += best.agency == t["agency"]
    assert matched == len(expected) and len(found) == len(expected)
    assert agency_ok >= 0.8 * matched


def test_unruled_table_found_from_its_header() -> None:
    """No ruling lines: the header row's column names fix the columns, vertical gaps the rows."""
    from ingest.ocr_tables import Word, find_tables

    def line(y: float, cells: list[tuple[float, str]], key: int) -> list[Word]:
        out = []
        for x, text in cells:
            for w in text.split():
                out.append(Word(w, x, y, x + 6 * len(w), y + 9, (key, 1, 1)))
                x += 6 * len(w) + 3
        return out

    words = (line(50, [(60, "Intro paragraph above the table.")], 1)
             + line(100, [(60, "Recommendation"), (300, "Lead agency"), (450, "Target date")], 2)
             + line(130, [(60, "1. The CCG should audit"), (300, "CCG"), (450, "March 2024")], 3)
             + line(141, [(60, "referrals every quarter.")], 3)
             + line(170, [(60, "2. Police should train"), (300, "Police"), (450, "June 2024")], 4)
             + line(181, [(60, "all officers.")], 4))
    tables, _ = find_tables(words, [], page=3)
    assert len(tables) == 1 and tables[0].page == 3
    rows = [[" ".join(c.split()) for c in r] for r in tables[0].rows]
    assert rows == [["Recommendation", "Lead agency", "Target date"],
                    ["1. The CCG should audit referrals every quarter.", "CCG", "March 2024"],
                    ["2. Police should train all officers.", "Police", "June 2024"]]


def test_no_table_on_a_page_of_prose() -> None:
    from ingest.ocr_tables import Word, find_tables

    words = [Word(w, 60 + 40 * i, 100 + 12 * k, 95 + 40 * i, 109 + 12 * k, (1, 1, k))
             for k in range(20)
             for i, w in enumerate(["the", "panel", "found", "that", "agencies", "shared"])]
    assert find_tables(words, [], page=1) == ([], 0.0)
