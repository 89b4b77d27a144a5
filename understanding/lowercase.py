"""Case-insensitive rules run as case-sensitive ones on lower-cased text, where that gives the
same matches.

Python's regex engine cannot search fast for the start of a case-insensitive pattern: it tries
the pattern at every character. The same pattern without ``re.IGNORECASE``, run on the
lower-cased text, starts only where its first letters stand. The two give the same matches
(same offsets: lower-casing keeps the length here) when the pattern names no capital letter
(classes like ``[A-Z]``, ``(?-i:...)`` groups keep their own case) and the text has no
character whose case rules differ between the two (the dotless i, the long s, final sigma,
"İ" whose lower case is two characters...: :func:`case_simple`). Otherwise the rule runs as
written.
"""

from __future__ import annotations

import re
from functools import cache
from re import _casefix  # type: ignore[attr-defined]

# Characters the engine's case-insensitive matching relates to others beyond their lower case
# (the long s to "s", the dotless i to "i", Greek and Cyrillic variants).
_SPECIAL = frozenset(chr(c) for k, v in _casefix._EXTRA_CASES.items() for c in (k, *v) if c > 127)
# Escapes that name no letter of their own (\s, \W, \b, \n...); others (\x41, \N{...}, \1) do.
_PLAIN_ESCAPES = frozenset("sSwWdDbBAZntrfv")


def for_lower_text(pattern: str, flags: int) -> re.Pattern[str] | None:
    """``pattern`` compiled without ``re.IGNORECASE`` for lower-cased text (its capital letters
    lower-cased), or None when that could match differently (a capital in a character class,
    inline flags such as ``(?-i:...)``)."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            nxt = pattern[i + 1:i + 2]
            if nxt.isalnum() and nxt not in _PLAIN_ESCAPES:
                return None
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if pattern.startswith("(?P<", i) or pattern.startswith("(?P=", i):
            close = pattern.index(">" if pattern[i + 3] == "<" else ")", i)
            out.append(pattern[i:close + 1])  # a group's name keeps its case
            i = close + 1
            continue
        if in_class:
            if c.isupper():
                return None
            in_class = c != "]" or pattern[i - 1] == "[" or pattern[i - 2:i] == "[^"
        elif c == "[":
            in_class = True
        elif c == "(" and pattern[i + 1:i + 2] == "?" and pattern[i + 2:i + 3] in tuple("aiLmsux-"):
            return None
        low = c.lower()
        if len(low) != 1 or low.isupper():
            return None
        out.append(low)
        i += 1
    return re.compile("".join(out), flags & ~re.IGNORECASE)


def case_simple(text: str, lower: str) -> bool:
    """Whether ``lower`` (``text.lower()``) can stand for ``text`` under case-insensitive
    matching: the same length, and no character with special case rules."""
    return len(lower) == len(text) and (text.isascii() or _not_simple().search(text) is None)


@cache
def _not_simple() -> re.Pattern[str]:
    """Any character whose lower case is one of the special ones, is one, or is two characters
    ("İ"). All of them are in the Basic Multilingual Plane."""
    chars = [c for c in map(chr, range(128, 0x10000)) if not 0xD800 <= ord(c) <= 0xDFFF
             and (c in _SPECIAL or c.lower() in _SPECIAL or len(c.lower()) != 1)]
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")


class AnyCase:
    """A case-insensitive pattern run on the lower-cased text where that gives the same matches
    (:func:`for_lower_text`, :func:`case_simple`), else on the text. The matches' spans are the
    text's; read matched text from the text, not from the match."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.lowered = (for_lower_text(pattern.pattern, pattern.flags)
                        if pattern.flags & re.IGNORECASE else None)

    def source(self, text: str) -> tuple[re.Pattern[str], str]:
        """The pattern to run and the string to run it on, for ``text``."""
        if self.lowered is not None:
            lower = text.lower()
            if case_simple(text, lower):
                return self.lowered, lower
        return self.pattern, text

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        pattern, source = self.source(text)
        return pattern.search(source, pos)
