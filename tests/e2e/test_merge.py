"""Merging source metadata into Documents (ingest/merge.py), rule by rule, and the run lock.

Table-driven: what the text said, what the source said -> the merged review and its provenance.
(The end-to-end tests check the same merge on crawled documents.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dhr.document import Document
from dhr.lock import LockHeld, RunLock, read_holder
from ingest.merge import link_review_keys, merge_document, unmerge

SHA = "a" * 64
LIB = "https://homicide-review.homeoffice.gov.uk/download/abc123"
SITE = "https://www.preston.gov.uk/media/1/dhr.pdf"


def _doc(**review: Any) -> Document:
    return Document.from_json_dict({"id": SHA, "format": "pdf", "extractor_version": "1",
                                    "page_count": 1, "pages": ["text"], "review": review})


def _sighting(url: str, metadata: dict[str, Any] | None, *, online: bool = True) -> dict[str, Any]:
    return {"url": url, "source": "s", "first_seen": "2025-01-01T00:00:00Z",
            "last_seen": "2025-02-01T00:00:00Z", "online": online, "current": True,
            "metadata": metadata}


CASES = [
    # (text review, source metadata, expected review fields, disagreeing fields)
    ({"area": "Preston"}, {"area": "Preston", "date_of_death": "2018-11"},
     {"area": "Preston", "region": "North West", "date_of_death": "2018-11"}, []),
    ({"area": "Preston", "date_of_death": "2018-11"}, {"date_of_death": "2018"},
     {"date_of_death": "2018-11"}, []),                      # the text is more precise: kept
    ({"date_of_death": "2018"}, {"date_of_death": "2018-11"}, {"date_of_death": "2018-11"}, []),
    ({"date_of_death": "2017-03"}, {"date_of_death": "2018-11"},
     {"date_of_death": "2018-11"}, ["review.date_of_death"]),  # source wins, recorded
    ({"pseudonym": "Adult A"}, {"pseudonym": "adult  a"}, {"pseudonym": "Adult A"}, []),
    ({"area": "Blackpool", "region": "North West"}, {"area": "Norfolk"},
     {"area": "Norfolk", "region": "East"}, ["review.area", "review.region"]),
    ({"area": "Preston", "region": "North West"}, {"area": "Nowhere Borough"},
     {"area": "Nowhere Borough", "region": None}, ["review.area"]),  # region unknown, not guessed
    ({}, {"tags": ["Intimate partner homicide", "Coercive control", "Mental health (victim)"]},
     {"review_type": "intimate_partner", "abuse_types": ["coercive_control"]}, []),
    ({"review_type": "adult_family"}, {"tags": ["Intimate partner homicide"]},
     {"review_type": "intimate_partner"}, ["review.review_type"]),
    ({}, {"date_of_death": "November 2018", "region": "Atlantis"},
     {"date_of_death": None, "region": None}, []),          # invalid values are ignored
]


@pytest.mark.parametrize(("text", "source", "expected", "disagree"), CASES)
def test_source_wins_and_disagreements_are_recorded(text, source, expected, disagree) -> None:
    merged = merge_document(_doc(**text), [_sighting(LIB, source)]).to_json_dict()
    for key, value in expected.items():
        assert merged["review"][key] == value, key
    assert [d["field"] for d in merged["provenance"].get("disagreements", [])] == disagree


def test_merged_fields_name_their_source_url() -> None:
    merged = merge_document(_doc(), [_sighting(LIB, {"date_of_death": "2019-05"})])
    assert merged.provenance["fields"]["review.date_of_death"] == {"from": "source", "url": LIB}


def test_unmapped_and_invalid_source_values_are_kept_in_provenance() -> None:
    merged = merge_document(_doc(), [_sighting(LIB, {"tags": ["Mental health (victim)"],
                                                     "region": "Atlantis"})])
    assert merged.provenance["unmapped_tags"] == ["Mental health (victim)"]
    assert merged.provenance["ignored_source_values"][0]["field"] == "review.region"


def test_merging_again_starts_from_the_text_not_the_last_merge() -> None:
    text = _doc(area="Blackpool", date_of_death="2017-03", abuse_types=["stalking"])
    first = merge_document(text, [_sighting(LIB, {"area": "Norfolk", "date_of_death": "2018-11",
                                                   "tags": ["Coercive control"]})])
    again = merge_document(first, [_sighting(LIB, None)])  # the card is gone
    assert again.review.area == "Blackpool" and again.review.date_of_death == "2017-03"
    assert again.review.abuse_types == ["stalking"]
    assert "disagreements" not in again.provenance and "fields" not in again.provenance
    assert unmerge(first.to_json_dict())["review"] == unmerge(again.to_json_dict())["review"]


def test_a_library_card_outranks_a_sites_configured_area() -> None:
    sightings = [_sighting(SITE, {"source_kind": "site", "area": "Preston"}),
                 _sighting(LIB, {"source_kind": "homeoffice_library", "area": "Lancashire",
                                 "pseudonym": "Joan"})]
    merged = merge_document(_doc(), sightings)
    assert merged.review.area == "Lancashire"
    assert merged.provenance["source_conflicts"] == [{"field": "review.area", "values": [
        {"value": "Lancashire", "url": LIB}, {"value": "Preston", "url": SITE}]}]


def test_source_is_online_while_any_current_url_serves_it() -> None:
    one_gone = [_sighting(SITE, None, online=False), _sighting(LIB, None)]
    assert merge_document(_doc(), one_gone).source.online is True
    assert merge_document(_doc(), one_gone).source.url == LIB
    all_gone = [_sighting(SITE, None, online=False)]
    assert merge_document(_doc(), all_gone).source.online is False


def _member(i: str, area: str | None, pseudonym: str | None, date: str | None) -> dict[str, Any]:
    return {"id": i, "review": {"area": area, "pseudonym": pseudonym, "date_of_death": date}}


def test_review_keys_link_documents_that_do_not_state_the_year() -> None:
    keys = link_review_keys([_member("overview", "Preston", "Joan", "2018-11"),
                             _member("plan", "preston", "JOAN", None),
                             _member("other", "Preston", "Mary", None)])
    assert keys == {"overview": "preston|joan|2018", "plan": "preston|joan|2018",
                    "other": "preston|mary|unknown"}


def test_review_keys_do_not_guess_between_two_reviews() -> None:
    keys = link_review_keys([_member("a", "Kent", "Adult A", "2016"),
                             _member("b", "Kent", "Adult A", "2021-02"),
                             _member("plan", "Kent", "Adult A", None),
                             _member("anon", None, "Adult A", None)])
    assert keys["plan"] == "kent|adult a|unknown" and keys["anon"] is None


# -- the run lock ------------------------------------------------------------------------------
def test_lock_is_exclusive_and_names_its_holder(tmp_path: Path) -> None:
    path = tmp_path / "nightly.lock"
    with RunLock(path) as held:
        assert held.stale is None
        with pytest.raises(LockHeld) as err:
            RunLock(path).acquire()
        assert err.value.holder["pid"] == os.getpid()
        assert f"pid {os.getpid()}" in str(err.value)
    assert read_holder(path) == {}  # a clean release leaves no record


def test_lock_of_a_killed_holder_is_taken_over_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "nightly.lock"
    code = ("import sys, os; sys.path.insert(0, sys.argv[2]); from dhr.lock import RunLock;"
            "RunLock(__import__('pathlib').Path(sys.argv[1])).acquire(); os.kill(os.getpid(), 9)")
    child = subprocess.run([sys.executable, "-c", code, str(path), str(Path.cwd())], check=False)
    assert child.returncode == -9
    record = json.loads(path.read_text())
    with RunLock(path) as lock:  # the kernel released the dead holder's flock
        assert lock.stale == record
