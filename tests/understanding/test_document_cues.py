"""Document-level understanding from wording other authors use (issue 17): the relationship
stated indirectly, abuse described by behaviour, themes said in other words, agencies named
without a finding, the partnership's area beside wider bodies' names, a chair's name on a
title page. Each class has positive and negative cases; a silent text gives no value."""

from __future__ import annotations

import pytest

from tests.understanding.helpers import doc
from understanding.areas import find_area
from understanding.metadata import abuse_types_with_evidence, find_chair, find_review_type
from understanding.themes import extract_themes


def facts(*sentences: str) -> str:
    """Sentences in the background section of a report (where the case is told)."""
    return "1. Background Information\n" + " ".join(sentences)


@pytest.mark.parametrize("text, name, expected", [
    # relationship stated indirectly
    ("Paul, her former husband, still visited the house to see the children.", "Jane",
     "intimate_partner"),
    ("Jane and Paul had separated in 2019 after ten years together.", "Jane", "intimate_partner"),
    ("Paul, her partner of six years, lived with her at the address.", "Jane", "intimate_partner"),
    ("The couple had lived together in Preston since 2011.", "Jane", "intimate_partner"),
    ("They had separated two months before the homicide.", "Jane", "intimate_partner"),
    ("His son, Paul, who lived with him, was the only other person in the household.", "Mark",
     "adult_family"),
    ("Mark lived with his adult son, Paul.", "Mark", "adult_family"),
    ("Paul had moved back in with his mother in 2018.", "Jane", "adult_family"),
    ("Jane and her brother, Ryan, shared the family home.", "Jane", "adult_family"),
    ("Emma was charged with murder. Emma was the mother of Farhan and the two lived together.",
     "Farhan", "adult_family"),
    ("Emma's adult daughter Samina had lived with her since 2016.", "Emma", "adult_family"),
    ("Barry was the father of Olga's children.", "Olga", "intimate_partner"),
    ("Dean had been seeing Zoe for about a year before she died.", "Zoe", "intimate_partner"),
    ("Dean paid Zoe rent for a room at the address.", "Zoe", "household_member"),
    ("Paul was a lodger in the house and had lived there since 2015.", "Jane", "household_member"),
    ("Paul rented a room in Jane's home and paid her rent each week.", "Jane", "household_member"),
    ("Jane and Paul were not related; they shared a rented house.", "Jane", "household_member"),
    ("Paul shared the flat with Jane; the two had met through work and were not family.", "Jane",
     "household_member"),
    # more ways of saying it (issue 17, second pass): living with, engaged, children together,
    # a couple, split up, one named as the other's relative, a shared house, a room let
    ("At the time of her death Jane was living with Paul in a rented flat.", "Jane",
     "intimate_partner"),
    ("Jane was cohabiting with Paul and the two had recently become engaged.", "Jane",
     "intimate_partner"),
    ("Jane and Paul had an on-off relationship that had lasted six years.", "Jane",
     "intimate_partner"),
    ("Jane had a child with Paul in 2017.", "Jane", "intimate_partner"),
    ("Jane had split up with Paul in 2019 but he continued to contact her.", "Jane",
     "intimate_partner"),
    ("Paul and Jane had been a couple until 2019, when Jane ended the relationship.", "Jane",
     "intimate_partner"),
    ("Paul, who had been in a relationship with Jane since 2010, was arrested at the scene.",
     "Jane", "intimate_partner"),
    ("Jane was Paul's wife; they had two children together.", "Jane", "intimate_partner"),
    ("Natalie was Neil's younger sister, and the two lived together.", "Natalie", "adult_family"),
    ("Louise was Christine's daughter and had never lived away from home.", "Louise",
     "adult_family"),
    # (a relation in apposition counts when it is the perpetrator's: "Jane's son, Tom, found
    # her" is about someone else; test_relationship.py)
    (("Rachel was charged with murder. Rachel, Barry's mother, had brought him up alone and they "
      "lived together."), "Barry", "adult_family"),
    ("The siblings, Olga and Farhan, had shared a house for eight years.", "Olga",
     "adult_family"),
    ("Emma lived in the same household as her daughter, Samina.", "Emma", "adult_family"),
    ("Simon had moved in with his sister Zoe after a relationship ended.", "Zoe", "adult_family"),
    ("Teresa and Emma lived in the same shared house and were friends, not relatives.", "Teresa",
     "household_member"),
    ("Natalie and Samina had shared accommodation since 2002; they were not in a relationship.",
     "Natalie", "household_member"),
    ("Wayne let a room in his house to Stuart from 2006.", "Wayne", "household_member"),
    ("Stuart was a paying guest in Wayne's home.", "Wayne", "household_member"),
    ("Gillian was employed to care for Janet and lived at the address.", "Janet",
     "household_member"),
    ("Craig lived in the same household as Teresa; they had no family connection.", "Teresa",
     "household_member"),
    ("Helen was living with David at his flat and had been his partner since 2010.", "David",
     "intimate_partner"),
    ("Jane and Paul were married and lived in Preston.", "Jane", "intimate_partner"),
    ("Jane and her son Paul lived together in a two-bedroom flat.", "Jane", "adult_family"),
    # silent: nothing says how they were related
    ("Jane was engaged with the mental health team and lived alone.", "Jane", None),
    ("The brother of her former partner's friend was living locally.", "Jane", None),
    ("Jane lived in the same household as Paul.", "Jane", None),
    ("A couple of neighbours said Jane was a private person.", "Jane", None),
    ("Jane and Paul met in 2010. Neighbours said Jane was a private person.", "Jane", None),
    ("Jane's son told the review that she was a private person.", "Jane", None),
    (("Her husband had died in 2005, and she lived alone. Her son visited weekly. "
     "Her daughter lived nearby."), "Jane", None),
    ("The couple of weeks before the death were quiet.", "Jane", None),
    ("Jane's daughter was seeing a counsellor.", "Jane", None),
    # a relative in the people table who is not the perpetrator
    ("Tom | Son of Jane | 20 | White British", "Jane", None),
])
def test_review_type_from_how_the_people_are_described(text, name, expected) -> None:
    assert find_review_type(doc(facts(text)), name)[0] == expected


@pytest.mark.parametrize("text, expected", [
    ("Paul punched Jane in the face during an argument in 2018.", "physical_abuse"),
    ("Neighbours heard Paul hitting her, and she was seen with a black eye.", "physical_abuse"),
    ("He put his hands around her neck until she could not breathe.", "physical_abuse"),
    ("Paul took Jane's wages each month and gave her a small allowance.", "economic_abuse"),
    ("Loans had been taken out in Jane's name by Paul.", "economic_abuse"),
    ("Her benefits were paid into an account that only Paul could use.", "economic_abuse"),
    ("Jane had ended the relationship a month before her death.", "separation"),
    ("Shortly before her death Jane told Paul that she was moving out.", "separation"),
    ("Jane had recently begun a relationship with a new partner.", "separation"),
    ("Paul isolated Jane from her friends.", "coercive_control"),
    ("Paul regularly went through Jane's phone and demanded to know where she had been.",
     "coercive_control"),
    ("He set rules about what she could wear and punished her when they were broken.",
     "coercive_control"),
    ("Paul repeatedly turned up at her workplace.", "stalking"),
    ("Neighbours saw him following her home from work.", "stalking"),
    ("Paul had injured her on several occasions.", "physical_abuse"),
    ("There were repeated assaults on her in the final year.", "physical_abuse"),
    ("The review heard of non-fatal strangulation by Paul in 2019.", "physical_abuse"),
    ("Paul had complete control over her benefits and bank account.", "economic_abuse"),
    ("Jane was isolated from her family and friends.", "coercive_control"),
    ("Friends described a regime of rules and punishments.", "coercive_control"),
    ("Jane was thinking of ending the relationship.", "separation"),
    ("Jane left Paul in 2011 and moved to a friend's flat.", "separation"),
    ("He sent her dozens of messages a day and followed her when she went out.", "stalking"),
])
def test_abuse_described_by_behaviour(text, expected) -> None:
    found = dict(abuse_types_with_evidence(doc(facts(text))))
    assert expected in found
    assert found[expected] and found[expected][0][0] == 1   # evidence sentence with its page
    assert text.split()[1] in found[expected][0][1]


@pytest.mark.parametrize("text, not_expected", [
    ("Jane was found with serious injuries.", "physical_abuse"),
    ("She attended with an injury to her wrist, which she said was caused by a fall.",
     "physical_abuse"),
    ("The officer followed the guidance and followed up the call.", "stalking"),
    ("Staff had not been trained to recognise coercive control.", "coercive_control"),
    ("She had a religious marriage, which affected her rights on separation.", "separation"),
    ("The GP checked her blood pressure and gave her a prescription.", "coercive_control"),
    ("Jane managed her own money and had savings.", "economic_abuse"),
    ("Jane and Paul met in 2010 and lived in Preston.", "separation"),
    ("Non-fatal strangulation became a specific offence in 2022.", "physical_abuse"),
    ("Attacks on staff at the surgery were rare.", "physical_abuse"),
    ("The practitioner has since left the organisation and left school in 2001.", "separation"),
])
def test_abuse_is_not_read_from_other_things(text, not_expected) -> None:
    assert not_expected not in dict(abuse_types_with_evidence(doc(facts(text))))


def analysis(*sentences: str) -> str:
    return "1. Analysis\n" + " ".join(sentences)


@pytest.mark.parametrize("sentences", [
    ("Staff lacked knowledge of how coercive control presents.",
     "The local guidance was not known to the practitioners who saw Jane."),
    ("Learning and development for front-line staff had not included domestic abuse.",
     "None of the officers had been trained to recognise coercive control."),
    ("Practitioners were unaware of the local procedures.",
     "None had attended the multi-disciplinary briefings."),
])
def test_training_said_in_other_words_is_a_theme(sentences) -> None:
    assert "training_awareness" in {t.id for t in extract_themes(doc(analysis(*sentences)))}


@pytest.mark.parametrize("sentences, theme", [
    (("Riverside housing team contributed a chronology.",
      "A manager from the housing service attended the panel meetings.",
      "The housing provider was represented on the panel."), "housing"),
    (("The mental health trust provided an IMR.",
      "A consultant from the mental health service sat on the panel.",
      "The mental health trust was asked to search its records and found nothing."),
      "mental_health"),
])
def test_a_contributor_named_is_not_a_theme(sentences, theme) -> None:
    assert theme not in {t.id for t in extract_themes(doc(analysis(*sentences)))}


def test_a_finding_about_the_same_topic_is_a_theme() -> None:
    text = analysis("Jane asked the housing service three times to move and was refused.",
                    "The risk of homelessness kept Jane in the tenancy.",
                    "Housing staff did not ask about domestic abuse.")
    assert "housing" in {t.id for t in extract_themes(doc(text))}


@pytest.mark.parametrize("title_page, expected", [
    (("Preston Community Safety Partnership\nLancashire force area: Lancashire Constabulary\n"
     "NHS Lancashire and South Cumbria Integrated Care Board"), "Preston"),
    ("Safer Swindon\nWiltshire and Swindon ICB and Wiltshire Police", "Swindon"),
    ("Lancashire force area\nNHS Lancashire ICB", None),
])
def test_area_is_the_partnerships_not_a_wider_bodys(title_page, expected) -> None:
    found = find_area([title_page], None)
    assert (found.area if found else None) == expected


@pytest.mark.parametrize("text, name", [
    ("Chair and author: Ruth Hallam Report completed: May 2021", "Ruth Hallam"),
    ("The independent chair was Philip Greaves Review Panel", "Philip Greaves"),
    ("Chair and author: Mary Anne Holbrook", "Mary Anne Holbrook"),
])
def test_chair_name_stops_at_the_name(text, name) -> None:
    assert find_chair(doc(text))[0].name == name


@pytest.mark.parametrize("after_chronology, kind", [(True, "analysis"), (False, "boilerplate")])
def test_key_lines_of_enquiry_after_the_chronology_are_the_analysis(after_chronology, kind) -> None:
    kloe = "4. Key Lines of Enquiry\nThe panel examined the risk assessments.\n"
    chronology = "3. Chronology\nOn 1 May 2019 the police attended.\n"
    body = "1. Introduction\nThis review.\n" + (chronology + kloe if after_chronology else kloe
                                                + chronology)
    d = doc(body)
    assert d.kind_at(d.text.index("The panel examined")) == kind


def test_triggered_cues_match_whole_words_and_need_a_literal_first_word() -> None:
    from understanding.cues import TriggeredCues

    cues = TriggeredCues([("a", r"(?:hit|struck)\s+her\b"), ("b", r"given\s+notice")])
    text = "he hit her. history was given notice. he hitched her wagon"
    assert [(text[s:e], k) for s, e, k in cues.finditer(text)] == [
        ("hit her", "a"), ("given notice", "b")]
    with pytest.raises(ValueError, match="literal word"):
        TriggeredCues([("a", r"\w+\s+her")])


def test_abuse_evidence_is_kept_with_the_document() -> None:
    from understanding.understand import understand_text

    pages = ["1. Introduction\nThis review concerns Jane.",
             facts("Paul took Jane's wages each month.",
                   "Paul repeatedly turned up at her workplace.")]
    result = understand_text(pages)
    assert result["review"]["abuse_types"] == ["economic_abuse", "stalking"]
    assert result["abuse_evidence"]["stalking"] == [
        {"page": 2, "text": "Paul repeatedly turned up at her workplace."}]
    assert result["review_pages"]["abuse_types"] == 2


def test_phrase_matcher_finds_phrases_at_word_starts_only() -> None:
    from understanding.doctext import Literal, PhraseMatcher

    matcher = PhraseMatcher([("police", Literal("police"), False, 6),
                             ("gp", "GP", True, 2), (None, Literal("police station"), False, 214)])
    text = "Police and GP. The police station; GPs, apolice, police&co, GP"
    assert [(text[s:e], k) for s, e, k in matcher.finditer(text)] == [
        ("Police", "police"), ("GP", "gp"), ("GP", "gp")]
    # a span that starts inside a word finds no match before the next word
    assert matcher.finditer(text, start=text.index("olice,")) == [(len(text) - 2, len(text), "gp")]
