"""The review type from who the perpetrator was to the victim (understanding/relationship.py):
a relation word counts when the text binds it to the perpetrator (named in the people table, as
"the perpetrator", or by the charge), in whatever form the report uses; a relation about
someone else ("her son found her", "Paul's brother") is no evidence, and a report that never
says how the two were related gives no review type."""

from __future__ import annotations

import pytest

from tests.understanding.helpers import doc
from understanding.metadata import find_review_type
from understanding.relationship import find_perpetrator


def facts(*sentences: str) -> str:
    return "1. Background Information\n" + " ".join(sentences)


ARRESTED = "Paul was arrested and later charged with murder."


@pytest.mark.parametrize(
    "text, expected",
    [
        # intimate partner: apposition, copula, "the X of", table cells, plurals, separation
        (f"{ARRESTED} Paul, her civil partner, had lived there since 2015.", "intimate_partner"),
        (f"{ARRESTED} Jane's common-law partner, Paul, was at home.", "intimate_partner"),
        (f"{ARRESTED} Paul is the fiancé of Jane.", "intimate_partner"),
        (f"{ARRESTED} Jane was estranged from her spouse, Paul.", "intimate_partner"),
        ("Paul | Perpetrator, cohabitee of Jane | 41 | White British", "intimate_partner"),
        ("Paul | Jane's then boyfriend | 41 | White British", "intimate_partner"),
        (f"{ARRESTED} Jane and Paul were living together as partners.", "intimate_partner"),
        (f"{ARRESTED} Paul, from whom Jane was separated, lived nearby.", "intimate_partner"),
        (
            f"{ARRESTED} Jane had recently left Paul and was staying with a friend.",
            "intimate_partner",
        ),
        ("Jane was killed by Paul. Jane's marriage to Paul had ended in 2019.", "intimate_partner"),
        # adult family: in-laws, step- and half- relatives, adult child, parent, sibling
        (f"{ARRESTED} Jane's stepsister, Paul, was living at the address.", "adult_family"),
        ("Paul | Perpetrator, daughter-in-law of Jane | 20 | Black Caribbean", "adult_family"),
        (f"{ARRESTED} Jane shared a house with her adult child, Paul.", "adult_family"),
        (f"{ARRESTED} Paul was Jane's half-brother.", "adult_family"),
        (f"{ARRESTED} Jane was the adoptive mother of Paul.", "adult_family"),
        (f"{ARRESTED} Jane was Paul's grandmother.", "adult_family"),
        ("Jane died after being assaulted by her grown-up son, Paul.", "adult_family"),
        (f"{ARRESTED} Jane and Paul were siblings.", "adult_family"),
        # household member: lodger, tenant, carer, housemate
        (
            f"{ARRESTED} Paul, who rented a room from Jane, had moved in during 2016.",
            "household_member",
        ),
        (
            f"{ARRESTED} Jane's live-in care worker, Paul, was paid through direct payments.",
            "household_member",
        ),
        ("Paul | Perpetrator (fellow tenant) | 33 | White Irish", "household_member"),
        (f"{ARRESTED} Paul was Jane's landlady.", "household_member"),
        (
            f"{ARRESTED} Jane and Paul had been friends for years and shared a flat.",
            "household_member",
        ),
        (f"{ARRESTED} Jane's husband of twenty years, Paul, was at home.", "intimate_partner"),
        ("Jane's former partner had been abusive.", "intimate_partner"),
        (f"{ARRESTED} Paul, son of Jane, had moved back home.", "adult_family"),
        (f"{ARRESTED} Paul was living with his mother, Jane, at the time.", "adult_family"),
        # no name: the perpetrator is the one the relation is said of
        ("The perpetrator is the victim's son.", "adult_family"),
        ("Jane was murdered by her ex-partner.", "intimate_partner"),
        (f"{ARRESTED} Jane was in a relationship with Paul.", "intimate_partner"),
        ("Paul (the perpetrator) | Relationship to Jane: stepson | 30", "adult_family"),
        # the other parent of her children is a partner, not her father
        (f"{ARRESTED} Paul was the father of Jane's children.", "intimate_partner"),
        (f"{ARRESTED} Paul, the father of her two children, had moved out.", "intimate_partner"),
        (f"{ARRESTED} Jane was the mother of Paul's daughter.", "intimate_partner"),
        (f"{ARRESTED} Paul was the father of Jane.", "adult_family"),
    ],
)
def test_a_relation_bound_to_the_perpetrator_gives_the_review_type(text, expected) -> None:
    assert find_review_type(doc(facts(text)), "Jane")[0] == expected


@pytest.mark.parametrize("text, expected", [
    ("Adult B was arrested. Adult A's son, Adult B, lived with her.", "adult_family"),
    ("The perpetrator, Adult B, was Adult A's husband.", "intimate_partner"),
    ("Adult B, Adult A's grandson, was convicted of her murder.", "adult_family"),
    ("Adult B | Perpetrator | 30 | White British. Adult A's son, Adult C, found her.", None),
])
def test_pseudonyms_of_the_adult_a_form(text, expected) -> None:
    assert find_review_type(doc(facts(text)), "Adult A")[0] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("‘Barry’ was arrested. ‘Barry’, her husband, was at home.", "intimate_partner"),
        ("‘Barry’ was arrested. ‘Olga’ was ‘Barry’’s mother.", "adult_family"),
        (
            "‘Barry’ | Perpetrator | 30. ‘Olga’ had let a room to ‘Barry’, her lodger.",
            "household_member",
        ),
        ("‘Barry’ | Perpetrator | 30. ‘Olga’’s son, ‘Tom’, found her.", None),
        ("'Barry' | Perpetrator | 24. 'Barry' was the father of 'Olga''s children.",
         "intimate_partner"),
    ],
)
def test_quoted_pseudonyms(text, expected) -> None:
    assert find_review_type(doc(facts(text)), "Olga")[0] == expected


@pytest.mark.parametrize("text", [
    # someone else named by a relation: not the perpetrator
    f"{ARRESTED} Jane's son found her at the address and called an ambulance.",
    f"{ARRESTED} Jane's son, Tom, found her at the address.",
    "Jane's son, Tom, found her. Paul | Perpetrator | 30 | White British",
    f"{ARRESTED} Paul's brother told the review that Paul had been drinking heavily.",
    f"{ARRESTED} Her daughter had visited her the day before she died.",
    f"{ARRESTED} Paul had lived with his father for a time in 2015.",
    f"{ARRESTED} Jane had lived with her sister until 2012.",
    f"{ARRESTED} Her former partner's brother was interviewed by the police.",
    f"{ARRESTED} Paul's former partner told the review that he had been controlling.",
    f"{ARRESTED} Jane's aunt described her as a private person.",
    # the perpetrator named, the relation never said
    f"{ARRESTED} Jane was 44 years old. Paul was 39 years old.",
    "Paul | Perpetrator | 39 | White British",
])
def test_a_relation_about_someone_else_or_none_gives_no_review_type(text) -> None:
    assert find_review_type(doc(facts(text)), "Jane")[0] is None


@pytest.mark.parametrize("text, expected", [
    ("Paul | Perpetrator | 39 | White British", "Paul"),
    ("The perpetrator, Paul, was known to the police.", "Paul"),
    ("Adult B (the perpetrator) was 39.", "Adult B"),
    ("Paul was arrested and later charged with murder.", "Paul"),
    ("Jane had experienced domestic abuse from Paul.", "Paul"),
    ("Paul was later jailed for life.", "Paul"),
    ("Paul admitted manslaughter at his trial.", "Paul"),
    ("Paul - perpetrator, aged 39", "Paul"),
    ("Jane had been stalked by Paul for months.", "Paul"),
    ("Paul killed Jane and then took his own life.", "Paul"),
    ("Jane was 44 years old and lived alone.", None),
    ("Jane was arrested for shoplifting in 2010.", None),
])
def test_the_perpetrator_is_found_where_the_report_names_them(text, expected) -> None:
    d = doc(facts(text))
    assert find_perpetrator(d, [(0, len(d.text))], "Jane", "\x01+") == expected
