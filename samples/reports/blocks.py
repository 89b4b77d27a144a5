"""Logical building blocks of a synthetic document, before pagination and rendering.

``content.py`` writes a document as a list of these blocks; ``paginate.py`` places them on pages;
the renderers (``render_*.py``) draw them; ``truth.py`` reads the expected page text from them. Each
block knows its clean text (``lines()``): what a perfect extractor should return for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Title:
    """Title page: the document title (big) and a few lines under it."""
    title: str
    lines: list[str]

    def lines_text(self) -> list[str]:
        return [self.title, *self.lines]


@dataclass
class Heading:
    title: str
    number: str | None = None
    level: int = 1
    in_toc: bool = True

    @property
    def label(self) -> str:
        if not self.number:
            return self.title
        return (f"{self.number} {self.title}" if "." in self.number
                else f"{self.number}. {self.title}")

    def lines_text(self) -> list[str]:
        return [self.label]


@dataclass
class Para:
    text: str
    number: str | None = None
    tags: list[tuple[str, str]] = field(default_factory=list)   # (theme id, sentence)
    align: str = "left"

    def lines_text(self) -> list[str]:
        return [f"{self.number} {self.text}" if self.number else self.text]


@dataclass
class Item:
    """A list entry; ``bullet`` is "•" or a number such as "3.". Word and HTML lists draw the
    marker themselves (auto-numbering), so their text has no marker: see ``lines_text``."""
    text: str
    bullet: str = "•"
    tags: list[tuple[str, str]] = field(default_factory=list)

    @property
    def numbered(self) -> bool:
        return self.bullet != "•"

    def lines_text(self, markers: bool = True) -> list[str]:
        return [f"{self.bullet} {self.text}" if markers else self.text]


@dataclass
class Rec:
    """One recommendation printed as a list entry; ``rec`` is its truth (Recommendation dict)."""
    prefix: str
    text: str
    rec: dict[str, Any]
    own_line: bool = False
    may_break: bool = False      # in PDFs the entry may carry on over the page foot (paginate.py)
    break_inside: bool = False   # a PDF page (or column) ends inside this entry

    @property
    def list_number(self) -> int | None:
        """The number of a recommendation printed as "3." or "3)": a web page draws it as an
        ``<ol>`` item (``render_html``), so the page text has no number."""
        m = re.fullmatch(r"(\d{1,3})[.)]", self.prefix)
        return int(m.group(1)) if m and not self.own_line else None

    def lines_text(self, html_list: bool = False) -> list[str]:
        if not self.prefix or (html_list and self.list_number is not None):
            return [self.text]
        return [self.prefix, self.text] if self.own_line else [f"{self.prefix} {self.text}"]


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    widths: list[float]                       # relative column widths
    recs: dict[int, dict[str, Any]] = field(default_factory=dict)   # row index -> truth rec
    repeat_header: bool = True
    actions: dict[int, dict[str, Any]] = field(default_factory=dict)  # row index -> truth action
    # (row, col) covered by the cell above
    merged: set[tuple[int, int]] = field(default_factory=set)
    split_rows: bool = False  # in PDFs a row that reaches the page foot carries on on the next page
    continued: str = ""        # marker printed in the first cell of a row's continuation, if any

    def row_text(self, row: list[str]) -> str:
        return " | ".join(c for c in row if c)   # an empty (or merged) cell prints nothing


@dataclass
class TocEntry:
    label: str
    page: int = 0


@dataclass
class Toc:
    entries: list[TocEntry]

    def lines_text(self) -> list[str]:
        return [f"{e.label} {e.page}" for e in self.entries]


@dataclass
class PageBreak:
    pass


Block = Title | Heading | Para | Item | Rec | Table | Toc | PageBreak
