"""Review-metadata rules: realistic sentences -> review fields, with negative cases."""

from __future__ import annotations

import pytest

from tests.understanding.helpers import doc
from understanding.metadata import (
    extract_review,
    find_age,
    find_date_of_death,
    find_death_type,
    find_family_involved,
    find_pseudonym,
    find_review_type,
    find_sex,
)


@pytest.mark.parametrize("title, expected", [
    ("Domestic Homicide Review: Overview Report into the death of Joanne", "Joanne"),
    ("Overview Report into the death of 'Adult A'", "Adult A"),
    ("DHR into the death of Mrs J\nSafer Preston Partnership", "Mrs J"),
    ("Domestic Homicide Review (Case 23)", "Case 23"),
    ("Learning Brief: Domestic Homicide Review Nadia", "Nadia"),
    ("Domestic Homicide Review Action Plan: Kerry", "Kerry"),
    ("Executive Summary into the murder of “Bella” in June 2019", "Bella"),
])
def test_pseudonym_forms(title: str, expected: str) -> None:
    assert find_pseudonym(doc(title), None)[0] == expected


def test_pseudonym_stated_in_the_introduction() -> None:
    d = doc("Domestic Homicide Review\nOverview report",
            "1.1 The family chose the pseudonym 'Rose' for the victim.")
    assert find_pseudonym(d, None) == ("Rose", 2)


def test_no_pseudonym_is_invented() -> None:
    assert find_pseudonym(doc("Domestic Homicide Review\nOverview Report"), None) == (None, None)


@pytest.mark.parametrize("sentence, age", [
    ("At the time of her death Joanne was 55 years old.", 55),
    ("Joanne (aged 34) lived alone.", 34),
    ("Joanne was aged 71 when she died.", 71),
    ("The victim was a 23-year-old woman.", 23),
])
def test_victim_age(sentence: str, age: int) -> None:
    assert find_age(doc(sentence), "Joanne")[0] == age


@pytest.mark.parametrize("sentence, age", [
    # Pseudonyms are often quoted; the quotes are part of the name for every rule.
    ("‘Joanne’ was a 78-year-old White Irish woman.", 78),
    ("“Joanne” was a 34 year old mother of two.", 34),
    ("'Joanne', who was 21, died at home.", 21),
    ("Joanne, who was 63 at the time, lived alone.", 63),
    ("‘Joanne’ | Victim | 52 | Pakistani", 52),
    # not the victim's age
    ("Joanne, who was 78 days behind with her rent, moved in April.", None),
    ("‘Joanne’ | Perpetrator | 45 | White British", None),
    ("Joanne’s mother, aged 50, spoke to the chair.", None),
    ("Joanne was a 24 hour carer for her father.", None),
])
def test_victim_age_more_forms(sentence: str, age: int | None) -> None:
    assert find_age(doc(sentence), "Joanne")[0] == age


@pytest.mark.parametrize("sentence, sex", [
    ("Joanne was a 55-year-old White Irish woman.", "female"),
    ("Steven was a 48-year-old man who worked locally.", "male"),
    ("Graham was killed by his son in 2018.", "male"),
    ("Joanne and her husband had lived in the town for ten years.", "female"),
])
def test_victim_sex(sentence: str, sex: str) -> None:
    assert find_sex(doc(sentence), sentence.split()[0])[0] == sex


@pytest.mark.parametrize("text, expected", [
    (("13.5 On 10th December 2013, South Yorkshire Police found Joanne and Paul, her husband, dead "
     "at their home."), "2013-12"),
    ("Joanne died on 3 June 2020 in hospital.", "2020-06"),
    ("Date of death: 14/02/2017", "2017-02"),
    ("Joanne was killed in 2019 by her former partner.", "2019"),
])
def test_date_of_death(text: str, expected: str) -> None:
    assert find_date_of_death(doc(text), "Joanne")[0] == expected


def test_review_period_dates_are_not_the_death() -> None:
    d = doc("1.2 The review considers contact from 1st December 2010 to the date of Joanne's "
            "death.")
    assert find_date_of_death(d, "Joanne") == (None, None)


@pytest.mark.parametrize("text, review_type", [
    ("Paul, her husband, was arrested and later charged with her murder.", "intimate_partner"),
    ("Joanne was killed by her former partner.", "intimate_partner"),
    ("Gary, his son, was arrested and later charged with his murder.", "adult_family"),
    ("She had experienced domestic abuse from Tariq, her lodger.", "household_member"),
    ("Daniel, his live-in carer, was arrested.", "household_member"),
])
def test_review_type_from_the_relationship(text: str, review_type: str) -> None:
    assert find_review_type(doc(text), None)[0] == review_type


@pytest.mark.parametrize("text, review_type", [
    ("Police found ‘Joanne’ and ‘Simon’, her boyfriend, dead at their home.", "intimate_partner"),
    ("Police found Joanne and Farhan, her housemate, dead at their home.", "household_member"),
    ("‘Christine’, her mother, was 42 years old.", "adult_family"),
    ("Police found ‘Joanne’ and ‘Simon’, her neighbour, dead at their home.", None),
])
def test_review_type_with_a_named_and_quoted_victim(text: str, review_type: str | None) -> None:
    assert find_review_type(doc(text), "Joanne")[0] == review_type


def test_definition_of_domestic_abuse_says_nothing_about_the_relationship() -> None:
    d = doc("Domestic abuse is any incident or pattern of incidents of controlling, coercive, "
            "threatening behaviour, violence or abuse between those aged 16 or over who are, or "
            "have been, intimate partners or family members regardless of gender or sexuality.")
    assert find_review_type(d, None) == (None, None)


@pytest.mark.parametrize("text, death_type", [
    ("The police investigation concluded that Paul had killed Joanne and then taken his own life.",
     "homicide_suicide"),
    ("The coroner concluded that she had taken her own life.", "suicide"),
    (("The circumstances of the death were unexplained, and the coroner recorded an open "
      "conclusion."),
     "other"),
    ("Gary was convicted of his murder in 2019.", "homicide"),
])
def test_death_type(text: str, death_type: str) -> None:
    assert find_death_type(doc(text), "Joanne")[0] == death_type


def test_death_type_unknown_without_a_statement() -> None:
    assert find_death_type(doc("The review panel met four times."), None) == (None, None)


@pytest.mark.parametrize("text, involved", [
    ("The family contributed to the review and their account is reflected in this report.", True),
    ("The chair met Joanne's sister on two occasions.", True),
    ("The family were informed of the review but declined to take part.", False),
    ("The review panel met four times.", None),
])
def test_family_involvement(text: str, involved: bool | None) -> None:
    assert find_family_involved(doc(text))[0] is involved


def test_abuse_types_skip_the_definition_and_recommendations() -> None:
    d = doc("4. Definitions\n4.1 The abuse can encompass, but is not limited to: psychological, "
            "physical, sexual, financial and emotional abuse.\n"
            "5. Background\n5.1 Paul controlled the household finances, a form of economic abuse."
            "\n5.2 There were repeated incidents of physical abuse.\n"
            "6. Recommendations\n1. Agencies should train staff on stalking and sexual abuse.")
    assert extract_review(d).review.abuse_types == ["economic_abuse", "physical_abuse"]


def test_review_keeps_the_page_of_each_value() -> None:
    d = doc("Domestic Homicide Review into the death of Joanne\nSafer Preston Partnership",
            "Background\nAt the time of her death Joanne was 55 years old.")
    found = extract_review(d)
    assert found.review.pseudonym == "Joanne"
    assert (found.review.area, found.review.region) == ("Preston", "North West")
    assert found.review.victim.age_band == "55-64"
    assert found.pages["victim.age"] == 2


@pytest.mark.parametrize("text, name, independent", [
    (("1.7 The chair and author of this review, Stuart Brennan, is an independent consultant who "
     "has no connection with the partnership or any of the agencies involved."), None, True),
    ("9.1 Margaret Oakley was appointed as independent chair and author.", "Margaret Oakley", True),
    ("The review was chaired by Jane Smith, who is employed by the council.", "Jane Smith", None),
])
def test_chair_and_independence(text: str, name: str | None, independent: bool | None) -> None:
    from understanding.metadata import find_chair
    chair, _ = find_chair(doc(text))
    assert chair.independent is independent
    if name:
        assert chair.name == name
