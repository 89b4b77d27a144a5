"""Rows and recommendations that break over a PDF page (issue 14): an action-plan row whose
cells carry on at the top of the next page (under a repeated header row or not, sometimes
marked "(continued)") is one action row with its lead, target date and status; a stem sentence
whose lettered or numbered clauses run over a page break gives one recommendation per clause,
never the stem. Real generated PDFs, read by the real extractor."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from ingest.extract import extract_file
from samples.reports import generate_review
from samples.reports.case import make_cases
from samples.reports.owners import owner_plan

FIELDS = ("recommendation", "action", "lead_name", "target_date", "status", "completed_date")


def _rows(actions: list[dict]) -> list[tuple]:
    return [
        tuple(" ".join((a[k] or "").split()) or None for k in FIELDS)
        + ((a["lead"] or {}).get("id"),)
        for a in actions
    ]


def _layout(path: Path) -> dict:
    return json.loads(path.with_suffix(".layout.json").read_text(encoding="utf-8"))


def _plans_with_split_rows(out: Path, split: str, seed: int, n: int,
                           doc_type: str = "action_plan") -> list[tuple[Path, dict]]:
    """PDFs of the split (action plans, or reports with an action plan) in which a row breaks
    over a page."""
    found = []
    for case in make_cases(seed, n, split):
        case = dataclasses.replace(case, doc_types=[doc_type])
        for f in generate_review(
            out, seed=seed, index=case.index, split=split, formats=("pdf",), case=case
        ):
            if any(t["continues"] for t in _layout(f.path)["tables"]):
                found.append((f.path, json.loads(f.truth_path.read_text(encoding="utf-8"))))
    return found


@pytest.mark.parametrize("split", ["train", "dev"])
def test_an_action_row_split_over_a_page_is_one_row(split, tmp_path):
    files = _plans_with_split_rows(tmp_path, split, 11, 14)
    assert files, "the generator printed no row over a page break"
    for path, truth in files:
        doc = extract_file(path).to_json_dict()
        assert _rows(doc["actions"]) == _rows(truth["actions"]), path.name
        assert [a["page"] for a in doc["actions"]] == [a["page"] for a in truth["actions"]], (
            path.name
        )


@pytest.mark.parametrize("doc_type", ["action_plan", "overview_report"])
def test_a_recommendation_in_a_row_split_over_a_page_is_one_recommendation(doc_type, tmp_path):
    files = [f for split in ("train", "dev")
             for f in _plans_with_split_rows(tmp_path / split, split, 11, 10, doc_type)]
    assert files, "the generator printed no row over a page break"
    for path, truth in files:
        doc = extract_file(path).to_json_dict()
        want = [(r["number"], _text(r["text"]), r["page"]) for r in truth["recommendations"]]
        got = [(r["number"], _text(r["text"]), r["page"]) for r in doc["recommendations"]]
        assert got == want, path.name
        assert not any(re.match(r"\(?cont", t, re.IGNORECASE) for _, t, _ in got), path.name


def test_split_rows_come_with_and_without_a_repeated_header_and_marker(tmp_path):
    tables = [t for split in ("train", "dev")
              for path, _ in _plans_with_split_rows(tmp_path / split, split, 11, 8)
              for t in _layout(path)["tables"] if t["continues"]]
    assert {t["header_row"] for t in tables} == {True, False}
    first_cells = [t["rows"][1 if t["header_row"] else 0][0] for t in tables]
    assert any(re.match(r"\(?cont", c, re.IGNORECASE) for c in first_cells)
    assert any(not re.match(r"\(?cont", c, re.IGNORECASE) for c in first_cells)


def _stem_summaries(out: Path, split: str, seed: int, n: int) -> list[tuple[Path, dict, dict]]:
    """Executive summaries (PDF) of reviews whose recommendations hang off a stem sentence, in
    which a clause breaks over a page."""
    found = []
    for case in make_cases(seed, n, split):
        if owner_plan(case).layout["id"] != "stem":
            continue
        case = dataclasses.replace(case, doc_types=["executive_summary"])
        for f in generate_review(
            out, seed=seed, index=case.index, split=split, formats=("pdf",), case=case
        ):
            layout = _layout(f.path)
            if layout["split_entries"]:
                found.append((f.path, json.loads(f.truth_path.read_text(encoding="utf-8")), layout))
    return found


def _text(t: str | None) -> str:
    return " ".join((t or "").split())


@pytest.mark.parametrize("split", ["train", "dev"])
def test_stem_clauses_split_over_a_page_are_each_one_recommendation(split, tmp_path):
    files = _stem_summaries(tmp_path, split, 11, 24)[:2]
    assert files, "the generator printed no stem clause over a page break"
    for path, truth, layout in files:
        doc = extract_file(path).to_json_dict()
        want = [(r["number"], _text(r["text"])) for r in truth["recommendations"]]
        got = [(r["number"], _text(r["text"])) for r in doc["recommendations"]]
        assert got == want, path.name
        split_entry = layout["split_entries"][0]
        broken = next(
            r
            for r in doc["recommendations"]
            if split_entry["text"].startswith(_text(r["text"])[:40])
        )
        assert broken["page"] == split_entry["page"] - 1   # on the page the clause starts
        assert not any(re.search(r"recommends that:?$", t) for _, t in got)
