"""The generator's action plans: every split has its own layouts and wordings (headers, printed
dates, progress texts), so dev and held-out scores measure generalisation; the truth of every
row is what the printed row says."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import yaml

from dhr.document import Action
from samples.reports import banks, generate_review
from samples.reports.action_plans import date_truth, layouts
from samples.reports.blocks import Table
from samples.reports.case import make_cases
from samples.reports.paginate import PageStyle, ReportlabMetrics, paginate


def _wordings(split: str) -> dict[str, set[str]]:
    bank = banks.load("action_plans")[split]
    # the template layout's headers are the split's action_plan_columns (variants/<split>.yaml)
    headers = {h for layout in bank["layouts"] for _, h in layout.get("columns", [])}

    def forms(group):
        return {f["form"] if isinstance(f, dict) else f for fs in group.values() for f in fs}

    return {"headers": headers, "target_forms": {f["form"] for f in bank["target_forms"]},
            "progress": forms(bank["progress_forms"]) | forms(bank["completion_forms"])}


@pytest.mark.parametrize("a, b", [("train", "dev"), ("train", "heldout"), ("dev", "heldout")])
def test_splits_never_share_an_action_plan_wording(a, b):
    wa, wb = _wordings(a), _wordings(b)
    for key in wa:
        assert not wa[key] & wb[key], (a, b, key, wa[key] & wb[key])
    assert not {x["id"] for x in layouts(a) if x["id"] != "template"} & \
        {x["id"] for x in layouts(b) if x["id"] != "template"}


@pytest.mark.parametrize("kind, day, expected", [
    ("month", dt.date(2024, 3, 5), "2024-03"),
    ("fy_quarter", dt.date(2024, 8, 1), "2024-09"),     # Q2 2024/25
    ("fy_quarter", dt.date(2025, 2, 1), "2025-03"),     # Q4 2024/25
    ("cal_quarter", dt.date(2024, 8, 1), "2024-09"),
    ("fy_end", dt.date(2024, 3, 1), "2024-03"),         # 2023/24
    ("fy_end", dt.date(2024, 4, 1), "2025-03"),         # 2024/25
    ("year", dt.date(2024, 4, 1), "2024"),
    ("none", dt.date(2024, 4, 1), None),
])
def test_date_truth_follows_the_documented_rules(kind, day, expected):
    assert date_truth(kind, day) == expected


@pytest.mark.parametrize("split", ["train", "dev", "heldout"])
def test_action_rows_are_valid_and_printed(split, tmp_path):
    n = len(layouts(split))
    for case in make_cases(11, n, split):
        case = dataclasses.replace(case, doc_types=["action_plan"])
        (f,) = generate_review(tmp_path, seed=11, index=case.index, split=split, formats=("html",),
                               case=case)
        truth = yaml.safe_load(f.truth_path.read_text())
        page = " ".join(" ".join(truth["pages"]).split())
        assert truth["actions"]
        for a in truth["actions"]:
            Action.model_validate(a)
            assert a["lead_name"] in page
            if a["action"]:
                assert a["action"].rstrip(".") .split()[-1] in page
        numbers = {r["number"] for r in truth["recommendations"]}
        assert {a["recommendation"] for a in truth["actions"]} <= numbers


def _long_table() -> Table:
    rows = [[f"{i}) Agencies should review the referral pathway and record the outcome " * 3,
             "Lead agency", "March 2024"] for i in range(1, 40)]
    return Table(["Recommendation", "Lead", "Target date"], rows, [3, 1, 1],
                 split_rows=True, repeat_header=False, continued="(continued)")


@pytest.mark.parametrize("split", [True, False])
def test_only_a_pdf_row_breaks_over_a_page_and_only_a_pdf_drops_the_header(split):
    """A PDF (``split``) may break a row over the page and leave the header off the next page;
    Word (DOCX, and the .doc/.rtf converted from it) repeats the header row on every page and
    never breaks a row, so the truth of those formats says so."""
    pages = paginate([_long_table()], PageStyle(), ReportlabMetrics(), split=split)
    parts = [p for page in pages for p in page.placed]
    assert len(parts) > 1
    assert [p.header_row for p in parts[1:]] == [not split] * (len(parts) - 1)
    assert any(p.continues for p in parts) == split
