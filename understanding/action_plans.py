"""Rows of published action plans (contract.md 2a ``actions``): column mapping, merged cells,
rows split over pages, dates, progress, and the link to the review recommendation.

Part of report understanding (``understanding.understand``); works on the tables an extractor found
(PDF text layer, OCR tables rebuilt from word boxes, DOCX, HTML, or "a | b" lines). Rules are
data (``rules/action_plans.yaml``):
- a header row is recognised by its column names (synonyms per column kind: recommendation,
  number, scope, action, lead, milestones, target_date, progress, completion, outcome), in any
  order; a table is an action plan when its header names a recommendation or action column and
  a detail column (lead, date, progress, milestones). A column headed like a number ("Rec")
  whose cells hold long text is the recommendation column;
- a table without a header right after an action plan (same width, same or next page) goes on
  with it; a header repeated on a new page is skipped;
- a row with no number, no recommendation (or the same recommendation again, as Word repeats a
  vertically merged cell), no lead and no date whose text carries on an unfinished sentence of
  the row above is the rest of that row (split over a page): its cells are appended;
- the first row of a new page (under a repeated header or not) with no number, or with a
  "(continued)" marker (dropped), is the rest of the last row of the page before when it is
  marked so, when it has no action (or, without an action column, no recommendation) of its
  own, or when its first text cell carries on an unfinished sentence: there a lead or a date is
  the rest of a cell broken over the page ("Hillside Group" / "Practice") (the rule of
  ``understanding.continued_rows``, which the recommendation table reader shares);
- a row under a merged recommendation cell (blank, or repeated) is a further action of the
  recommendation above and inherits its recommendation, and its lead and scope when blank;
- dates through ``understanding.dates``, progress and "date of completion and outcome" cells through
  ``understanding.progress``;
- each row is linked to the document's recommendations by number (the Ref column, or the
  number printed at the start of the recommendation cell) when that number is one of them,
  else by text similarity, else keeps the number as printed.
The lead organisation keeps the printed ``lead_name``; :func:`resolve_lead` maps it to the
organisation registry through the document's resolver (``understanding.owners.OwnerResolver``: the
report's own abbreviations, its area's CSP and ICB, then the registry's names and aliases).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from dhr.text import alnum_key
from understanding.continued_rows import carries_on, continues_over_page, strip_continued_marker
from understanding.dates import year_month
from understanding.owners import OwnerResolver
from understanding.progress import read_progress
from understanding.rules import compile_any, load

_WS = re.compile(r"\s+")
# The number printed at the start of a recommendation cell: "R3", "Recommendation 3:", "3.",
# "3)", "(c)", "Rec 3 -", "15.2.1", "Recommendation No. 3".
_LEADING_NUMBER = re.compile(
    r"^\s*(?:[•▪●\-–*]\s+)?(?:(?:rec(?:ommendation)?\.?\s*(?:no\.?\s*|number\s+)?)(?P<a>\d{1,3}(?:\.\d{1,3}){0,3}[a-z]?)"
    r"|(?P<r>R\s?\d{1,3}(?:\.\d{1,3})?[a-z]?)|\(?(?P<n>\d{1,3}(?:\.\d{1,3}){0,3}[a-z]?)(?=[.):\s])"
    r"|\((?P<l>[a-z])\)|(?P<l2>[a-z])[.)](?=\s))\s*[:.)\-–—]?\s*", re.IGNORECASE)
_NUMBER_CELL = re.compile(r"^\(?(?:rec(?:ommendation)?\.?\s*(?:no\.?\s*)?)?"
                          r"(R?\s?\d{1,3}(?:\.\d{1,3}){0,3}[a-z]?|[a-z])[.):]?$",
                          re.IGNORECASE)
_LONG_CELL = 40


@dataclass
class _Rules:
    columns: list[tuple[str, re.Pattern[str]]]
    anchors: frozenset[str]
    details: frozenset[str]
    no_lead: re.Pattern[str]


@cache
def _rules() -> _Rules:
    d = load("action_plans")
    cols = [(kind, compile_any(pats)) for kind, pats in d["columns"].items()]
    return _Rules(cols, frozenset(d["anchor_columns"]), frozenset(d["detail_columns"]),
                  compile_any(d["no_single_lead"]))


def _clean(cell: str | None) -> str:
    return " ".join(cell.split()) if cell else ""


@cache
def column_kind(label: str) -> str | None:
    """The column kind a header cell names ("Lead agency" -> "lead"), or None. A word broken
    over two lines of a narrow header cell ("organ isation") is read whole."""
    c = _clean(label).lower().strip(" :*")
    if not c or len(c) > 70:
        return None
    spaces = [m.start() for m in re.finditer(" ", c)]
    for candidate in [c] + [c[:i] + c[i + 1:] for i in spaces]:
        for kind, pat in _rules().columns:
            if pat.fullmatch(candidate):
                return kind
    return None


def header_columns(row: Sequence[str]) -> dict[str, int] | None:
    """Column kind -> index for an action-plan header row, or None when the row is no such header.
    The first column of a kind wins (a second "progress" column is read with the first)."""
    cols: dict[str, int] = {}
    known = 0
    for i, cell in enumerate(row):
        kind = column_kind(cell)
        if kind is None:
            continue
        known += 1
        cols.setdefault(kind, i)
        if kind in ("progress", "outcome") and cols[kind] != i:
            cols.setdefault(f"{kind}2", i)
    rules = _rules()
    anchored = bool(rules.anchors & cols.keys()) or "number" in cols
    details = rules.details & cols.keys() - ({"action"} if "recommendation" not in cols else set())
    if known >= 3 and anchored and details:
        return cols
    return None


@dataclass
class _Row:
    cells: dict[str, str]
    page: int
    number: str | None = None
    rec_text: str | None = None
    extra: list[str] = field(default_factory=list)


def _leading_number(text: str) -> tuple[str | None, str]:
    m = _LEADING_NUMBER.match(text)
    if m is None or m.end() == len(text):
        return None, text
    num = next((g for g in (m["a"], m["r"], m["n"], m["l"], m["l2"]) if g), None)
    if num is None:
        return None, text
    return num.replace(" ", ""), text[m.end():]


def _number_cell(cell: str) -> str | None:
    c = _clean(cell).strip()
    if not c:
        return None
    m = _NUMBER_CELL.match(c)
    return m.group(1).replace(" ", "") if m else c[:12]


def _fix_columns(cols: dict[str, int], body: list[list[str]]) -> dict[str, int]:
    """A "Rec"/"No." column that holds the recommendations' text is the recommendation column."""
    if "recommendation" in cols or "number" not in cols:
        return cols
    j = cols["number"]
    cells = [_clean(r[j]) for r in body if j < len(r) and _clean(r[j])]
    if cells and sum(len(c) > _LONG_CELL for c in cells) >= len(cells) / 2:
        fixed = {k: v for k, v in cols.items() if k != "number"}
        fixed["recommendation"] = j
        return fixed
    return cols


def _continues(row: dict[str, str], prev: _Row, order: list[str]) -> bool:
    """The rest of the row above, split over a page (or a tall cell broken by the layout)."""
    if row.get("number") or row.get("lead") or row.get("target_date"):
        return False
    rec = row.get("recommendation", "")
    if rec and alnum_key(rec) == alnum_key(prev.cells.get("recommendation", "")):
        rec = ""
    first = next(((k, row[k]) for k in order if row.get(k)
                  and not (k == "recommendation" and not rec)),
                 None)
    if first is None:
        return False
    kind, text = first
    before = prev.cells.get(kind, "")
    return carries_on(before, text)


_TEXT_CELLS = (
    "recommendation",
    "scope",
    "action",
    "milestones",
    "progress",
    "completion",
    "outcome",
)


def _continues_over_page(row: dict[str, str], prev: _Row, order: list[str], marked: bool) -> bool:
    """The rest of the row above, carried on at the top of a new page
    (``understanding.continued_rows``; a number cell or a numbered recommendation starts a row of
    its own)."""
    rec = row.get("recommendation", "")
    numbered = bool(row.get("number")) or (bool(rec) and _leading_number(rec)[0] is not None)
    return continues_over_page(
        row,
        prev.cells,
        anchor="action" if "action" in order else "recommendation",
        texts=[k for k in order if k in _TEXT_CELLS],
        marked=marked,
        numbered=numbered,
    )


def table_rows(tables: Sequence[Any]) -> list[_Row]:
    """Logical action-plan rows of a document's tables (continuations joined, merges filled)."""
    out: list[_Row] = []
    plan = _PlanTables()
    for table in tables:
        body = plan.body(table)
        if body is None:
            continue  # no action plan: its cells are not read
        assert plan.cols is not None  # a header was found here or on the page before
        cols = plan.cols
        order = sorted(cols, key=lambda k: cols[k])
        page_top = bool(out) and out[-1].page < plan.last_page
        for raw in body:
            if page_top and header_columns(raw) is not None:
                continue   # the header repeated on the new page
            _add_row(out, raw, plan.last_page, cols, order, page_top)
            page_top = False
    return out


class _PlanTables:
    """Follows an action plan over its tables: the columns come from a header row (in the first
    two rows), or from the table before when this one goes on from it over the page."""

    def __init__(self) -> None:
        self.cols: dict[str, int] | None = None
        self.width = 0
        self.last_page = 0

    def body(self, table: Any) -> list[list[str]] | None:
        """The table's rows below its header (cleaned), or None when it is no action plan."""
        rows = list(getattr(table, "rows", None) or [])
        page = int(getattr(table, "page", 1) or 1)
        if not rows:
            return None
        head_at = next((k for k, r in enumerate(rows[:2]) if header_columns(r) is not None), None)
        if head_at is None and (self.cols is None or len(rows[0]) != self.width or
                                not 0 <= page - self.last_page <= 1):
            self.cols = None
            return None
        rows = [[_clean(c) for c in r] for r in rows]
        if head_at is not None:
            cols = header_columns(rows[head_at])
            self.width = len(rows[head_at])
            body = rows[head_at + 1:]
            self.cols = _fix_columns(cols or {}, body)
        else:
            body = rows  # the same action plan going on over the page
        self.last_page = page
        return body


_DETAIL_CELLS = ("action", "lead", "target_date", "progress", "completion", "milestones")


def _add_row(out: list[_Row], raw: list[str], page: int, cols: dict[str, int],
             order: list[str], page_top: bool = False) -> None:
    """Add one table row to ``out``: a new action row, the rest of the one above, or nothing
    (a repeated header, a group heading, a recommendation without any action detail).
    ``page_top``: the row is the first one on a new page (it may carry on the last row before)."""
    if header_columns(raw) is not None:
        return  # the header repeated on a new page
    raw, marked = strip_continued_marker(raw) if page_top else (raw, False)
    cells = _row_cells(raw, cols)
    continues = bool(out) and (_continues(cells, out[-1], order) or
                               (page_top and _continues_over_page(cells, out[-1], order, marked)))
    if continues:
        _join(out[-1], cells)
    elif sum(1 for c in raw if c) <= 1 and not any(cells.get(k) for k in ("action", "target_date")):
        return  # a group heading spanning the table ("Single agency actions")
    elif any(cells.get(k) for k in _DETAIL_CELLS):   # else a recommendation without any action
        out.append(_new_row(cells, page, out[-1] if out else None))


def _join(prev: _Row, cells: dict[str, str]) -> None:
    """Append the cells of the rest of a row to it (a repeated recommendation cell only once)."""
    for k, v in cells.items():
        if v and not (k == "recommendation" and alnum_key(v) == alnum_key(prev.cells.get(k, ""))):
            prev.cells[k] = f"{prev.cells.get(k, '')} {v}".strip()


def _row_cells(raw: list[str], cols: dict[str, int]) -> dict[str, str]:
    """The row's cells by column name; a second progress or outcome column joins the first."""
    cells = {k: raw[i] if i < len(raw) else "" for k, i in cols.items()}
    for k in ("progress2", "outcome2"):
        if cells.get(k):
            base = k[:-1]
            cells[base] = f"{cells.get(base, '')} {cells.pop(k)}".strip()
    return cells


def _new_row(cells: dict[str, str], page: int, above: _Row | None) -> _Row:
    """An action row; without a number of its own and under the same recommendation (a merged
    cell), it takes the recommendation, lead and scope of the row above."""
    row = _Row(cells, page)
    rec = cells.get("recommendation", "")
    merged = (not cells.get("number") and above is not None and
              (not rec or alnum_key(rec) == alnum_key(above.cells.get("recommendation", ""))))
    if merged and above is not None:
        row.number, row.rec_text = above.number, above.rec_text
        for k in ("lead", "scope", "recommendation"):
            if not cells.get(k):
                cells[k] = above.cells.get(k, "")
    else:
        num = _number_cell(cells.get("number", ""))
        lead_num, text = _leading_number(rec) if rec else (None, "")
        row.number = num or lead_num
        row.rec_text = text or None
    return row


def resolve_lead(name: str | None, resolver: OwnerResolver | None = None) -> dict[str, str] | None:
    """The registry organisation ({id, name}) a printed lead names, or None (a kind of service,
    "All partner agencies", a body the registry does not hold). ``resolver`` reads the names of
    one document (its abbreviations, its area's CSP and ICB: ``understanding.owners``)."""
    if not name or _rules().no_lead.fullmatch(name.strip()):
        return None
    owner = (resolver or OwnerResolver()).owner(name)
    org = owner.organisation if owner is not None else None
    return {"id": org.id, "name": org.name} if org is not None else None


def link_recommendation(number: str | None, text: str | None,
                        recommendations: Sequence[dict[str, Any]]) -> str | None:
    """The number of the document's recommendation a row serves: by number when the document has
    a recommendation with that number, else by text (the same text, one the start of the other,
    or the most words in common, at least half), else the number as printed."""
    numbers = {r.get("number") for r in recommendations if r.get("number")}
    if number and number in numbers:
        return number
    found = _recommendation_by_text(text, recommendations) if text else None
    return (found.get("number") or number) if found is not None else number


def _recommendation_by_text(text: str, recommendations: Sequence[dict[str, Any]],
                            ) -> dict[str, Any] | None:
    """The recommendation with the same text (or one the start of the other), else the one with
    the most words in common, at least half; None otherwise."""
    tn = alnum_key(text)
    norms = [(alnum_key(r.get("text") or ""), r) for r in recommendations]
    for rn, r in norms:
        if rn and (rn == tn or rn.startswith(tn[:80]) or tn.startswith(rn[:80])):
            return r
    words = set(tn.split())
    best, best_share = None, 0.0
    for rn, r in norms:
        other = set(rn.split())
        if not other or not words:
            continue
        share = len(words & other) / len(words | other)
        if share > best_share:
            best, best_share = r, share
    return best if best is not None and best_share >= 0.5 else None


def extract_actions(tables: Sequence[Any], recommendations: Sequence[dict[str, Any]] = (),
                    resolver: OwnerResolver | None = None) -> list[dict[str, Any]]:
    """Action rows as contract dicts (contract.md 2a), in document order. ``resolver`` resolves
    lead names for this document (default: the registry alone)."""
    resolver = resolver or OwnerResolver()
    out = []
    for row in table_rows(tables):
        c = row.cells
        completion = read_progress(c.get("completion"), completion_column=True)
        progress = read_progress(c.get("progress"))
        status = progress.status or completion.status
        completed = completion.completed_date or progress.completed_date
        outcome = completion.outcome or progress.outcome or (c.get("outcome") or None)
        lead_name = c.get("lead") or None
        out.append({
            "recommendation": link_recommendation(row.number, row.rec_text, recommendations),
            "action": c.get("action") or None,
            "lead": resolve_lead(lead_name, resolver),
            "lead_name": lead_name,
            "milestones": c.get("milestones") or None,
            "target_date": year_month(c.get("target_date")),
            "completed_date": completed if status == "completed" else None,
            "outcome": outcome,
            "status": status,
            "page": row.page,
        })
    return out
