"""Cleaning rules, table-driven: boilerplate out, characters normalised, paragraphs kept."""

from __future__ import annotations

import pytest

from ingest.clean import (
    clean_pages,
    is_marking,
    is_page_number,
    join_lines,
    line_key,
    normalize_chars,
    page_text,
    running_threshold,
)
from ingest.extracted import Block


@pytest.mark.parametrize("line,expected", [
    ("OFFICIAL", True),
    ("OFFICIAL-SENSITIVE", True),
    ("OFFICIAL - SENSITIVE", True),
    ("OFFICIAL SENSITIVE", True),
    ("OFFICIAL: SENSITIVE", True),
    ("OFFICIAL-SENSITIVE: PERSONAL", True),
    ("RESTRICTED", True),
    ("RESTRICTED UNTIL PUBLICATION", True),
    ("NOT PROTECTIVELY MARKED", True),
    ("Official Sensitive", True),
    ("Official guidance was followed.", False),
    ("The report is restricted to panel members.", False),
    ("OFFICIAL FEEDBACK FROM THE PANEL", False),
])
def test_protective_markings(line: str, expected: bool) -> None:
    assert is_marking(line) is expected


@pytest.mark.parametrize("line,expected", [
    ("12", True), ("Page 3", True), ("Page 3 of 40", True), ("page 12/40", True), ("3 of 40", True),
    ("- 7 -", True), ("– 7 –", True), ("4 | P a g e", True), ("Page | 4", True), ("iv", True),
    ("xii", True), ("Page ii", True),
    ("2019", True),  # a lone number at the very edge of a page is a page number
    ("Civil", False), ("Chapter 3", False), ("3.1 The panel met.", False), ("Page turner", False),
])
def test_page_numbers(line: str, expected: bool) -> None:
    assert is_page_number(line) is expected


@pytest.mark.parametrize("text,vocabulary,expected", [
    ("the compre-\nhensive review", {"comprehensive"}, "the comprehensive review"),
    ("a multi-\nagency meeting", set(), "a multi-agency meeting"),
    ("a multi-\nagency meeting", {"multiagency", "multi-agency"}, "a multi-agency meeting"),
    ("line one\nline two", set(), "line one line two"),
    ("ends with dash -\nnext", set(), "ends with dash - next"),
    ("Police-\nLed", {"policeled"}, "Police-Led"),
    ("  spaced  \n\n  out  ", set(), "spaced out"),
])
def test_join_lines_and_dehyphenate(text: str, vocabulary: set[str], expected: str) -> None:
    assert join_lines(text, vocabulary).replace("  ", " ") == expected


@pytest.mark.parametrize("raw,expected", [
    ("of\ufb01ce and \ufb02at", "office and flat"),
    ("\u201cquoted\u201d and \u2018single\u2019", "\"quoted\" and 'single'"),
    ("non\u00a0breaking\u200bzero", "non breakingzero"),
    ("soft\u00adhyphen", "softhyphen"),
    ("bullet \uf0b7 private", "bullet • private"),
    ("ctrl\x07char", "ctrl char"),
])
def test_character_normalisation(raw: str, expected: str) -> None:
    assert normalize_chars(raw) == expected


def test_line_key_ignores_digits_and_punctuation() -> None:
    assert line_key("Page 3 of 40") == line_key("PAGE 12 of 40.")
    assert line_key("DHR Adult A - Overview Report") != line_key("DHR Adult B - Overview Report")


@pytest.mark.parametrize("pages,expected", [(2, 2), (3, 2), (4, 3), (10, 3), (40, 8), (100, 20)])
def test_running_threshold(pages: int, expected: int) -> None:
    assert running_threshold(pages) == expected


def _page(n: int, body: str) -> list[Block]:
    return [
        Block("OFFICIAL-SENSITIVE", edge="top", edge_rank=0),
        Block(f"DHR Adult A \u2013 Overview Report {n}", edge="top", edge_rank=1),
        Block(body),
        Block("Second paragraph that con-\ntinues here.", kind="body"),
        Block(f"Page {n} of 4", edge="bottom", edge_rank=0),
    ]


def test_running_headers_footers_and_markings_removed_paragraphs_kept() -> None:
    pages = [_page(n, f"{n}.1 Body text of page {n}.") for n in range(1, 5)]
    pages[2].insert(3, Block("continues elsewhere"))  # the vocabulary makes "continues" a word
    cleaned = [page_text(b) for b in clean_pages(pages)]
    assert cleaned[0] == "1.1 Body text of page 1.\n\nSecond paragraph that continues here."
    for text in cleaned:
        assert "OFFICIAL" not in text and "Overview Report" not in text and "Page" not in text


def test_header_on_only_one_page_is_kept() -> None:
    pages = [[Block(f"Body {n} text.")] for n in range(4)]
    pages[0].insert(0, Block("Appendix title", edge="top", edge_rank=0))
    assert page_text(clean_pages(pages)[0]).startswith("Appendix title")


def test_edge_lines_elsewhere_are_not_page_numbers() -> None:
    pages = [[Block("2019", kind="body"), Block("Text.")], [Block("Text again.")]]
    assert page_text(clean_pages(pages)[0]).startswith("2019")


def test_one_page_document_drops_small_header_in_margin() -> None:
    page = [Block("Small running header", size=8, edge="top", edge_rank=0),
            Block("Body paragraph text that is long enough.", size=11)]
    assert page_text(clean_pages([page])[0]) == "Body paragraph text that is long enough."
