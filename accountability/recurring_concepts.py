"""Concepts for grouping recurring recommendations: one word for the many ways of saying a thing.

Reviews name the same change in different words: "audit", "dip-sample" and "review a sample of";
"DASH" and "the risk identification checklist"; "GP", "general practice" and "primary care";
"Clare's Law" and "the Domestic Violence Disclosure Scheme". Lexical similarity misses such
pairs, as they share no word. ``recurring_concepts.yaml`` (next to this module) lists each
concept with the phrases that say it (case-insensitive regular expressions, whole words); the
grouping method (:mod:`accountability.recurring_method`) replaces every phrase by its concept's
id before it stems and weighs the words, so two wordings of one change share the concept's
term. The file is data a domain expert can extend; :func:`concept_rules` checks it against the
pydantic schema :class:`ConceptRules` on first use (an unknown key, a bad regular expression,
a capturing group or an id that is not a plain lower-case word stops the run with a message
naming the key). Applying the rules is one compiled alternation (the longest phrase first), so
it is deterministic and cheap.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Annotated

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

RULE_FILE = "recurring_concepts.yaml"
_ID = re.compile(r"[a-z]{3,}")
_FIRST = re.compile(r"[a-z0-9&]")
_WORD_START = re.compile(r"(?<![\w-])[\w&]")


def _pattern(p: str) -> str:
    try:
        compiled = re.compile(p, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression ({exc}): {p!r}") from None
    if compiled.groups:
        raise ValueError(f"use non-capturing groups (?:...) only: {p!r}")
    if not _FIRST.match(p):
        raise ValueError(f"start with a plain lower-case letter, digit or '&': {p!r}")
    return p


def _concept_id(c: str) -> str:
    if not _ID.fullmatch(c):
        raise ValueError(f"a concept id is one lower-case word of three letters or more: {c!r}")
    return c


Phrase = Annotated[str, AfterValidator(_pattern)]
ConceptId = Annotated[str, AfterValidator(_concept_id)]


class ConceptRules(BaseModel):
    """``concepts``: concept id -> the phrases (regular expressions) that say it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    concepts: dict[ConceptId, list[Phrase]]


class ConceptFileError(ValueError):
    """The concept file is not valid YAML or does not follow :class:`ConceptRules`."""


def parse(text: str) -> ConceptRules:
    """The concept rules in this YAML text (raises :class:`ConceptFileError`)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConceptFileError(f"{RULE_FILE}: not valid YAML: {exc}") from None
    try:
        return ConceptRules.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors())
        raise ConceptFileError(f"{RULE_FILE}: {problems}") from None


@cache
def concepts_source() -> str:
    """The text of ``recurring_concepts.yaml``."""
    return resources.files(__package__ or "accountability").joinpath(RULE_FILE).read_text(
        encoding="utf-8")


@cache
def concept_rules() -> ConceptRules:
    """The rules of ``recurring_concepts.yaml`` (read and checked once per process)."""
    return parse(concepts_source())


class ConceptMap:
    """Replaces each phrase of a concept by the concept's id, longest phrases first.

    Phrases are grouped by their first character; at each word start only the phrases that
    can begin there are tried (one compiled alternation per character)."""

    def __init__(self, rules: ConceptRules) -> None:
        self.ids = frozenset(rules.concepts)
        buckets: dict[str, list[tuple[str, str]]] = {}
        for c, ps in rules.concepts.items():
            for p in ps:
                buckets.setdefault(p[0], []).append((p, c))
        self._by_first: dict[str, tuple[re.Pattern[str], list[str]]] = {}
        for first, pairs in buckets.items():
            pairs.sort(key=lambda pc: (-len(pc[0]), pc[0]))
            body = "|".join(f"({p})" for p, _ in pairs)
            self._by_first[first] = (re.compile(rf"(?:{body})(?![\w-])", re.IGNORECASE),
                                     [c for _, c in pairs])

    def apply(self, text: str) -> str:
        """The text with every concept phrase replaced by `` <id> ``."""
        out: list[str] = []
        last = 0
        by_first = self._by_first
        for start in _WORD_START.finditer(text):
            pos = start.start()
            if pos < last:
                continue
            entry = by_first.get(text[pos].lower())
            if entry is None:
                continue
            m = entry[0].match(text, pos)
            if m is None:
                continue
            out.append(text[last:pos])
            out.append(f" {entry[1][(m.lastindex or 1) - 1]} ")
            last = m.end()
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)


@cache
def default_concepts() -> ConceptMap:
    return ConceptMap(concept_rules())
