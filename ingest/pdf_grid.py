"""Ruled tables read straight from PDFium: cell borders from the page's path objects, cell text
from the text layer. The fast path for tables; ``pdf_tables.py`` falls back to pdfplumber only
when a page looks tabular but no ruled grid is found here.

The lattice idea is pdfplumber's (edges -> intersections -> smallest rectangles -> tables):
thin paths are rules, rectangles give their four sides, collinear pieces are merged, and every
cell must be closed by edges on all four sides. Coordinates are PDF points from the page top.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

import pypdfium2.raw as pdfium_c

from ingest.pdf_lines import bounded_text

TOL = 3.0  # points: rules this close are the same rule
THIN = 3.0  # a path thinner than this is a rule
MAX_PATHS = 3000


@dataclass
class GridTable:
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom
    rows: list[list[str]]


def page_edges(
        raw, height: float
) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """(horizontal rules as (y, x0, x1), vertical rules as (x, top, bottom)) of a raw page."""
    hs: list[tuple[float, float, float]] = []
    vs: list[tuple[float, float, float]] = []
    left, bottom, right, top = (pdfium_c.FS_FLOAT(), pdfium_c.FS_FLOAT(), pdfium_c.FS_FLOAT(),
                                pdfium_c.FS_FLOAT())
    n = pdfium_c.FPDFPage_CountObjects(raw)
    seen = 0
    for i in range(n):
        obj = pdfium_c.FPDFPage_GetObject(raw, i)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        seen += 1
        if seen > MAX_PATHS:
            break
        if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            continue
        x0, x1 = left.value, right.value
        y0, y1 = height - top.value, height - bottom.value
        w, h = x1 - x0, y1 - y0
        if w <= THIN and h > THIN:
            vs.append(((x0 + x1) / 2, y0, y1))
        elif h <= THIN and w > THIN:
            hs.append(((y0 + y1) / 2, x0, x1))
        elif w > THIN and h > THIN and pdfium_c.FPDFPath_CountSegments(obj) in (4, 5):
            hs += [(y0, x0, x1), (y1, x0, x1)]
            vs += [(x0, y0, y1), (x1, y0, y1)]
    return _merge(hs), _merge(vs)


def _merge(edges: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Snap collinear rules to one coordinate and join overlapping pieces."""
    out: list[tuple[float, float, float]] = []
    edges.sort()
    i = 0
    while i < len(edges):
        j = i
        while j + 1 < len(edges) and edges[j + 1][0] - edges[i][0] <= TOL:
            j += 1
        pos = sum(e[0] for e in edges[i:j + 1]) / (j + 1 - i)
        spans = sorted((e[1], e[2]) for e in edges[i:j + 1])
        a, b = spans[0]
        for s, e in spans[1:]:
            if s <= b + TOL:
                b = max(b, e)
            else:
                out.append((pos, a, b))
                a, b = s, e
        out.append((pos, a, b))
        i = j + 1
    return out


def _covered(edges: list[tuple[float, float, float]], pos: float, a: float, b: float) -> bool:
    return any(abs(p - pos) <= TOL and s <= a + TOL and e >= b - TOL for p, s, e in edges)


def find_grids(page, textpage, height: float) -> list[GridTable]:
    """Ruled tables of a page (raw PDFium page and text page handles)."""
    hs, vs = page_edges(page, height)
    if len(hs) < 2 or len(vs) < 2:
        return []
    # Intersections of rules, as sorted coordinate lists per row and per column.
    points: set[tuple[float, float]] = set()
    for y, hx0, hx1 in hs:
        for x, vy0, vy1 in vs:
            if hx0 - TOL <= x <= hx1 + TOL and vy0 - TOL <= y <= vy1 + TOL:
                points.add((round(x, 1), round(y, 1)))
    if len(points) < 4:
        return []
    by_y: dict[float, list[float]] = {}
    by_x: dict[float, list[float]] = {}
    for x, y in points:
        by_y.setdefault(y, []).append(x)
        by_x.setdefault(x, []).append(y)
    for v in (*by_y.values(), *by_x.values()):
        v.sort()
    cells: list[tuple[float, float, float, float]] = []
    for x, y in sorted(points, key=lambda p: (p[1], p[0])):
        xs_right = by_y[y][bisect_left(by_y[y], x) + 1:]
        ys_below = by_x[x][bisect_left(by_x[x], y) + 1:]
        cell = _cell_at(x, y, xs_right, ys_below, points, hs, vs)
        if cell is not None:
            cells.append(cell)
    return [_table(group, textpage, height) for group in _group_cells(cells) if len(group) >= 4]


def _cell_at(x: float, y: float, xs_right: list[float], ys_below: list[float],
             points: set[tuple[float, float]], hs: list[tuple[float, float, float]],
             vs: list[tuple[float, float, float]]) -> tuple[float, float, float, float] | None:
    """The smallest ruled cell whose top-left corner is (x, y), following its rules right and
    down; None when the rules stop first."""
    for y2 in ys_below:
        if not _covered(vs, x, y, y2):
            return None
        for x2 in xs_right:
            if not _covered(hs, y, x, x2):
                break
            if (x2, y2) in points and _covered(vs, x2, y, y2) and _covered(hs, y2, x, x2):
                return (x, y, x2, y2)
    return None


def _group_cells(
        cells: list[tuple[float, float, float, float]]
) -> list[list[tuple[float, float, float, float]]]:
    """Cells that touch belong to the same table."""
    groups: list[list[tuple[float, float, float, float]]] = []
    boxes: list[list[float]] = []
    for cell in cells:
        x0, y0, x1, y1 = cell
        for g, box in zip(groups, boxes, strict=False):
            if (x0 <= box[2] + TOL and x1 >= box[0] - TOL and y0 <= box[3] + TOL
                and y1 >= box[1] - TOL):
                g.append(cell)
                box[0], box[1] = min(box[0], x0), min(box[1], y0)
                box[2], box[3] = max(box[2], x1), max(box[3], y1)
                break
        else:
            groups.append([cell])
            boxes.append([x0, y0, x1, y1])
    return groups


def _table(cells: list[tuple[float, float, float, float]], textpage, height: float) -> GridTable:
    rows: dict[float, list[tuple[float, str]]] = {}
    for x0, y0, x1, y1 in cells:
        text = bounded_text(textpage, x0 + 0.5, height - y0 - 0.5, x1 - 0.5, height - y1 + 0.5)
        text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
        rows.setdefault(y0, []).append((x0, text))
    ordered = [[t for _, t in sorted(cells_in_row)] for _, cells_in_row in sorted(rows.items())]
    box = (min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells),
           max(c[3] for c in cells))
    return GridTable(bbox=box, rows=[r for r in ordered if any(r)])
