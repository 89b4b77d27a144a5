"""Recommendations of a report: numbered/lettered lists in recommendation sections and rows of
action-plan tables, merged without duplicates, each with number, whole text, addressee agency,
scope, page, source and SMART signals.

Part of report understanding (``ingest.understand``). Rules are ``rules/recommendations.yaml``
(item markers, scope headings, table column names) and ``rules/smart.yaml``.

Lists: every section whose heading is a recommendations heading (``sections.yaml``) is read
line by line; a line opening with a marker ("Recommendation 3:", "3.", "R3", "a)", a bullet) or
"It is recommended that" starts an item; a line that continues an unfinished sentence (also the
first line of the next page) is joined to it. Sub-headings set the scope (single-agency /
multi-agency -> local, national, regional) or the addressee (a heading that is an agency name).
Tables: a header row is recognised by its column names (number, recommendation, lead agency,
action, target date, ...); tables without a header that follow one are its continuation on the
next page, and a row without a number whose text continues the previous row is joined back.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import Any

from ingest.agencies import AgencyMention, find_agency_mentions
from ingest.doctext import HEAD_THEN_ITEM, DocText, heading_kind, parse_heading_line
from ingest.rules import load
from ingest.smart import smart_signals, starts_with_action


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


def _any(patterns: Sequence[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


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
_NAME_WORD = re.compile(r"(?:[A-Z][\w'’&\-]*|for|of|upon|on|and|the|in|&)$")
_TERMINAL = (".", "!", "?", ";")
_NORM = re.compile(r"[^a-z0-9]+")


def _norm(text: str) -> str:
    return _NORM.sub(" ", text.lower()).strip()


# ----- addressee, scope ------------------------------------------------------------------------
def addressee(text: str) -> tuple[str | None, str | None]:
    """(agency id, name) of the organisation a recommendation opens with, or (None, None)."""
    rules = _rules()
    head = _LEAD_IN.sub("", text.strip(), count=1)[:200]
    if rules.no_single.match(head) or re.match(r"(?:all\s+|each\s+)", head, re.IGNORECASE):
        return None, None
    strong = next((m for m in _rules().addressee_strong.finditer(head) if not m.group().lower().startswith("to")),
                  None)
    modal = strong or _rules().addressee_modal.search(head)
    limit = modal.start() if modal else min(len(head), 100)
    # A name may hold a word that looks like the verb ("We Are With You ensure that..."): look
    # a little past it and keep the names that start before it.
    mentions = [m for m in find_agency_mentions(head, 0, min(len(head), limit + 40))
                if m.start < limit]
    # The subject is the clause right before the verb: "To improve the police response, the CCG
    # should..." is addressed to the CCG.
    clause = head.rfind(", ", 0, limit) + 2 if ", " in head[:limit] else 0
    for m in [m for m in mentions if m.start >= clause] or mentions:
        # "Adult Social Care, Kent County Council should": the department, not its council.
        dept = next((d for d in mentions if d.end == clause - 2 and d.id != m.id), None)
        if m.id == "local_authority" and dept is not None:
            return dept.id, _full_name(head, dept)
        return m.id, _full_name(head, m)
    passive = _rules().passive_by.search(head)  # "Training should be commissioned by the CCG"
    if passive:
        for m in find_agency_mentions(head, passive.end(), min(len(head), passive.end() + 80)):
            if m.start == passive.end():
                return m.id, _full_name(head, m)
    return None, None


def _full_name(head: str, m: AgencyMention) -> str:
    """Extend a matched agency name left over capitalised words ("Rotherham" + "Housing
    Options"); drop a leading article."""
    words = head[: m.start].split()
    kept: list[str] = []
    for w in reversed(words):
        if not _NAME_WORD.match(w):
            break
        kept.append(w)
    kept.reverse()
    while kept and kept[0].lower() in ("the", "for", "of", "upon", "on", "and", "in", "&"):
        kept.pop(0)
    return " ".join(kept + [m.name]) if kept else m.name


def _scope_of(heading_scope: str | None, text: str, agency: str | None) -> str | None:
    rules = _rules()
    if heading_scope in ("national", "regional"):
        return heading_scope
    if agency in rules.national_agencies:
        return "national"
    if heading_scope != "local" and rules.national.search(text) and agency is None:
        return "national"
    if rules.regional.search(text):
        return "regional"  # a partnership action taken up across the region
    return "local"


# ----- lists -----------------------------------------------------------------------------------
@dataclass
class _Item:
    number: str | None
    marker_kind: str
    parts: list[str]
    start: int
    scope: str | None
    sub_addressee: tuple[str | None, str] | None
    lead: str | None = None          # a "Lead agency: ..." line under the item
    closed: bool = False             # labelled lines followed: no more text
    sub_kind: str | None = None      # marker kind of its sub-points ("so that: • ...; • ...")
    in_stem: bool = False            # a clause of a stem sentence ("recommends that: (a) ...")

    @property
    def text(self) -> str:
        parts = self.parts
        if len(parts) > 1 and _is_item_title(parts[0]) and parts[1][:1].isupper():
            parts = parts[1:]  # "Recommendation 1: Risk assessment" above the recommendation
        return " ".join(" ".join(parts).split())


_WORD_NUMBERS = {w: str(i) for i, w in enumerate(
    ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"], start=1)}


def _is_item_title(part: str) -> bool:
    p = part.strip(" -–—:")
    return 0 < len(p) <= 60 and not p.endswith(_TERMINAL) and not _rules().recommends.search(p)


def _marker(line: str) -> tuple[str | None, str, str] | None:
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


def _scope_heading(line: str) -> str | None:
    parsed = parse_heading_line(line)
    if parsed is None:
        return None
    title = " ".join(parsed[1].lower().split()).rstrip(":. ")
    for scope, pat in _rules().scope_headings:
        if pat.fullmatch(title):
            return scope
    return None


_HEADING_FRAME = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){0,3}\.?\s+)?(?:(?:single[- ]agency\s+)?"
                            r"recommendations?\s+(?:for|to|from)\s+(?:the\s+)?|"
                            r"(?:actions?|learning)\s+for\s+(?:the\s+)?)?", re.IGNORECASE)


@lru_cache(maxsize=4096)
def _agency_heading(line: str) -> tuple[str, str] | None:
    s = _HEADING_FRAME.sub("", line.strip(), count=1).rstrip(":").strip()
    if len(s) > 80 or s.endswith(".") or not s[:1].isupper():
        return None
    found = find_agency_mentions(s)
    if found and len(s.split()) <= 8:
        # "Adults and Communities, Kent Council": the department, the first name; "Kent
        # University Hospitals NHS Trust": one organisation however many agency words it holds.
        m = found[0]
        name = _full_name(s, m)   # "Northumberland Women's Aid", not only "Women's Aid"
        covered = found[-1].end - (m.end - len(name))
        if covered >= len(s) * 0.5 and (len(found) == 1 or s[:1].isupper()):
            return m.id, name if len(found) == 1 else s
    return None


# Page furniture left between two pages of a recommendation ("Page 12 of 30", "- 12 -",
# "OFFICIAL - SENSITIVE").
_FURNITURE = re.compile(r"(?:page\s+)?\d{1,3}(?:\s+of\s+\d{1,3})?|[-–]\s*\d{1,3}\s*[-–]|"
                        r"(?:NOT\s+PROTECTIVELY\s+MARKED|OFFICIAL(?:\s*[:\-–]?\s*SENSITIVE)?)",
                        re.IGNORECASE)
_PAGE_REF = re.compile(r"(?:\s*\.{2,}\s*|\s+)\d{1,3}\s*$")  # "Recommendations ..... 27"


def _is_contents_entry(doc: DocText, start: int, end: int) -> bool:
    """A heading line that is an entry of a contents page: it ends with a page number, and so
    does the line before or after it ("19. Recommendations of the Review 27")."""
    if not _PAGE_REF.search(doc.text[start:end]):
        return False
    before = doc.text.rfind("\n", 0, max(0, start - 1)) + 1
    prev_line = doc.text[before:max(before, start - 1)]
    after = doc.text.find("\n", end + 1)
    next_line = doc.text[end + 1: after if after >= 0 else len(doc.text)]
    return any(_PAGE_REF.search(x) for x in (prev_line, next_line) if x.strip())


def _regions(doc: DocText) -> list[tuple[int, int, str | None]]:
    """(start, end, heading scope) of each run of recommendation sections (contents-page
    entries excluded: they only name the section)."""
    out: list[tuple[int, int, str | None]] = []
    for seg in doc.segments:
        if seg.kind != "recommendations":
            continue
        if seg.heading and _is_contents_entry(doc, seg.heading.start, seg.heading.end):
            continue
        scope = _scope_heading(doc.text[seg.heading.start:seg.heading.end]) if seg.heading else None
        if scope == "local" and seg.heading and re.fullmatch(r"(?:the\s+)?recommendations?",
                                                              seg.heading.title.strip(" :").lower()):
            scope = None  # a plain "Recommendations" heading says nothing about scope
        out.append((seg.start, seg.end, scope))
    return out


def extract_list_recommendations(doc: DocText, whole: bool = False) -> list[RecFound]:
    """Recommendations listed in recommendation sections (``whole``: the whole document is one,
    as in an action plan written as a list)."""
    rules = _rules()
    items: list[_Item] = []
    heading_starts = {h.start for h in doc.headings}
    regions = _regions(doc)
    if whole and not regions:
        regions = [(0, len(doc.text), None)]
    for start, end, region_scope in regions:
        scope = region_scope
        sub: tuple[str | None, str] | None = None
        current: _Item | None = None

        def close() -> None:
            nonlocal current
            if current is not None:
                items.append(current)
            current = None

        for off, raw in _pieces(doc.lines(start, end)):
            line = raw.strip()
            if not line or _is_table_line(line) or _FURNITURE.fullmatch(line):
                continue
            heading_scope = _scope_heading(line)
            if off in heading_starts or (heading_scope is not None and not _marker(line)):
                close()
                if heading_scope is not None or off == start:
                    scope = None if re.fullmatch(r"(?:\d[\d.]*\s+)?(?:the\s+)?recommendations?:?",
                                                 line.lower()) else heading_scope
                # "15.2 Greater Manchester Police": the items below are its
                sub = _agency_heading(line) if heading_scope is None else None
                continue
            marker = _marker(line)
            if marker is not None and marker[1] == "num" and "." in (marker[0] or "") and \
                    _is_title(marker[2]) and (current is None or
                                              current.text.endswith(_TERMINAL + (":",))):
                close()   # "19.1.2 Kent Police" above "19.1.2.1 Review ...": a numbered heading
                if heading_scope is not None:
                    scope, sub = heading_scope, None
                else:
                    sub = _agency_heading(line) or (None, marker[2].strip().rstrip(":"))
                continue
            if marker is not None and current is not None and _continues(current, marker):
                current.parts.append(line)  # "20 cases, reporting..." wrapped onto a new page
                continue
            if marker is not None:
                num, kind, rest = marker
                parent = current
                if parent is not None and _is_stem(parent.text):
                    close()   # "The panel recommends that:" then "(a) ...; (b) ...": each clause
                    current = _Item(num, kind, [rest], off, scope, sub, in_stem=True)
                    continue
                if parent is not None and parent.in_stem and kind == parent.marker_kind:
                    close()
                    current = _Item(num, kind, [rest], off, scope, sub, in_stem=True)
                    continue
                if parent is not None and kind != parent.marker_kind and (
                        parent.text.endswith(":") or kind == parent.sub_kind):
                    parent.parts.append(line)  # sub-points of a recommendation ("a) ...")
                    parent.sub_kind = kind
                    continue
                close()
                current = _Item(num, kind, [rest], off, scope, sub)
                continue
            labelled = rules.labelled.fullmatch(line)
            if labelled and current is not None:
                column = _column_of(labelled["label"])
                if column == "agency" and labelled["value"].strip():
                    current.lead = labelled["value"].strip()
                elif column == "scope" and current.scope is None:
                    value = labelled["value"].strip().lower()
                    current.scope = value if value in ("local", "regional", "national") else None
                current.parts.append("")  # the text of the item ends here
                current.closed = True
                continue
            agency_head = _agency_heading(line)
            if agency_head is not None and (current is None or
                                            current.text.endswith(_TERMINAL + (":",))):
                close()
                sub = agency_head
                continue
            if _is_stem(line) and marker is None:
                close()   # "Having considered the findings, the panel recommends that:"
                current = _Item(None, "stem", [line], off, scope, sub)
                continue
            if current is not None and current.closed:
                continue  # further labelled block content (actions, notes)
            if current is not None and not current.text.endswith(_TERMINAL):
                current.parts.append(line)  # the sentence goes on (next line or next page)
                continue
            if rules.sentence_start.match(line) or _starts_with_agency(line) or \
                    (_rules().must.search(line[:200]) and not rules.not_rec.search(line[:120])):
                close()
                current = _Item(None, "sentence", [line], off, scope, sub)
                continue
            close()
        close()
    out = []
    for it in _split_run_on(items):
        text = it.text
        if _is_stem(text):
            continue   # "The review panel recommends that:" introduces; its clauses recommend
        if it.in_stem:
            text = _CLAUSE_END.sub("", text)
        if len(text) < 20 or rules.not_rec.search(text[:120]) or not (
                it.in_stem or _rules().recommends.search(text) or starts_with_action(text) or
                _LEAD_SUBJECT.match(text)):   # "That the CCG adopt a policy..."
            continue
        agency, name = _agency_cell(it.lead) if it.lead else (None, None)
        if agency is None and not it.lead and it.sub_addressee is not None and \
                starts_with_action(text):
            agency, name = it.sub_addressee   # "Notify the police ..." under "HMP Westgate"
        if agency is None and not it.lead:
            agency, name = addressee(text)
        if agency is None and it.sub_addressee is not None and not it.lead:
            agency, name = it.sub_addressee
        out.append(RecFound(it.number, text, agency, name, _scope_of(it.scope, text, agency),
                            doc.page_at(it.start), "list",
                            it.sub_addressee[1] if it.sub_addressee else None, it.lead))
    return out


# A sentence that only introduces clauses: "The review panel recommends that:", "Having
# considered the findings, the DHR panel makes the following recommendations:".
_STEM = re.compile(r"^[^.;]{0,160}?\b(?:recommend(?:s|ed)?(?:\s+(?:that|the\s+following|as\s+follows|"
                   r"namely|to\s+[^.;:]{1,60}?\s+that))?|(?:following\s+)?recommendations?"
                   r"(?:\s+(?:are|is)\s+made)?(?:\s+(?:to|for)\s+[^.;:]{1,60})?)\s*[:\-–—]$",
                   re.IGNORECASE)
_CLAUSE_END = re.compile(r"\s*(?:;\s*(?:and|or)?|,\s*(?:and|or)|\band)\s*$", re.IGNORECASE)


def _is_title(text: str) -> bool:
    """A short heading-like title ("Kent Police", "Multi-agency recommendations")."""
    t = text.strip().rstrip(":")
    return (0 < len(t) <= 80 and t[:1].isupper() and not t.endswith(_TERMINAL + (",",)) and
            len(t.split()) <= 10 and not _rules().recommends.search(t) and not starts_with_action(t))


def _is_stem(text: str) -> bool:
    return (len(text) <= 240 and text.rstrip()[-1:] in ":-–—" and
            bool(_STEM.match(text.strip())))


def _continues(current: _Item, marker: tuple[str | None, str, str]) -> bool:
    """A number at the start of a line inside an unfinished sentence is part of the sentence
    unless it is the next number of the list."""
    num, kind, rest = marker
    if current.text.endswith(_TERMINAL + (":",)) or kind not in ("num", "r") or not num:
        return False
    if current.in_stem and kind == current.marker_kind and _CLAUSE_END.search(current.text):
        return False   # "...; and" then "(9) the Home Office ...": the next clause
    if num.isdigit() and current.number and current.number.isdigit():
        return int(num) != int(current.number) + 1 or rest[:1].islower()
    return rest[:1].islower()


_RUN_ON = re.compile(r"(?<=[.;])\s+(?:recommendation\s+)?\(?(\d{1,3}|[a-z])[.):]?\s+(?=[A-Z])", re.IGNORECASE)


def _split_run_on(items: list[_Item]) -> list[_Item]:
    """Split items whose text runs on into the next numbered item ("... strengthened. 7) All
    agencies ..."), which happens when a layout merges two list paragraphs."""
    out: list[_Item] = []
    for it in items:
        text = it.text
        num = it.number
        while num and (num.isdigit() or len(num) == 1):
            nxt = str(int(num) + 1) if num.isdigit() else chr(ord(num) + 1)
            m = next((m for m in _RUN_ON.finditer(text) if m.group(1).lower() == nxt.lower()), None)
            if m is None:
                break
            out.append(replace(it, number=num, parts=[text[:m.start()]]))
            text, num = text[m.end():], nxt
        out.append(replace(it, number=num, parts=[text]))
    return out


_INLINE_ITEM = re.compile(r"(?<=[.;])\s+(?=(?:recommendation\s+\d{1,3}\b|\(\d{1,3}\)|\d{1,3}\)|"
                          r"\d{1,3}\.\s+[A-Z]|\(?[a-h]\)\s+[A-Z]))", re.IGNORECASE)


# A heading run into a coded item ("Agency Recommendations R1 Kent Police should..."), as OCR
# joins a bold heading to the line after it.
_HEAD_THEN_CODE = re.compile(r"^(?P<head>[A-Z][\w\-'’ ()]{2,70}?)\s+(?=(?:R\s?\d{1,3}|"
                             r"Rec(?:ommendation)?\.?\s+(?:No\.?\s*)?\d{1,3})\b[:.\-–—)]?\s+[A-Z])")


# An agency heading run into its first item ("Recommendations for Kent Police 1) Review ...").
_AGENCY_HEAD_THEN_ITEM = re.compile(r"^(?P<head>[A-Z][\w\-'’&, ]{2,90}?)\s+(?=\(?\d{1,3}[.)]\s+[A-Z])")
_ITEM_INSIDE = re.compile(r"\s\(?\d{1,3}[.)]\s+[A-Z]")
# A section heading run into a stem ("5. Recommendations The panel recommends that:").
_HEAD_THEN_STEM = re.compile(r"^(?P<head>(?:\d{1,2}(?:\.\d{1,2})*\.?\s+)?[A-Z][^.:;]{2,80}?)\s+"
                             r"(?=[A-Z][^.;]{0,160}\brecommend(?:s|ed)?\b[^.;]{0,60}:\s*$)")


def _pieces(lines: Any) -> Any:
    """Lines split where a layout ran a heading into its first item or items into each other."""
    for off, line in lines:
        joined = HEAD_THEN_ITEM.match(line) or _HEAD_THEN_CODE.match(line)
        if joined and (heading_kind(joined["head"]) is not None or
                       _scope_heading(joined["head"]) is not None):
            yield off, joined["head"]
            off, line = off + joined.end(), line[joined.end():]
        else:
            joined = _AGENCY_HEAD_THEN_ITEM.match(line) if _ITEM_INSIDE.search(line) else None
            if joined is None and line.rstrip().endswith(":"):
                joined = _HEAD_THEN_STEM.match(line)
                parsed = parse_heading_line(joined["head"]) if joined else None
                if joined and heading_kind(parsed[1] if parsed else "") is None:
                    joined = None
            elif joined is not None and _agency_heading(joined["head"]) is None:
                joined = None
            if joined:
                yield off, joined["head"]
                off, line = off + joined.end(), line[joined.end():]
        pos = 0
        for m in _INLINE_ITEM.finditer(line):
            yield off + pos, line[pos:m.start()]
            pos = m.end()
        yield off + pos, line[pos:]


def _starts_with_agency(line: str) -> bool:
    agency, _ = addressee(line)
    return agency is not None and bool(re.search(r"\b(?:should|must|to|will)\b", line[:150]))


# ----- tables ----------------------------------------------------------------------------------
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
    out: list[RecFound] = []
    cols: dict[str, int] | None = None
    width = 0
    last_page = 0
    header_cells: list[str] = []
    for table in tables:
        rows = [list(r) for r in (getattr(table, "rows", None) or [])]
        page = int(getattr(table, "page", 1) or 1)
        if not rows:
            continue
        header = _header_map(rows[0])
        if header is not None:
            cols, width = header, len(rows[0])
            header_cells = [" ".join(c.lower().split()) for c in rows[0]]
            rows = rows[1:]
            continued = False
        elif cols is not None and len(rows[0]) == width and page - last_page <= 1:
            continued = True  # the same table going on over the page
        else:
            inferred = _infer_columns(rows)
            if inferred is None:
                cols = None
                continue
            cols, skip_first = inferred
            width = len(rows[0])
            if skip_first:
                header_cells = [" ".join(c.lower().split()) for c in rows[0]]
                rows = rows[1:]
            continued = False
        last_page = page
        for k, row in enumerate(rows):
            if _header_map(row) is not None or \
                    [" ".join(c.lower().split()) for c in row] == header_cells:
                continue  # a header repeated on a new page
            text = _cell(row, cols, "text")
            number = _clean_number(_cell(row, cols, "number"))
            if not text:
                continue  # a further action of the recommendation above (merged cell)
            m = _marker(text)
            continuing = out and out[-1].source == "table" and not out[-1].text.endswith(_TERMINAL)
            if len(text) < 20 and not continuing:
                continue  # "Note", "See above", a status word
            if not (_rules().recommends.search(text) or starts_with_action(m[2] if m else text) or
                    _LEAD_SUBJECT.match(m[2] if m else text) or
                    # "(a) the Oakfield Surgery establish ...": a numbered clause of a stem
                    (m is not None and m[1] in ("num", "letter", "r") and m[0] and
                     _cell(row, cols, "agency")) or
                    (out and out[-1].source == "table" and not out[-1].text.endswith(_TERMINAL))):
                continue  # not a recommendation: a misread cell, a note, a status
            if m is not None and m[1] in ("rec", "r", "num", "letter") and m[0]:
                number = number or m[0]
                text = _CLAUSE_END.sub("", m[2].strip())
            prev = out[-1] if out and out[-1].source == "table" else None
            joins = (prev is not None and (number is None or number == prev.number) and
                     (not prev.text.endswith(_TERMINAL) or text[:1].islower()) and
                     (k == 0 and continued or k > 0))
            if joins and prev is not None:
                prev.text = f"{prev.text} {text}"
                continue
            agency_cell = _cell(row, cols, "agency")
            agency, name = _agency_cell(agency_cell)
            if agency is None and not agency_cell:
                agency, name = addressee(text)
            scope_cell = _cell(row, cols, "scope").lower()
            scope = scope_cell if scope_cell in ("local", "regional", "national") else None
            out.append(RecFound(number, text, agency, name, scope or _scope_of(None, text, agency),
                                page, "table", None, agency_cell or None))
    return out


_SHORT_NUMBER = re.compile(r"^\(?(?:r(?:ec)?\.?\s*)?\d{1,3}(?:\.\d{1,2})?[a-z]?[.)]?$|^\(?[a-z][.)]?$", re.IGNORECASE)


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

    def share(j: int, test: Any) -> float:
        cells = [r[j].strip() for r in body if r[j].strip()]
        return sum(1 for c in cells if test(c)) / len(cells) if cells else 0.0

    def recommends(c: str) -> bool:
        m = _marker(c)
        rest = m[2] if m else c
        # A numbered clause ("(a) the surgery establish ...", "19.1.1.1 Adopt a policy ...").
        numbered = m is not None and m[1] in ("num", "letter", "r") and bool(m[0]) and len(rest) > 40
        return bool(_rules().table_cell.search(c) or _LEAD_SUBJECT.match(rest) or numbered or
                    starts_with_action(rest))

    text_scores = [share(j, lambda c: len(c) > 40 and recommends(c)) for j in range(width)]
    # The recommendation comes before the actions that answer it: the leftmost such column.
    text_col = next((j for j in range(width) if text_scores[j] >= 0.5), None)
    if text_col is None:
        return None
    cols = {"text": text_col}
    agency_scores = [share(j, lambda c: len(c) <= 80 and (_agency_cell(c)[0] is not None or
                                                          bool(re.match(r"all\b", c, re.IGNORECASE))))
                     if j != text_col else 0.0 for j in range(width)]
    agency_col = max(range(width), key=lambda j: agency_scores[j])
    if agency_scores[agency_col] >= 0.5:
        cols["agency"] = agency_col
    number_scores = [share(j, lambda c: bool(_SHORT_NUMBER.match(c))) if j not in cols.values()
                     else 0.0 for j in range(width)]
    number_col = max(range(width), key=lambda j: number_scores[j])
    if number_scores[number_col] >= 0.8:
        cols["number"] = number_col
    if len(cols) < 2:
        return None  # a recommendation column alone could be any table of prose
    first = rows[0][text_col].strip() if len(rows[0]) == width else ""
    is_header = len(first) < 40 and not _rules().recommends.search(first)
    return cols, is_header


def _agency_cell(cell: str) -> tuple[str | None, str | None]:
    if not cell or _rules().no_single.match(cell) or re.match(r"all\b", cell, re.IGNORECASE):
        return None, None
    found = find_agency_mentions(cell)
    if not found:
        return None, None
    m = found[0]
    return m.id, _full_name(cell, m)


# ----- merge -----------------------------------------------------------------------------------
def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sm.real_quick_ratio() >= 0.9 and sm.quick_ratio() >= 0.9 and sm.ratio() >= 0.9


def merge(listed: list[RecFound], tabled: list[RecFound]) -> list[RecFound]:
    """List recommendations, each completed from its table row, plus table-only ones."""
    out = list(listed)
    norms = [_norm(r.text) for r in listed]
    by_norm = {n: i for i, n in enumerate(norms)}
    for t in tabled:
        tn = _norm(t.text)
        i = by_norm.get(tn)
        if i is None:
            # Near matches complete a listed recommendation, or repeat a table row of the same
            # number; two rows numbered differently are two recommendations even when one only
            # adds a deadline to the other ("... central library." / "... library by May 2021.").
            i = next((j for j, n in enumerate(norms)
                      if (j < len(listed) or t.number is None or out[j].number in (None, t.number))
                      and (_same(n, tn) or (len(tn) > 40 and (n.startswith(tn) or tn.startswith(n))))),
                     None)
        if i is None:
            out.append(t)
            norms.append(tn)
            continue
        r = out[i]
        if t.agency is not None and r.agency != t.agency:
            r = replace(r, agency=t.agency, agency_name=t.agency_name)
        if r.number is None and t.number:
            r = replace(r, number=t.number)
        if r.lead_name is None and t.lead_name:
            r = replace(r, lead_name=t.lead_name)
        out[i] = r
    return out


def extract_recommendations(doc: DocText, tables: Sequence[Any] = (),
                            doc_type: str | None = None, *, owner_hints: bool = False,
                            ) -> list[dict[str, Any]]:
    """All recommendations as contract dicts (number, text, agency, agency_name, scope, page,
    source, smart). An action plan without tables is read as one list. ``owner_hints`` adds
    ``_heading`` and ``_lead`` (the agency heading and lead column) for ``ingest.owners``."""
    tabled = extract_table_recommendations(tables or pipe_tables(doc))
    listed = extract_list_recommendations(doc, whole=doc_type == "action_plan" and not tabled)
    out = []
    for r in merge(listed, tabled):
        smart = smart_signals(r.text, r.agency is not None or r.agency_name is not None)
        out.append({"number": r.number, "text": r.text, "agency": r.agency,
                    "agency_name": r.agency_name, "scope": r.scope, "page": r.page,
                    "source": r.source, "smart": smart.model_dump()})
        if owner_hints:
            out[-1].update({"_heading": r.heading_name, "_lead": r.lead_name})
    return out
