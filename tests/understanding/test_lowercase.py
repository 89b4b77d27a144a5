"""Case-insensitive rules run on lower-cased text (understanding.lowercase): the same matches as
the rule run case-insensitively on the text, or the rule as written where that cannot be
promised."""

from __future__ import annotations

import re

import pytest

from understanding.lowercase import AnyCase, case_simple, for_lower_text

TEXTS = [
    "Yours sincerely,\nThe Chair",
    "The DEATH of ‘Anna’ in March 2021; KPI Q3 reported to the CSP.",
    "Café owner Éloïse, known as “Lou”, was referred to as 'Lou' by her family.",
    "INDEPENDENT CHAIR: Dr Ruth Hallam (not independent of any agency)",
]
PATTERNS = [
    r"yours\s+(?:sincerely|faithfully)",
    r"(?:death|murder|killing|homicide)\s+of\s+[‘'\"“](?P<p>[^’'\"”\n]{1,30})[’'\"”]",
    r"\bKPIs?\b|\bQ[1-4]\b",
    r"(?:referred\s+to|known)\s+as\s+[‘'\"“](?P<p>[^’'\"”\n]{1,30})[’'\"”]",
    r"éloïse|CAFÉ",
    r"^the\s+chair$",
    r"independent\s+(?:chair|of\s+any\s+agenc)",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_rule_on_lower_case_text_matches_the_same_spans(pattern):
    rule = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
    lowered = for_lower_text(pattern, rule.flags)
    assert lowered is not None
    assert not lowered.flags & re.IGNORECASE
    for text in TEXTS:
        assert case_simple(text, text.lower())
        expected = [(m.span(), m.groupdict() and m.span("p")) for m in rule.finditer(text)]
        got = [(m.span(), m.groupdict() and m.span("p")) for m in lowered.finditer(text.lower())]
        assert got == expected, (pattern, text)
    assert any(rule.search(t) for t in TEXTS)  # the texts exercise every rule


@pytest.mark.parametrize("pattern", [r"[A-Z][a-z]+\s+Council", r"of\s+(?-i:Mr)\s+\w",
                                     r"\x41dult", r"(a)\1", r"\N{LATIN SMALL LETTER A}"])
def test_rules_whose_case_cannot_be_folded_run_as_written(pattern):
    assert for_lower_text(pattern, re.IGNORECASE) is None
    rule = AnyCase(re.compile(pattern, re.IGNORECASE))
    assert rule.source("Some Text") == (rule.pattern, "Some Text")


def test_group_names_keep_their_case():
    lowered = for_lower_text(r"(?P<Name>AB)\s+(?P=Name)", re.IGNORECASE)
    assert lowered is not None and lowered.match("ab ab")["Name"] == "ab"


@pytest.mark.parametrize("text", ["Straſse", "İstanbul", "ΣΟΦΙΑ", "dotless ı", "µg"])
def test_text_with_special_case_rules_is_not_lower_cased(text):
    assert not case_simple(text, text.lower())
    rule = AnyCase(re.compile("s", re.IGNORECASE))
    assert rule.source(text)[1] == text


def test_case_simple_texts_match_case_insensitively_exactly_as_lower_cased():
    """Every character of the Basic Multilingual Plane that case_simple accepts matches a
    lower-case letter case-insensitively exactly when its lower case is that letter."""
    chars = [chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
    simple = "".join(c for c in chars if case_simple(c, c.lower()))
    assert "ſ" not in simple and "K" in simple and "é" in simple
    for letter in "abcdefghijklmnopqrstuvwxyzéßµ":
        found = set(re.findall(re.escape(letter), simple, re.IGNORECASE))
        assert found == {c for c in simple if c.lower() == letter}, letter
