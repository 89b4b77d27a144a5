"""Who a recommendation is addressed to (agency id and printed name) and its scope (local,
regional, national), from its opening words, an agency heading above it or a lead cell."""

from __future__ import annotations

import re
from functools import lru_cache

from understanding.agencies import AgencyMention, find_agency_mentions
from understanding.recommendations.common import _LEAD_IN, _rules

_NAME_WORD = re.compile(r"(?:[A-Z][\w'’&\-]*|for|of|upon|on|and|the|in|&)$")


def addressee(text: str) -> tuple[str | None, str | None]:
    """(agency id, name) of the organisation a recommendation opens with, or (None, None)."""
    rules = _rules()
    head = _LEAD_IN.sub("", text.strip(), count=1)[:200]
    if rules.no_single.match(head) or re.match(r"(?:all\s+|each\s+)", head, re.IGNORECASE):
        return None, None
    return _subject(head) or _passive_agent(head) or (None, None)


def _subject(head: str) -> tuple[str, str] | None:
    """The agency named before the verb ("Kent Police should ...")."""
    rules = _rules()
    strong = next((m for m in rules.addressee_strong.finditer(head)
                   if not m.group().lower().startswith("to")), None)
    modal = strong or rules.addressee_modal.search(head)
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
    return None


def _passive_agent(head: str) -> tuple[str, str] | None:
    """"Training should be commissioned by the CCG": the agency after "by"."""
    passive = _rules().passive_by.search(head)
    if passive:
        for m in find_agency_mentions(head, passive.end(), min(len(head), passive.end() + 80)):
            if m.start == passive.end():
                return m.id, _full_name(head, m)
    return None


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


def _starts_with_agency(line: str) -> bool:
    agency, _ = addressee(line)
    return agency is not None and bool(re.search(r"\b(?:should|must|to|will)\b", line[:150]))


def _agency_cell(cell: str) -> tuple[str | None, str | None]:
    if not cell or _rules().no_single.match(cell) or re.match(r"all\b", cell, re.IGNORECASE):
        return None, None
    found = find_agency_mentions(cell)
    if not found:
        return None, None
    m = found[0]
    return m.id, _full_name(cell, m)
