"""Outline rules, table-driven: which blocks are headings, with number, level and page."""

from __future__ import annotations

import pytest

from ingest.extracted import Block
from ingest.sections import build_outline, find_title, toc_pages

LONG = ("The panel considered the information provided by each agency and the chronology "
        "of contact over the period under review in detail.")


def outline(pages: list[list[Block]],
            title: str | None = None) -> list[tuple[str | None, str, int, int]]:
    return [(s.number, s.title, s.page, s.level) for s in build_outline(pages, title=title)]


def body(text: str = LONG) -> Block:
    return Block(text, size=11)


def bold(text: str, size: float = 11) -> Block:
    return Block(text, size=size, bold=True)


CASES = [
    ("numbered, styled",
     [[bold("1. Introduction", 14), body("1.1 " + LONG), bold("1.2 Scope of the review", 12),
       body()],
      [bold("2. Terms of Reference", 14), body("2.1 " + LONG)]],
     [("1", "Introduction", 1, 1), ("1.2", "Scope of the review", 1, 2),
      ("2", "Terms of Reference", 2, 1)]),
    ("numbered paragraphs are not headings",
     [[bold("3. Chronology", 14), body("3.1 The panel met six times."),
       body("3.2 Agencies shared records")]],
     [("3", "Chronology", 1, 1)]),
    ("three levels",
     [[bold("4. Analysis", 14), bold("4.1 Risk", 12), bold("4.1.1 DASH checklist", 11), body()]],
     [("4", "Analysis", 1, 1), ("4.1", "Risk", 1, 2), ("4.1.1", "DASH checklist", 1, 3)]),
    ("Section N divisions",
     [[bold("Section 4: Terms of Reference", 14), body()],
      [bold("Section 5 - Methodology", 14), body()]],
     [("4", "Terms of Reference", 1, 1), ("5", "Methodology", 2, 1)]),
    ("appendices are named, not numbered",
     [[bold("Appendix A: Action Plan", 14), body()]],
     [(None, "Appendix A: Action Plan", 1, 1)]),
    ("unnumbered capitalised headings by size",
     [[bold("Executive Summary", 16), body(), bold("Key Findings", 13), body()]],
     [(None, "Executive Summary", 1, 1), (None, "Key Findings", 1, 2)]),
    ("a bold sentence is not a heading",
     [[bold("1. Introduction", 14), bold("The panel wishes to thank the family.", 11), body()]],
     [("1", "Introduction", 1, 1)]),
    ("numbered table rows out of sequence are not headings",
     [[Block("2. Terms of Reference"), body(), Block("1 Local Police to Review Training"), body()]],
     [("2", "Terms of Reference", 1, 1)]),
    ("plain text: numbered and capitalised headings",
     [[Block("1. Introduction"), Block(LONG), Block("BACKGROUND"), Block(LONG),
       Block("2. Chronology"), Block(LONG)]],
     [("1", "Introduction", 1, 1), (None, "BACKGROUND", 1, 1), ("2", "Chronology", 1, 1)]),
    ("styled headings from the format keep their level",
     [[Block("Introduction", kind="heading", level=1), Block(LONG),
       Block("Scope", kind="heading", level=2)]],
     [(None, "Introduction", 1, 1), (None, "Scope", 1, 2)]),
    ("recommendation labels are not sections",
     [[bold("19. Recommendations", 14), bold("Recommendation 1", 11), body()]],
     [("19", "Recommendations", 1, 1)]),
]


@pytest.mark.parametrize("name,pages,expected", CASES, ids=[c[0] for c in CASES])
def test_outline(name: str, pages: list[list[Block]], expected: list) -> None:
    assert outline(pages) == expected


def test_table_of_contents_is_not_mistaken_for_sections() -> None:
    toc = [bold("Contents", 14)] + [Block(f"{n}. {t} {'.' * 20} {n + 2}", size=11) for n, t in
                                    enumerate(["Introduction", "Timescales", "Methodology"], 1)]
    pages = [[bold("Synthetic Review", 20)], toc,
             [bold("1. Introduction", 14), body()], [bold("2. Timescales", 14), body()],
             [bold("3. Methodology", 14), body()]]
    assert toc_pages(pages) == {2}
    assert outline(pages, find_title(pages, None)) == [("1", "Introduction", 3, 1),
                                                       ("2", "Timescales", 4, 1),
                                                       ("3", "Methodology", 5, 1)]


def test_contents_without_page_numbers_on_its_own_page() -> None:
    toc = [Block("Contents")] + [Block(f"{n}. {t}")
                                 for n, t in enumerate(["Introduction", "Chronology"], 1)]
    pages = [toc, [Block("1. Introduction"), Block(LONG)], [Block("2. Chronology"), Block(LONG)]]
    assert outline(pages) == [("1", "Introduction", 2, 1), ("2", "Chronology", 3, 1)]


def test_contents_heading_inside_a_long_page() -> None:
    page = [Block("Table of Contents", kind="heading", level=1),
            Block("1. Introduction", kind="heading", level=1), Block(LONG)]
    assert outline([page]) == [("1", "Introduction", 1, 1)]


def test_title_from_cover_is_not_a_section() -> None:
    pages = [[bold("Overview Report into the death of Adult A", 20), body("Synthetic sample.")],
             [bold("1. Introduction", 14), body()]]
    title = find_title(pages, None)
    assert title == "Overview Report into the death of Adult A"
    assert outline(pages, title) == [("1", "Introduction", 2, 1)]


def test_title_prefers_metadata_and_is_unknown_without_evidence() -> None:
    assert find_title([[body()]], "From Metadata") == "From Metadata"
    assert find_title([[Block("1. Introduction"), Block(LONG)]], None) is None
