"""Agency rules: surface names, acronyms and variants -> taxonomy agency ids."""

from __future__ import annotations

import pytest

from tests.understanding.helpers import doc
from understanding.agencies import agency_of, extract_agencies, find_agency_mentions
from understanding.rules import load

FORCES = load("agencies")["police_forces"]


def test_the_rules_list_all_43_territorial_forces() -> None:
    # Hampshire is listed under its old and its 2022 name.
    assert len({f for f in FORCES if f != "Hampshire Constabulary"}) == 43


@pytest.mark.parametrize("force", FORCES)
def test_every_territorial_force_is_police(force: str) -> None:
    assert agency_of(f"{force} attended the address.") == ("police", force)


@pytest.mark.parametrize("text, agency_id, name", [
    ("Devon & Cornwall Police shared the log.", "police", "Devon & Cornwall Police"),
    ("Lancashire Police (sic) attended.", "police", "Lancashire Police"),
    ("Thames Valley Police Service made a referral.", "police", "Thames Valley Police Service"),
    ("Dyfed Powys Police were called.", "police", "Dyfed Powys Police"),
    ("The MPS recorded a crime.", "police", "MPS"),
    ("The GP practice saw her twice.", "gp_primary_care", "GP practice"),
    ("The Park Lane Surgery recorded low mood.", "gp_primary_care", "Park Lane Surgery"),
    ("The CCG (now the ICB) commissions the service.", "health_commissioner", "CCG"),
    ("Integrated Care Board", "health_commissioner", "Integrated Care Board"),
    ("The NPS held the licence.", "probation", "NPS"),
    ("the Community Rehabilitation Company", "probation", "Community Rehabilitation Company"),
    ("Adult Social Care assessed him.", "adult_social_care", "Adult Social Care"),
    ("Childrens Services were notified.", "childrens_social_care", "Childrens Services"),
    ("Children’s Social Care visited.", "childrens_social_care", "Children’s Social Care"),
    ("HMP Northmoor released him.", "prison", "HMP Northmoor"),
    ("She attended A&E with bruising.", "acute_hospital", "A&E"),
    ("Change Grow Live assessed him.", "substance_misuse_services", "Change Grow Live"),
    ("Women's Aid offered outreach.", "domestic_abuse_services", "Women's Aid"),
    ("the IDVA made contact", "domestic_abuse_services", "IDVA"),
    ("Jobcentre Plus saw him weekly.", "dwp", "Jobcentre Plus"),
    ("Safer Preston Partnership commissioned the review.", "community_safety_partnership",
     "Safer Preston Partnership"),
    ("Preston City Council housing team", "local_authority", "Preston City Council"),
    ("The Crown Prosecution Service charged him.", "courts_legal", "Crown Prosecution Service"),
    ("Lancashire Fire and Rescue Service visited.", "fire_rescue", "Fire and Rescue Service"),
    ("Victim Support called her.", "victim_services", "Victim Support"),
    ("Elmbridge Mental Health NHS Foundation Trust", "mental_health_services",
     "Mental Health NHS Foundation Trust"),
])
def test_surface_names_map_to_agency_ids(text: str, agency_id: str, name: str) -> None:
    assert agency_of(text) == (agency_id, name)


@pytest.mark.parametrize("text", [
    "The Police and Crime Commissioner funds the service.",  # not the police force
    "The Domestic Abuse Commissioner published guidance.",
    "She met him at a party.",
])
def test_phrases_that_name_no_agency(text: str) -> None:
    assert find_agency_mentions(text) == []


def test_longer_names_win_over_their_parts() -> None:
    ids = [m.id for m in find_agency_mentions("The school nurse and the school met.")]
    assert ids == ["community_health", "education"]


def test_report_agencies_count_mentions_and_prefer_formal_names() -> None:
    d = doc("Chronology\nLancashire Constabulary attended. The police made a referral. "
            "Lancashire Constabulary arrested him.",
            "Analysis\nThe GP did not ask. The GP recorded low mood.")
    found = {a.id: a for a in extract_agencies(d)}
    assert found["police"].mentions == 3
    assert found["police"].name == "Lancashire Constabulary"
    assert found["gp_primary_care"].page == 2


def test_a_single_passing_generic_word_is_not_an_agency() -> None:
    d = doc("The chair has a background in probation and public protection.")
    assert [a.id for a in extract_agencies(d)] == []


def test_phrase_matcher_first_character_guard() -> None:
    """The look-ahead guard lists every possible first character, or is left out when unknown."""
    from understanding.doctext import PhraseMatcher, _first_chars

    assert (_first_chars([r"(?!The\s)[A-C][a-z]+\s+Surgery", r"[Tt]he\s+Met", "GP"]) == {
        "A", "B", "C", "T", "t", "G"})
    assert _first_chars([r"(?:\w+\s+){1,3}Council"]) is None
    matcher = PhraseMatcher([("gp", "GP", True, 2),
                             ("council", r"(?:[A-Z][a-z]+\s+){1,3}Council", True, 40)])
    text = "Her GP and Rotherham Borough Council met; the GPs (not gp) did not."
    assert [(text[s:e], k) for s, e, k in matcher.finditer(text)] == [
        ("GP", "gp"), ("Rotherham Borough Council", "council")]
