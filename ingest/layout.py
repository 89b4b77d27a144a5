"""Lines with geometry -> paragraph blocks, for PDF text layers and OCR output alike.

Sits between the page readers (``pdf_lines.py``, ``ocr.py``) and cleaning: lines are grouped
into paragraphs by vertical gaps, font changes, list/paragraph-number starts and table cells;
blocks lying wholly in the top or bottom margin band are flagged as ``edge`` so ``clean.py`` can
recognise running headers, footers and page numbers by their repetition across pages.
Coordinates are PDF points measured from the top of the page.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass

from ingest.extracted import Block

EDGE_BAND = 0.09  # fraction of the page height treated as header / footer band
_STARTS_ITEM = re.compile(
    r"^(\d{1,2}(\.\d{1,3}){0,3}\.?\s|[a-z]\)\s|\(([a-z]|[ivx]+|\d+)\)\s|[•▪●◦■□➢►‣·*–-]\s?\s)"
)
_ENDS_WITH_PAGE_REF = re.compile(r"(\.{3,}|…|\s)\s*\d{1,4}$")
_TERMINAL = (".", ":", ";", "?", "!")


@dataclass(slots=True)
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float | None = None  # font size in points
    bold: bool = False
    cells: int = 1  # runs separated by wide gaps (table cells)
    group: int | None = None  # paragraph id where the reader knows it
    baseline: float | None = None  # y of the first character's origin (top-down)

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 0.1)


def lines_to_blocks(lines: list[Line], page_height: float) -> list[Block]:
    """Group a page's lines (in reading order) into blocks."""
    lines = [ln for ln in lines if ln.text.strip()]
    if not lines:
        return []
    page = _PageStats(lines, page_height)
    groups: list[list[Line]] = []
    prev_band: str | None = None
    for line in lines:
        band = page.band_of(line)
        if groups and band == prev_band and not _starts_new_block(groups[-1], line, page):
            groups[-1].append(line)
        else:
            groups.append([line])
        prev_band = band
    blocks = [_to_block(g, page.band, page_height) for g in groups]
    _rank_edges(blocks, groups)
    return blocks


class _PageStats:
    """What "usual" looks like on this page: body size, line pitch, gaps, column right edges."""

    def __init__(self, lines: list[Line], page_height: float) -> None:
        self.page_height = page_height
        self.band = page_height * EDGE_BAND
        self.body_size = _body_size(lines)
        pairs = list(itertools.pairwise(lines))
        pitches = [(b.baseline - a.baseline) / max(a.size, b.size)  # type: ignore[operator]
                   for a, b in pairs if a.baseline is not None and b.baseline is not None and a.size
                   and b.size and a.size == b.size and 0 < b.baseline - a.baseline < 3 * a.size]
        self.pitch = statistics.median(pitches) if pitches else None
        gaps = [b.top - a.bottom for a, b in pairs if 0 <= b.top - a.bottom < 3 * a.height]
        self.usual_gap = statistics.median(gaps) if gaps else 0.0
        # Right edge of the text column each line belongs to (by its left edge), so a short
        # last line is recognised in two-column layouts too.
        rights: dict[int, float] = {}
        for ln in lines:
            k = int(ln.x0 // 12)
            rights[k] = max(rights.get(k, 0.0), ln.x1)
        self._rights = rights

    def column_right(self, line: Line) -> float:
        k = int(line.x0 // 12)
        return max(self._rights.get(k - 1, 0.0), self._rights.get(k, 0.0),
                   self._rights.get(k + 1, 0.0))

    def band_of(self, line: Line) -> str | None:
        return _band(line, self.band, self.page_height)


def _band(line: Line, band: float, page_height: float) -> str | None:
    if line.bottom <= band:
        return "top"
    if line.top >= page_height - band:
        return "bottom"
    return None


def _starts_new_block(group: list[Line], cur: Line, page: _PageStats) -> bool:
    prev = group[-1]
    if prev.cells > 1 or cur.cells > 1:
        return True
    if prev.group is not None and cur.group is not None:
        return prev.group != cur.group
    return _spacing_breaks(prev, cur, page) or _text_breaks(group, prev, cur, page)


def _spacing_breaks(prev: Line, cur: Line, page: _PageStats) -> bool:
    """A new block by position, type size or weight: moved up, another size or weight, or a
    gap wider than the page's line pitch."""
    gap = cur.top - prev.bottom
    if gap < -0.5 * prev.height:  # moved up: next column or out-of-order text
        return True
    ps, cs = prev.size or page.body_size, cur.size or page.body_size
    if abs(ps - cs) > 0.12 * (max(cs, ps)) or prev.bold != cur.bold:
        return True
    if page.pitch and prev.baseline is not None and cur.baseline is not None and prev.size:
        # Baseline-to-baseline distance relative to the type size: immune to ascenders/descenders.
        return (cur.baseline - prev.baseline) / ps > page.pitch * 1.25 + 0.1
    return gap > page.usual_gap + 0.45 * min(prev.height, cur.height) + 1.0


def _text_breaks(group: list[Line], prev: Line, cur: Line, page: _PageStats) -> bool:
    """A new block by what the lines say: a list item starts, a contents entry ends, or a short
    last line ends a paragraph."""
    text = cur.text.lstrip()
    if _STARTS_ITEM.match(text):
        return True
    ptext = prev.text.rstrip()
    if _ENDS_WITH_PAGE_REF.search(ptext) and len(group) == 1 and len(ptext) < 120:
        return True  # table-of-contents entries, one per line
    ps = prev.size or page.body_size
    heading_like = prev.bold or ps > page.body_size * 1.1
    if ptext.endswith(_TERMINAL) and not heading_like:
        right = page.column_right(prev)
        left = min(ln.x0 for ln in group)
        if prev.x1 < left + 0.8 * (right - left):
            return True  # a short last line ends the paragraph
    return False


def _body_size(lines: list[Line]) -> float:
    weights: dict[float, int] = {}
    for ln in lines:
        if ln.size:
            weights[ln.size] = weights.get(ln.size, 0) + len(ln.text)
    if not weights:
        return statistics.median(ln.height for ln in lines)
    return max(weights, key=weights.__getitem__)


def _to_block(group: list[Line], band: float, page_height: float) -> Block:
    first = group[0]
    edge = _band(first, band, page_height)  # all lines of a group share their band
    x0, x1 = first.x0, first.x1
    for ln in group:
        x0 = min(x0, ln.x0)
        x1 = max(x1, ln.x1)
    return Block(
        text="\n".join([ln.text for ln in group]) if len(group) > 1 else first.text,
        kind="table" if first.cells > 1 else "body",
        size=first.size,
        bold=first.bold,
        edge=edge,  # type: ignore[arg-type]
        bbox=(x0, first.top, x1, group[-1].bottom),
    )


def _rank_edges(blocks: list[Block], groups: list[list[Line]]) -> None:
    # Headers set lower than the band: the outermost short single line is a candidate too
    # (clean.py still needs it to repeat across pages, or to look like a page number).
    for edge, pick in (("top", min), ("bottom", max)):
        if not any(b.edge == edge for b in blocks):
            i = pick(range(len(blocks)), key=lambda k: groups[k][0].top)
            if len(groups[i]) == 1 and len(blocks[i].text) <= 100 and blocks[i].edge is None:
                blocks[i].edge = edge  # type: ignore[assignment]
    tops = sorted((g[0].top, i) for i, b in enumerate(blocks) if b.edge == "top"
                  for g in [groups[i]])
    bottoms = sorted(((-g[-1].bottom, i) for i, b in enumerate(blocks) if b.edge == "bottom"
                      for g in [groups[i]]))
    for rank, (_, i) in enumerate(tops):
        blocks[i].edge_rank = rank
    for rank, (_, i) in enumerate(bottoms):
        blocks[i].edge_rank = rank
