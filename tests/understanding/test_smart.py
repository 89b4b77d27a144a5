"""SMART signals of recommendations."""

from __future__ import annotations

import pytest

from ingest.smart import smart_signals


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
