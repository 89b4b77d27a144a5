"""SMART signals of recommendations."""

from __future__ import annotations

import pytest

from understanding.smart import smart_signals


@pytest.mark.parametrize("text, has_addressee, expected", [
    (("Lancashire Constabulary should audit 20 DASH forms and report the results to the CSP by "
     "March 2024."), True, (True, True, True)),
    ("The CCG should ensure that all GPs complete training within six months.", True,
     (True, False, True)),
    ("All agencies should consider how partnership working could be strengthened.", False,
     (False, False, False)),
    ("The CSP should consider the learning from this review.", True, (False, False, False)),
    ("The Council should evidence the change through a re-audit.", True, (True, True, False)),
    ("Partners should review raising awareness of domestic abuse among their staff.", False,
     (False, False, False)),
    ("Victim Support should follow up declined offers of support annually.", True,
     (True, False, True)),
    ("The Home Office should publish the percentage of reviews completed in Q3 2025.", True,
     (True, True, True)),
])
def test_smart_signals(text: str, has_addressee: bool, expected: tuple[bool, bool, bool]) -> None:
    s = smart_signals(text, has_addressee)
    assert (s.specific, s.measurable, s.time_bound) == expected
    assert s.score == sum(expected)


@pytest.mark.parametrize("text, has_addressee, expected", [
    # Subjunctive after "It is recommended that": the first action verb decides.
    (("It is recommended that the National Probation Service ensure that MAPPA eligibility is "
      "considered for every person with a domestic abuse conviction."), True, (True, False, False)),
    (("It is recommended that the Department for Work and Pensions train work coaches to "
      "recognise economic abuse."), True, (True, False, False)),
    ("That the Home Office maintain a national repository of recommendations.", True,
     (True, False, False)),
    ("It is recommended that the CSP consider whether to review the MARAC protocol.", True,
     (False, False, False)),
    ("Kent Police to consider further training.", True, (False, False, False)),
    # Financial years are deadlines; a frequency describing the measure is not.
    ("The CCG should review its policy by the end of the 2021/22 financial year.", True,
     (True, False, True)),
    ("The CCG should review its policy before the end of the next financial year.", True,
     (True, False, True)),
    (("The CCG should review its policy with compliance measured through a quarterly audit "
      "reported to the CSP."), True, (True, True, False)),
    ("The CCG should publish quarterly reports on referrals.", True, (True, True, False)),
    ("The CSP should report progress to the board quarterly.", True, (True, True, True)),
])
def test_smart_signals_in_other_phrasings(text: str, has_addressee: bool,
                                          expected: tuple[bool, bool, bool]) -> None:
    s = smart_signals(text, has_addressee)
    assert (s.specific, s.measurable, s.time_bound) == expected
