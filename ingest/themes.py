"""Learning and practice themes of a report, with evidence sentences and their pages.

Part of report understanding (``ingest.understand``). Theme signals live in ``rules/themes.yaml``
(taxonomy theme ids -> phrases). Every mention weighs by where it stands
(``DocText.weight_at``): inside boilerplate sentences (statutory purposes, terms of reference,
definitions) and boilerplate sections it weighs nothing, in analysis, lessons-learned and
recommendation sections the most. A theme is kept when its weighted score reaches ``min_score``,
so a topic named only by the standard text of every report does not become a theme.
The same scorer serves abuse types (``rules/abuse_types.yaml``) in ``ingest.metadata``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from ingest.doctext import DocText, PhraseMatcher
from ingest.rules import load

_ESCAPES = re.compile(r"\\[A-Za-z]")


def is_case_sensitive(signal: str) -> bool:
    """Signals written in capitals (DASH, MASH, DRIVE, IOM) are acronyms: matched by case."""
    letters = _ESCAPES.sub("", signal)
    return any(c.isupper() for c in letters) and not any(c.islower() for c in letters)


def signal_matcher(signals: dict[str, list[str]]) -> PhraseMatcher:
    rules = []
    for key, pats in signals.items():
        for pat in pats:
            cs = is_case_sensitive(pat)
            rules.append((key, pat if cs else pat.lower(), cs, len(pat)))
    return PhraseMatcher(rules)


@dataclass
class Scored:
    id: str
    score: float = 0.0
    mentions: int = 0
    evidence: list[tuple[float, int]] = field(default_factory=list)  # (weight, offset)


def score_signals(doc: DocText, matcher: PhraseMatcher,
                  weights: dict[str, float] | None = None) -> dict[str, Scored]:
    """Weighted score, mention count and candidate evidence offsets per key."""
    scored: dict[str, Scored] = {}
    for start, _end, key in matcher.finditer(doc.text, doc.lower):
        weight = doc.weight_at(start, weights)
        if weight <= 0:
            continue
        s = scored.get(key)
        if s is None:
            s = scored[key] = Scored(key)
        s.score += weight
        s.mentions += 1
        s.evidence.append((weight, start))
    return scored


@dataclass(frozen=True)
class ThemeFound:
    id: str
    mentions: int
    score: float
    evidence: list[tuple[int, str]]  # (page, sentence)


@cache
def _theme_rules() -> tuple[PhraseMatcher, float, int]:
    data = load("themes")
    return (signal_matcher(data["themes"]), float(data["min_score"]),
            int(data.get("evidence_per_theme", 3)))


def pick_evidence(doc: DocText, candidates: list[tuple[float, int]], n: int) -> list[tuple[int, str]]:
    """Up to n distinct sentences, from the highest-weighted sections first."""
    out: list[tuple[int, str]] = []
    seen: set[str] = set()
    for _weight, offset in sorted(candidates, key=lambda c: (-c[0], c[1])):
        sentence = doc.sentence_text(offset)
        if sentence in seen or len(sentence) < 15:
            continue
        seen.add(sentence)
        out.append((doc.page_at(offset), sentence[:400]))
        if len(out) >= n:
            break
    return out


def extract_themes(doc: DocText) -> list[ThemeFound]:
    """Themes whose weighted score reaches the threshold, strongest first."""
    matcher, min_score, n_evidence = _theme_rules()
    found = []
    for key, s in score_signals(doc, matcher).items():
        if s.score >= min_score:
            found.append(ThemeFound(key, s.mentions, s.score,
                                    pick_evidence(doc, s.evidence, n_evidence)))
    found.sort(key=lambda t: (-t.score, t.id))
    return found
