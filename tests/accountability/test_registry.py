"""The organisation registry: the shipped data is complete and valid, and a name as a report
prints it resolves to one organisation, or to none when it is ambiguous or not an owner."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from dhr.taxonomy import ids
from understanding.owner_registry import (
    KINDS,
    Organisation,
    RegistryError,
    load_registry,
    normalise,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def test_counts_by_kind(registry):
    kinds = Counter(org.kind for org in registry)
    assert kinds["police_force"] == 44          # 43 territorial forces + British Transport Police
    assert kinds["icb"] == 42
    csps = {row["csp"] for row in csv.DictReader(
        (ROOT / "samples/data/csp_regions.csv").open(encoding="utf-8"))}
    assert kinds["csp"] == len(csps)
    assert kinds["government_department"] >= 6
    assert len(registry) == sum(kinds.values())


def test_every_csp_of_the_dataset_is_there_with_its_region(registry):
    for row in csv.DictReader((ROOT / "samples/data/csp_regions.csv").open(encoding="utf-8")):
        org = registry.csp_for_area(row["csp"])
        assert org is not None, row["csp"]
        assert org.kind == "csp" and org.region == row["region"]
        assert org.agency == "community_safety_partnership"


def test_ids_unique_slugs_and_values_valid_against_the_taxonomy(registry):
    orgs = list(registry)
    assert len({o.id for o in orgs}) == len(orgs)
    agencies, regions = set(ids("agency")), set(ids("region"))
    for org in orgs:
        assert org.kind in KINDS
        assert org.agency is None or org.agency in agencies, org
        assert org.region is None or org.region in regions, org
        assert org.id == org.id.lower() and " " not in org.id
        assert registry.get(org.id) is org


def test_no_name_or_alias_is_shared_by_two_organisations(registry):
    owners: dict[str, set[str]] = {}
    for org in registry:
        for name in (org.name, *org.aliases):
            owners.setdefault(normalise(name), set()).add(org.id)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}


def test_every_organisation_resolves_from_its_own_name_and_aliases(registry):
    for org in registry:
        for name in (org.name, *org.aliases):
            assert registry.resolve(name) == org, name


def test_police_forces_are_all_territorial_forces_with_regions(registry):
    forces = registry.of_kind("police_force")
    assert all(f.agency == "police" for f in forces)
    assert sum(f.region == "Wales" for f in forces) == 4
    assert sum(f.region is None for f in forces) == 1       # British Transport Police


@pytest.mark.parametrize(("printed", "org_id"), [
    # police: official names, short forms, abbreviations and suffix variants
    ("Greater Manchester Police", "greater-manchester-police"),
    ("GMP", "greater-manchester-police"),
    ("Greater Manchester Police (GMP)", "greater-manchester-police"),
    ("MPS", "metropolitan-police-service"),
    ("the Met", "metropolitan-police-service"),
    ("The Metropolitan Police", "metropolitan-police-service"),
    ("Metropolitan Police Service", "metropolitan-police-service"),
    ("M.P.S.", "metropolitan-police-service"),
    ("WMP", "west-midlands-police"),
    ("West Midlands Police", "west-midlands-police"),
    ("Kent Constabulary", "kent-police"),
    ("Kent Police Service", "kent-police"),
    ("Lancashire Police", "lancashire-constabulary"),
    ("Avon & Somerset Constabulary", "avon-and-somerset-constabulary"),
    ("Dyfed Powys Police", "dyfed-powys-police"),
    ("Hampshire Constabulary", "hampshire-and-isle-of-wight-constabulary"),
    ("HAMPSHIRE AND ISLE OF WIGHT CONSTABULARY", "hampshire-and-isle-of-wight-constabulary"),
    ("British Transport Police", "british-transport-police"),
    ("BTP", "british-transport-police"),
    # departments and national bodies, former names
    ("Home Office", "home-office"),
    ("the Home Office", "home-office"),
    ("DHSC", "dhsc"),
    ("Department of Health", "dhsc"),
    ("Department for Levelling Up, Housing and Communities", "mhclg"),
    ("DLUHC", "mhclg"),
    ("Ministry of Housing, Communities & Local Government", "mhclg"),
    ("MoJ", "moj"),
    ("Department for Education", "dfe"),
    ("DWP", "dwp"),
    ("National Probation Service", "probation-service"),
    ("NPS", "probation-service"),
    ("Community Rehabilitation Company", "probation-service"),
    ("HMPPS", "hmpps"),
    ("His Majesty’s Prison and Probation Service", "hmpps"),
    ("NHS England", "nhs-england"),
    ("NHSE/I", "nhs-england"),
    ("CPS", "cps"),
    ("College of Policing", "college-of-policing"),
    ("Ofsted", "ofsted"),
    ("CQC", "cqc"),
    ("HMICFRS", "hmicfrs"),
    ("Domestic Abuse Commissioner", "domestic-abuse-commissioner"),
    ("Office of the Domestic Abuse Commissioner", "domestic-abuse-commissioner"),
    ("UKHSA", "ukhsa"),
    ("Public Health England", "ukhsa"),
    ("HM Courts and Tribunals Service", "hmcts"),
    ("Cafcass", "cafcass"),
    ("Office for Students", "office-for-students"),
    ("MOPAC", "mopac"),
    ("KMPT", "kent-and-medway-nhs-and-social-care-partnership-trust"),
    # CSPs
    ("Southampton Community Safety Partnership", "southampton-csp"),
    ("Southampton CSP", "southampton-csp"),
    ("Safer Southampton Partnership", "southampton-csp"),
    ("Blackburn with Darwen Community Safety Partnership", "blackburn-with-darwen-csp"),
    # ICBs and former CCGs
    ("NHS Kent and Medway Integrated Care Board", "nhs-kent-and-medway-icb"),
    ("Kent and Medway ICB", "nhs-kent-and-medway-icb"),
    ("NHS Kent & Medway ICB", "nhs-kent-and-medway-icb"),
    ("Sheffield CCG", "nhs-south-yorkshire-icb"),
    ("NHS Sheffield Clinical Commissioning Group", "nhs-south-yorkshire-icb"),
    ("Hampshire, Southampton and Isle of Wight CCG", "nhs-hampshire-and-isle-of-wight-icb"),
    ("Kernow CCG", "nhs-cornwall-and-the-isles-of-scilly-icb"),
])
def test_resolves_printed_names(registry, printed, org_id):
    org = registry.resolve(printed)
    assert org is not None, printed
    assert org.id == org_id


@pytest.mark.parametrize("printed", [
    "",                                    # nothing
    "   ",
    "ICB",                                 # which one? only a document can tell
    "CCG",
    "the police",                          # a kind of service, not an organisation
    "the GP surgery",
    "Southampton",                         # an area: its CSP, its council, its police?
    "Durham",
    "Southampton Police",                  # no such force
    "Home Office Quality Assurance Panel",  # reviews reports, owns nothing
    "the Home Office QA Panel",
    "Review Panel",
    "Greater Manchester",                  # region-like, not a body
    "Manchester Police Service of Atlantis",
    "Police",
    "Constabulary",
])
def test_never_guesses(registry, printed):
    assert registry.resolve(printed) is None


def test_extra_organisations_are_added_and_resolved():
    extra = Organisation(id="southampton-city-council", name="Southampton City Council",
                         kind="local_authority", agency="local_authority", region="South East",
                         aliases=("SCC",))
    reg = load_registry([extra])
    assert reg.get("southampton-city-council") == extra
    assert reg.resolve("SCC") == extra
    assert reg.resolve("Southampton City Council") == extra
    assert load_registry().get("southampton-city-council") is None     # shipped data untouched


def test_an_alias_shared_with_an_added_organisation_becomes_ambiguous():
    clash = Organisation(id="gmp-consulting", name="GMP Consulting", kind="other", agency="other",
                         region=None, aliases=("GMP",))
    reg = load_registry([clash])
    assert reg.resolve("GMP") is None
    assert reg.resolve("Greater Manchester Police").id == "greater-manchester-police"


@pytest.mark.parametrize(("org", "message"), [
    (Organisation("home-office", "Again", "national_body", None, None), "used twice"),
    (Organisation("Bad Id", "X", "other", None, None), "slug"),
    (Organisation("x", "X", "ministry", None, None), "kind"),
    (Organisation("x", "X", "other", "wizards", None), "agency"),
    (Organisation("x", "X", "other", None, "Narnia"), "region"),
    (Organisation("x", " ", "other", None, None), "name"),
])
def test_invalid_organisations_are_refused_clearly(org, message):
    with pytest.raises(RegistryError, match=message):
        load_registry([org])


def test_data_files_are_package_data():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^understanding = \[.*"data/organisations/\*"', text, re.MULTILINE)


@pytest.mark.parametrize(("area", "icb"), [
    ("Southampton", "nhs-hampshire-and-isle-of-wight-icb"),   # through a former CCG's name
    ("Sheffield", "nhs-south-yorkshire-icb"),
    ("Somerset", "nhs-somerset-icb"),           # "North Somerset" is another board's: data says
    ("Gloucestershire", "nhs-gloucestershire-icb"),
    ("West Cumbria", "nhs-north-east-and-north-cumbria-icb"),
    ("Cumbria", None),                          # split between two boards: no guess
    ("Cardiff", None),                          # Wales has health boards, not ICBs
    ("Atlantis", None),
    (None, None),
])
def test_the_integrated_care_board_of_an_area(registry, area, icb):
    found = registry.icb_for_area(area)
    assert (found.id if found else None) == icb


def test_every_english_csp_but_a_split_county_has_one_board(registry):
    missing = [c.name for c in registry.of_kind("csp")
               if c.region != "Wales" and registry.icb_for_area(
                   c.name.removesuffix(" Community Safety Partnership")) is None]
    assert missing == ["Cumbria Community Safety Partnership"]
