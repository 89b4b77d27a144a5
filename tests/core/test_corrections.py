"""Human corrections laid over a Document (dhr/corrections.py): the last layer, over what
extraction and the sources say; undone exactly; carried across a re-merge and a re-extraction."""

from __future__ import annotations

from typing import Any

import pytest

from dhr import corrections as core
from dhr.corrections import Applied, CorrectionError
from dhr.document import Document
from ingest.merge import merge_document

SHA = "b" * 64
SOURCE = "https://www.preston.gov.uk/media/1/dhr.pdf"


def _doc(**extra: Any) -> Document:
    return Document.from_json_dict({
        "id": SHA, "format": "pdf", "extractor_version": "1", "page_count": 1,
        "pages": ["synthetic text"],
        "review": {"pseudonym": "Sam", "area": "Preston", "region": "North West",
                   "date_of_death": "2019-05", "review_type": "intimate_partner",
                   "victim": {"age": 34, "age_band": "25-34", "sex": "female"},
                   "abuse_types": ["coercive_control"]},
        "themes": [{"id": "housing", "mentions": 3, "evidence": [{"page": 1, "text": "tenancy"}]}],
        "agencies": [{"id": "police", "name": "Lancashire Constabulary", "mentions": 4}],
        "provenance": {"synthetic": True}, **extra})


def _c(cid: int, field: str, value: Any) -> Applied:
    return Applied(cid, field, core.validate(field, value), None, "checked with the panel",
                   "preston-csp", "Preston Community Safety Partnership",
                   f"2027-02-0{cid}T10:00:00Z")


@pytest.mark.parametrize("field,value,expected", [
    ("review_type", "adult_family", "adult_family"),
    ("date_of_death", "2018", "2018"),
    ("date_of_death", "", None),
    ("victim.age", "41", 41),
    ("abuse_types", "stalking, coercive_control", ["coercive_control", "stalking"]),
    ("themes", ["risk_assessment"], ["risk_assessment"]),
    ("pseudonym", "  Adult   B ", "Adult B"),
])
def test_values_are_validated_into_document_terms(field, value, expected):
    assert core.validate(field, value) == expected


@pytest.mark.parametrize("field,value,message", [
    ("review_type", "partner", "'partner' is not a valid review type id"),
    ("agencies", ["police", "gp"], "'gp' is not a valid agency id"),
    ("date_of_death", "May 2019", "a year (2019) or a year and month"),
    ("victim.age", True, "whole number"),
    ("pseudonym", None, "cannot be empty"),
    ("chair", "x", "field must be one of"),
])
def test_bad_values_say_what_is_wrong(field, value, message):
    with pytest.raises(CorrectionError) as err:
        core.validate(field, value)
    assert message in str(err.value)


def test_apply_then_strip_gives_back_the_document_exactly():
    doc = _doc()
    corrected = core.apply(doc, [_c(1, "review_type", "adult_family"), _c(2, "victim.age", 70),
                                 _c(3, "themes", ["housing", "older_people"]),
                                 _c(4, "area", "South Ribble")])
    r = corrected.review
    assert (r.review_type, r.victim.age, r.victim.age_band, r.area) == (
        "adult_family", 70, "65+", "South Ribble")
    assert [t.id for t in corrected.themes] == ["housing", "older_people"]
    assert corrected.themes[0].evidence  # a theme kept keeps its evidence
    assert corrected.review_key == "south ribble|sam|2019"
    mark = corrected.provenance["fields"]["review.review_type"]
    assert (mark["from"], mark["organisation_name"]) == ("correction",
                                                         "Preston Community Safety Partnership")
    assert Document.from_json_dict(core.strip(corrected.to_json_dict())) == doc


def test_a_re_merge_keeps_corrections_over_source_values():
    doc = _doc()
    sighting = {"url": SOURCE, "source": "s", "first_seen": "2025-01-01T00:00:00Z",
                "last_seen": "2025-02-01T00:00:00Z", "online": True, "current": True,
                "metadata": {"area": "Preston", "tags": ["Adult family homicide"]}}
    merged = merge_document(doc, [sighting])
    assert merged.review.review_type == "adult_family"  # the source says so
    corrected = core.apply(merged, [_c(1, "review_type", "household_member")])
    # merging again starts from the text: corrections and source values both come off ...
    again = merge_document(corrected, [sighting])
    assert again.review.review_type == "adult_family" and "corrections" not in again.provenance
    # ... and the store lays the corrections it carried back over the new merge
    final = core.apply(again, core.records_of(corrected),
                       previous=corrected.provenance["corrections"])
    assert final.review.review_type == "household_member"
    assert core.disagreements(final) == []


def test_disagreements_when_extraction_moves_or_agrees():
    doc = _doc()
    corrected = core.apply(doc, [_c(1, "death_type", "homicide_suicide"),
                                 _c(2, "review_type", "adult_family")])
    previous = corrected.provenance["corrections"]
    # A new extractor version reads the same file: death type now found, review type changed.
    raw = core.strip(corrected.to_json_dict())
    raw["review"]["death_type"] = "homicide_suicide"
    raw["review"]["review_type"] = "household_member"
    raw["extractor_version"] = "2"
    raw["provenance"].pop("corrections", None)
    re_extracted = core.apply(Document.from_json_dict(raw), core.records_of(corrected),
                              previous=previous)
    assert (re_extracted.review.death_type, re_extracted.review.review_type) == (
        "homicide_suicide", "adult_family")  # the corrections still win
    found = {d["field"]: (d["kind"], d["value_when_corrected"], d["extracted_value"])
             for d in core.disagreements(re_extracted)}
    assert found == {"death_type": ("extraction_agrees", None, "homicide_suicide"),
                     "review_type": ("extraction_changed", "intimate_partner",
                                     "household_member")}


# -- a review recommendation's text, scope and owners -----------------------------------------
RECS = [
    {"number": "1", "text": "Lancashire Constabulary to brief response officers.",
     "agency": "police", "agency_name": "Lancashire Constabulary", "scope": "local",
     "organisation": {"id": "lancashire-constabulary", "name": "Lancashire Constabulary"},
     "organisations": [{"id": "lancashire-constabulary", "name": "Lancashire Constabulary"}],
     "owner_source": "text"},
    # numbering restarts under each agency's heading: "1" twice
    {"number": "1", "text": "The GP practice to record disclosures of abuse.", "agency": "health",
     "scope": None},
]


def _rc(cid: int, field: str, value: Any, number: str | None = "1",
        text: str = "The GP practice to record disclosures of abuse.") -> Applied:
    return Applied(cid, "recommendation." + field, value, None, "the action plan says so",
                   "preston-csp", "Preston Community Safety Partnership",
                   f"2027-03-0{cid}T10:00:00Z", {"recommendation": "rr-1", "number": number,
                                                 "text": text})


def test_a_recommendation_correction_is_laid_over_the_entry_it_names_and_undone_exactly():
    doc = _doc(recommendations=RECS)
    owners = [{"id": "nhs-lancashire-icb", "name": "NHS Lancashire ICB", "agency": "health"}]
    corrected = core.apply(doc, [
        _rc(1, "text", "The GP practice to record every disclosure of abuse within a week."),
        _rc(2, "scope", "regional"), _rc(3, "owners", owners),
        _c(4, "review_type", "adult_family")])
    first, second = corrected.recommendations
    assert first == doc.recommendations[0]  # the other "1" is untouched
    assert second.text.endswith("within a week.") and second.scope == "regional"
    assert [o.id for o in second.organisations] == ["nhs-lancashire-icb"]
    assert second.organisation is not None and second.organisation.id == "nhs-lancashire-icb"
    assert (second.owner_source, second.agency, second.agency_name) == (
        "correction", "health", "NHS Lancashire ICB")
    assert corrected.review.review_type == "adult_family"
    assert Document.from_json_dict(core.strip(corrected.to_json_dict())) == doc
    # applying again (a re-index, another correction) changes nothing
    assert core.apply(corrected, core.records_of(corrected),
                      previous=corrected.provenance["corrections"]) == corrected


def test_a_recommendation_correction_follows_a_re_extraction_that_renumbers_it():
    doc = _doc(recommendations=RECS)
    corrected = core.apply(doc, [_rc(1, "scope", "national")])
    raw = core.strip(corrected.to_json_dict())
    raw["recommendations"] = [dict(RECS[1], number="2"), RECS[0]]  # a better extractor
    raw["extractor_version"] = "2"
    again = core.apply(Document.from_json_dict(raw), core.records_of(corrected),
                       previous=corrected.provenance["corrections"])
    assert [r.scope for r in again.recommendations] == ["national", "local"]
    record = again.provenance["corrections"][0]
    assert (record["index"], core.rec_disagreement(record)) == (0, None)
    # A document that no longer prints it keeps the correction, laid over nothing, for a person.
    raw["recommendations"] = [RECS[0]]
    gone = core.apply(Document.from_json_dict(raw), core.records_of(again))
    assert gone.recommendations[0].scope == "local"
    assert core.rec_disagreement(gone.provenance["corrections"][0]) == "not_found"
    assert Document.from_json_dict(core.strip(gone.to_json_dict())) == \
        Document.from_json_dict(raw)


def test_locate_names_one_entry_or_none():
    recs = [dict(r) for r in RECS]
    assert core.locate(recs, {"number": "1", "text": RECS[0]["text"]}) == 0
    assert core.locate(recs, {"number": "9", "text": "  The GP practice to record "
                                                     "disclosures   of abuse."}) == 1
    assert core.locate(recs, {"number": "1", "text": "reworded beyond recognition"}) is None
    mended = {"number": "2", "text": "The police to review  DASH risk assess- ment training."}
    assert core.locate(recs + [{"number": "2", "text": "The police to review DASH risk "
                                "assessment training."}], mended) == 2
    assert core.locate(recs + [{"number": "3", "text": "The police to review DASH risk "
                                "assessment training."}], mended) is None
    assert core.locate(recs, None) is None
