"""Review metadata from a report's text: pseudonym, area, region, date of death, review and death
type, victim age/band/sex, abuse types, chair, family involvement (contract.md section 2
``review``).

Part of report understanding (``understanding.understand``). Rules are ``rules/metadata.yaml`` (and
``areas.yaml`` / ``abuse_types.yaml`` through ``understanding.areas`` / ``understanding.themes``).
Each value
comes with the page it was read from (``ReviewFound.pages``) so the UI can show why. A value the
text does not state stays None: never guessed. Boilerplate (the definition of domestic abuse,
the statutory purposes) is skipped everywhere. The review type also comes from how the text
describes the people ("her partner of six years", "his son, who lived with him", "a lodger in
the house": ``relation_cues``), and abuse types from described behaviour ("took her wages",
"went through her phone": ``abuse_types.yaml`` ``behaviour``), each with evidence sentences;
both run through ``understanding.cues`` (one scan for many cues).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

from dhr.document import AbuseType, AgeBand, Chair, Region, Review, Victim
from dhr.taxonomy import age_band
from understanding.areas import find_area
from understanding.cues import TriggeredCues
from understanding.doctext import DocText, PhraseMatcher
from understanding.lowercase import case_simple, for_lower_text
from understanding.relationship import relation_to_perpetrator
from understanding.rules import compile_any, load
from understanding.themes import Scored, pick_evidence, score_signals, signal_matcher

_QUOTES = "‘’'\"“”"
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
# Dates are found from their year (a rarer anchor than month names' first letters), looking back
# for a month name or a numeric day/month; matched on lower-cased text (see DocText.lower).
_YEAR = re.compile(r"(?:19|20)\d\d")
_MONTH_BEFORE = re.compile(
    r"(?<![a-z])(?P<month>" + "|".join(_MONTHS)
    + r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
    r"\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?)?,?\s+$")
_NUMERIC_BEFORE = re.compile(r"(?<![\w/])\d{1,2}[/.](?P<nmonth>\d{1,2})[/.]$")
# A bare year is a date of death only after "in", "during", "early", "summer of"...
_YEAR_CONTEXT = re.compile(r"(?:\bin|during|\bof|early|late|mid|spring|summer|autumn|winter)"
                           r"[\s-]+(?:(?:the\s+)?(?:spring|summer|autumn|winter)\s+)?(?:of\s+)?$")
_DEATH_LABEL = re.compile(r"date\s+of\s+(?:death|(?:the\s+)?homicide|incident)\s*[:\-–]?\s*")


@dataclass
class ReviewFound:
    review: Review
    pages: dict[str, int] = field(default_factory=dict)  # field -> page it was read from
    # abuse type -> evidence sentences (page, text)
    abuse_evidence: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


@dataclass
class _MetaRules:
    pseudonym: list[re.Pattern[str]]          # every form, in order of trust
    pseudonym_trusted: list[re.Pattern[str]]  # the forms also read beyond the front pages
    not_pseudonym: frozenset[str]
    raw: dict[str, Any]
    relation_terms: list[tuple[str, re.Pattern[str]]]
    death_words: re.Pattern[str]
    death_words_weak: re.Pattern[str]
    not_death_date: re.Pattern[str]
    apposition: re.Pattern[str]
    abuse: PhraseMatcher
    abuse_min: float
    abuse_weights: dict[str, float]
    abuse_not_the_case: re.Pattern[str]
    abuse_behaviour: TriggeredCues
    abuse_evidence: int
    chair_independent: tuple[re.Pattern[str], ...]       # any of them (see _found_any)
    chair_not_independent: tuple[re.Pattern[str], ...]
    family_yes: re.Pattern[str]
    family_no: re.Pattern[str]


def _any(patterns: list[str]) -> re.Pattern[str]:
    """Lower-case rules, run on DocText.lower (no re.I: several times faster). No leading
    look-behind either: it would disable the engine's fast literal-prefix search; callers check
    the word boundary with :func:`_at_word`."""
    return compile_any(patterns, 0)


def _found_any(patterns: tuple[re.Pattern[str], ...], text: str) -> bool:
    """Whether any of ``patterns`` occurs in ``text``: the same answer as their alternation, but
    each pattern alone keeps its literal start ("not", "chair"), which the engine searches for
    fast, where the alternation would be tried at every one of its first letters."""
    return any(p.search(text) is not None for p in patterns)


def _at_word(text: str, start: int) -> bool:
    return start == 0 or not text[start - 1].isalnum()


# Where a report tells the case: facts about the review are not read from recommendations,
# action plans or appendices (deadlines, other people's ages).
_ACCOUNT_KINDS = ("front", "boilerplate", "narrative", "analysis")


def _account(doc: DocText) -> list[tuple[int, int]]:
    """The account parts of a report; the chronology (often half a report, and restating the
    facts the background gives) only when there is no other narrative."""
    if "account" not in doc.memo:
        has_narrative = any(s.kind == "narrative" for s in doc.segments)
        kinds = _ACCOUNT_KINDS if has_narrative else _ACCOUNT_KINDS + ("chronology",)
        doc.memo["account"] = doc.spans(kinds)
    return doc.memo["account"]


def _introductions(doc: DocText) -> list[tuple[int, int]]:
    """The account parts of a report without its analysis."""
    if "introductions" not in doc.memo:
        has_narrative = any(s.kind == "narrative" for s in doc.segments)
        kinds = ("front", "boilerplate", "narrative") + (() if has_narrative else ("chronology",))
        doc.memo["introductions"] = doc.spans(kinds)
    return doc.memo["introductions"]


def _scan(doc: DocText, pat: re.Pattern[str], text: str | None = None) -> Any:
    """Matches of a lower-case pattern in the account parts of the report, in order (in
    ``text``, a same-length copy of ``doc.lower``, when given)."""
    for a, b in _account(doc):
        yield from pat.finditer(doc.lower if text is None else text, a, b)


@cache
def _rules() -> _MetaRules:
    d = load("metadata")
    abuse = load("abuse_types")
    return _MetaRules(
        pseudonym=[re.compile(p, re.IGNORECASE | re.MULTILINE)
                   for p in d["pseudonym"]["anywhere"] + d["pseudonym"]["front_pages"]],
        pseudonym_trusted=[re.compile(p, re.IGNORECASE | re.MULTILINE)
                           for p in d["pseudonym"]["anywhere"]],
        not_pseudonym=frozenset(w.lower() for w in d["not_pseudonym"]),
        raw=d,
        relation_terms=[(k, re.compile(r"(?:" + "|".join(v) + r")\b"))
                        for k, v in d["relation_terms"].items()],
        death_words=_any(d["death_words"]),
        death_words_weak=_any(d["death_words_weak"]),
        not_death_date=re.compile(d["not_death_date"]),
        apposition=re.compile(d["relation_apposition"]),
        abuse=signal_matcher(abuse["abuse_types"]),
        abuse_min=float(abuse["min_score"]),
        abuse_weights={k: float(v) for k, v in abuse["weights"].items()},
        abuse_not_the_case=_any(abuse["not_the_case"]),
        abuse_behaviour=TriggeredCues((k, p) for k, ps in abuse["behaviour"].items() for p in ps),
        abuse_evidence=int(abuse.get("evidence_per_type", 2)),
        chair_independent=tuple(_any([p]) for p in d["chair_independent"]),
        chair_not_independent=tuple(_any([p]) for p in d["chair_not_independent"]),
        family_yes=_any(d["family_involved"]),
        family_no=_any(d["family_not_involved"]),
    )


# Rules with {name} are compiled once: the victim's name is masked in a copy of the text with a
# placeholder of the same length, so offsets stay valid and no pattern is compiled per report.
_MASK = "\x01"
_QUOTE_PAIRS = {("‘", "’"), ("'", "'"), ("“", "”"), ('"', '"')}
# The masked name in a rule: matched from the first character of the mask only (the look-behind
# sits after the first literal, so the engine keeps its fast literal-prefix search): a name of
# n letters is not tried n times over.
_NAME_RX = _MASK + "(?<!" + _MASK * 2 + ")" + _MASK + "*"


@cache
def _named(key: str, with_name: bool) -> tuple[re.Pattern[str], ...]:
    """Lower-case patterns of ``metadata.yaml`` section ``key`` ({name} = the masked victim)."""
    return tuple(re.compile(p.replace("{name}", _NAME_RX)) for p in _rules().raw[key]
                 if with_name or "{name}" not in p)


def _victim_text(doc: DocText, name: str | None) -> str:
    """``doc.lower`` with the victim's name masked (same offsets)."""
    if not name:
        return doc.lower
    key = f"victim:{name}"
    if key not in doc.memo:
        # A quoted pseudonym ('Christine', "Bella") is masked with its quotes, so the rules read
        # it like a bare name; a closing quote alone (Christine's) stays text.
        text = doc.lower
        parts: list[str] = []
        done = 0
        # The name's own letters first (a literal search is fast), whole words only.
        for m in re.finditer(re.escape(name.lower()), text):
            start, end = m.span()
            if _word_char(text, start - 1) or _word_char(text, end):
                continue
            if start > 0 and end < len(text) and (text[start - 1], text[end]) in _QUOTE_PAIRS:
                start, end = start - 1, end + 1
            parts += [text[done:start], _MASK * (end - start)]
            done = end
        doc.memo[key] = "".join(parts) + text[done:]
    return doc.memo[key]


def _word_char(text: str, i: int) -> bool:
    return 0 <= i < len(text) and (text[i].isalnum() or text[i] == "_")


def _front_texts(doc: DocText, title: str | None, pages: int = 3) -> list[tuple[int, str]]:
    texts = [(1, title)] if title else []
    return texts + [(i + 1, p) for i, p in enumerate(doc.pages[:pages])]


def find_pseudonym(doc: DocText, title: str | None) -> tuple[str | None, int | None]:
    """The victim's pseudonym: every form on the title and first pages (in order of trust),
    then the explicit statements ("the pseudonym 'Rose'") in the introduction."""
    rules = _rules()
    front = _front_texts(doc, title)
    later = [(j + 1, p) for j, p in enumerate(doc.pages[3:8], start=3)]
    lowered: dict[str, str | None] = {}
    for texts, patterns in ((front, rules.pseudonym), (later, rules.pseudonym_trusted)):
        for pat in patterns:
            for page, text in texts:
                if text not in lowered:
                    low = text.lower()
                    lowered[text] = low if case_simple(text, low) else None
                for m in _finditer_any_case(pat, text, lowered[text]):
                    value = text[m.start("p"):m.end("p")].strip(_QUOTES + " .,")
                    if value and value.lower() not in rules.not_pseudonym and len(value) <= 30:
                        return value, page
    return None, None


@cache
def _for_lower_text(pat: re.Pattern[str]) -> re.Pattern[str] | None:
    return for_lower_text(pat.pattern, pat.flags) if pat.flags & re.IGNORECASE else None


def _finditer_any_case(
    pat: re.Pattern[str], text: str, lower: str | None
) -> Iterator[re.Match[str]]:
    """``pat.finditer(text)`` for a case-insensitive pattern, run on ``lower`` (the text in lower
    case, where it can stand for it) when the pattern allows (``understanding.lowercase``):
    the same spans; read the matched text from ``text``."""
    fast = _for_lower_text(pat) if lower is not None else None
    return fast.finditer(lower) if fast is not None and lower is not None else pat.finditer(text)


def _first(doc: DocText, patterns: tuple[re.Pattern[str], ...], group: str,
           text: str | None = None) -> tuple[str | None, int | None]:
    for pat in patterns:
        for m in _scan(doc, pat, text):
            if _at_word(doc.lower, m.start()) and not doc.in_boilerplate(m.start()):
                return doc.text[m.start(group):m.end(group)], doc.page_at(m.start())
    return None, None


def find_age(doc: DocText, name: str | None) -> tuple[int | None, int | None]:
    value, page = _first(doc, _named("age", bool(name)), "age", _victim_text(doc, name))
    if value is None:
        return None, None
    age = int(value)
    return (age, page) if 10 <= age <= 110 else (None, None)


_SEX_WORD = {"woman": "female", "female": "female", "mother": "female", "grandmother": "female",
             "her": "female", "mrs": "female", "ms": "female", "miss": "female",
             "man": "male", "male": "male", "father": "male", "grandfather": "male",
             "his": "male", "mr": "male"}
_PRONOUN = re.compile(r"\b(she|her|herself|he|his|him|himself)\b", re.IGNORECASE)


def find_sex(doc: DocText, name: str | None,
             pronouns: bool = True) -> tuple[str | None, int | None]:
    """The victim's sex from explicit statements, else (``pronouns``) from the first pronoun
    after the victim's name in each sentence, by clear majority."""
    votes: Counter[str] = Counter()
    first_page: dict[str, int] = {}
    masked = _victim_text(doc, name)
    for pat in _named("sex_statements", bool(name)):
        for m in _scan(doc, pat, masked):
            if not _at_word(doc.lower, m.start()) or doc.in_boilerplate(m.start()):
                continue
            sex = _SEX_WORD.get(m["sex"].lower())
            if sex:
                votes[sex] += 3
                first_page.setdefault(sex, doc.page_at(m.start()))
    if name and not votes and pronouns:
        # The first pronoun after the victim's name, in the same sentence.
        for m in re.finditer(rf"\b{re.escape(name)}\b", doc.text):
            if doc.in_boilerplate(m.start()):
                continue
            _, end = doc.sentence_at(m.end(), limit=200)
            p = _PRONOUN.search(doc.text, m.end(), end)
            if p:
                sex = "female" if p.group(1).lower().startswith(("s", "her")) else "male"
                votes[sex] += 1
                first_page.setdefault(sex, doc.page_at(m.start()))
    if not votes:
        return None, None
    (top, n), *rest = votes.most_common()
    if rest and rest[0][1] * 2 > n:  # no clear majority
        return None, None
    return top, first_page[top]


def _relation_kind(rel: str) -> str | None:
    words = rel.lower().split()
    for candidate in (" ".join(words[:2]), words[0] if words else ""):
        for kind, pat in _rules().relation_terms:
            if pat.fullmatch(candidate) or pat.match(candidate) and candidate == words[0]:
                return kind
    return None


def find_review_type(doc: DocText, name: str | None) -> tuple[str | None, int | None]:
    """The review type most voted for by how the text describes the victim and the other
    person: strong statements ("killed by her husband"), appositions ("Paul, her husband") and
    relation cues (``metadata.yaml``); None when nothing votes or two types tie."""
    votes = _Votes(doc)
    masked = _victim_text(doc, name)
    _vote_strong_relations(doc, name, masked, votes)
    _vote_appositions(doc, votes)
    _vote_relation_cues(doc, name, masked, votes)
    _vote_perpetrator_relations(doc, name, masked, votes)
    return votes.winner()


@dataclass
class _Votes:
    """Votes per review type, with the page of each type's first vote."""

    doc: DocText
    counts: Counter[str] = field(default_factory=Counter)
    pages: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int, offset: int) -> None:
        self.counts[kind] += n
        self.pages.setdefault(kind, self.doc.page_at(offset))

    def winner(self) -> tuple[str | None, int | None]:
        if not self.counts:
            return None, None
        (top, n), *rest = self.counts.most_common()
        if rest and rest[0][1] == n:
            return None, None
        return top, self.pages[top]


def _vote_strong_relations(doc: DocText, name: str | None, masked: str, votes: _Votes) -> None:
    """``relation_strong`` statements: three votes each."""
    for pat in _named("relation_strong", bool(name)):
        for m in _scan(doc, pat, masked):
            if not _at_word(doc.lower, m.start()) or doc.in_boilerplate(m.start()):
                continue
            kind = _relation_kind(m["rel"])
            if kind:
                votes.add(kind, 3, m.start())


def _vote_appositions(doc: DocText, votes: _Votes) -> None:
    """"Paul, her husband": one vote each, when the word before the comma is a capitalised
    name."""
    for m in _scan(doc, _rules().apposition):
        word = re.search(r"(\w+)[’'”\"]?$", doc.text[max(0, m.start() - 30):m.start()])
        if not word or not word.group(1)[:1].isupper() or doc.in_boilerplate(m.start()):
            continue
        kind = _relation_kind(m["rel"])
        if kind:
            votes.add(kind, 1, m.start())


def _vote_relation_cues(doc: DocText, name: str | None, masked: str, votes: _Votes) -> None:
    """``relation_cues``: each cue's votes, for at most two of its matches."""
    triggered, named = _relation_cues(bool(name))
    hits: Counter[str] = Counter()
    # Cues are read where a report introduces the people (front, introduction, background;
    # the chronology only when nothing else tells the case), not in the analysis.
    matches = [(s, key) for a, b in _introductions(doc)
               for s, _e, key in triggered.finditer(masked, a, b)]
    for i, (kind, _votes, pat) in enumerate(named):
        matches += [(m.start(), f"{kind}:{i}") for m in _scan(doc, pat, masked)]
    for start, key in matches:
        if hits[key] == 2 or not _at_word(doc.lower, start) or doc.in_boilerplate(start):
            continue
        hits[key] += 1   # at most two matches per cue count
        votes.add(key.split(":")[0], _cue_votes(bool(name))[key], start)


def _vote_perpetrator_relations(doc: DocText, name: str | None, masked: str,
                                votes: _Votes) -> None:
    """A relation bound to the perpetrator ("Paul, her husband": understanding.relationship):
    three votes each, counted at most twice."""
    bound, bound_pages = relation_to_perpetrator(doc, masked, _introductions(doc), name, _NAME_RX)
    for kind, n in bound.items():
        votes.counts[kind] += 3 * min(n, 2)
        votes.pages.setdefault(kind, bound_pages[kind])


# A one-word name other than the victim's (quoted or not): the other person in a cue.
_PERSON_RX = r"(?:[‘'\"“][^’'\"”\s]{1,20}[’'\"”]|(?!her\b|his\b|the\b|she\b|he\b)[a-z]{2,20})"


@cache
def _relation_cues(
        with_name: bool) -> tuple[TriggeredCues, tuple[tuple[str, int, re.Pattern[str]], ...]]:
    """metadata.yaml ``relation_cues`` with the victim's name masked and {person} any other
    one-word name (cues naming the victim need a known name): those that start with a word run
    in one scan (keys "kind:index"); those that start with the name, one by one."""
    triggered, named = [], []
    for i, (kind, votes, pattern) in enumerate(_cue_list(with_name)):
        if pattern.startswith(_MASK):
            named.append((kind, votes, re.compile(pattern)))
        else:
            triggered.append((f"{kind}:{i}", pattern))
    return TriggeredCues(triggered), tuple(named)


@cache
def _cue_list(with_name: bool) -> tuple[tuple[str, int, str], ...]:
    return tuple((kind, int(cue["votes"]), _NAME_AFTER.sub(_name_after, cue["pattern"])
                  .replace("{name}", _NAME_RX).replace("{person}", _PERSON_RX))
                 for kind, cues in _rules().raw["relation_cues"].items() for cue in cues
                 if with_name or "{name" not in cue["pattern"])


_NAME_AFTER = re.compile(r"\{name after ([a-z|]+)\}")


def _name_after(m: re.Match[str]) -> str:
    """{name after was|is}: the masked name right after one of these words, written so that the
    pattern starts with the mask (the engine's fast literal search) rather than a common word."""
    behind = "|".join(f"(?<={w}\\s{_MASK})" for w in m.group(1).split("|"))
    return _MASK + f"(?:{behind})" + _NAME_RX[1:]


@cache
def _cue_votes(with_name: bool) -> dict[str, int]:
    """Votes per cue key: "kind:index" for word-led cues, "kind:n" (n-th name-led cue) else."""
    out: dict[str, int] = {}
    n = 0
    for i, (kind, votes, pattern) in enumerate(_cue_list(with_name)):
        if pattern.startswith(_MASK):
            out[f"{kind}:{n}"] = votes
            n += 1
        else:
            out[f"{kind}:{i}"] = votes
    return out


def find_death_type(doc: DocText, name: str | None) -> tuple[str | None, int | None]:
    for kind in ("homicide_suicide", "suicide", "other", "homicide"):
        value, page = _first(doc, _death_patterns(kind, bool(name)), "all", _victim_text(doc, name))
        if value is not None:
            return kind, page
    return None, None


@cache
def _death_patterns(kind: str, with_name: bool) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile("(?P<all>" + p.replace("{name}", _NAME_RX) + ")")
                 for p in _rules().raw["death_types"][kind] if with_name or "{name}" not in p)


def find_date_of_death(doc: DocText, name: str | None, labelled_only: bool = False,
                       ) -> tuple[str | None, int | None]:
    """Month and year (or year) of the death: the date nearest a death word, preferring
    sentences about the victim on the first pages; dates that bound a period do not count.
    ``labelled_only``: only a "Date of death:" label counts (documents that are no account of
    the case, where dates are deadlines and meetings)."""
    rules = _rules()
    best: tuple[float, int, str] | None = None
    name_low = name.lower() if name else None
    words = sorted([w.start() for w in _scan(doc, rules.death_words)] +
                   [w.start() for w in _scan(doc, rules.death_words_weak)])
    for m in _dates(doc):
        if not _may_be_death_date(doc, m, words):
            continue
        score = _death_date_score(doc, m, name_low, labelled_only)
        if score is None:
            continue
        value = f"{m.year}-{m.month:02d}" if m.month else m.year
        if not m.month:
            score -= 2  # a year alone
        if best is None or score > best[0]:
            best = (score, m.start, value)
    if best is None or best[0] < 4:
        return None, None
    return best[2], doc.page_at(best[1])


def _may_be_death_date(doc: DocText, m: _Date, words: list[int]) -> bool:
    """A date with a death word within 300 characters (``words``: their sorted offsets) or a
    "Date of death:" label before it, outside boilerplate, and not the bound of a period."""
    low = doc.lower
    # Most dates (the chronology) have no death word near them: skip those cheaply.
    i = bisect_left(words, m.start - 300)
    if (i >= len(words) or words[i] > m.end + 300) and \
            not _DEATH_LABEL.search(low, max(0, m.start - 40), m.start):
        return False
    return not doc.in_boilerplate(m.start) and \
        not _rules().not_death_date.search(low, max(0, m.start - 40), m.start)


def _death_date_score(doc: DocText, m: _Date, name_low: str | None,
                      labelled_only: bool) -> float | None:
    """How surely a date is the date of death, from its sentence: a label, the nearest strong
    or weak death word, the victim's name, a first page; None when its sentence has none."""
    rules = _rules()
    low = doc.lower
    s, e = doc.sentence_at(m.start, limit=300)
    pos = m.start - s
    sentence = low[s:e]
    label = _DEATH_LABEL.search(low, max(s, m.start - 30), m.start)
    strong = [abs(w.start() - pos) for w in rules.death_words.finditer(sentence)]
    weak = [abs(w.start() - pos) for w in rules.death_words_weak.finditer(sentence)]
    if labelled_only and not label:
        return None
    if label:
        score = 20.0
    elif strong:
        score = 10.0 - min(strong) / 20
    elif weak:
        score = 6.0 - min(weak) / 20
    else:
        return None
    if name_low and name_low in sentence:
        score += 3
    if doc.page_at(m.start) <= 3:
        score += 1
    return score


@dataclass(frozen=True)
class _Date:
    start: int
    end: int
    year: str
    month: int | None


def _dates(doc: DocText) -> Any:
    """Dates in the account parts: month and year, day/month/year, or a year after "in"."""
    low = doc.lower
    for m in _scan(doc, _YEAR):
        s, e = m.span()
        if (s and low[s - 1].isalnum()) or (e < len(low) and low[e].isalnum()):
            continue
        before = low[max(0, s - 30):s]
        named = _MONTH_BEFORE.search(before)
        if named:
            yield _Date(s - len(before) + named.start(), e, m.group(),
                        _month_number(named["month"]))
            continue
        numeric = _NUMERIC_BEFORE.search(before)
        if numeric:
            nm = int(numeric["nmonth"])
            yield _Date(s - len(before) + numeric.start(), e, m.group(),
                        nm if 1 <= nm <= 12 else None)
        elif _YEAR_CONTEXT.search(before):
            yield _Date(s, e, m.group(), None)


def _month_number(word: str) -> int:
    w = word.lower()[:3]
    return [m[:3] for m in _MONTHS].index(w) + 1


def find_abuse_types(doc: DocText) -> list[str]:
    return [k for k, _ in abuse_types_with_evidence(doc)]


def abuse_types_with_evidence(doc: DocText) -> list[tuple[str, list[tuple[int, str]]]]:
    """Abuse types the account of the case describes (named, or by behaviour: "punched her",
    "took her wages", "checked her phone"), each with its evidence sentences (page, text).
    A mention in a sentence about staff knowledge or training ("had not been trained to
    recognise coercive control") is about practice, not about the case: it does not count."""
    rules = _rules()
    scored = score_signals(doc, rules.abuse, rules.abuse_weights)
    # Behaviour is read where the report tells the case (the chronology only when nothing else
    # does, as for the other review facts): one scan fewer over the longest section.
    kinds = {k for k, w in rules.abuse_weights.items() if w > 0}
    has_narrative = any(seg.kind == "narrative" for seg in doc.segments)
    for a, b in doc.spans(kinds - ({"chronology"} if has_narrative else set())):
        for start, _end, key in rules.abuse_behaviour.finditer(doc.lower, a, b):
            weight = doc.weight_at(start, rules.abuse_weights)
            if weight > 0:
                s = scored.setdefault(key, Scored(key))
                s.score += weight
                s.mentions += 1
                s.evidence.append((weight, start))
    order = list(load("abuse_types")["abuse_types"])
    about_practice: dict[int, bool] = {}
    out = []
    for key in order:
        found = scored.get(key)
        if found is None or found.score < rules.abuse_min:
            continue
        # Best-weighted mentions first; stop once the threshold and the evidence are reached
        # (finding a sentence's bounds is the costly step).
        kept: list[tuple[float, int]] = []
        total = 0.0
        for weight, offset in sorted(found.evidence, key=lambda c: (-c[0], c[1])):
            start, end = doc.sentence_at(offset, limit=300)
            if start not in about_practice:
                about_practice[start] = (
                    rules.abuse_not_the_case.search(doc.lower, start, end) is not None)
            if not about_practice[start]:
                kept.append((weight, offset))
                total += weight
                if total >= rules.abuse_min and len(kept) > rules.abuse_evidence:
                    break
        if total >= rules.abuse_min:
            out.append((key, pick_evidence(doc, kept, rules.abuse_evidence)))
    return out


def find_chair(doc: DocText) -> tuple[Chair, int | None]:
    rules = _rules()
    name, page = None, None
    front_end = doc.page_starts[min(len(doc.pages), 8) - 1] \
        + len(doc.pages[min(len(doc.pages), 8) - 1]) \
        if doc.pages else 0
    for pat in _chair_patterns():
        m = pat.search(doc.text, 0, front_end)
        if m:
            name, page = _chair_name(m["name"]), doc.page_at(m.start())
            break
    independent: bool | None = None
    if _found_any(rules.chair_not_independent, doc.lower):
        independent = False
    elif _found_any(rules.chair_independent, doc.lower):
        independent = True
    return Chair(name=name, independent=independent), page


# Words that follow a name on a title page ("Chair: Ruth Hallam Report completed ..."): never
# the end of a name.
_NOT_NAME_WORDS = frozenset(("report", "review", "overview", "executive", "summary", "chair",
                             "author", "independent", "domestic", "homicide", "completed",
                             "date", "page", "contents", "final", "version", "published",
                             "draft", "official", "community", "safety", "partnership"))


def _chair_name(name: str) -> str:
    """A chair's name without the words a layout ran into it."""
    words = name.split()
    while len(words) > 2 and words[-1].lower() in _NOT_NAME_WORDS:
        words.pop()
    return " ".join(words)


@cache
def _chair_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in _rules().raw["chair"])


def find_family_involved(doc: DocText) -> tuple[bool | None, int | None]:
    rules = _rules()
    # The review's process (introduction, involvement of family) says it; not the chronology.
    spans = doc.spans(("front", "boilerplate")) or [(0, len(doc.text))]
    for pattern, value in ((rules.family_yes, True), (rules.family_no, False)):
        for a, b in spans:
            m = pattern.search(doc.lower, a, b)
            if m:
                return value, doc.page_at(m.start())
    return None, None


# Documents that are not an account of the case: abuse types and pronoun-based victim sex are
# not read from them (a QA letter's "his family" or an action plan's training topics).
_NOT_AN_ACCOUNT = ("action_plan", "home_office_letter")


def extract_review(doc: DocText, title: str | None = None, doc_type: str | None = None,
                   ) -> ReviewFound:
    """Everything the text states about the review, with the page of each value."""
    account = doc_type not in _NOT_AN_ACCOUNT
    pages: dict[str, int] = {}

    def keep(field_name: str, value: Any, page: int | None) -> Any:
        if value is not None and page is not None:
            pages[field_name] = page
        return value

    name = keep("pseudonym", *find_pseudonym(doc, title))
    area = find_area(doc.pages, title)
    if area:
        pages["area"] = area.page or 1
    age = keep("victim.age", *find_age(doc, name))
    sex = keep("victim.sex", *find_sex(doc, name, pronouns=account))
    chair, chair_page = find_chair(doc)
    keep("chair", chair.name, chair_page)
    abuse = abuse_types_with_evidence(doc) if account else []
    if abuse and abuse[0][1]:
        pages["abuse_types"] = abuse[0][1][0][0]   # the page of the first type's evidence
    review = Review(
        pseudonym=name,
        area=area.area if area else None,
        region=cast(Region | None, area.region if area else None),  # pydantic checks the values
        date_of_death=keep("date_of_death",
                           *find_date_of_death(doc, name, labelled_only=not account)),
        review_type=keep("review_type", *find_review_type(doc, name)),
        death_type=keep("death_type", *find_death_type(doc, name)),
        victim=Victim(age=age, age_band=cast(AgeBand | None, age_band(age)), sex=sex),
        abuse_types=[cast(AbuseType, k) for k, _ in abuse],
        chair=chair,
        family_involved=keep("family_involved", *find_family_involved(doc)),
    )
    return ReviewFound(review, pages, dict(abuse))
