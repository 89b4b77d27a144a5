"""End to end: a real file through the extraction engine and understanding, against the
generator's ground truth (synthetic sample, train split)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.extract import extract_file
from samples.reports import generate_review
from understanding.understand import understand_text


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> list:
    out = tmp_path_factory.mktemp("understanding")
    return generate_review(out, seed=11, index=0, split="train", formats=("docx",))


def test_extracted_document_carries_what_the_truth_says(sample: list) -> None:
    overview = next(f for f in sample if f.doc_type == "overview_report")
    truth = json.loads(Path(overview.truth_path).read_text(encoding="utf-8"))
    got = extract_file(Path(overview.path)).to_json_dict()
    assert got["doc_type"] == "overview_report"
    for key in ("pseudonym", "area", "region", "review_type", "death_type"):
        assert got["review"][key] == truth["review"][key], key
    assert got["review"]["date_of_death"][:4] == truth["review"]["date_of_death"][:4]
    assert {a["id"] for a in truth["agencies"]} <= {a["id"] for a in got["agencies"]}
    truth_recs = {r["text"] for r in truth["recommendations"]}
    got_recs = {r["text"]: r for r in got["recommendations"]}
    assert truth_recs <= set(got_recs)
    for r in truth["recommendations"]:
        assert got_recs[r["text"]]["agency"] == r["agency"]
        assert got_recs[r["text"]]["page"] >= 1
    assert got["provenance"]["review"]["pseudonym"] >= 1


def test_pages_without_any_signal_give_nulls_not_guesses() -> None:
    got = understand_text(["Minutes of a meeting.", "Apologies were received."])
    assert got["doc_type"] is None
    review = got["review"]
    assert all(review[k] is None for k in ("pseudonym", "area", "region", "date_of_death",
                                           "review_type", "death_type"))
    assert got["agencies"] == [] and got["themes"] == [] and got["recommendations"] == []


@pytest.mark.parametrize("pages", [
    [],
    [""],
    ["\x00\x01 garbage \ufffd" * 50],
    ["Recommendations\n" + "1. " * 2000],
    ["a" * 200_000],
])
def test_odd_text_never_raises(pages: list[str]) -> None:
    got = understand_text(pages)
    assert isinstance(got["recommendations"], list)
