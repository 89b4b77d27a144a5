"""Find the review's area (Community Safety Partnership / local authority) and its region.

Part of report understanding (``understanding.understand`` -> ``understanding.metadata``). Area
names and regions come from ``rules/areas.csv`` (the Home Office library's CSP names, from the DHRD,
CC-BY-4.0) plus the variants and further areas in ``rules/areas.yaml``. A name scores when it
stands in a partnership context ("Safer Preston Partnership", "Preston Community Safety
Partnership", "commissioned by ...") on the first pages; bare mentions score little, and names
that are part of another body's name ("Lancashire Constabulary") do not score. The best score
wins; below ``min_score`` the area is unknown (None), never a guess.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from understanding.doctext import _trie_regex, phrase_units
from understanding.rules import load, load_csv


@dataclass(frozen=True)
class AreaMatch:
    area: str
    region: str | None
    page: int | None
    score: float


@dataclass
class _Context:
    weight: float
    before: re.Pattern[str] | None   # must end where the name starts
    after: re.Pattern[str] | None    # must start where the name ends


@dataclass
class _AreaRules:
    canonical: dict[str, str]            # lowercase variant -> canonical name
    region: dict[str, str]               # canonical name -> region
    names: re.Pattern[str]               # any variant (lower case), longest first
    contexts: list[_Context]
    not_followed: re.Pattern[str]
    pages: int
    min_score: float
    title_lines: int
    title_weight: float
    fallback_mentions: int


@cache
def _rules() -> _AreaRules:
    data = load("areas")
    region: dict[str, str] = {}
    for row in load_csv("areas"):
        region.setdefault(row["csp"].strip(), row["region"].strip())
    for name, reg in (data.get("extra_areas") or {}).items():
        region.setdefault(str(name), str(reg))
    canonical = {n.lower(): n for n in region}
    for variant, name in (data.get("aliases") or {}).items():
        canonical[str(variant).lower()] = str(name)
        if str(name) not in region:
            raise ValueError(f"areas.yaml alias {variant!r} -> unknown area {name!r}")
    alts = sorted(canonical, key=len, reverse=True)
    # Lower-case text, no re.I, and a look-behind: several times faster on a large alternation.
    # One trie-shaped alternative: the engine follows one branch per character.
    trie = _trie_regex([tuple(phrase_units(a)) for a in alts])
    names = re.compile(r"(?<![\w&])(?:" + trie + r")(?![\w&])")
    contexts = [_Context(float(c["weight"]),
                         re.compile(f"(?:{c['before']})$") if c.get("before") else None,
                         re.compile(c["after"]) if c.get("after") else None)
                for c in data["contexts"]]
    return _AreaRules(canonical, region, names, contexts, re.compile(data["not_followed_by"]),
                      int(data["pages"]), float(data["min_score"]), int(data["title_lines"]),
                      float(data["title_weight"]), int(data["fallback_mentions"]))


def canonical_area(name: str) -> str | None:
    """The Home Office library's name for an area written any known way, else None."""
    rules = _rules()
    for key in (" ".join(name.split()).lower(), " ".join(name.replace("&", "and").split()).lower(),
                " ".join(name.replace("-", " ").split()).lower()):
        if key in rules.canonical:
            return rules.canonical[key]
    return None


def region_of(area: str | None) -> str | None:
    return _rules().region.get(area) if area else None


def _mentions(rules: _AreaRules, text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical area) of each area name in a text that names the area itself."""
    low = text.lower()
    if len(low) != len(text):
        return []
    out = []
    for m in rules.names.finditer(low):
        s, e = m.span()
        if not text[s].isupper() or rules.not_followed.match(low, e) or low.endswith("nhs ", 0, s):
            continue  # another body's name: "Lancashire Constabulary", "NHS Kent and Medway"
        area = canonical_area(text[s:e])
        if area is not None:
            out.append((s, e, area))
    return out


def find_area(pages: list[str], title: str | None = None) -> AreaMatch | None:
    """The review's area and region from the title and first pages; None when unknown."""
    rules = _rules()
    scores: dict[str, float] = defaultdict(float)
    first_page: dict[str, int] = {}
    texts = [(1, title or "")] + [(i + 1, p) for i, p in enumerate(pages[: rules.pages])]
    for k, (page_no, text) in enumerate(texts):
        if not text:
            continue
        low = text.lower()
        early = 2.0 if page_no <= 1 else 1.0
        title_end = len(text) if k == 0 else _line_offset(text, rules.title_lines) if k == 1 else 0
        for s, e, area in _mentions(rules, text):
            weight = 0.5
            before = low[max(0, s - 60):s]
            for c in rules.contexts:
                if (c.before is None or c.before.search(before)) and \
                        (c.after is None or c.after.match(low, e)):
                    weight += c.weight
            if s < title_end:
                weight = max(weight, rules.title_weight)
            scores[area] += weight * early
            first_page.setdefault(area, page_no)
    if scores:
        best = max(scores, key=lambda a: (scores[a], len(a)))
        if scores[best] >= rules.min_score:
            return AreaMatch(best, rules.region.get(best), first_page.get(best), scores[best])
    return _most_mentioned(rules, pages)


def _line_offset(text: str, n: int) -> int:
    pos = 0
    for _ in range(n):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return len(text)
        pos = nxt + 1
    return pos


def _most_mentioned(rules: _AreaRules, pages: list[str]) -> AreaMatch | None:
    counts: dict[str, int] = defaultdict(int)
    first_page: dict[str, int] = {}
    for page_no, text in enumerate(pages, start=1):
        for _s, _e, area in _mentions(rules, text):
            counts[area] += 1
            first_page.setdefault(area, page_no)
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < rules.fallback_mentions:
        return None
    if len(ranked) > 1 and ranked[1][1] * 2 > ranked[0][1]:
        return None
    area, n = ranked[0]
    return AreaMatch(area, rules.region.get(area), first_page[area], float(n))
