"""Find the review's area (Community Safety Partnership / local authority) and its region.

Part of report understanding (``ingest.understand`` -> ``ingest.metadata``). Area names and
regions come from ``rules/areas.csv`` (the Home Office library's CSP names, from the DHRD,
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

from ingest.rules import load, load_csv


@dataclass(frozen=True)
class AreaMatch:
    area: str
    region: str | None
    page: int | None
    score: float


@dataclass
class _AreaRules:
    canonical: dict[str, str]            # lowercase variant -> canonical name
    region: dict[str, str]               # canonical name -> region
    names: re.Pattern[str]               # any variant, longest first
    contexts: list[tuple[float, re.Pattern[str]]]
    not_followed: re.Pattern[str]
    pages: int
    min_score: float


def _variant_regex(name: str) -> str:
    out = re.escape(name)
    out = out.replace(r"\ ", r"\s+").replace(r"\-", r"[\-\s]")
    return out.replace(r"\s+and\s+", r"\s+(?:and|&)\s+")


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
    alternation = "|".join(_variant_regex(a) for a in alts)
    names = re.compile(rf"\b(?:{alternation})\b", re.I)
    contexts = []
    for c in data["contexts"]:
        pat = c["pattern"].replace("{area}", rf"(?P<area>{alternation})\b")
        contexts.append((float(c["weight"]), re.compile(pat, re.I)))
    return _AreaRules(canonical, region, names, contexts,
                      re.compile(data["not_followed_by"], re.I), int(data["pages"]),
                      float(data["min_score"]))


def canonical_area(name: str) -> str | None:
    """The Home Office library's name for an area written any known way, else None."""
    key = " ".join(name.replace("&", "and").split()).lower()
    rules = _rules()
    if key in rules.canonical:
        return rules.canonical[key]
    key2 = " ".join(name.split()).lower()
    return rules.canonical.get(key2)


def region_of(area: str | None) -> str | None:
    return _rules().region.get(area) if area else None


def _canon(surface: str) -> str | None:
    s = " ".join(surface.split())
    return canonical_area(s) or canonical_area(s.replace("-", " "))


def find_area(pages: list[str], title: str | None = None) -> AreaMatch | None:
    """The review's area and region from the title and first pages; None when unknown."""
    rules = _rules()
    scores: dict[str, float] = defaultdict(float)
    first_page: dict[str, int] = {}
    texts = [(0, title or "")] + [(i + 1, p) for i, p in enumerate(pages[: rules.pages])]
    for page_no, text in texts:
        if not text:
            continue
        early = 2.0 if page_no <= 1 else 1.0
        for weight, pat in rules.contexts:
            for m in pat.finditer(text):
                if not m["area"][0].isupper() or rules.not_followed.match(text, m.end("area")):
                    continue
                area = _canon(m["area"])
                if area:
                    scores[area] += weight * early
                    first_page.setdefault(area, max(1, page_no))
        for m in rules.names.finditer(text):
            if not m.group()[0].isupper() or rules.not_followed.match(text, m.end()):
                continue
            area = _canon(m.group())
            if area:
                scores[area] += 0.5 * early
                first_page.setdefault(area, max(1, page_no))
    if not scores:
        return None
    best = max(scores, key=lambda a: (scores[a], len(a)))
    if scores[best] < rules.min_score:
        return None
    return AreaMatch(best, rules.region.get(best), first_page.get(best), scores[best])
