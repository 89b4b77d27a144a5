"""Concepts for recurring recommendations: the many ways of saying one thing become one term,
the rule file is checked against its schema, and a topic shared by two changes stays apart."""

from __future__ import annotations

import pytest

from accountability.recurring_concepts import (
    ConceptFileError,
    ConceptMap,
    concept_rules,
    default_concepts,
    parse,
)
from accountability.recurring_method import Grouper, features, group_items, normalise


def test_synonyms_of_one_thing_share_its_concept():
    a = normalise("Kent Police should dip-sample DASH forms every quarter.", ["Kent Police"])
    b = normalise("That Essex Police review a sample of risk identification checklists.",
                  ["Essex Police"])
    assert {"audit", "dashrisk"} <= set(a) & set(b)
    gp = [normalise(t) for t in ("GPs should ask about abuse.",
                                 "General practitioners should ask about abuse.",
                                 "Primary care should ask about abuse.")]
    assert all("gpcare" in words for words in gp)
    assert "disclosurescheme" in normalise("Promote Clare's Law.") == \
        normalise("Promote the Domestic Violence Disclosure Scheme.")


def test_longest_phrase_wins_and_words_inside_other_words_are_left():
    cmap = ConceptMap(parse("concepts:\n  coercivecontrol: ['coercive control', "
                            "'coercive and controlling behaviour']\n"
                            "  release: ['releas(?:e|ed)']\n"))
    assert cmap.apply("train staff on coercive and controlling behaviour").split() == \
        ["train", "staff", "on", "coercivecontrol"]
    assert cmap.apply("victims told when he is released").split()[-1] == "release"
    assert cmap.apply("prereleased and pre-released") == "prereleased and pre-released"


@pytest.mark.parametrize("text, message", [
    ("concepts:\n  audit: ['(unclosed']\n", "not a valid regular expression"),
    ("concepts:\n  audit: ['(a|b)']\n", "non-capturing"),
    ("concepts:\n  audit: ['(?:dip )?sample']\n", "start with a plain"),
    ("concepts:\n  Audit-2: ['audit']\n", "one lower-case word"),
    ("concept:\n  audit: ['audit']\n", "concept"),
    ("concepts: [unclosed\n", "not valid YAML"),
])
def test_a_bad_rule_file_is_refused_with_the_key_at_fault(text, message):
    with pytest.raises(ConceptFileError, match="recurring_concepts.yaml") as err:
        parse(text)
    assert message in str(err.value)


def test_the_shipped_rule_file_is_valid_and_ids_are_not_stop_words():
    rules = concept_rules()
    assert len(rules.concepts) > 20
    assert default_concepts().ids == frozenset(rules.concepts)
    for cid in rules.concepts:
        assert normalise(f"{cid}") == [cid], cid


def test_same_topic_different_change_stays_apart():
    texts = [("1", "Kent Police should train officers to recognise coercive control."),
             ("2", "That Essex Police deliver coercive control training to officers."),
             ("3", ("Sussex Police should charge the offence of controlling or coercive behaviour "
                   "where the evidence supports a charge"))]
    items = [(i, f"r{i}", features(normalise(t))) for i, t in texts]
    groups = group_items(Grouper(), items)
    assert groups[0] == groups[1] != groups[2]
