"""The text model that report understanding works on: pages joined once, headings, section kinds.

Built by ``understanding.understand`` from the extraction engine's clean page texts (and its
outline, when
it found one), then shared by the rule modules (``doctype``, ``metadata``, ``agencies``,
``themes``, ``recommendations``) so none of them re-splits the text. Everything keeps character
offsets into one joined string, and :meth:`DocText.page_at` turns an offset back into the 1-based
page, so every extracted value stays traceable to its page.

Section kinds come from ``rules/sections.yaml`` (boilerplate, narrative, analysis,
recommendations, action plan, back matter); sentences matching ``rules/boilerplate.yaml``
(statutory purposes, definitions, terms of reference) are marked so they weigh nothing.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from dhr.text import fold
from understanding.rules import load

_NUMBER = re.compile(
    r"^(?:(?:section|part|chapter)\s+)?(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\s*(?:[.:)]|\s[-–—])?\s+"
    r"(?P<title>\S.*)$", re.IGNORECASE)
_APPENDIX = re.compile(r"^(?:appendix|annex)\s+[\w\d]{1,3}\b", re.IGNORECASE)
_LEADERS = re.compile(r"(?:\s*\.{2,}\s*|\s+)\d{1,3}\s*$")  # table-of-contents "Title ..... 12"
_REC_ITEM = re.compile(r"^(?:rec(?:ommendation)?\.?\s+(?:no\.?\s*)?(?:\d|(?:one|two|three|four|"
                       r"five|six|"
                       r"seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
                       r"seventeen|eighteen|nineteen|twenty)\b)|R\d{1,3}\b)", re.IGNORECASE)
_LINE = re.compile(r"[^\n]+")
# A heading run into the first item of its list ("Recommendations 1) Kent Police should..."),
# as OCR and some PDF layouts join them.
HEAD_THEN_ITEM = re.compile(
    r"^(?P<head>[A-Z][\w\-'’ ]{2,60}?)\s+(?=(?:recommendation\s+\d{1,3}\b|\(?\d{1,3}[.)]|"
    r"\(?[a-z]\))\s+\S)")
# A heading run into a stem sentence by OCR or a layout: "5. Recommendations The review panel
# recommends that:".
HEAD_THEN_STEM = re.compile(
    r"^(?:(?P<num>\d{1,2})\.?\s+)?(?P<head>[A-Z][\w\-'’ ]{2,60}?)\s+"
    r"(?=[A-Z][^.;]{0,160}\brecommend(?:s|ed)?\b[^.;]{0,60}:\s*$)")
# A sentence ends at . ! ? or at a line break before a line that does not continue it (clean
# page text has one paragraph, heading or list item per line).
_SENT_END = re.compile(r"[.!?][\"'’”)\]]?(?=\s)|\n(?=[ \t]*[^a-z\s])")
# The last sentence end before an offset, in one call: ``.*`` runs to the end of the range and
# backs off to the last position where a sentence end matches (sentence ends never overlap, so
# it is the last match ``_SENT_END.finditer`` would give).
_LAST_SENT_END = re.compile(r"(?s:.*)(?:" + _SENT_END.pattern + ")")
# The character before a phrase: no word character (and, for phrases, no "&"). Written as an
# ASCII set and a look-behind rather than ``[^\w&]``: the engine skips letters with a bitmap test
# instead of a Unicode lookup per character, and the look-behind turns non-ASCII letters (é)
# away. The same characters as ``[^\w&]`` (``[^\w]``).
NOT_WORD_OR_AMP = r"[^A-Za-z0-9_&](?<!\w)"
NOT_WORD = r"[^A-Za-z0-9_](?<!\w)"
_LIST_ITEM = re.compile(r"\n[ \t]*(?:[•▪◦●■\-–*]|\(?[a-z0-9ivx]{1,3}[.)])[ \t]+[^\n]*")


@dataclass(frozen=True)
class Heading:
    start: int            # offset of the heading line in DocText.text
    end: int
    title: str            # without its number
    number: str | None
    level: int
    kind: str | None      # a sections.yaml kind, or None (an unknown sub-heading)


@dataclass
class Segment:
    start: int
    end: int
    kind: str
    heading: Heading | None


@dataclass
class _SectionRules:
    kinds: list[tuple[str, re.Pattern[str]]]
    weights: dict[str, float]
    boilerplate: re.Pattern[str]           # a marker after a non-word character (consumed)
    boilerplate_at_start: re.Pattern[str]  # a marker at offset 0
    after_chronology: list[tuple[str, re.Pattern[str]]]


@cache
def _section_rules() -> _SectionRules:
    data = load("sections")
    kinds = [(kind, re.compile("(?:" + "|".join(pats) + r")\s*:?", re.IGNORECASE))
             for kind, pats in data["kinds"].items()]
    # Recommendation headings are checked first: "Conclusions and recommendations" holds the list.
    kinds.sort(key=lambda kp: kp[0] != "recommendations")
    markers = load("boilerplate")["markers"]
    # Lower-case markers on DocText.lower, no re.I, behind a look-behind: much faster.
    late = [(kind, re.compile("(?:" + "|".join(pats) + r")\s*:?", re.IGNORECASE))
            for kind, pats in (data.get("after_chronology") or {}).items()]
    body = "(?:" + "|".join(f"(?:{m})" for m in markers) + ")"
    firsts = _first_chars([body])
    guard = f"(?=[{''.join(re.escape(c) for c in sorted(firsts))}])" if firsts else ""
    # A marker does not start inside a word: the scan consumes the character before it (see
    # PhraseMatcher), then checks the possible first characters before trying the markers, the
    # simple ones merged into one trie (the same places to start; ``_scan`` with ``exact_end``).
    return _SectionRules(kinds, {k: float(v) for k, v in data["weights"].items()},
                         re.compile(NOT_WORD + guard + _merged(markers)), re.compile(guard + body),
                         late)


def _merged(patterns: list[str]) -> str:
    """An alternation that matches at the same places as ``patterns``' (not always as far): the
    patterns :func:`exact_sequences` can spell out go into one trie."""
    sequences: list[tuple[str, ...]] = []
    rest: list[str] = []
    for p in patterns:
        spelled = exact_sequences(p)
        if spelled is None:
            rest.append(f"(?:{p})")
        else:
            sequences += spelled
    return "(?:" + "|".join(rest + ([_trie_regex(sequences)] if sequences else [])) + ")"


def section_weights() -> dict[str, float]:
    """How much a theme mention weighs per section kind (``sections.yaml``)."""
    return _section_rules().weights


@lru_cache(maxsize=8192)
def heading_kind(title: str) -> str | None:
    """The section kind a heading title names (``sections.yaml``), or None if it names none."""
    t = " ".join(title.lower().split()).rstrip(":. ")
    for kind, pat in _section_rules().kinds:
        if pat.fullmatch(t):
            return kind
    return None


def parse_heading_line(line: str) -> tuple[str | None, str] | None:
    """Split a candidate heading line into (number, title); None when it cannot be a heading."""
    s = line.strip()
    if not (3 <= len(s) <= 100) or s.endswith((".", ",", ";")) or _REC_ITEM.match(s):
        return None
    if s[-1].isdigit():  # (a page number: the only place leaders can end)
        s = _LEADERS.sub("", s).strip() or s
    m = _NUMBER.match(s)
    num, title = (m["num"], m["title"].strip()) if m else (None, s)
    if not title[:1].isupper() or len(title.split()) > 12:
        return None
    return num, title


@dataclass
class DocText:
    """Pages joined with newlines, with their headings, section kinds and boilerplate spans."""

    pages: list[str]
    outline: Sequence[Any] = ()
    text: str = field(init=False)
    lower: str = field(init=False)        # text.lower(), same offsets
    page_starts: list[int] = field(init=False)
    headings: list[Heading] = field(init=False)
    segments: list[Segment] = field(init=False)
    _seg_starts: list[int] = field(init=False)
    _bp_starts: list[int] = field(init=False)
    _bp_ends: list[int] = field(init=False)
    memo: dict[str, Any] = field(init=False, default_factory=dict)  # per-document rule results

    def __post_init__(self) -> None:
        self.page_starts = []
        pos = 0
        for p in self.pages:
            self.page_starts.append(pos)
            pos += len(p) + 1
        self.text = "\n".join(self.pages)
        lower = self.text.lower()
        self.lower = lower if len(lower) == len(self.text) else self.text
        self.headings = self._find_headings()
        self.segments = self._segment()
        self._seg_starts = [s.start for s in self.segments]
        self._mark_boilerplate()

    # ----- positions -----------------------------------------------------------------------
    def page_at(self, offset: int) -> int:
        """1-based page of a character offset."""
        return max(1, bisect_right(self.page_starts, offset))

    def segment_at(self, offset: int) -> Segment:
        i = bisect_right(self._seg_starts, offset) - 1
        return self.segments[max(0, i)]

    def kind_at(self, offset: int) -> str:
        return self.segment_at(offset).kind

    def weight_at(self, offset: int, weights: dict[str, float] | None = None) -> float:
        """How much a mention at this offset counts (0 inside boilerplate); ``weights`` per
        section kind, default ``sections.yaml`` weights (those for themes)."""
        if self.in_boilerplate(offset):
            return 0.0
        return (weights or _section_rules().weights).get(self.kind_at(offset), 1.0)

    def in_boilerplate(self, offset: int) -> bool:
        i = bisect_right(self._bp_starts, offset) - 1
        return i >= 0 and offset < self._bp_ends[i]

    def sentence_at(self, offset: int, limit: int = 400) -> tuple[int, int]:
        """Bounds of the sentence (or list item) around an offset."""
        text = self.text
        lo = max(0, offset - limit)
        last = _LAST_SENT_END.match(text, lo, offset)
        start = last.end() if last is not None else lo
        after = _SENT_END.search(text, offset, min(len(text), offset + limit))
        end = after.end() if after else min(len(text), offset + limit)
        while start < end and text[start].isspace():
            start += 1
        return start, end

    def sentence_text(self, offset: int) -> str:
        s, e = self.sentence_at(offset)
        return " ".join(self.text[s:e].split())

    def lines(self, start: int = 0, end: int | None = None) -> Iterable[tuple[int, str]]:
        """(offset, line) for each non-empty line in [start, end)."""
        for m in _LINE.finditer(self.text, start, len(self.text) if end is None else end):
            yield m.start(), m.group()

    def spans(self, kinds: Iterable[str]) -> list[tuple[int, int]]:
        """Merged (start, end) ranges of the sections of these kinds: rules that only matter
        there scan only there (the chronology or the action plan can be half a report)."""
        wanted = set(kinds)
        out: list[tuple[int, int]] = []
        for seg in self.segments:
            if seg.kind not in wanted or seg.end <= seg.start:
                continue
            if out and out[-1][1] >= seg.start:
                out[-1] = (out[-1][0], max(out[-1][1], seg.end))
            else:
                out.append((seg.start, seg.end))
        return out

    # ----- building ------------------------------------------------------------------------
    def _outline_titles(self) -> dict[int, set[str]]:
        """Outline entries from the extractor, per page (title normalised)."""
        out: dict[int, set[str]] = {}
        for s in self.outline or ():
            title = s.get("title") if isinstance(s, dict) else getattr(s, "title", None)
            page = s.get("page") if isinstance(s, dict) else getattr(s, "page", None)
            if title and page:
                out.setdefault(int(page), set()).add(fold(title))
        return out

    def _find_headings(self) -> list[Heading]:
        outline = self._outline_titles()
        found: list[Heading] = []
        for page_no, page in enumerate(self.pages, start=1):
            base = self.page_starts[page_no - 1]
            titles = outline.get(page_no, set())
            line_start = 0
            for line in page.split("\n"):  # the non-empty lines, as ``_LINE`` finds them
                start, line_start = line_start, line_start + len(line) + 1
                if not line:
                    continue
                parsed = parse_heading_line(line)
                end = start + len(line)
                if parsed is None:
                    joined = HEAD_THEN_ITEM.match(line) or (
                        HEAD_THEN_STEM.match(line) if line.rstrip().endswith(":") else None)
                    if joined is None or heading_kind(joined["head"]) is None:
                        continue
                    parsed = (joined.groupdict().get("num"), joined["head"].strip())
                    end = start + joined.end("head")
                num, title = parsed
                kind = heading_kind(title)
                in_outline = fold(title) in titles or fold(line) in titles
                if kind is None and _APPENDIX.match(title):
                    kind = heading_kind(title)  # "Appendix A: Action plan" is still an action plan
                    kind = kind or "back"
                if kind is None and not in_outline:
                    continue
                level = num.count(".") + 1 if num else 1
                found.append(Heading(base + start, base + end, title, num, level, kind))
        return found

    def _segment(self) -> list[Segment]:
        default = "front" if self.headings else "narrative"
        segs = [Segment(0, len(self.text), default, None)]
        current = default
        # In a report whose sections are numbered, an unnumbered heading is a sub-heading
        # ("Equality and diversity" as a theme inside the analysis), not the template section.
        numbered = sum(1 for h in self.headings if h.number and h.kind) >= 3
        late = _section_rules().after_chronology
        seen_chronology = False
        for h in self.headings:
            kind = h.kind
            if seen_chronology and late and h.level == 1:
                # "Key lines of enquiry" after the chronology answers them (analysis); before
                # it, it sets them (terms of reference).
                kind = next((k for k, pat in late if pat.fullmatch(h.title)), kind)
            seen_chronology = seen_chronology or kind == "chronology"
            if numbered and not h.number and kind in ("boilerplate", "narrative") \
                    and current not in ("front", "back"):
                kind = None
            # Unknown sub-headings inherit the kind of the section they sit in.
            current = kind or current
            segs[-1].end = h.start
            segs.append(Segment(h.start, len(self.text), current, h))
        return [s for s in segs if s.end > s.start or s is segs[-1]]

    def _mark_boilerplate(self) -> None:
        spans: list[tuple[int, int]] = []
        rules = _section_rules()
        for start, _end in _scan(rules.boilerplate, rules.boilerplate_at_start,
                                 self.lower, 0, len(self.lower), exact_end=True):
            s, e = self.sentence_at(start, limit=1500)
            # A boilerplate sentence that introduces a list ("...is not limited to:") covers it.
            if self.text[s:e].rstrip().endswith(":"):
                pos = e - 1 if self.text[e - 1:e] == "\n" else e
                while (item := _LIST_ITEM.match(self.text, pos)) is not None:
                    pos = e = item.end()
            if spans and s <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], e))
            else:
                spans.append((s, e))
        self._bp_starts = [s for s, _ in spans]
        self._bp_ends = [e for _, e in spans]


class PhraseMatcher:
    """Many phrase rules compiled into two regular expressions, run once over a text.

    Case-insensitive rules run on the lower-cased text (Python's regex engine is several times
    faster on a case-sensitive alternation); case-sensitive rules (acronyms such as DASH, MASH,
    DRIVE, GP) run on the original text. Matches are leftmost-longest and never overlap; a rule
    whose key is None swallows its span (an "ignore" phrase). The scanning pattern has no
    capturing groups (named groups make a large alternation ~50x slower); the key of a match is
    found afterwards by a full match of the span against one group per key.
    """

    def __init__(self, rules: Iterable[tuple[str | None, str, bool, int]]) -> None:
        ci: list[tuple[int, str, str | None]] = []
        cs: list[tuple[int, str, str | None]] = []
        for key, regex, case_sensitive, priority in rules:
            (cs if case_sensitive else ci).append((priority, regex, key))
        self._ci = self._compile(ci)
        self._cs = self._compile(cs)
        # Keys of matched texts, per pattern; none where a rule has a look-behind (its key could
        # depend on the text before the match).
        self._ci_keys: dict[str, str | None] | None = (
            {} if self._ci and "(?<" not in self._ci[2].pattern else None)
        self._cs_keys: dict[str, str | None] | None = (
            {} if self._cs and "(?<" not in self._cs[2].pattern else None)

    @staticmethod
    def _compile(
        alts: list[tuple[int, str, str | None]],
    ) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], list[str | None]] | None:
        if not alts:
            return None
        alts.sort(key=lambda a: -a[0])
        # Literal phrases go into one trie-shaped alternative (the engine follows one branch per
        # character instead of trying every phrase); other rules keep their priority order.
        regexes = [rx for _, rx, _ in alts if not isinstance(rx, Literal)]
        literals = [rx.units for _, rx, _ in alts if isinstance(rx, Literal)]
        parts = regexes + ([_trie_regex(literals)] if literals else [])
        # A look-ahead for the possible first characters, ahead of the word-boundary look-behind:
        # most positions fail on it at once instead of trying every alternative.
        firsts = _first_chars(parts)
        guard = f"(?=[{''.join(re.escape(c) for c in sorted(firsts))}])" if firsts else ""
        body = guard + r"(?:" + "|".join(parts) + r")(?![\w&])"
        # A match starts where the character before is no word character. Rather than a
        # look-behind tried at every position, the scan consumes that character: a pattern that
        # starts with a character set lets the engine skip in C to the next candidate (a space
        # or punctuation), about one position in six. ``at_start`` serves offset 0.
        scan = re.compile(NOT_WORD_OR_AMP + body)
        at_start = re.compile(body)
        by_key: dict[str | None, list[str]] = {}
        for _, rx, key in alts:
            by_key.setdefault(key, []).append("".join(rx.units) if isinstance(rx, Literal) else rx)
        keys = list(by_key)
        ident = re.compile("|".join(f"(?P<k{i}>{'|'.join(by_key[k])})" for i, k in enumerate(keys)))
        if at_start.match(""):
            raise ValueError("a phrase rule matches the empty string")
        return scan, at_start, ident, keys

    def _key(self, compiled: tuple[Any, ...], memo: dict[str, str | None] | None, src: str,
             start: int, end: int) -> str | None:
        """The key of a match: which rule's group a full match of the span takes. The same text
        always takes the same key (no rule looks behind its match), so it is looked up once."""
        _scan_rx, _at_start, ident, keys = compiled
        if memo is not None:
            span = src[start:end]
            if span in memo:
                return memo[span]
        k = ident.fullmatch(src, start, end)
        key = keys[int(k.lastgroup[1:])] if k and k.lastgroup else None
        if memo is not None:
            if len(memo) >= 50_000:  # names matched by patterns ("X Surgery") vary without end
                memo.clear()
            memo[span] = key
        return key

    def finditer(self, text: str, lower: str | None = None, start: int = 0,
                 end: int | None = None) -> list[tuple[int, int, str]]:
        """(start, end, key) of each match in text[start:end], in order."""
        end = len(text) if end is None else end
        if lower is None or len(lower) != len(text):
            lower = text.lower() if len(text.lower()) == len(text) else text
        found: list[tuple[int, int, str | None]] = []
        for compiled, src, memo in ((self._ci, lower, self._ci_keys),
                                    (self._cs, text, self._cs_keys)):
            if compiled is None:
                continue
            scan, at_start = compiled[0], compiled[1]
            for s, e in _scan(scan, at_start, src, start, end):
                found.append((s, e, self._key(compiled, memo, src, s, e)))
        if self._ci is not None and self._cs is not None:
            found.sort(key=lambda f: (f[0], f[0] - f[1]))
        out: list[tuple[int, int, str]] = []
        last_end = -1
        for s, e, key in found:
            if s < last_end:
                continue
            last_end = e
            if key is not None:
                out.append((s, e, key))
        return out


def _scan(scan: re.Pattern[str], at_start: re.Pattern[str], src: str, start: int,
          end: int, *, exact_end: bool = False) -> Iterator[tuple[int, int]]:
    """(start, end) of the non-overlapping matches in src[start:end] of a phrase pattern that
    must not follow a word character or "&" (``at_start``; ``scan`` is the same pattern led by
    the character before the match). The same matches as ``(?<![\\w&])`` + pattern run by
    ``finditer(src, start, end)``. With ``exact_end``, ``scan`` finds only where ``at_start``
    matches, not how far (``_merged``): each match's end is ``at_start``'s."""
    pos = start
    if pos == 0 and end > 0:
        m = at_start.match(src, 0, end)
        if m is not None:
            yield 0, m.end()
            pos = m.end()
    while True:
        # The character before a match at ``pos`` or later sits at ``pos - 1`` or later (it may
        # be the last character of the previous match, as the look-behind would see it).
        m = scan.search(src, max(pos - 1, 0), end)
        if m is None:
            return
        if exact_end:
            m = at_start.match(src, m.start() + 1, end)
            if m is None:  # cannot happen: the merged pattern matches where one of them does
                raise AssertionError(f"{scan.pattern[:40]!r} and {at_start.pattern[:40]!r} "
                                     "differ")
            pos = m.end()
            yield m.start(), pos
            continue
        pos = m.end()
        yield m.start() + 1, pos


def _first_chars(patterns: list[str]) -> set[str] | None:
    """Every character a match of any of ``patterns`` can start with, or None when unknown."""
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]

    def first(items: Any) -> set[str] | None:
        items = list(items)
        for i, (op, av) in enumerate(items):
            if op is C.ASSERT_NOT or op is C.ASSERT:
                continue  # look-arounds consume nothing: the next item decides
            if op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] == 0:
                # an optional part: it or whatever follows it comes first
                head, rest = first(av[2]), first(items[i + 1:])
                return None if head is None or rest is None else head | rest
            if op is C.LITERAL:
                return {chr(av)}
            if op is C.IN:
                out: set[str] = set()
                for kind, val in av:
                    if kind is C.LITERAL:
                        out.add(chr(val))
                    elif kind is C.RANGE and val[1] - val[0] <= 64:
                        out.update(chr(c) for c in range(val[0], val[1] + 1))
                    else:
                        return None  # negated sets, categories (\w): unknown
                return out
            if op is C.SUBPATTERN:
                return first(av[-1])
            if op is C.BRANCH:
                out = set()
                for alt in av[1]:
                    f = first(alt)
                    if f is None:
                        return None
                    out |= f
                return out
            if op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] >= 1:
                return first(av[2])
            return None
        return None

    out: set[str] = set()
    for p in patterns:
        try:
            f = first(P.parse(p))
        except re.error:
            return None
        if not f:
            return None
        out |= f
    return out


class Literal(str):
    """A phrase rule for :class:`PhraseMatcher` (matched literally, with the tolerances of
    :func:`phrase_units`), optionally followed by one regex ``suffix``."""

    units: tuple[str, ...]

    def __new__(cls, phrase: str, suffix: str | None = None) -> Literal:  # noqa: PYI034
        obj = super().__new__(cls, phrase)
        obj.units = tuple(phrase_units(phrase)) + ((suffix,) if suffix else ())
        return obj


def expand_literals(pattern: str, limit: int = 48) -> list[str] | None:
    """The phrases a simple rule pattern stands for ("risk\\s+assessments?" -> "risk assessment",
    "risk assessments"), or None when it is not that simple. Handles literals, \\s+ between
    words, alternatives, optional parts and small character classes; lets the matcher put such
    rules in its fast trie."""
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]

    try:
        parsed = P.parse(pattern)
    except re.error:
        return None

    def seq(items: Any) -> list[str] | None:
        return _expand(items, one, "", limit)

    def one(op: Any, av: Any) -> list[str] | None:
        if op is C.LITERAL:
            return [chr(av)]
        if op is C.IN:
            chars = [chr(a) for o, a in av if o is C.LITERAL]
            if len(chars) == len(av) and len(chars) <= 3:
                return chars
            if av == [(C.CATEGORY, C.CATEGORY_SPACE)]:
                return [" "]
            return None
        if op is C.SUBPATTERN:
            return seq(av[-1])
        if op is C.BRANCH:
            return _branches(av[1], seq)
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            lo, hi, sub = av
            inner = seq(sub)
            if inner is None:
                return None
            if (lo, hi) == (0, 1):
                return [""] + inner
            if lo == 1 and inner == [" "]:
                return [" "]
            return None
        return None

    found = seq(parsed)
    if found is None:
        return None
    return [" ".join(f.split()) for f in dict.fromkeys(found) if f.strip()]


def _expand(items: Any, one: Any, empty: Any, limit: int) -> list[Any] | None:
    """Every concatenation of one alternative per parsed regex item (``one(op, av)`` gives an
    item's alternatives, or None when it has none we can spell out), starting from ``empty``;
    None when an item has none or there are more than ``limit``."""
    out = [empty]
    for op, av in items:
        alts = one(op, av)
        if alts is None:
            return None
        out = [a + b for a in out for b in alts]
        if len(out) > limit:
            return None
    return out


def _branches(branches: Any, seq: Any) -> list[Any] | None:
    """The alternatives of every branch of a parsed regex alternation, in order (``seq`` spells
    out one branch), or None when one branch cannot be spelled out."""
    out: list[Any] = []
    for branch in branches:
        got = seq(branch)
        if got is None:
            return None
        out += got
    return out


def exact_sequences(pattern: str, limit: int = 64) -> list[tuple[str, ...]] | None:
    """The sequences of regex pieces a simple pattern stands for, exactly as it matches
    ("prevent\\s+domestic\\s+(?:violence|abuse)" -> ("p", ..., "\\s+", "d", ..., "v", ...) and
    ("p", ..., "a", ...)), or None when it is not that simple: literals, ``\\s``, ``\\s+``, ``.``,
    small character sets, alternatives and optional parts, nothing that looks around."""
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]

    space = [(C.IN, [(C.CATEGORY, C.CATEGORY_SPACE)])]

    def seq(items: Any) -> list[tuple[str, ...]] | None:
        return _expand(items, one, (), limit)

    def one(op: Any, av: Any) -> list[tuple[str, ...]] | None:
        if op is C.LITERAL:
            return [(re.escape(chr(av)),)]
        if op is C.ANY:
            return [(".",)]
        if op is C.IN:
            if av == space[0][1]:
                return [(r"\s",)]
            if len(av) <= 3 and all(o is C.LITERAL for o, _ in av):
                return [(re.escape(chr(c)),) for _, c in av]
            return None
        if op is C.SUBPATTERN:
            group, add_flags, del_flags, sub = av
            return seq(sub) if group is None and not add_flags and not del_flags else None
        if op is C.BRANCH:
            return _branches(av[1], seq)
        if op is C.MAX_REPEAT:
            lo, hi, sub = av
            if (lo, hi) == (0, 1):
                inner = seq(sub)
                return None if inner is None else [(), *inner]
            if (lo, hi) == (1, C.MAXREPEAT) and list(sub) == space:
                return [(r"\s+",)]
        return None

    try:
        return seq(P.parse(pattern))
    except re.error:
        return None


def phrase_units(phrase: str) -> list[str]:
    """A phrase as a list of regex pieces, one per character: any whitespace between words,
    "and" = "&", optional apostrophes and hyphens ("Children's" = "Childrens" = "Children’s")."""
    text = " ".join(phrase.split()).replace(" and ", "\x01")
    out = []
    for ch in text:
        if ch == " ":
            out.append(r"\s+")
        elif ch == "\x01":
            out.append(r"\s+(?:and|&)\s+")
        elif ch in "'’":
            out.append("['’]?")
        elif ch == "-":
            out.append(r"[\-\s]?")
        elif ch == "&":
            out.append("(?:&|and)")
        else:
            out.append(re.escape(ch))
    return out


# How often English words start with each letter, and letters occur (most often first); -1
# (the end) for other characters.
_WORD_START_ORDER = "tasowicbhpfmdrelnguyvkjqz"
_LETTER_ORDER = "etaoinsrhldcumfpgwybvkxjqz"


def _is_one_char(unit: str) -> bool:
    """Whether a trie unit matches exactly one fixed character ("a", "\\-")."""
    return len(unit) == 1 and unit not in ".^$*+?{}[]|()\\" or (
        len(unit) == 2 and unit[0] == "\\" and not unit[1].isalnum())


def _trie_regex(sequences: list[tuple[str, ...]]) -> str:
    """One regex matching any of the unit sequences, shaped as a trie; longer matches first."""
    trie: dict[str, Any] = {}
    for seq in sequences:
        node = trie
        for unit in seq:
            node = node.setdefault(unit, {})
        node[""] = {}  # end of a phrase

    def emit(node: dict[str, Any], depth: int = 0) -> str:
        units = [unit for unit in node if unit != ""]
        if all(_is_one_char(unit) for unit in units):
            # Branches that start with different characters exclude each other: their order
            # changes no match, and the engine tries them in turn, so common letters go first.
            order = _WORD_START_ORDER if depth == 0 else _LETTER_ORDER
            units.sort(key=lambda u: order.find(u) % 64)
        branches = [unit + emit(node[unit], depth + 1) for unit in units]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return emit(trie)


