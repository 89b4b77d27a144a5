"""Intermediate results of extraction, shared by the format extractors and the understanding step.

Flow: a format module (``pdf.py``, ``docx.py``, ...) turns bytes into a :class:`RawDocument`
(laid-out blocks per page, tables, metadata); ``clean.py`` and ``sections.py`` turn that into an
:class:`Extracted` (clean page texts, outline, tables); ``extract.py`` builds the contract
``Document`` from it and hands both to ``understanding.understand`` when that module exists. Kept in
its own module so both sides import it without import cycles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from dhr.document import Section

BlockKind = Literal["body", "heading", "title", "list", "table", "toc"]
Edge = Literal["top", "bottom"]


@dataclass
class Block:
    """One paragraph-like unit of text as laid out on a page (a paragraph, heading, list item,
    table row, or - for PDFs - a group of lines). Hints describe how it looked, not what it is."""

    text: str
    kind: BlockKind = "body"
    level: int | None = None  # heading level where the format records it (DOCX styles, HTML h1-h6)
    size: float | None = None  # font size in points (PDF)
    bold: bool = False
    edge: Edge | None = None  # PDF: lies in the top or bottom margin band of the page
    edge_rank: int | None = None  # 0 = outermost line of that band
    bbox: tuple[float, float, float, float] | None = None  # PDF: x0, top, x1, bottom in points


@dataclass
class Table:
    """A table found on a page: rows of cell texts (first row usually the header)."""

    page: int  # 1-based
    rows: list[list[str]]
    bbox: tuple[float, float, float, float] | None = None  # PDF: x0, top, x1, bottom in points


@dataclass
class RawDocument:
    """What a format extractor returns: blocks per page before cleaning and structure."""

    format: str
    pages: list[list[Block]]
    tables: list[Table] = field(default_factory=list)
    title: str | None = None  # from file metadata, if meaningful
    meta: dict[str, Any] = field(default_factory=dict)
    ocr_pages: list[int] = field(default_factory=list)
    has_layout: bool = False  # page blocks carry geometry (PDF): running headers can be found


@dataclass
class Extracted:
    """Clean, structured text of one file: what the understanding step works from."""

    format: str
    pages: list[str]
    tables: list[Table] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    title: str | None = None
    ocr_pages: list[int] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    # Clean blocks per page (paragraphs in order, with heading hints): for page-level evidence.
    blocks: list[list[Block]] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.pages)
