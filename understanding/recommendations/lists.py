"""Recommendations listed in recommendation sections: the section text is read line by line
by a small reader with one method per kind of line (heading, numbered heading, list item,
labelled line, agency heading, stem sentence, continuation, recommending sentence)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from understanding.doctext import HEAD_THEN_ITEM, DocText, heading_kind, parse_heading_line
from understanding.recommendations.addressees import (
    _agency_cell,
    _agency_heading,
    _scope_of,
    _starts_with_agency,
    addressee,
)
from understanding.recommendations.common import (
    _CLAUSE_END,
    _LEAD_SUBJECT,
    _TERMINAL,
    RecFound,
    _is_table_line,
    _Marker,
    _marker,
    _rules,
)
from understanding.recommendations.tables import _column_of
from understanding.smart import starts_with_action


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


def _is_item_title(part: str) -> bool:
    p = part.strip(" -–—:")
    return 0 < len(p) <= 60 and not p.endswith(_TERMINAL) and not _rules().recommends.search(p)


def _scope_heading(line: str) -> str | None:
    parsed = parse_heading_line(line)
    if parsed is None:
        return None
    title = " ".join(parsed[1].lower().split()).rstrip(":. ")
    for scope, pat in _rules().scope_headings:
        if pat.fullmatch(title):
            return scope
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
        plain = seg.heading and re.fullmatch(r"(?:the\s+)?recommendations?",
                                             seg.heading.title.strip(" :").lower())
        if scope == "local" and plain:
            scope = None  # a plain "Recommendations" heading says nothing about scope
        out.append((seg.start, seg.end, scope))
    return out


# A heading that only says "Recommendations" (numbered or not): it sets no scope.
_PLAIN_RECOMMENDATIONS = re.compile(r"(?:\d[\d.]*\s+)?(?:the\s+)?recommendations?:?")


class _ListReader:
    """Reads the lines of one recommendations region into items. Each kind of line has its
    method, tried in this order; a method returns True when the line is of its kind (and has
    been taken). A line of no kind closes the open item."""

    def __init__(self, start: int, scope: str | None, heading_starts: set[int]) -> None:
        self.start = start                        # where the region starts
        self.scope = scope                        # scope of the heading above ("national", ...)
        self.sub: tuple[str | None, str] | None = None   # the agency heading above, if any
        self.current: _Item | None = None         # the item being read
        self.items: list[_Item] = []
        self.heading_starts = heading_starts

    def read(self, lines: Iterable[tuple[int, str]]) -> list[_Item]:
        for off, raw in lines:
            line = raw.strip()
            if not line or _is_table_line(line) or _FURNITURE.fullmatch(line):
                continue
            heading_scope = _scope_heading(line)
            marker = _marker(line)
            _ = (self.heading(off, line, heading_scope, marker) or
                 self.numbered_heading(line, heading_scope, marker) or
                 self.number_in_sentence(line, marker) or
                 self.list_item(off, line, marker) or
                 self.labelled_line(line) or
                 self.agency_heading(line) or
                 self.stem(off, line) or
                 self.closed_item_content() or
                 self.continuation(line) or
                 self.recommending_sentence(off, line) or
                 self.close())
        self.close()
        return self.items

    def close(self) -> bool:
        """End the open item (a line of no kind does)."""
        if self.current is not None:
            self.items.append(self.current)
        self.current = None
        return True

    def _open(self, number: str | None, kind: str, first: str, off: int, *,
              in_stem: bool = False) -> bool:
        self.close()
        self.current = _Item(number, kind, [first], off, self.scope, self.sub, in_stem=in_stem)
        return True

    def _after_item(self) -> bool:
        """No item is open, or the open one has ended its sentence (or introduces a list)."""
        return self.current is None or self.current.text.endswith(_TERMINAL + (":",))

    def heading(self, off: int, line: str, heading_scope: str | None, marker: _Marker) -> bool:
        """A section heading, or a scope heading ("National recommendations") that is no item."""
        if not (off in self.heading_starts or (heading_scope is not None and marker is None)):
            return False
        self.close()
        if heading_scope is not None or off == self.start:
            self.scope = None if _PLAIN_RECOMMENDATIONS.fullmatch(line.lower()) else heading_scope
        # "15.2 Greater Manchester Police": the items below are its
        self.sub = _agency_heading(line) if heading_scope is None else None
        return True

    def numbered_heading(self, line: str, heading_scope: str | None, marker: _Marker) -> bool:
        """"19.1.2 Kent Police" above "19.1.2.1 Review ...": a numbered heading."""
        if not (marker is not None and marker[1] == "num" and "." in (marker[0] or "") and
                _is_title(marker[2]) and self._after_item()):
            return False
        self.close()
        if heading_scope is not None:
            self.scope, self.sub = heading_scope, None
        else:
            self.sub = _agency_heading(line) or (None, marker[2].strip().rstrip(":"))
        return True

    def number_in_sentence(self, line: str, marker: _Marker) -> bool:
        """"20 cases, reporting..." wrapped onto a new line (or page): the sentence goes on."""
        if marker is None or self.current is None or not _continues(self.current, marker):
            return False
        self.current.parts.append(line)
        return True

    def list_item(self, off: int, line: str, marker: _Marker) -> bool:
        """A line opening with a list marker: a new item, a clause of a stem sentence, or a
        sub-point of the open item."""
        if marker is None:
            return False
        num, kind, rest = marker
        parent = self.current
        if parent is not None and (_is_stem(parent.text) or
                                   (parent.in_stem and kind == parent.marker_kind)):
            # "The panel recommends that:" then "(a) ...; (b) ...": each clause
            return self._open(num, kind, rest, off, in_stem=True)
        if parent is not None and kind != parent.marker_kind and (
                parent.text.endswith(":") or kind == parent.sub_kind):
            parent.parts.append(line)  # sub-points of a recommendation ("a) ...")
            parent.sub_kind = kind
            return True
        return self._open(num, kind, rest, off)

    def labelled_line(self, line: str) -> bool:
        """"Lead agency: Kent Police", "Target date: May 2024" under an item: its metadata; the
        item's text ends here."""
        labelled = _rules().labelled.fullmatch(line)
        if not labelled or self.current is None:
            return False
        column = _column_of(labelled["label"])
        if column == "agency" and labelled["value"].strip():
            self.current.lead = labelled["value"].strip()
        elif column == "scope" and self.current.scope is None:
            value = labelled["value"].strip().lower()
            self.current.scope = value if value in ("local", "regional", "national") else None
        self.current.parts.append("")  # the text of the item ends here
        self.current.closed = True
        return True

    def agency_heading(self, line: str) -> bool:
        """An agency name as a heading: the addressee of the items below."""
        head = _agency_heading(line)
        if head is None or not self._after_item():
            return False
        self.close()
        self.sub = head
        return True

    def stem(self, off: int, line: str) -> bool:
        """"Having considered the findings, the panel recommends that:": its clauses follow."""
        return _is_stem(line) and self._open(None, "stem", line, off)

    def closed_item_content(self) -> bool:
        """Further content of a labelled block (actions, notes): not part of the item."""
        return self.current is not None and self.current.closed

    def continuation(self, line: str) -> bool:
        """The open item's sentence goes on (next line or next page)."""
        if self.current is None or self.current.text.endswith(_TERMINAL):
            return False
        self.current.parts.append(line)
        return True

    def recommending_sentence(self, off: int, line: str) -> bool:
        """A sentence that recommends without a marker ("It is recommended that ...", "Kent
        Police should ...")."""
        rules = _rules()
        if not (rules.sentence_start.match(line) or _starts_with_agency(line) or
                (rules.must.search(line[:200]) and not rules.not_rec.search(line[:120]))):
            return False
        return self._open(None, "sentence", line, off)


def extract_list_recommendations(doc: DocText, whole: bool = False) -> list[RecFound]:
    """Recommendations listed in recommendation sections (``whole``: the whole document is one,
    as in an action plan written as a list)."""
    items: list[_Item] = []
    heading_starts = {h.start for h in doc.headings}
    regions = _regions(doc)
    if whole and not regions:
        regions = [(0, len(doc.text), None)]
    for start, end, region_scope in regions:
        items += _ListReader(start, region_scope, heading_starts).read(
            _pieces(doc.lines(start, end)))
    out = []
    for it in _split_run_on(items):
        found = _recommendation_of(doc, it)
        if found is not None:
            out.append(found)
    return out


def _recommendation_of(doc: DocText, it: _Item) -> RecFound | None:
    """The recommendation an item makes, or None (a stem, a note, too short)."""
    rules = _rules()
    text = it.text
    if _is_stem(text):
        return None   # "The review panel recommends that:" introduces; its clauses recommend
    if it.in_stem:
        text = _CLAUSE_END.sub("", text)
    if len(text) < 20 or rules.not_rec.search(text[:120]) or not (
            it.in_stem or rules.recommends.search(text) or starts_with_action(text) or
            _LEAD_SUBJECT.match(text)):   # "That the CCG adopt a policy..."
        return None
    agency, name = _item_addressee(it, text)
    return RecFound(it.number, text, agency, name, _scope_of(it.scope, text, agency),
                    doc.page_at(it.start), "list",
                    it.sub_addressee[1] if it.sub_addressee else None, it.lead)


def _item_addressee(it: _Item, text: str) -> tuple[str | None, str | None]:
    """(agency id, name) of a listed item: its lead line, else the agency heading above an
    imperative ("Notify the police ..." under "HMP Westgate"), else its opening words, else
    the agency heading above."""
    agency, name = _agency_cell(it.lead) if it.lead else (None, None)
    if agency is None and not it.lead and it.sub_addressee is not None and \
            starts_with_action(text):
        agency, name = it.sub_addressee
    if agency is None and not it.lead:
        agency, name = addressee(text)
    if agency is None and it.sub_addressee is not None and not it.lead:
        agency, name = it.sub_addressee
    return agency, name


# A sentence that only introduces clauses: "The review panel recommends that:", "Having
# considered the findings, the DHR panel makes the following recommendations:".
_STEM = re.compile(r"^[^.;]{0,160}?\b(?:recommend(?:s|ed)?"
                   r"(?:\s+(?:that|the\s+following|as\s+follows|"
                   r"namely|to\s+[^.;:]{1,60}?\s+that))?|(?:following\s+)?recommendations?"
                   r"(?:\s+(?:are|is)\s+made)?(?:\s+(?:to|for)\s+[^.;:]{1,60})?)\s*[:\-–—]$",
                   re.IGNORECASE)


def _is_title(text: str) -> bool:
    """A short heading-like title ("Kent Police", "Multi-agency recommendations")."""
    t = text.strip().rstrip(":")
    return (0 < len(t) <= 80 and t[:1].isupper() and not t.endswith(_TERMINAL + (",",)) and
            len(t.split()) <= 10 and not _rules().recommends.search(t) and
            not starts_with_action(t))


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


_RUN_ON = re.compile(r"(?<=[.;])\s+(?:recommendation\s+)?\(?(\d{1,3}|[a-z])[.):]?\s+(?=[A-Z])",
                     re.IGNORECASE)


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
_AGENCY_HEAD_THEN_ITEM = re.compile(
    r"^(?P<head>[A-Z][\w\-'’&, ]{2,90}?)\s+(?=\(?\d{1,3}[.)]\s+[A-Z])")


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
