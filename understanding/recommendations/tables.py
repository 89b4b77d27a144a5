"""Recommendations in action-plan tables: the header row (or, without one, the columns' content)
says which column holds the recommendation, its number, lead agency and scope; a table going
on over the page and a row continuing the one above are joined. The first row of a new page
(under a repeated header row or not, perhaps marked "(continued)") that carries on the last row
of the page before is joined to it by the rule action-plan rows follow
(``understanding.continued_rows``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from understanding.continued_rows import continues_over_page, strip_continued_marker
from understanding.doctext import DocText
from understanding.recommendations.addressees import _agency_cell, _scope_of, addressee
from understanding.recommendations.common import (
    _CLAUSE_END,
    _LEAD_SUBJECT,
    _TERMINAL,
    RecFound,
    _cells,
    _is_table_line,
    _Marker,
    _marker,
    _rules,
)
from understanding.smart import starts_with_action


def _column_of(label: str) -> str | None:
    c = " ".join(label.lower().split()).strip(" :*")
    for col, pat in _rules().columns:
        if pat.fullmatch(c):
            return col
    return None


def _header_map(row: Sequence[str]) -> dict[str, int] | None:
    cols: dict[str, int] = {}
    for i, cell in enumerate(row):
        c = " ".join(cell.lower().split()).strip(" :*")
        if not c or len(c) > 60:
            continue
        for col, pat in _rules().columns:
            if col not in cols and pat.fullmatch(c):
                cols[col] = i
                break
    if "text" in cols and len(cols) >= 2:
        return cols
    return None


def _cell(row: Sequence[str], cols: dict[str, int], key: str) -> str:
    i = cols.get(key)
    return " ".join(row[i].split()) if i is not None and i < len(row) else ""


def pipe_tables(doc: DocText) -> list[Any]:
    """Tables written as "a | b | c" lines in page text (plain-text and converted reports)."""
    tables: list[Any] = []
    for page_no, page in enumerate(doc.pages, start=1):
        rows: list[list[str]] = []
        for line in page.split("\n"):
            if _is_table_line(line):
                rows.append(_cells(line))
            elif rows:
                tables.append(_PipeTable(page_no, rows))
                rows = []
        if rows:
            tables.append(_PipeTable(page_no, rows))
    return tables


@dataclass
class _PipeTable:
    page: int
    rows: list[list[str]]


def extract_table_recommendations(tables: Sequence[Any]) -> list[RecFound]:
    """Recommendations in the rows of action-plan tables, in order."""
    return _TableReader().read(tables)


def _lower_cells(row: Sequence[str]) -> list[str]:
    return [" ".join(c.lower().split()) for c in row]


class _TableReader:
    """Reads tables in order: the columns come from a header row, from the table before (the
    same table going on over the page) or from the cells themselves; then each row is a
    recommendation, the rest of the one above, or nothing."""

    def __init__(self) -> None:
        self.out: list[RecFound] = []
        self.cols: dict[str, int] | None = None   # column of "text", "number", "agency", ...
        self.width = 0                            # cells in a row of the current table
        self.last_page = 0
        self.header_cells: list[str] = []         # the header, to skip where it repeats
        self.above: dict[str, str] | None = None  # the last row read, by column kind
        self.above_rec: RecFound | None = None    # the recommendation that row printed

    def read(self, tables: Sequence[Any]) -> list[RecFound]:
        for table in tables:
            rows = [list(r) for r in (getattr(table, "rows", None) or [])]
            page = int(getattr(table, "page", 1) or 1)
            if not rows:
                continue
            found = self._columns(rows, page)
            if found is None:
                self.above = self.above_rec = None
                continue  # not an action plan
            body, continued = found
            page_top = self.above is not None and page > self.last_page
            self.last_page = page
            for k, row in enumerate(body):
                if self._repeated_header(row):
                    continue
                if not (page_top and self._carried_over(row)):
                    # A row may finish the one above: within a table, or across a page break.
                    self._row(row, page, joinable=k > 0 or continued)
                page_top = False
        return self.out

    def _kinds(self, row: Sequence[str]) -> dict[str, str]:
        assert self.cols is not None  # set by _columns
        return {kind: _cell(row, self.cols, kind) for kind in self.cols}

    def _repeated_header(self, row: list[str]) -> bool:
        return _header_map(row) is not None or _lower_cells(row) == self.header_cells

    def _carried_over(self, row: list[str]) -> bool:
        """Join the first row of a new page to the last row of the page before when it is the
        rest of it (the rule of ``understanding.continued_rows``); whether it was."""
        cols, above = self.cols, self.above
        assert cols is not None and above is not None
        raw, marked = strip_continued_marker(row)
        cells = self._kinds(raw)
        texts = [k for k in sorted(cols, key=lambda kind: cols[kind]) if k in _TEXT_KINDS]
        if not continues_over_page(cells, above, anchor="action" if "action" in cols else "text",
                                   texts=texts, marked=marked, numbered=_numbered(cells)):
            return False
        self.above = {k: f"{above.get(k, '')} {v}".strip() for k, v in cells.items()}
        rec = self.above_rec
        if rec is not None and cells.get("text") and self.out and self.out[-1] is rec:
            # the recommendation printed above, with its lead and scope cells carried on too
            self.out[-1] = self.above_rec = _table_recommendation(
                self.above, rec.number, f"{rec.text} {cells['text']}", rec.page)
        return True

    def _columns(self, rows: list[list[str]], page: int) -> tuple[list[list[str]], bool] | None:
        """(the rows below the header, whether they go on from the table before), with
        ``self.cols`` set; None when the table holds no recommendations."""
        header = _header_map(rows[0])
        if header is not None:
            self.cols, self.width = header, len(rows[0])
            self.header_cells = _lower_cells(rows[0])
            return rows[1:], False
        if self.cols is not None and len(rows[0]) == self.width and page - self.last_page <= 1:
            return rows, True  # the same table going on over the page
        inferred = _infer_columns(rows)
        if inferred is None:
            self.cols = None
            return None
        self.cols, skip_first = inferred
        self.width = len(rows[0])
        if skip_first:
            self.header_cells = _lower_cells(rows[0])
            return rows[1:], False
        return rows, False

    def _row(self, row: list[str], page: int, *, joinable: bool) -> None:
        cols = self.cols
        assert cols is not None  # set by _columns
        self.above, self.above_rec = self._kinds(row), None
        text = _cell(row, cols, "text")
        if not text:
            return  # a further action of the recommendation above (merged cell)
        prev = self.out[-1] if self.out and self.out[-1].source == "table" else None
        found = _recommendation_cell(row, cols, text, prev)
        if found is None:
            return
        number, text = found
        if (prev is not None and joinable and (number is None or number == prev.number) and
                (not prev.text.endswith(_TERMINAL) or text[:1].islower())):
            prev.text = f"{prev.text} {text}"
            self.above_rec = prev
            return
        self.above_rec = _table_recommendation(self.above, number, text, page)
        self.out.append(self.above_rec)


def _numbered(cells: dict[str, str]) -> bool:
    """Whether a row prints a number of its own: a number cell, or a numbered recommendation."""
    m = _marker(cells.get("text", ""))
    return bool(cells.get("number")) or (m is not None and m[1] in _NUMBERED and bool(m[0]))


_NUMBERED = ("rec", "r", "num", "letter")   # list markers that number a recommendation


def _recommendation_cell(row: list[str], cols: dict[str, int], text: str,
                         prev: RecFound | None) -> tuple[str | None, str] | None:
    """(number, text) of the recommendation in a row's text cell (its list marker moved to the
    number), or None for a note or a status; ``prev``: the table recommendation above."""
    number = _clean_number(_cell(row, cols, "number"))
    m = _marker(text)
    continuing = prev is not None and not prev.text.endswith(_TERMINAL)
    if len(text) < 20 and not continuing:
        return None  # "Note", "See above", a status word
    if not (continuing or _row_recommends(text, m, _cell(row, cols, "agency"))):
        return None  # not a recommendation: a misread cell, a note, a status
    if m is not None and m[1] in _NUMBERED and m[0]:
        number = number or m[0]
        text = _CLAUSE_END.sub("", m[2].strip())
    return number, text


def _row_recommends(text: str, m: _Marker, agency_cell: str) -> bool:
    """Whether a recommendation cell recommends (rather than being a note or a status)."""
    rest = m[2] if m else text
    return bool(_rules().recommends.search(text) or starts_with_action(rest) or
                _LEAD_SUBJECT.match(rest) or
                # "(a) the Oakfield Surgery establish ...": a numbered clause of a stem
                (m is not None and m[1] in ("num", "letter", "r") and m[0] and agency_cell))


_TEXT_KINDS = ("text", "scope", "action", "outcome")   # columns of sentences (continued_rows)


def _table_recommendation(cells: dict[str, str], number: str | None, text: str,
                          page: int) -> RecFound:
    """The recommendation of a row (``cells`` by column kind), its agency from the lead cell or
    else from the text."""
    agency_cell = cells.get("agency", "")
    agency, name = _agency_cell(agency_cell)
    if agency is None and not agency_cell:
        agency, name = addressee(text)
    scope_cell = cells.get("scope", "").lower()
    scope = scope_cell if scope_cell in ("local", "regional", "national") else None
    return RecFound(number, text, agency, name, scope or _scope_of(None, text, agency),
                    page, "table", None, agency_cell or None)


_SHORT_NUMBER = re.compile(r"^\(?(?:r(?:ec)?\.?\s*)?\d{1,3}(?:\.\d{1,2})?[a-z]?[.)]?$"
                           r"|^\(?[a-z][.)]?$", re.IGNORECASE)


def _clean_number(cell: str) -> str | None:
    """"1." / "(1)" / "Rec 1" / "R1" -> "1" / "R1"; None when empty."""
    c = cell.strip().strip("().:")
    c = re.sub(r"^rec(?:ommendation)?\.?\s*(?:no\.?\s*)?", "", c, flags=re.IGNORECASE)
    return c or None


def _infer_columns(rows: list[list[str]]) -> tuple[dict[str, int], bool] | None:
    """Columns of an action-plan table whose header names nothing we know: the recommendation
    column holds long sentences that recommend, the lead column short agency names, the number
    column short numbers. Returns (columns, whether the first row is a header)."""
    width = len(rows[0])
    body = [r for r in rows[1:] if len(r) == width]
    if width < 2 or len(body) < 1:
        return None
    text_scores = [_share(body, j, _long_recommending) for j in range(width)]
    # The recommendation comes before the actions that answer it: the leftmost such column.
    text_col = next((j for j in range(width) if text_scores[j] >= 0.5), None)
    if text_col is None:
        return None
    cols = {"text": text_col}
    agency_scores = [_share(body, j, _agency_like) if j != text_col else 0.0 for j in range(width)]
    agency_col = max(range(width), key=lambda j: agency_scores[j])
    if agency_scores[agency_col] >= 0.5:
        cols["agency"] = agency_col
    number_scores = [_share(body, j, _short_number) if j not in cols.values() else 0.0
                     for j in range(width)]
    number_col = max(range(width), key=lambda j: number_scores[j])
    if number_scores[number_col] >= 0.8:
        cols["number"] = number_col
    if len(cols) < 2:
        return None  # a recommendation column alone could be any table of prose
    first = rows[0][text_col].strip() if len(rows[0]) == width else ""
    is_header = len(first) < 40 and not _rules().recommends.search(first)
    return cols, is_header


def _share(body: list[list[str]], j: int, test: Callable[[str], bool]) -> float:
    """The share of the non-empty cells of column ``j`` that pass ``test``."""
    cells = [r[j].strip() for r in body if r[j].strip()]
    return sum(1 for c in cells if test(c)) / len(cells) if cells else 0.0


def _long_recommending(c: str) -> bool:
    if len(c) <= 40:
        return False
    m = _marker(c)
    rest = m[2] if m else c
    # A numbered clause ("(a) the surgery establish ...", "19.1.1.1 Adopt a policy ...").
    numbered = m is not None and m[1] in ("num", "letter", "r") and bool(m[0]) and len(rest) > 40
    return bool(_rules().table_cell.search(c) or _LEAD_SUBJECT.match(rest) or numbered or
                starts_with_action(rest))


def _agency_like(c: str) -> bool:
    return len(c) <= 80 and (_agency_cell(c)[0] is not None or
                             bool(re.match(r"all\b", c, re.IGNORECASE)))


def _short_number(c: str) -> bool:
    return bool(_SHORT_NUMBER.match(c))


