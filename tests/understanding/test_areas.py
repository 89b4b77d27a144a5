"""Area rules: the reviewing partnership's area, normalised to the Home Office library's names."""

from __future__ import annotations

import pytest

from understanding.areas import canonical_area, find_area


@pytest.mark.parametrize("title_page, area, region", [
    ("Safer Preston Partnership\nDomestic Homicide Review", "Preston", "North West"),
    ("Domestic Homicide Review\nChorley & South Ribble Community Safety Partnership",
     "Chorley and South Ribble", "North West"),
    ("Commissioned by Blackburn with Darwen Community Safety Partnership",
     "Blackburn With Darwen", "North West"),
    ("Tower Hamlets Community Safety Partnership", "Tower Hamlets", "Greater London"),
    ("Safer South Cambridgeshire Partnership", "South Cambridgeshire", "East"),
    ("Domestic Homicide Review for the London Borough of Newham", "Newham", "Greater London"),
    ("Cardiff CSP\nOverview report", "Cardiff", "Wales"),
])
def test_partnership_context_gives_area_and_region(title_page: str, area: str, region: str) -> None:
    found = find_area([title_page])
    assert found is not None
    assert (found.area, found.region, found.page) == (area, region, 1)


@pytest.mark.parametrize("text", [
    "Lancashire Constabulary attended the address.",  # a force named after a county
    "In reading the report, the panel noted the delay.",  # 'reading' is not Reading
    "Domestic Homicide Review into the death of Jane",
])
def test_no_area_without_a_partnership_context(text: str) -> None:
    assert find_area([text]) is None


def test_variants_normalise_to_library_names() -> None:
    assert canonical_area("Southend") == "Southend-on-Sea"
    assert canonical_area("Bath & North East Somerset") == "Bath and North East Somerset"
    assert canonical_area("Atlantis") is None
