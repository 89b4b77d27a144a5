"""Who the perpetrator was to the victim: the review type from a relation word bound to the
perpetrator, not from relation words alone.

A report names the perpetrator somewhere ("Paul | Perpetrator" in the people table, "the
perpetrator, Paul,", "Paul was arrested", "abuse from Paul"); this module finds that name
(``metadata.yaml`` ``perpetrator.names``, read only around a few anchor words), masks it in a
copy of the text (same offsets) and reads the relation frames that tie a relation word to it:
"Paul, her husband", "her grown-up son, Robert", "Teresa is the civil partner of Neil",
"Neil was Robert's father", "Paul | Husband of Jane", "Olga and Barry were living together as
partners". A relation word about anyone else ("her son found her", "Paul's brother told the
review") carries no vote. Frames are read only in short windows around the perpetrator's name in
the parts of a report that introduce the people, so the cost does not grow with the rule count.
Used by ``understanding.metadata.find_review_type``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from understanding.doctext import DocText, _trie_regex, phrase_units
from understanding.rules import load

PERP_MASK = "\x02"
_WINDOW = 180          # characters either side of the perpetrator's name
_MAX_ANCHORS = 40      # anchor words read to find the name
_MAX_READ = 60_000     # characters of the introductions read for them (the people come first)
_ENOUGH = 3            # statements naming the same person: that is the perpetrator
_MAX_WINDOWS = 40      # mentions of the name read for frames
_BEFORE, _AFTER = 120, 60  # how far a frame that does not start with the name may reach
_KINDS = ("intimate_partner", "adult_family", "household_member")


@dataclass(frozen=True)
class _Frames:
    anchors: re.Pattern[str]
    names: tuple[re.Pattern[str], ...]
    frames: tuple[tuple[str | None, re.Pattern[str], bool], ...]  # kind, pattern, name-led
    not_names: frozenset[str]


def _relation_group(terms: dict[str, list[str]], modifiers: str, n: int) -> str:
    """{R}: a relation word with its modifiers, one named group per review type ("k<n>_<type>")."""
    alts = []
    for kind in _KINDS:
        words = sorted(terms.get(kind, ()), key=len, reverse=True)
        alts.append(f"(?P<k{n}_{kind}>{'|'.join(words)})")
    return rf"(?:(?:{modifiers})[\s-]+){{0,2}}(?:{'|'.join(alts)})(?![\w-])"


@cache
def _frames(victim_rx: str) -> _Frames:
    d = load("metadata")
    rules = d["perpetrator"]
    perp_rx = PERP_MASK + "++"  # possessive: a frame never ends inside the masked name
    poss = rf"(?:her|his|their|{victim_rx}[’']s|the\s+victim[’']s|the\s+deceased[’']s)"
    frames = []
    for i, frame in enumerate(rules["frames"]):
        p = (
            frame["pattern"]
            .replace("{R}", _relation_group(d["relation_terms"], rules["modifiers"], i))
            .replace("{poss}", poss)
            .replace("{name}", victim_rx)
            .replace("{perp}", perp_rx)
        )
        frames.append((frame.get("kind"), re.compile(p), frame["pattern"].startswith("{perp}")))
    name = rules["name"]
    # the anchor words as one trie, led by the non-word character before them (the engine skips
    # to it in C; see understanding.cues)
    trie = _trie_regex(
        [tuple(phrase_units(w)) for w in sorted(rules["anchors"], key=len, reverse=True)]
    )
    return _Frames(anchors=re.compile(rf"\W(?:{trie})\b"),
                   names=tuple(re.compile(p.replace("{N}", name)) for p in rules["names"]),
                   frames=tuple(frames),
                   not_names=frozenset(w.lower() for w in rules["not_names"]))


def find_perpetrator(doc: DocText, spans: Sequence[tuple[int, int]], victim: str | None,
                     victim_rx: str) -> str | None:
    """The perpetrator's name as the report prints it, by majority of the statements that name
    one; None when no statement does."""
    f = _frames(victim_rx)
    votes: Counter[str] = Counter()
    seen = 0
    budget = _MAX_READ
    for a, b in spans:
        if seen > _MAX_ANCHORS or budget <= 0 or (votes and votes.most_common(1)[0][1] >= _ENOUGH):
            break
        b = min(b, a + budget)
        budget -= b - a
        for m in f.anchors.finditer(doc.lower, a, b):
            if doc.in_boilerplate(m.start()):
                continue
            seen += 1
            if seen > _MAX_ANCHORS:
                break
            _vote_names_near(f, doc.text, m, (a, b), victim, votes)
            if votes and votes.most_common(1)[0][1] >= _ENOUGH:
                break
    if not votes:
        return None
    (top, count), *rest = votes.most_common()
    return None if rest and rest[0][1] == count else top


def _vote_names_near(f: _Frames, text: str, anchor: re.Match[str], span: tuple[int, int],
                     victim: str | None, votes: Counter[str]) -> None:
    """A vote for each name printed within 30 characters of ``anchor`` ("arrested", "the
    perpetrator"), read in a window of 60 characters each side, inside ``span``."""
    lo, hi = max(span[0], anchor.start() - 60), min(span[1], anchor.end() + 60)
    window = text[lo:hi]
    at = anchor.start() - lo
    for rx in f.names:
        for n in rx.finditer(window):
            if not n.start() - 30 <= at <= n.end() + 30:
                continue
            value = n["p"].strip("‘’'\"“” ")
            if (value and value.lower() not in f.not_names
                    and (victim is None or value.lower() != victim.lower())):
                votes[value] += 1


_QUOTE_PAIRS = {("‘", "’"), ("'", "'"), ("“", "”"), ('"', '"')}


def _mask_name(text: str, name: str) -> str:
    """``text`` with the whole-word occurrences of ``name`` masked (same offsets), with its
    quotes when it is quoted (‘barry’), so frames read it like a bare name; a lone closing
    quote (barry’s) stays text."""
    out = text
    at = text.find(name)
    while at >= 0:
        s, e = at, at + len(name)
        if not (s > 0 and text[s - 1].isalnum()) and not (e < len(text) and text[e].isalnum()):
            if s > 0 and e < len(text) and (text[s - 1], text[e]) in _QUOTE_PAIRS:
                s, e = s - 1, e + 1
            out = out[:s] + PERP_MASK * (e - s) + out[e:]
        at = text.find(name, at + len(name))
    return out


def relation_to_perpetrator(doc: DocText, masked: str, spans: Sequence[tuple[int, int]],
                            victim: str | None, victim_rx: str,
                            ) -> tuple[Counter[str], dict[str, int]]:
    """Votes per review type from relation frames bound to the perpetrator, and the page each
    type was first read from. ``masked`` is ``doc.lower`` with the victim's name masked
    (``victim_rx`` matches that mask)."""
    votes: Counter[str] = Counter()
    pages: dict[str, int] = {}
    perp = find_perpetrator(doc, spans, victim, victim_rx)
    if perp is None:
        return votes, pages
    f = _frames(victim_rx)
    key = perp.lower()
    # the name as a whole word, masked in each window (same length, so offsets stay valid)
    windows = 0
    for a, b in spans:
        pos = a
        while windows < _MAX_WINDOWS:
            at = masked.find(key, pos, b)
            if at < 0:
                break
            end = at + len(key)
            pos = end
            if (at > 0 and masked[at - 1].isalnum()) or (
                end < len(masked) and masked[end].isalnum()
            ):
                continue
            windows += 1
            # a short copy of the text around the name, the name masked (offsets from ``lo``)
            lo, hi = max(a, at - _WINDOW), min(b, end + _WINDOW)
            text = _mask_name(masked[lo:hi], key)
            for fixed, rx, led in f.frames:
                # a frame that starts with the name is tried there only; the others end near it
                found = ([rx.match(text, at - lo)] if led
                         else rx.finditer(text, max(0, at - lo - _BEFORE), end - lo + _AFTER))
                for m in found:
                    if (
                        m is None
                        or not m.start() <= at - lo < m.end()
                        or doc.in_boilerplate(lo + m.start())
                    ):
                        continue
                    kind = fixed or next((k.split("_", 1)[1] for k, v in m.groupdict().items()
                                          if v and k.startswith("k")), None)
                    if kind:
                        votes[kind] += 1
                        pages.setdefault(kind, doc.page_at(lo + m.start()))
    return votes, pages
