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
def scanned(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("scan")
    files = generate_review(out, seed=5, index=0, formats=("pdf",))
    report = next(f for f in files if f.doc_type == "overview_report")
    truth = json.loads(report.truth_path.read_text(encoding="utf-8"))
    layout = json.loads(report.path.with_name(report.path.stem + ".layout.json").read_text(encoding="utf-8"))
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
    for mine, expected in zip(doc.pages, truth["pages"][FIRST - 1:LAST]):
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
