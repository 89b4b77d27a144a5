"""Tables on OCR'd pages, rebuilt from Tesseract's word boxes.

Called by ``ocr.py`` for every scanned page. A scan has no text layer and no path objects, so
neither ``pdf_grid.py`` nor pdfplumber can see its tables; Tesseract, however, reports the ruling
lines it found during layout analysis as empty "words" with a long thin box, next to the word
boxes of the text. From those:

1. the page skew is measured (from the tops of the vertical rules, or the slope of long text
   lines) and every box is turned back by it, so rows and columns are straight;
2. ruled tables: vertical rules that span the same height are grouped into one table, the
   horizontal rules inside it give the row boundaries and, per row, the vertical rules crossing
   it give the cell boundaries (merged cells come out naturally); every word goes to the cell
   holding its centre and the words of a cell are put back into lines;
3. tables without rules: a header row (a line whose wide-gap-separated runs name at least three
   known action-plan columns, ``rules/recommendations.yaml``) fixes the column x-positions; the
   lines below it are cut into cells at those positions and a new row starts where the first
   column begins after a vertical gap, until the columns stop lining up.

The result is ``Table(page, rows, bbox)`` with the same shape the text-layer path produces, so the
recommendations extractor reads scanned action plans unchanged. Coordinates in, out: PDF points
from the page top (converted from pixels by ``scale``).
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass
from functools import cache

from ingest.extracted import Table
from ingest.layout import Line

# Ruling lines that Tesseract read as characters at a word's edge, or as a word of their own.
_RULE_CHARS = re.compile(r"^[|¦}{\[\]]+|[|¦}{\[\]]+$")
RULE_RATIO = 8.0  # a blank box this many times longer than thick is a ruling line
MAX_SKEW = 0.05  # radians (~3 degrees); anything steeper is not a page skew
MIN_COLUMNS = 2
MIN_HEADER_COLUMNS = 3


@dataclass(slots=True)
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    key: tuple[int, int, int]  # Tesseract (block, paragraph, line)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 0.1)


@dataclass(slots=True)
class Rule:
    pos: float  # y of a horizontal rule, x of a vertical one (deskewed)
    start: float  # x0 / top
    end: float  # x1 / bottom


def parse_boxes(tsv: str, scale: float) -> tuple[list[Word], list[Word]]:
    """Tesseract TSV -> (words with text, blank boxes), coordinates in points."""
    words: list[Word] = []
    blanks: list[Word] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        try:
            key = (int(cols[2]), int(cols[3]), int(cols[4]))
            left, top, width, height = (int(c) / scale for c in cols[6:10])
        except ValueError:
            continue
        text = (_RULE_CHARS.sub("", cols[11].strip()).strip() if _RULE_CHARS.search(cols[11])
                else cols[11].strip())
        if not text and cols[11].strip():
            continue  # a ruling line read as a character ("|", "}")
        box = Word(text, left, top, left + width, top + height, key)
        (words if text else blanks).append(box)
    return words, blanks


@dataclass
class PageTables:
    """Tables found on an OCR'd page, and the page's lines with each table's text replaced by
    one line per row (so paragraphs never interleave the columns of a row)."""

    tables: list[Table]
    lines: list[Line]


def tables_and_lines(lines: list[Line], words: list[Word], blanks: list[Word],
                     page: int) -> PageTables:
    """Tables of an OCR'd page and its lines rewritten around them (see ``PageTables``)."""
    tables, slope = find_tables(words, blanks, page)
    if not tables:
        return PageTables([], lines)
    out: list[Line] = []
    inserted: set[int] = set()
    group = 0
    for ln in lines:
        cx = (ln.x0 + ln.x1) / 2
        cy = (ln.top + ln.bottom) / 2 - slope * cx
        inside = next((i for i, t in enumerate(tables) if t.bbox is not None and
                       t.bbox[0] - 2 <= cx + slope * cy <= t.bbox[2] + 2 and
                       t.bbox[1] - 2 <= cy <= t.bbox[3] + 2), None)
        if inside is None:
            out.append(ln)
            continue
        if inside in inserted:
            continue
        inserted.add(inside)
        for cell in _cells_of(tables[inside]):
            group += 1
            out += [replace_line(c, group) for c in cell]
    return PageTables(tables, out)


def replace_line(line: Line, group: int) -> Line:
    line.group = 100_000 + group  # one paragraph per cell
    return line


def _cells_of(table: Table) -> list[list[Line]]:
    """One line per row, cells separated by " | " (the plain-text table convention that the
    understanding step reads as a table row, never as prose), placed inside the table."""
    x0, top, x1, bottom = table.bbox or (0.0, 0.0, 0.0, 0.0)
    pitch = (bottom - top) / max(len(table.rows), 1)
    out = []
    for r, row in enumerate(table.rows):
        text = " | ".join(" ".join(c.split()) for c in row)
        y = top + r * pitch + 1
        out.append([Line(text=text, x0=x0 + 1, x1=x1 - 1, top=y, bottom=y + min(pitch - 1, 10))])
    return out


def find_tables(words: list[Word], blanks: list[Word], page: int) -> tuple[list[Table], float]:
    """Tables of one OCR'd page (1-based ``page``), ruled ones first, else one by its header;
    and the page slope used to straighten the boxes."""
    if not words:
        return [], 0.0
    hs_raw = [b for b in blanks if (b.x1 - b.x0) >= RULE_RATIO * max(b.bottom - b.top, 0.1)]
    vs_raw = [b for b in blanks if (b.bottom - b.top) >= RULE_RATIO * max(b.x1 - b.x0, 0.1)]
    slope = _skew(words, vs_raw)
    dw = [_deskew(w, slope) for w in words]
    tables: list[Table] = []
    if len(vs_raw) >= MIN_COLUMNS and hs_raw:
        hs = [Rule(b.cy - slope * b.cx, b.x0, b.x1) for b in hs_raw]
        vs = [Rule(b.cx + slope * b.cy, b.top - slope * b.cx, b.bottom - slope * b.cx)
              for b in vs_raw]
        tables = _ruled_tables(dw, hs, vs, page)
    if not tables:
        table = _header_table(dw, page)
        if table is not None:
            tables = [table]
    return tables, slope


# ----- geometry --------------------------------------------------------------------------------
def _skew(words: list[Word], vs: list[Word]) -> float:
    """Page slope dy/dx: vertical rules of one table start at the same height on a straight page;
    otherwise the words of long Tesseract lines lie on a line."""
    if len(vs) >= 3:
        pts = sorted((v.cx, v.top) for v in vs)
        slopes = [(b[1] - a[1]) / (b[0] - a[0]) for a, b in itertools.pairwise(pts)
                  if b[0] - a[0] > 20]
        tops = [v.top for v in vs]
        if slopes and max(tops) - min(tops) < 40:  # same table: tops on one skewed line
            s = statistics.median(slopes)
            if abs(s) < MAX_SKEW:
                return s
    by_line: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        by_line.setdefault(w.key, []).append(w)
    slopes = []
    for line in by_line.values():
        if len(line) < 5:
            continue
        xs = [w.cx for w in line]
        ys = [w.bottom for w in line]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        var = sum((x - mx) ** 2 for x in xs)
        if var > 0:
            slopes.append(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=False)) / var)
    s = statistics.median(slopes) if slopes else 0.0
    return s if abs(s) < MAX_SKEW else 0.0


def _deskew(w: Word, slope: float) -> Word:
    """The word box turned back by a small rotation (y' = y - s x, x' = x + s y)."""
    dy = slope * w.cx
    dx = slope * w.cy
    return Word(w.text, w.x0 + dx, w.top - dy, w.x1 + dx, w.bottom - dy, w.key)


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


# ----- ruled tables ----------------------------------------------------------------------------
def _ruled_tables(words: list[Word], hs: list[Rule], vs: list[Rule], page: int) -> list[Table]:
    # Vertical rules that overlap in height belong to the same table.
    groups: list[list[Rule]] = []
    for v in sorted(vs, key=lambda r: r.start):
        for g in groups:
            top, bottom = min(r.start for r in g), max(r.end for r in g)
            if v.start < bottom - 2 and v.end > top + 2:
                g.append(v)
                break
        else:
            groups.append([v])
    tables = []
    for g in groups:
        table = _ruled_table(words, hs, g, page)
        if table is not None:
            tables.append(table)
    return tables


def _ruled_table(words: list[Word], hs: list[Rule], g: list[Rule], page: int) -> Table | None:
    """The table one group of vertical rules draws, with the horizontal rules across it."""
    xs = _cluster([r.pos for r in g], 4.0)
    if len(xs) < MIN_COLUMNS + 1 - 1:  # two rules make one column
        return None
    left, right = min(xs), max(xs)
    top, bottom = min(r.start for r in g), max(r.end for r in g)
    width = right - left
    ys = [h.pos for h in hs if top - 6 <= h.pos <= bottom + 6 and
          min(h.end, right) - max(h.start, left) >= 0.6 * width]
    ys = _cluster(ys + [top, bottom], 4.0)
    if len(ys) < 2:
        return None
    rows: list[list[str]] = []
    for y0, y1 in itertools.pairwise(ys):
        if y1 - y0 < 4:
            continue
        mid = (y0 + y1) / 2
        cuts = _cluster([r.pos for r in g if r.start <= mid <= r.end], 4.0)
        if len(cuts) < 2:
            cuts = [left, right]
        cells = _row_cells(words, y0, y1, cuts)
        if any(cells):
            rows.append(cells)
    if len(rows) >= 2 or (rows and len(rows[0]) >= 3):
        return Table(page=page, rows=rows, bbox=(left, top, right, bottom))
    return None


def _row_cells(words: list[Word], y0: float, y1: float, cuts: list[float]) -> list[str]:
    """The cells' texts of the row between y0 and y1, split at the column rules ``cuts``."""
    inside = [w for w in words if y0 <= w.cy < y1 and cuts[0] - 2 <= w.cx <= cuts[-1] + 2
              and not (len(w.text) == 1 and not w.text.isalnum() and
                       min(abs(w.cx - c) for c in cuts) < 6)]  # a rule read as "—"
    return [_cell_text([w for w in inside if a <= w.cx < b]) for a, b in itertools.pairwise(cuts)]


def _cell_text(words: list[Word]) -> str:
    """Words of one cell back into lines (top to bottom, left to right), joined by newlines."""
    if not words:
        return ""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: w.cy):
        if lines and abs(w.cy - statistics.fmean(x.cy for x in lines[-1])) <= 0.5 * w.height:
            lines[-1].append(w)
        else:
            lines.append([w])
    return "\n".join(" ".join(w.text for w in sorted(ln, key=lambda w: w.x0)) for ln in lines)


# ----- tables without rules, from their header -------------------------------------------------
@cache
def _column_names() -> re.Pattern[str]:
    from understanding.rules import compile_any, load

    return compile_any(p for names in load("recommendations")["table_columns"].values()
                       for p in names)


def _lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into visual lines across the whole page (deskewed centres)."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: w.cy):
        if lines and abs(w.cy - lines[-1][-1].cy) <= 0.45 * w.height:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(ln, key=lambda w: w.x0) for ln in lines]


def _runs(line: list[Word]) -> list[list[Word]]:
    """A line cut where the gap between words is much wider than a word space."""
    h = statistics.median(w.height for w in line)
    runs = [[line[0]]]
    for a, b in itertools.pairwise(line):
        if b.x0 - a.x1 > 1.2 * h:
            runs.append([b])
        else:
            runs[-1].append(b)
    return runs


def _header_table(words: list[Word], page: int) -> Table | None:
    lines = _lines(words)
    names = _column_names()
    for i, line in enumerate(lines):
        runs = _runs(line)
        if len(runs) < MIN_HEADER_COLUMNS:
            continue
        named = sum(1 for r in runs
                    if names.fullmatch(" ".join(w.text for w in r).strip(" :*").lower()))
        if named < MIN_HEADER_COLUMNS:
            continue
        starts = [r[0].x0 for r in runs]
        return _unruled(lines[i:], starts, page)
    return None


def _table_ended(line: list[Word], prev_bottom: float | None, starts: list[float],
                 h: float) -> bool:
    """A wide gap above the line, or text back at the margin left of the table."""
    if prev_bottom is not None and line[0].top - prev_bottom > 3 * h:
        return True  # the table has ended
    first = min(line, key=lambda w: w.x0)
    return first.x0 < starts[0] - 2 * h  # text back at the margin, left of the table


def _starts_row(k: int, n_rows: int, gap: float, h: float) -> bool:
    """Whether line ``k`` (``gap`` below the line above) starts a new row."""
    if k <= 1 and n_rows == 1 and gap < 0.6 * h:
        return False  # a wrapped header cell
    return n_rows == 0 or gap >= 0.6 * h


def _unruled(lines: list[list[Word]], starts: list[float], page: int) -> Table | None:
    h = statistics.median(w.height for ln in lines for w in ln)
    cuts = [s - 0.5 * h for s in starts[1:]]

    def column(w: Word) -> int:
        return sum(1 for c in cuts if w.x0 >= c)

    rows: list[list[list[Word]]] = []
    prev_bottom = None
    used: list[Word] = []
    for k, line in enumerate(lines):
        if _table_ended(line, prev_bottom, starts, h):
            break
        gap = line[0].top - prev_bottom if prev_bottom is not None else 0.0
        if _starts_row(k, len(rows), gap, h):
            rows.append([[] for _ in starts])
        for w in line:
            rows[-1][column(w)].append(w)
        used += line
        prev_bottom = max(w.bottom for w in line)
    if len(rows) < 2:
        return None
    out = [[_cell_text(c) for c in r] for r in rows]
    bbox = (min(starts) - h, min(w.top for w in used), max(w.x1 for w in used), prev_bottom or 0.0)
    return Table(page=page, rows=out, bbox=bbox)
