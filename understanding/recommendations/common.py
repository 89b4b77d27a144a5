"""Shared pieces of the recommendation extractor: the compiled rules of rules/recommendations.yaml,
the found recommendation, list markers and the phrases that open or end a recommendation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from understanding.rules import compile_any, load


@dataclass
class RecFound:
    number: str | None
    text: str
    agency: str | None
    agency_name: str | None
    scope: str | None
    page: int
    source: str  # "list" | "table"
    heading_name: str | None = None   # the agency heading it is listed under (owner hint)
    lead_name: str | None = None      # its lead column / "Lead agency:" line (owner hint)


@dataclass
class _Rules:
    scope_headings: list[tuple[str, re.Pattern[str]]]
    markers: list[tuple[str, re.Pattern[str]]]   # (marker kind, pattern), tried in order
    sentence_start: re.Pattern[str]
    not_rec: re.Pattern[str]
    columns: list[tuple[str, re.Pattern[str]]]
    no_single: re.Pattern[str]
    national: re.Pattern[str]
    regional: re.Pattern[str]
    national_agencies: frozenset[str]
    labelled: re.Pattern[str]
    addressee_strong: re.Pattern[str]
    addressee_modal: re.Pattern[str]
    passive_by: re.Pattern[str]
    recommends: re.Pattern[str]
    must: re.Pattern[str]
    table_cell: re.Pattern[str]


_any = compile_any   # case-insensitive, any of the patterns


@cache
def _rules() -> _Rules:
    d = load("recommendations")
    return _Rules(
        scope_headings=[(scope, re.compile(_any(p).pattern + r"\s*:?", re.IGNORECASE))
                        for scope, p in d["scope_headings"].items()],
        markers=[(m["kind"], re.compile(m["pattern"], re.IGNORECASE)) for m in d["item_markers"]],
        sentence_start=_any(d["sentence_starts"]),
        not_rec=_any(d["not_a_recommendation"]),
        columns=[(col, re.compile(_any(p).pattern + r"\s*:?", re.IGNORECASE))
                 for col, p in d["table_columns"].items()],
        no_single=_any(d["no_single_addressee"]),
        national=re.compile(r"\b(?:" + _any(d["national_signals"]).pattern + r")", re.IGNORECASE),
        regional=re.compile(r"\b(?:" + _any(d["regional_signals"]).pattern + r")", re.IGNORECASE),
        national_agencies=frozenset(d["national_agencies"]),
        labelled=re.compile(d["labelled_line"], re.IGNORECASE),
        addressee_strong=re.compile(d["modal_verbs"]["addressee_strong"], re.IGNORECASE),
        addressee_modal=re.compile(d["modal_verbs"]["addressee_modal"], re.IGNORECASE),
        passive_by=re.compile(d["modal_verbs"]["passive_by"], re.IGNORECASE),
        recommends=re.compile(d["modal_verbs"]["recommends"], re.IGNORECASE),
        must=re.compile(d["modal_verbs"]["must"], re.IGNORECASE),
        table_cell=re.compile(d["modal_verbs"]["table_cell"], re.IGNORECASE),
    )


# "It is recommended that", "The DHR panel recommends that", "That ..." before the addressee.
_LEAD_IN = re.compile(r"^(?:[^.;:]{0,80}?\brecommend(?:s|ed)?\s+)?that\s+", re.IGNORECASE)


# "That the CCG adopt...", "It is recommended that Kent Police review..." (a recommending lead-in
# and a named subject, without "should").
_LEAD_SUBJECT = re.compile(r"(?:[^.;:]{0,80}?\brecommend(?:s|ed)?\s+)?that\s+"
                           r"(?:the\s+|all\s+|each\s+|every\s+)?(?-i:[A-Z])", re.IGNORECASE)


_TERMINAL = (".", "!", "?", ";")




_WORD_NUMBERS = {w: str(i) for i, w in enumerate(
    ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
     "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
     "twenty"], start=1)}


_Marker = tuple[str | None, str, str] | None   # (number, marker kind, rest of line)


def _marker(line: str) -> _Marker:
    """(number, marker kind, rest of line) if a line opens a list item."""
    for kind, pat in _rules().markers:
        # A marker may stand alone on its line ("Recommendation 3", "3.") with the text below.
        m = pat.match(line.rstrip() + " ")
        if m and (m.end() < len(line) or kind in ("rec", "r") or
                  (kind != "bullet" and line.rstrip()[-1:] in ".):")):
            num = m.groupdict().get("num")
            if kind == "bullet":
                num = None
            elif num and kind == "r":
                num = num.replace(" ", "").upper()
            elif num:
                num = _WORD_NUMBERS.get(num.lower(), num)
            return num, kind, line[m.end():].strip()
    return None


def _is_table_line(line: str) -> bool:
    return line.count(" | ") >= 2 or line.count("\t") >= 2


def _cells(line: str) -> list[str]:
    return [c.strip() for c in (line.split(" | ") if " | " in line else line.split("\t"))]


_CLAUSE_END = re.compile(r"\s*(?:;\s*(?:and|or)?|,\s*(?:and|or)|\band)\s*$", re.IGNORECASE)
