"""Action plans end to end: generated PDF (text layer and scanned), DOCX and HTML files in every
action-plan layout of the sample generator (Home Office template, short progress tables,
reordered and renamed columns, merged recommendation cells, rows split in two, tables over
several pages) go through ``dhr extract`` and come out as the rows their ground truth lists."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from samples.reports import generate_review
from samples.reports.action_plans import layouts
from samples.reports.case import make_cases

FIELDS = ("recommendation", "action", "lead_name", "milestones", "target_date", "status",
          "completed_date")


def _action_plans(out: Path, split: str, formats: tuple[str, ...]) -> list[tuple[Path, dict]]:
    """One action-plan document per layout of the split, rendered in each of ``formats``."""
    n = len(layouts(split))
    files = []
    for case in make_cases(7, n, split):
        case = dataclasses.replace(case, doc_types=["action_plan"])
        for fmt in formats:
            for f in generate_review(out / fmt, seed=7, index=case.index, split=split,
                                     formats=(fmt,), case=case):
                files.append((f.path, json.loads(f.truth_path.read_text())))
    return files


def _extract(path: Path, cwd: Path) -> dict:
    res = subprocess.run([sys.executable, "-m", "orchestration.cli", "extract", str(path)], cwd=cwd,
                         capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def _rows(actions: list[dict]) -> list[tuple]:
    """Each row's fields as printed, and its lead organisation's registry id."""
    return [tuple(" ".join((a[k] or "").split()) or None for k in FIELDS)
            + ((a["lead"] or {}).get("id"),)
            for a in actions]


@pytest.mark.parametrize("split", ["train", "dev"])
def test_every_layout_in_pdf_docx_and_html(split, tmp_path):
    files = _action_plans(tmp_path, split, ("pdf", "docx", "html"))
    for path, truth in files:
        assert truth["actions"], path.name
        doc = _extract(path, tmp_path)
        assert _rows(doc["actions"]) == _rows(truth["actions"]), path.name
        assert [a["page"] for a in doc["actions"]] == [
            a["page"] for a in truth["actions"]], path.name
    assert len(files) == 3 * len(layouts(split))


def test_generated_plans_show_merged_cells_split_rows_and_page_breaks(tmp_path):
    files = _action_plans(tmp_path, "train", ("pdf",)) + _action_plans(tmp_path, "dev", ("pdf",))
    truths = [t for _, t in files]
    # a merged recommendation cell: two actions for one recommendation
    assert any(len({a["recommendation"] for a in t["actions"]}) < len(t["actions"]) for t in truths)
    # a plan that runs over a page
    assert any(len({a["page"] for a in t["actions"]}) > 1 for t in truths)
    # a row printed in two parts: the second holds only the rest of the action
    printed = [json.loads(p.with_suffix(".layout.json").read_text())["tables"] for p, _ in files]
    assert any(sum(1 for c in row if c) == 1 and row[0] == "" for tables in printed
               for table in tables for row in table["rows"])
    statuses = {a["status"] for t in truths for a in t["actions"]}
    assert {"completed", "in_progress", "not_started", None} <= statuses
    dates = {a["target_date"] for t in truths for a in t["actions"]}
    assert None in dates and any(d and len(d) == 4 for d in dates)


def test_scanned_action_plan(tmp_path):
    """A scanned plan (OCR, tables rebuilt from word boxes): most rows come out whole."""
    files = _action_plans(tmp_path, "dev", ("scanned_pdf",))[:1]
    for path, truth in files:
        doc = _extract(path, tmp_path)
        assert doc["ocr_pages"]
        want = _rows(truth["actions"])
        got = _rows(doc["actions"])
        key = (0, 4, 5)   # recommendation, target date, status
        hits = sum(1 for w in want
                   if tuple(w[k] for k in key) in {tuple(g[k] for k in key) for g in got})
        assert hits >= 0.8 * len(want), (got, want)
