"""Abbreviations a report defines for itself: "Greater Manchester Police (GMP)", "CFT (Cornwall
Partnership NHS Foundation Trust)" and glossary lines ("KMPT - Kent and Medway NHS and Social
Care Partnership Trust", "GMP | Greater Manchester Police").

Part of report understanding: ``understanding.owners`` expands an abbreviation used alone ("GMP
should
...") to the name the document introduced before asking the organisation registry, so a
document's own definitions win over the registry's aliases. A definition counts only when the
abbreviation's letters are the initials of the name, in order ("CFT" from "Cornwall Partnership
NHS Foundation Trust"), so "(see page 4)" or "(2019)" define nothing.
"""

from __future__ import annotations

import re

_ABBR = r"[A-Z][A-Za-z&]{0,3}[A-Z][A-Za-z&]{0,4}"
# "... Greater Manchester Police (GMP)": the name is the run of capitalised words before it.
_NAME_THEN_ABBR = re.compile(r"\((?:the\s+)?(?P<abbr>" + _ABBR + r")\)")
_NAME_WORD = re.compile(r"[A-Z][\w'’&\-]*|and|of|for|the|&|upon|on|in|NHS")
# "GMP (Greater Manchester Police)".
_ABBR_THEN_NAME = re.compile(r"\b(?P<abbr>" + _ABBR + r")\s+\((?P<name>[A-Z][^()\n]{3,90})\)")
# Glossary lines: "GMP - Greater Manchester Police", "GMP: ...", "GMP | ...", "GMP<tab>...".
_GLOSSARY = re.compile(r"^\s*(?P<abbr>" + _ABBR
                       + r")\s*(?:[-–—:|=]|\t)\s*(?P<name>[A-Z][^\n|]{3,90}?)"
                       r"\s*$", re.MULTILINE)
_SMALL = {"and", "of", "for", "the", "&", "upon", "on", "in"}
_OPEN = re.compile(r"\(")
_ABBR_BEFORE = re.compile(r"\b" + _ABBR + r"\s+$")


def _letters(words: list[str]) -> list[str]:
    """Per word the letters an abbreviation may take from it: the initial, or every capital of
    an all-capitals word ("NHS" gives N, H, S)."""
    out = []
    for w in words:
        if w.lower() in _SMALL:
            out.append("")
        elif w.isupper() and len(w) > 1:
            out.append(w.replace("&", ""))
        elif "-" in w.strip("-"):    # "Mid-Point" gives M, P; "Multi-Agency" M, A
            out.append("".join(p[0].upper() for p in w.split("-") if p))
        else:
            out.append(w[0].upper())
    return out


def _fits(abbr: str, words: list[str]) -> bool:
    """The abbreviation's capitals are, in order, initials of the words, the first letter being
    the first word's."""
    caps = [c for c in abbr if c.isupper()]
    letters = _letters(words)
    if not caps or not words or not letters[0] or letters[0][0] != caps[0]:
        return False
    i = 0
    for group in letters:
        j = 0
        while i < len(caps) and j < len(group):
            if group[j] == caps[i]:
                i += 1
            j += 1
            if len(group) == 1:
                break
    return i == len(caps)


def _name_before(text: str, end: int) -> str | None:
    """The longest run of name words ending at ``end`` whose initials fit, trimmed at the left
    to where the abbreviation starts."""
    words: list[str] = []
    pos = end
    for _ in range(14):
        m = re.search(r"(\S+)\s*$", text[max(0, pos - 60):pos])
        if not m:
            break
        word = m.group(1).rstrip(",")
        if not _NAME_WORD.fullmatch(word):
            break
        words.insert(0, word)
        pos = max(0, pos - 60) + m.start(1)
    return " ".join(words) if words else None


def find_abbreviations(text: str) -> dict[str, str]:
    """Abbreviation -> full name, for every abbreviation the text defines (the first definition
    of an abbreviation wins)."""
    found: dict[str, str] = {}

    def add(abbr: str, name: str) -> None:
        name = " ".join(name.split()).strip(" ,.;:")
        words = name.split()
        # Trim leading words until the first letter is the abbreviation's ("the review by
        # Greater Manchester Police (GMP)").
        while words and not _fits(abbr, words):
            words.pop(0)
        while words and words[0].lower() in _SMALL:
            words.pop(0)
        if len(words) >= 2 and _fits(abbr, words) and abbr not in found:
            found[abbr] = " ".join(words)

    # Both bracket forms are looked for only at an opening bracket (fast on long reports).
    for bracket in _OPEN.finditer(text):
        i = bracket.start()
        m = _NAME_THEN_ABBR.match(text, i)
        if m:
            name = _name_before(text, i)
            if name:
                add(m["abbr"], name)
            continue
        before = _ABBR_BEFORE.search(text, max(0, i - 12), i)
        if before:
            m = _ABBR_THEN_NAME.match(text, before.start())
            if m:
                add(m["abbr"], m["name"])
    for m in _GLOSSARY.finditer(text):
        add(m["abbr"], m["name"])
    return found


def defined_in(text: str, abbr: str) -> str | None:
    """The name ``text`` introduces ``abbr`` for, or None: the same definitions as
    ``find_abbreviations`` (first one wins), looked for at the abbreviation's own occurrences
    only, which is much faster when a report uses one or two abbreviations in its
    recommendations."""
    if not _ABBR_ONLY.fullmatch(abbr):
        return None
    candidates: list[tuple[int, str]] = []
    for opening in (f"({abbr})", f"(the {abbr})"):
        i = text.find(opening)
        while i >= 0:
            name = _name_before(text, i)
            fitted = _fitted(abbr, name) if name else None
            if fitted:
                candidates.append((i, fitted))
                break
            i = text.find(opening, i + 1)
    i = text.find(f"{abbr} (")
    while i >= 0:
        m = _ABBR_THEN_NAME.match(text, i)
        fitted = _fitted(abbr, m["name"]) if m and m["abbr"] == abbr and (
            i == 0 or not text[i - 1].isalnum()) else None
        if fitted:
            candidates.append((i, fitted))
            break
        i = text.find(f"{abbr} (", i + 1)
    # Glossary lines: look only where a line starts with the abbreviation.
    i = 0 if text.startswith(abbr) else text.find("\n" + abbr)
    while i >= 0:
        m = _GLOSSARY.match(text, i + (text[i] == "\n"))
        fitted = _fitted(abbr, m["name"]) if m and m["abbr"] == abbr else None
        if fitted:
            candidates.append((i, fitted))
            break
        i = text.find("\n" + abbr, i + 1)
    return min(candidates)[1] if candidates else None


_ABBR_ONLY = re.compile(_ABBR)


def _fitted(abbr: str, name: str) -> str | None:
    words = " ".join(name.split()).strip(" ,.;:").split()
    while words and not _fits(abbr, words):
        words.pop(0)
    while words and words[0].lower() in _SMALL:
        words.pop(0)
    return " ".join(words) if len(words) >= 2 and _fits(abbr, words) else None
