"""Place a document's blocks on pages (one or two columns) and record what each page says.

Third step of the generator: ``paginate(blocks, style, metrics)`` decides line breaks and page
breaks once, so every renderer (PDF, scanned PDF, DOCX page breaks) and the truth file agree on
which text is on which page. Paragraphs are never split across pages; tables split between rows
and repeat their header row; headings keep with the next lines. With ``split=True`` (PDF
formats) a table with ``split_rows`` also breaks inside a row (its cells carry on at the top of
the next page, under a repeated header row or not, the first cell perhaps marked "(continued)"),
and a recommendation entry marked ``may_break`` (the clauses of a stem sentence) that reaches the
page foot, or is marked ``break_inside``, carries on on the next page, as printed reports do. In
two-column layouts tables and the title span the full width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

from .blocks import Block, Heading, Item, PageBreak, Para, Rec, Table, Title, Toc


@dataclass(frozen=True)
class PageStyle:
    """Geometry and fonts of one page design (points; A4 = 595 x 842)."""
    name: str = "classic"
    width: float = 595.0
    height: float = 842.0
    margin_x: float = 64.0
    margin_top: float = 78.0
    margin_bottom: float = 72.0
    columns: int = 1
    gutter: float = 22.0
    font: str = "Helvetica"
    bold: str = "Helvetica-Bold"
    size: float = 10.5
    leading: float = 14.0
    para_space: float = 6.0
    table_size: float = 8.5
    header_align: str = "left"
    footer_align: str = "center"

    @property
    def frame_width(self) -> float:
        full = self.width - 2 * self.margin_x
        return (full if self.columns == 1
                else (full - self.gutter * (self.columns - 1)) / self.columns)

    @property
    def full_width(self) -> float:
        return self.width - 2 * self.margin_x


class Metrics(Protocol):
    def wrap(self, text: str, font: str, size: float, width: float) -> list[str]: ...


class ReportlabMetrics:
    """Exact greedy line wrapping with reportlab's font metrics (what the PDF renderer draws)."""

    def __init__(self) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth
        self._sw = stringWidth

    def wrap(self, text: str, font: str, size: float, width: float) -> list[str]:
        sw = self._sw
        space = sw(" ", font, size)
        lines: list[str] = []
        cur: list[str] = []
        cur_w = 0.0
        for word in text.split(" "):
            ww = sw(word, font, size)
            if ww > width:   # a word wider than the column (narrow table cells): break it
                if cur:
                    lines.append(" ".join(cur))
                    cur, cur_w = [], 0.0
                while ww > width and len(word) > 1:
                    k = len(word) - 1
                    while k > 1 and sw(word[:k], font, size) > width:
                        k -= 1
                    lines.append(word[:k])
                    word = word[k:]
                    ww = sw(word, font, size)
            if cur and cur_w + space + ww > width:
                lines.append(" ".join(cur))
                cur, cur_w = [word], ww
            else:
                cur_w = cur_w + space + ww if cur else ww
                cur.append(word)
        lines.append(" ".join(cur))
        return lines


class EstimateMetrics:
    """Fast approximate wrapping for text-only output (line count only; lines are not split)."""

    def wrap(self, text: str, font: str, size: float, width: float) -> list[str]:
        per_line = max(8, int(width / (size * 0.5)))
        return [text] + [""] * (math.ceil(len(text) / per_line) - 1)


@dataclass
class Line:
    text: str
    font: str
    size: float
    x: float          # offset from the frame's left edge
    y: float          # baseline, points from the page top
    align: str = "left"
    width: float = 0  # frame width, for right/centre alignment


@dataclass
class Cell:
    x: float
    y: float          # top, points from the page top
    w: float
    h: float
    lines: list[Line]
    header: bool = False


@dataclass
class Placed:
    block: Block
    frame_x: float                    # absolute x of the frame's left edge
    lines: list[Line] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    rows: tuple[int, int] | None = None   # table rows on this page [start, end)
    header_row: bool = False
    # row -> cells printed here (split rows)
    parts: dict[int, list[str]] = field(default_factory=dict)
    continues: bool = False   # the first row (or the entry) began on an earlier page
    text: list[str] | None = None   # the part of a split entry printed here

    def table_rows(self) -> list[list[str]]:
        """The table rows as printed in this place (a split row's part only)."""
        assert isinstance(self.block, Table) and self.rows is not None
        return [self.parts.get(i, self.block.rows[i]) for i in range(*self.rows)]


@dataclass
class Page:
    placed: list[Placed] = field(default_factory=list)

    def text(self, markers: bool = True, html_lists: bool = False) -> str:
        """Clean body text of the page: what a perfect extractor returns (reading order).

        ``markers=False`` leaves out list bullets and list numbers, which Word and HTML lists
        generate rather than store as text.
        """
        out: list[str] = []
        for p in self.placed:
            b = p.block
            if p.text is not None:
                out.extend(p.text)
            elif isinstance(b, Item):
                out.extend(b.lines_text(markers))
            elif isinstance(b, Rec):
                out.extend(b.lines_text(html_lists))   # numbered ones are <ol> items in HTML
            elif isinstance(b, Table):
                assert p.rows is not None
                if p.header_row:
                    out.append(b.row_text(b.columns))
                out.extend(b.row_text(r) for r in p.table_rows())
            else:
                out.extend(b.lines_text())   # type: ignore[union-attr]
        return "\n".join(out)


class _Paginator:
    def __init__(self, style: PageStyle, metrics: Metrics, split: bool = False) -> None:
        self.s = style
        self.m = metrics
        self.split = split
        self.pages: list[Page] = []
        self.top = style.margin_top
        self.bottom = style.height - style.margin_bottom
        self._new_page()

    # -- frames -----------------------------------------------------------------------------
    def _new_page(self) -> None:
        self.pages.append(Page())
        self.col = 0
        self.y = self.top
        self.col_top = self.top
        self.full = self.s.columns == 1

    def _next_frame(self) -> None:
        if not self.full and self.col + 1 < self.s.columns:
            self.col += 1
            self.y = self.col_top
        else:
            self._new_page()

    def _frame(self) -> tuple[float, float]:
        s = self.s
        if self.full:
            return s.margin_x, s.full_width
        return s.margin_x + self.col * (s.frame_width + s.gutter), s.frame_width

    def _page_empty(self) -> bool:
        return not self.pages[-1].placed

    # -- blocks -----------------------------------------------------------------------------
    def _layout(self, block: Block, width: float) -> tuple[list[Line], float, float]:
        """Lines with y relative to the block top, the block's height and the space needed below."""
        s = self.s
        lines: list[Line] = []
        if isinstance(block, Title):
            for t in self.m.wrap(block.title, s.bold, 20, width):
                lines.append(Line(t, s.bold, 20, 0, 26, "center", width))
            gap = 30.0
            for t in block.lines:
                for u in self.m.wrap(t, s.font, 12, width):
                    lines.append(Line(u, s.font, 12, 0, 17 + gap, "center", width))
                    gap = 0.0
            return _stack(lines, before=150.0 if self.full else 20.0), 0, 24
        if isinstance(block, Heading):
            size = 14 if block.level == 1 else 11.5
            for t in self.m.wrap(block.label, s.bold, size, width):
                lines.append(Line(t, s.bold, size, 0, size + 4))
            return _stack(lines, before=10 if block.level == 1 else 6), 0, 4
        if isinstance(block, Para):
            lines = [Line(t, s.font, s.size, 0, s.leading)
                     for t in self.m.wrap(block.lines_text()[0], s.font, s.size, width)]
            return _stack(lines), 0, s.para_space
        if isinstance(block, Item):
            wrapped = self.m.wrap(block.text, s.font, s.size, width - 16)
            lines = [Line(f"{block.bullet} {wrapped[0]}", s.font, s.size, 4, s.leading)]
            lines += [Line(t, s.font, s.size, 16, s.leading) for t in wrapped[1:]]
            return _stack(lines), 0, 3
        if isinstance(block, Rec):
            if block.prefix and block.own_line:
                lines.append(Line(block.prefix, s.bold, s.size, 0, s.leading))
                body = block.text
            else:
                body = block.lines_text()[0]
            lines += [Line(t, s.font, s.size, 0, s.leading)
                      for t in self.m.wrap(body, s.font, s.size, width)]
            return _stack(lines), 0, s.para_space + 2
        if isinstance(block, Toc):
            lines = [Line(e.label, s.font, s.size + 0.5, 0, s.leading + 4) for e in block.entries]
            return _stack(lines), 0, 0
        raise TypeError(type(block))

    def _place_lines(self, block: Block, lines: list[Line], height: float, after: float,
                     keep: float = 0.0) -> None:
        if (
            self.split
            and isinstance(block, Rec)
            and block.may_break
            and not block.own_line
            and len(lines) > 1
        ):
            room = [ln for ln in lines if self.y + ln.y + 4 <= self.bottom]
            fit = len(lines) // 2 if block.break_inside else len(room)
            if 0 < fit < len(lines) and (block.break_inside or self.y + height > self.bottom):
                self._place_split(block, lines, fit, after)
                return
        if self.y + height + keep > self.bottom and not self._frame_empty():
            self._next_frame()
        x, _ = self._frame()
        for ln in lines:
            ln.y += self.y
        self.pages[-1].placed.append(Placed(block, x, lines))
        self.y += height + after

    def _place_split(self, block: Rec, lines: list[Line], fit: int, after: float) -> None:
        """Print the first ``fit`` lines of an entry here and the rest at the top of the next
        frame."""
        x, _ = self._frame()
        head, rest = lines[:fit], lines[fit:]
        shift = rest[0].y - lines[0].y
        for ln in head:
            ln.y += self.y
        self.pages[-1].placed.append(
            Placed(block, x, head, text=[" ".join(ln.text for ln in head)])
        )
        self._next_frame()
        x, _ = self._frame()
        for ln in rest:
            ln.y += self.y - shift
        self.pages[-1].placed.append(Placed(block, x, rest, continues=True,
                                            text=[" ".join(ln.text for ln in rest)]))
        self.y += rest[-1].y - self.y + 4 + after

    def _frame_empty(self) -> bool:
        return self.y == self.col_top

    def add(self, block: Block) -> None:
        s = self.s
        if isinstance(block, PageBreak):
            if not self._page_empty():
                self._new_page()
            return
        if isinstance(block, Table):
            self._table(block)
            return
        if isinstance(block, Title) and s.columns > 1:
            if not self._page_empty():
                self._new_page()
            self.full = True
            lines, height, after = self._relayout(block)
            self._place_lines(block, lines, height, after)
            self.full = False
            self.col_top = self.y
            return
        lines, height, after = self._relayout(block)
        keep = 3 * s.leading if isinstance(block, Heading) else 0.0
        self._place_lines(block, lines, height, after, keep)

    def _relayout(self, block: Block) -> tuple[list[Line], float, float]:
        _, width = self._frame()
        lines, _, after = self._layout(block, width)
        height = (lines[-1].y + 4) if lines else 0.0
        return lines, height, after

    def _table(self, t: Table) -> None:
        s = self.s
        if s.columns > 1:   # tables span the full width on a page of their own
            carried: list[Block] = []
            page = self.pages[-1].placed
            while page and isinstance(page[-1].block, Heading):   # keep a heading with its table
                carried.insert(0, page.pop().block)
            if carried or not self._page_empty():   # an emptied page is dropped at the end
                self._new_page()
            self.full = True
            for head in carried:
                lines, height, after = self._relayout(head)
                self._place_lines(head, lines, height, after)
        x, width = self._frame()
        total = sum(t.widths)
        widths = [width * w / total for w in t.widths]
        lead = s.table_size + 2.5

        def row_cells(row: list[str], font: str) -> tuple[list[list[str]], float]:
            wrapped = [self.m.wrap(c, font, s.table_size, w - 6)
                       for c, w in zip(row, widths, strict=False)]
            return wrapped, max(len(c) for c in wrapped) * lead + 6

        head_wrapped, head_h = row_cells(t.columns, s.bold)
        i = 0
        pending: list[str] | None = None   # the rest of row i, carried on from the previous page
        header = True
        if self.y != self.col_top:
            self.y += 4
        while i < len(t.rows):
            placed = Placed(t, x, rows=(i, i), header_row=header, continues=pending is not None)
            assert placed.rows is not None
            if header:
                if self.y + head_h + 30 > self.bottom and not self._frame_empty():
                    self._next_frame()
                    if s.columns > 1:
                        self.full = True
                placed.cells.extend(
                    self._cells(head_wrapped, widths, x, self.y, head_h, s.bold, lead, True)
                )
                self.y += head_h
            while i < len(t.rows):
                row = pending if pending is not None else t.rows[i]
                wrapped, h = row_cells(row, s.font)
                if self.y + h > self.bottom and placed.rows[1] > placed.rows[0]:
                    fit = int((self.bottom - self.y - 6) // lead)
                    if self.split and t.split_rows and 0 < fit < max(len(c) for c in wrapped):
                        top = [c[:fit] for c in wrapped]
                        placed.cells.extend(
                            self._cells(top, widths, x, self.y, fit * lead + 6, s.font, lead, False)
                        )
                        placed.parts[i] = [" ".join(c) for c in top]
                        placed.rows = (placed.rows[0], i + 1)
                        pending = [" ".join(c[fit:]) for c in wrapped]
                        if t.continued:
                            pending[0] = f"{t.continued} {pending[0]}".strip()
                    break
                placed.cells.extend(self._cells(wrapped, widths, x, self.y, h, s.font, lead, False))
                if pending is not None:
                    placed.parts[i], pending = pending, None
                self.y += h
                i += 1
                placed.rows = (placed.rows[0], i)
            self.pages[-1].placed.append(placed)
            if i < len(t.rows):
                self._new_page()
                if s.columns > 1:
                    self.full = True
                # Only a PDF row broken over the page may leave the header off the next page;
                # Word (DOCX, and the .doc/.rtf converted from it) repeats it on every page.
                header = t.repeat_header or not (self.split and t.split_rows)
        self.y += s.para_space + 4
        if s.columns > 1:
            self._new_page()

    def _cells(self, wrapped: list[list[str]], widths: list[float], x: float, y: float, h: float,
               font: str, lead: float, header: bool) -> list[Cell]:
        cells = []
        cx = x
        for lines, w in zip(wrapped, widths, strict=False):
            ls = [Line(t, font, self.s.table_size, cx - x + 3, y + 3 + (k + 1) * lead - 2)
                  for k, t in enumerate(lines)]
            cells.append(Cell(cx, y, w, h, ls, header))
            cx += w
        return cells


def _stack(lines: list[Line], before: float = 0.0) -> list[Line]:
    """Turn per-line leading into baselines relative to the block top."""
    y = before
    for ln in lines:
        y += ln.y
        ln.y = y
    return lines


def paginate(
    blocks: list[Block], style: PageStyle, metrics: Metrics, *, split: bool = False
) -> list[Page]:
    """Pages of ``blocks``; ``split`` lets table rows and recommendation entries break over
    pages."""
    p = _Paginator(style, metrics, split)
    for b in blocks:
        p.add(b)
    pages = [pg for pg in p.pages if pg.placed]
    _fill_toc(blocks, pages)
    return pages


def paginate_estimate(blocks: list[Block], chars_per_page: int = 3400) -> list[Page]:
    """Fast pagination by character budget (plain-text output; no geometry, no line wrapping)."""
    pages = [Page()]
    used = 0
    for b in blocks:
        if isinstance(b, PageBreak):
            if pages[-1].placed:
                pages.append(Page())
                used = 0
            continue
        if isinstance(b, Table):
            start = 0
            for i, row in enumerate(b.rows):
                cost = sum(len(c) for c in row) + 200
                if used + cost > chars_per_page and i > start:
                    pages[-1].placed.append(Placed(b, 0.0, rows=(start, i), header_row=True))
                    pages.append(Page())
                    used, start = 0, i
                used += cost
            pages[-1].placed.append(Placed(b, 0.0, rows=(start, len(b.rows)), header_row=True))
            continue
        cost = len(b.lines_text()[0]) + 90 if not isinstance(b, Title) else 1500  # type: ignore[union-attr]
        if used + cost > chars_per_page and pages[-1].placed:
            pages.append(Page())
            used = 0
        pages[-1].placed.append(Placed(b, 0.0))
        used += cost
    pages = [pg for pg in pages if pg.placed]
    _fill_toc(blocks, pages)
    return pages


def _fill_toc(blocks: list[Block], pages: list[Page]) -> None:
    toc = next((b for b in blocks if isinstance(b, Toc)), None)
    if toc is None:
        return
    first_page: dict[int, int] = {}
    for n, pg in enumerate(pages, start=1):
        for p in pg.placed:
            if isinstance(p.block, Heading):
                first_page.setdefault(id(p.block), n)
    heads = [b for b in blocks if isinstance(b, Heading) and b.level == 1 and b.in_toc]
    for entry, head in zip(toc.entries, heads, strict=False):
        entry.page = first_page.get(id(head), 0)
