"""Extraction against the sample generator's ground truth, for every format and layout:
page texts, cleaning (no running header, marking or page number left), outline titles and
pages, tables, title. Synthetic samples only (``samples.reports``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.clean import normalize_chars
from ingest.extract import extract_structured
from samples.reports import generate_corpus
from tests.ingest.truth import load_cases, norm_rows, similarity

TEXT_SIMILARITY = 0.97  # word-level; Word list numbers are in our text but not in the truth's


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, dict, dict]]:
    out = tmp_path_factory.mktemp("corpus")
    formats = ("pdf", "docx", "html", "two_column_pdf")
    files = generate_corpus(out, seed=5, n_reviews=4, formats=formats)
    files += generate_corpus(out, seed=6, n_reviews=3, split="heldout", formats=formats)
    return load_cases(files)


@pytest.fixture(scope="module")
def extracted(corpus):
    return {path: extract_structured(path) for path, _, _ in corpus}


def test_corpus_covers_every_layout(corpus) -> None:
    layouts = {layout["layout"] for _, _, layout in corpus}
    assert {"classic", "classic-two-column", "classic-docx", "council-web-page",
            "serif-right", "serif-right-two-column", "serif-right-docx"} <= layouts
    assert {t["doc_type"] for _, t, _ in corpus} >= {"overview_report", "executive_summary",
                                                     "action_plan"}


def test_page_texts(corpus, extracted) -> None:
    for path, truth, _ in corpus:
        doc = extracted[path]
        assert doc.page_count == truth["page_count"], path.name
        assert doc.ocr_pages == truth["ocr_pages"], path.name
        for n, (mine, expected) in enumerate(zip(doc.pages, truth["pages"], strict=False), 1):
            assert similarity(mine, expected) >= TEXT_SIMILARITY, f"{path.name} page {n}"


def test_no_running_header_footer_or_marking_left(corpus, extracted) -> None:
    for path, truth, layout in corpus:
        if not layout.get("running_header"):
            continue
        header = normalize_chars(layout["running_header"])
        footer = layout["running_footer"]
        for n, text in enumerate(extracted[path].pages, 1):
            lines = [ln.strip() for ln in text.splitlines()]
            assert header not in text, f"{path.name} page {n}"
            assert layout["marking"] not in lines, f"{path.name} page {n}"
            page_footer = footer.format(page=n, pages=truth["page_count"])
            assert page_footer not in lines, f"{path.name} page {n}: {page_footer!r}"


def test_outline_titles_and_pages(corpus, extracted) -> None:
    for path, truth, _ in corpus:
        mine = [(s.number, normalize_chars(s.title), s.page) for s in extracted[path].sections]
        expected = [(s["number"], normalize_chars(s["title"]), s["page"])
                    for s in truth["sections"]]
        assert mine == expected, path.name


def test_contents_pages_are_not_sections(corpus, extracted) -> None:
    checked = 0
    for path, _, layout in corpus:
        for page in layout.get("toc_pages") or []:
            checked += 1
            assert all(s.page != page for s in extracted[path].sections), path.name
    assert checked


def test_tables_match_ground_truth(corpus, extracted) -> None:
    checked = 0
    for path, _, layout in corpus:
        mine = [(t.page, norm_rows(t.rows)) for t in extracted[path].tables]
        for table in layout.get("tables") or []:
            checked += 1
            expected = (table["page"], norm_rows(table["rows"]))
            assert expected in mine, f"{path.name} page {table['page']}"
    assert checked >= 10


def test_titles(corpus, extracted) -> None:
    for path, truth, _ in corpus:
        assert normalize_chars(extracted[path].title or "") == normalize_chars(
            truth["title"]), path.name
