"""Learning and practice themes of a report, with evidence sentences and their pages.

Part of report understanding (``understanding.understand``). Theme signals live in
``rules/themes.yaml`` (taxonomy theme ids -> phrases). Every mention weighs by where it stands
(``DocText.weight_at``): inside boilerplate sentences (statutory purposes, terms of reference,
definitions) and boilerplate sections it weighs nothing, in analysis, lessons-learned and
recommendation sections the most. A theme is kept when its weighted score reaches ``min_score``,
so a topic named only by the standard text of every report does not become a theme.
The same scorer serves abuse types (``rules/abuse_types.yaml``) in ``understanding.metadata``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from understanding.agencies import find_agency_mentions
from understanding.doctext import (
    DocText,
    Literal,
    PhraseMatcher,
    _first_chars,
    expand_literals,
    section_weights,
)
from understanding.rules import load

_ESCAPES = re.compile(r"\\[A-Za-z]")


def is_case_sensitive(signal: str) -> bool:
    """Signals written in capitals (DASH, MASH, DRIVE, IOM) are acronyms: matched by case."""
    letters = _ESCAPES.sub("", signal)
    return any(c.isupper() for c in letters) and not any(c.islower() for c in letters)


def signal_matcher(signals: dict[str, list[str]]) -> PhraseMatcher:
    rules: list[tuple[str | None, str, bool, int]] = []
    for key, pats in signals.items():
        for pat in pats:
            cs = is_case_sensitive(pat)
            phrases = expand_literals(pat if cs else pat.lower())
            if phrases is None:
                rules.append((key, pat if cs else pat.lower(), cs, len(pat)))
            else:
                rules.extend((key, Literal(p), cs, len(p)) for p in phrases)
    return PhraseMatcher(rules)


@dataclass
class Scored:
    id: str
    score: float = 0.0
    mentions: int = 0
    evidence: list[tuple[float, int]] = field(default_factory=list)  # (weight, offset)


def _scanned(doc: DocText, weights: dict[str, float], skip_capped: Iterable[str] = ()) -> list[
        tuple[int, int]]:
    """Where mentions can count: sections whose kind weighs something (and, when the report has
    an analysis, not the kinds whose contribution is capped anyway)."""
    kinds = {k for k, w in weights.items() if w > 0}
    if any(s.kind == "analysis" for s in doc.segments):
        kinds -= set(skip_capped)
    return doc.spans(kinds)


def score_signals(doc: DocText, matcher: PhraseMatcher,
                  weights: dict[str, float] | None = None) -> dict[str, Scored]:
    """Weighted score, mention count and candidate evidence offsets per key."""
    scored: dict[str, Scored] = {}
    hits = [hit for start, end in _scanned(doc, weights or section_weights())
            for hit in matcher.finditer(doc.text, doc.lower, start, end)]
    for start, _end, key in hits:
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


@dataclass
class _ThemeRules:
    matcher: PhraseMatcher
    weak: frozenset[str]           # "theme\x00signal" keys of weak signals
    min_score: float
    main_weight: float
    other_weight: float
    n_evidence: int
    addressee_themes: dict[str, str]
    kind_caps: dict[str, float]
    not_a_finding: re.Pattern[str]


@cache
def _theme_rules() -> _ThemeRules:
    data = load("themes")
    signals: dict[str, list[str]] = {}
    weak: set[str] = set()
    for theme, pats in data["themes"].items():
        signals.setdefault(theme, []).extend(pats)
    for theme, pats in (data.get("weak") or {}).items():
        signals.setdefault(theme, []).extend(pats)
        weak.update(f"{theme}\x00{p}" for p in pats)
    # Weak signals get their own key so a match tells whether it was weak.
    keyed = {}
    for theme, pats in signals.items():
        keyed[theme] = [p for p in pats if f"{theme}\x00{p}" not in weak]
        keyed[f"{theme}~weak"] = [p for p in pats if f"{theme}\x00{p}" in weak]
    return _ThemeRules(signal_matcher({k: v for k, v in keyed.items() if v}), frozenset(weak),
                       float(data["min_score"]), float(data["main_theme_weight"]),
                       float(data["other_theme_weight"]), int(data.get("evidence_per_theme", 3)),
                       dict(data.get("addressee_themes") or {}),
                       {k: float(v) for k, v in (data.get("kind_caps") or {}).items()},
                       _guarded("|".join(f"(?:{p})" for p in data["not_a_finding"])))


def _guarded(pattern: str) -> re.Pattern[str]:
    """A pattern with a look-ahead for its possible first characters (most positions fail on
    it at once)."""
    firsts = _first_chars([pattern])
    guard = f"(?=[{''.join(re.escape(c) for c in sorted(firsts))}])" if firsts else ""
    return re.compile(guard + "(?:" + pattern + ")")


def _theme(key: str) -> tuple[str, bool]:
    return (key[:-5], True) if key.endswith("~weak") else (key, False)


def pick_evidence(doc: DocText, candidates: list[tuple[float, int]],
                  n: int) -> list[tuple[int, str]]:
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


def _masked(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    i = bisect_right(spans, (start, 1 << 62)) - 1
    return i >= 0 and spans[i][1] > start or (i + 1 < len(spans) and spans[i + 1][0] < end)


def recommendation_themes(text: str, agency: str | None) -> tuple[str | None, list[str]]:
    """(main theme, all themes) a recommendation's text names; agency names do not count."""
    rules = _theme_rules()
    mask = [(m.start, m.end) for m in find_agency_mentions(text) if " " in m.name]
    strong: list[str] = []
    weak: list[str] = []
    for s, e, key in rules.matcher.finditer(text):
        if _masked(mask, s, e):
            continue
        theme, is_weak = _theme(key)
        (weak if is_weak else strong).append(theme)
    mapped = rules.addressee_themes.get(agency or "")
    main = strong[0] if strong else (mapped or (weak[0] if weak else None))
    themes = list(dict.fromkeys(([main] if main else []) + strong + weak))
    return main, themes


def _process_sentences(doc: DocText, pattern: re.Pattern[str],
                       spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) of the sentences that tell who took part in the review ("X contributed a
    chronology", "a manager from X sat on the panel"): a topic named there is no finding."""
    return sorted({doc.sentence_at(m.start(), limit=300)
                   for a, b in spans for m in pattern.finditer(doc.lower, a, b)})


def extract_themes(doc: DocText, agency_spans: Sequence[tuple[int, int]] = (),
                   recommendations: Sequence[dict] = ()) -> list[ThemeFound]:
    """Themes whose weighted score reaches the threshold, strongest first.

    ``agency_spans``: (start, end) of multi-word agency names in ``doc.text`` (not evidence of a
    theme). ``recommendations``: contract dicts with ``themes`` filled (main theme first) and
    ``page``; each adds weight to its themes.
    """
    rules = _theme_rules()
    scored = _text_scores(doc, rules, sorted(agency_spans))
    rec_evidence = _add_recommendations(scored, recommendations, rules)
    found = [ThemeFound(key, s.mentions, s.score,
                        _evidence(doc, s, rec_evidence.get(key, []), rules.n_evidence))
             for key, s in scored.items() if s.score >= rules.min_score]
    found.sort(key=lambda t: (-t.score, t.id))
    return found


def _text_scores(doc: DocText, rules: _ThemeRules,
                 agency_spans: list[tuple[int, int]]) -> dict[str, Scored]:
    """Each theme's weighted mentions in the text. A mention inside an agency's name or in a
    sentence about who took part in the review does not count; weak signals count half; a
    section kind with a cap (``kind_caps``) adds no more than the cap to a theme."""
    scanned = _scanned(doc, section_weights(), rules.kind_caps)
    hits = [hit for a, b in scanned for hit in rules.matcher.finditer(doc.text, doc.lower, a, b)]
    process = _process_sentences(doc, rules.not_a_finding, scanned) if hits else []
    scored: dict[str, Scored] = {}
    capped: dict[tuple[str, str], float] = {}
    for start, end, key in hits:
        if _masked(agency_spans, start, end) or _masked(process, start, end):
            continue
        weight = doc.weight_at(start)
        theme, is_weak = _theme(key)
        if weight <= 0:
            continue
        s = scored.setdefault(theme, Scored(theme))
        add = weight * (0.5 if is_weak else 1.0)
        kind = doc.kind_at(start)
        if kind in rules.kind_caps:
            add = _within_cap(capped, (theme, kind), add, rules.kind_caps[kind])
        s.score += add
        s.mentions += 1
        s.evidence.append((weight, start))
    return scored


def _within_cap(capped: dict[tuple[str, str], float], key: tuple[str, str], add: float,
                cap: float) -> float:
    """What of ``add`` still fits under ``cap`` for (theme, section kind) ``key``; counted."""
    add = max(0.0, min(add, cap - capped.get(key, 0.0)))
    capped[key] = capped.get(key, 0.0) + add
    return add


def _add_recommendations(scored: dict[str, Scored], recommendations: Sequence[dict],
                         rules: _ThemeRules) -> dict[str, list[tuple[int, str]]]:
    """Add each recommendation's weight to its themes (the main theme first); returns the
    recommendations as evidence (page, text) per theme."""
    rec_evidence: dict[str, list[tuple[int, str]]] = {}
    for rec in recommendations:
        for i, theme in enumerate(rec.get("themes") or ()):
            s = scored.setdefault(theme, Scored(theme))
            s.score += rules.main_weight if i == 0 else rules.other_weight
            s.mentions += 1
            rec_evidence.setdefault(theme, []).append(
                (int(rec.get("page") or 1), rec["text"][:400])
            )
    return rec_evidence


def _evidence(doc: DocText, scored: Scored, from_recommendations: list[tuple[int, str]],
              n: int) -> list[tuple[int, str]]:
    """Up to ``n`` evidence sentences from the text, then from the recommendations."""
    evidence = pick_evidence(doc, scored.evidence, n)
    for ev in from_recommendations:
        if len(evidence) >= n:
            break
        if ev[1] not in {t for _, t in evidence}:
            evidence.append(ev)
    return evidence
