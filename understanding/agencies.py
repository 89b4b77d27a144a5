"""Find the agencies a report names, as taxonomy agency ids with their surface names and counts.

Part of report understanding (``understanding.understand``); also used by
``understanding.recommendations`` to
find the organisation a recommendation is addressed to. The rules are ``rules/agencies.yaml``:
formal names, acronyms and generic words per agency id, and all 43 territorial police forces of
England and Wales (each with "Police" / "Constabulary" / "Police Service" and "and" / "&"
variants), compiled once into a single regular expression so a report is scanned in one pass.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache

from understanding.doctext import DocText, Literal, PhraseMatcher
from understanding.rules import load


@dataclass(frozen=True)
class AgencyMention:
    id: str
    name: str       # the surface form as written (whitespace collapsed)
    start: int
    end: int


@dataclass(frozen=True)
class AgencySummary:
    id: str
    name: str
    mentions: int
    page: int


_FORCE_SUFFIX = r"\s+(?:police(?:\s+(?:service|force))?|constabulary)"


def _force_rule(force: str) -> Literal:
    base = re.sub(r"\s+(?:Police(?:\s+Service)?|Constabulary)$", "", force.strip())
    return Literal(base.lower(), suffix=_FORCE_SUFFIX)


@cache
def _matcher() -> PhraseMatcher:
    data = load("agencies")
    rules: list[tuple[str | None, str, bool, int]] = []
    for force in data["police_forces"]:
        rules.append(("police", _force_rule(force), False, len(force) + 100))
    for agency_id, spec in data["agencies"].items():
        for name in spec.get("names") or ():
            name = str(name).lower()
            # Plurals ("housing providers", "NHS Trusts") name the same kind of agency.
            suffix = None if name.endswith(("s", "y")) else "s?"
            rules.append((agency_id, Literal(name, suffix=suffix), False, len(name)))
        for acr in spec.get("acronyms") or ():
            rules.append((agency_id, re.escape(str(acr)), True, len(str(acr))))
        for pat in spec.get("patterns") or ():
            rules.append((agency_id, pat, True, 40))
    for phrase in data.get("ignore") or ():
        rules.append((None, Literal(str(phrase).lower()), False, len(phrase) + 200))
    return PhraseMatcher(rules)


def find_agency_mentions(text: str, start: int = 0, end: int | None = None,
                         lower: str | None = None) -> list[AgencyMention]:
    """Every agency mention in text[start:end], in order."""
    names: dict[str, str] = {}  # a name written the same way is collapsed once
    out = []
    for s, e, key in _matcher().finditer(text, lower, start, end):
        written = text[s:e]
        name = names.get(written)
        if name is None:
            name = names[written] = " ".join(written.split())
        out.append(AgencyMention(key, name, s, e))
    return out


def agency_of(name: str) -> tuple[str, str] | None:
    """(agency id, surface name) of the first agency named in a short text (a table cell)."""
    found = find_agency_mentions(name)
    return (found[0].id, found[0].name) if found else None


def _display_name(names: Counter[str]) -> str:
    """Prefer a formal, capitalised name ("Lancashire Constabulary") over "the police"."""
    def key(item: tuple[str, int]) -> tuple[int, int, int]:
        name, count = item
        formal = name[:1].isupper() and not name.lower().startswith("the ")
        return (formal and len(name) > 4, count, len(name))
    return max(names.items(), key=key)[0]


def extract_agencies(doc: DocText, mentions: list[AgencyMention] | None = None,
                     ) -> list[AgencySummary]:
    """Agencies named in the report (outside boilerplate), most-mentioned first.
    ``mentions``: ``find_agency_mentions`` of ``doc.text`` when the caller has them already."""
    counts: Counter[str] = Counter()
    names: dict[str, Counter[str]] = defaultdict(Counter)
    first: dict[str, int] = {}
    if mentions is None:
        mentions = find_agency_mentions(doc.text, lower=doc.lower)
    for mention in mentions:
        if doc.in_boilerplate(mention.start):
            continue
        counts[mention.id] += 1
        names[mention.id][mention.name] += 1
        first.setdefault(mention.id, doc.page_at(mention.start))
    min_generic = int(load("agencies").get("min_generic_mentions", 1))
    return [AgencySummary(a, _display_name(names[a]), n, first[a])
            for a, n in counts.most_common()
            if n >= min_generic or any(name[:1].isupper() for name in names[a])]
