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
from samples.reports.case import make_cases


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
