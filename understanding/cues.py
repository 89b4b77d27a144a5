"""Many regular-expression cues run at the cost of one scan: each cue starts with a literal
word (or ``(?:word|word)``), a trie of those first words finds candidate positions in one pass,
and only the cues that start with the word found are tried there.

Used by report understanding for rules that describe behaviour rather than name a label (abuse
types from "punched her", "took her wages"; see ``rules/abuse_types.yaml`` ``behaviour``).
A separate alternation of dozens of such patterns would be tried at almost every character.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

from understanding.doctext import NOT_WORD, _trie_regex, phrase_units

_LEAD = re.compile(r"\(\?:((?:[a-z\-]+\|)*[a-z\-]+)\)|([a-z\-]+)")


class TriggeredCues:
    """Cues ``(key, lower-case pattern)``; :meth:`finditer` yields ``(start, end, key)``."""

    def __init__(self, cues: Iterable[tuple[str, str]]) -> None:
        by_word: dict[str, list[tuple[str, re.Pattern[str]]]] = defaultdict(list)
        for key, pattern in cues:
            lead = _LEAD.match(pattern)
            if lead is None:
                raise ValueError("a cue must start with a literal word or (?:word|word): "
                                 f"{pattern!r}")
            rx = re.compile(pattern)
            for word in (lead.group(1) or lead.group(2)).split("|"):
                by_word[word].append((key, rx))
        self._by_word = dict(by_word)
        trie = _trie_regex([tuple(phrase_units(w)) for w in sorted(by_word, key=len, reverse=True)])
        # A trigger word starts after a non-word character: the scan consumes that character
        # (the engine then skips in C to the next one) instead of testing a word boundary at
        # every position; ``_at_start`` serves offset 0. Same matches as ``\b(?:trie)\b``.
        self._scan = re.compile(NOT_WORD + "(?:" + trie + r")\b")
        self._at_start = re.compile(r"(?:" + trie + r")\b")
        if not all(w[:1].isalpha() for w in by_word):
            raise ValueError("a cue's first word must start with a letter")
        # whole words only ("give" is not a trigger in "given"); the trie finds the longest
        # word, and shorter words that start the same way are tried after it
        self._prefixes = {w: [v for v in sorted(by_word, key=len, reverse=True) if w.startswith(v)]
                          for w in by_word}

    def finditer(self, lower: str, start: int = 0, end: int | None = None,
                 ) -> Iterator[tuple[int, int, str]]:
        end = len(lower) if end is None else end
        pos = start
        while True:
            m = self._at_start.match(lower, 0, end) if pos == 0 else None
            if m is not None:
                at, word_found = 0, m.group()
            else:
                # the character before a trigger at ``pos`` or later sits at ``pos - 1`` or later
                m = self._scan.search(lower, max(pos - 1, 0), end)
                if m is None:
                    return
                at, word_found = m.start() + 1, m.group()[1:]
            hit = None
            for word in self._prefixes.get(word_found, ()):
                for key, rx in self._by_word[word]:
                    found = rx.match(lower, at, end)
                    if found and (found.end() >= end or not lower[found.end()].isalnum()):
                        hit = (at, found.end(), key)
                        break
                if hit:
                    break
            if hit:
                yield hit
                pos = hit[1]
            else:
                pos = at + 1
