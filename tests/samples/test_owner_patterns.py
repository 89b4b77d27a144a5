"""The generator prints recommendation owners and numbering as real reports do (issue 14), with
owner truth from the organisation registry, in train and dev with their own wordings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from samples.reports import generate_corpus
from understanding.owner_registry import load_registry

OWNERS_YAML = Path(__file__).parents[2] / "samples" / "reports" / "data" / "owners.yaml"


def _truths(out: Path, split: str, seed: int) -> list[dict]:
    files = generate_corpus(out, seed=seed, n_reviews=20, split=split, text_only=True)
    return [json.loads(f.truth_path.read_text(encoding="utf-8")) for f in files]


@pytest.fixture(scope="module", params=[("train", 1), ("dev", 3)], ids=["train", "dev"])
def truths(request, tmp_path_factory) -> list[dict]:
    split, seed = request.param
    return _truths(tmp_path_factory.mktemp(split), split, seed)


def test_every_layout_and_owner_pattern_appears(truths):
    patterns = [d["provenance"]["sample_owner_patterns"] for d in truths]
    assert {p["layout"] for p in patterns} == {"grouped", "agency_headings", "multilevel", "stem"}
    assert any(p["abbreviations"] for p in patterns) and any(p["two_owner"] for p in patterns)
    recs = [r for d in truths for r in d["recommendations"]]
    assert {r["owner_source"] for r in recs} == {"text", "heading", "action_plan", None}
    assert any(len(r["organisations"]) == 2 for r in recs)
    assert any(r["number"] and r["number"].count(".") >= 2 for r in recs)


def test_owner_truth_is_from_the_registry_and_consistent(truths):
    registry = load_registry()
    for d in truths:
        for r in d["recommendations"]:
            orgs = r["organisations"]
            assert (r["organisation"] is None) == (not orgs) == (r["owner_source"] is None)
            if orgs:
                assert r["organisation"] == orgs[0]
            for o in orgs:
                assert registry.get(o["id"]).name == o["name"]


def test_numbers_restart_under_agency_headings_and_stems_are_not_recommendations(truths):
    for d in truths:
        layout = d["provenance"]["sample_owner_patterns"]["layout"]
        texts = [r["text"] for r in d["recommendations"]]
        assert not any(re.search(r"recommends that:\s*$", t) for t in texts)
        if layout == "agency_headings" and d["doc_type"] == "overview_report":
            numbers = [r["number"] for r in d["recommendations"]]
            assert numbers.count("1") >= 2      # each heading's list starts at 1


def test_abbreviations_are_introduced_in_the_document_that_uses_them(truths):
    for d in truths:
        info = d["provenance"]["sample_owner_patterns"]
        text = " ".join(d["pages"])
        used = {a for a in info["abbreviations"]
                for r in d["recommendations"] if re.search(rf"\b{re.escape(a)}\b", r["text"])}
        for abbr in used:
            assert f"({abbr})" in text or f"{abbr} (" in text, (d["filename"], abbr)


def test_train_and_dev_owner_wordings_never_meet():
    bank = yaml.safe_load(OWNERS_YAML.read_text(encoding="utf-8"))
    train, dev = bank["train"], bank["dev"]
    assert not set(train["two_owner"]) & set(dev["two_owner"])
    assert train["abbreviation_intro"] != dev["abbreviation_intro"]
    assert train["abbreviation_item"] != dev["abbreviation_item"]
    stems = {lay.get("stem") for lay in train["layouts"]} & {lay.get("stem")
                                                             for lay in dev["layouts"]}
    assert stems <= {None}
    headings = ({lay.get("heading") for lay in train["layouts"]} &
                {lay.get("heading") for lay in dev["layouts"]})
    assert headings <= {None}
    assert "heldout" not in bank       # heldout wordings are measured separately


def test_numbered_recommendations_are_html_list_items_without_their_number(tmp_path):
    files = generate_corpus(tmp_path, seed=1, n_reviews=6, split="train", formats=("html",))
    pages = [f for f in files if "<ol class=\"recommendations\"" in f.path.read_text()]
    assert pages
    for f in pages:
        html = f.path.read_text()
        truth = json.loads(f.truth_path.read_text())
        for r in truth["recommendations"]:
            assert f"<li>{r['text']}" in html.replace("&#x27;", "'")
            lines = truth["pages"][0].split("\n")
            assert f"{r['number']}. {r['text']}" not in lines      # the list draws the number
