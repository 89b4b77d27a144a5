"""One review, three documents, one set of review recommendations (issue 14's acceptance point).

The sample generator writes one synthetic review as an overview report (PDF), an executive
summary (DOCX) and an action plan (HTML) with their truth; ``dhr ingest`` stores, extracts and
indexes the files on the embedded SQLite backend and syncs the SQLite tracker; the Flask API (a
real waitress server on 127.0.0.1) then shows each recommendation printed in all three documents
as ONE review recommendation whose appearances name the three documents and their pages, whose
owners are the registry organisations the truth names, whose action rows are the plan's, and
whose history starts "as published", attributed to the action plan document (the overview's
appendix repeats the plan with other progress, and must not come first). The review (train seed 3)
numbers its recommendations per agency heading
(numbers restart at 1, so a number is not unique), introduces an abbreviation, uses a short form
("the CCG") and has a recommendation with two owners.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from .conftest import Api

SEED = 3
DOC_TYPES = ("overview_report", "executive_summary", "action_plan")


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The ingested review: its truth per document type, its API (a real waitress server on
    127.0.0.1) and each document's review key as the API gives it."""
    from dhr.config import config_from_dict
    from orchestration.cli import cli
    from samples.reports import generate_review

    root = tmp_path_factory.mktemp("review-merge")
    files = generate_review(root / "docs", seed=SEED, index=0, formats=("pdf", "docx", "html"))
    assert [(f.doc_type, f.format) for f in files] == [
        ("overview_report", "pdf"), ("executive_summary", "docx"), ("action_plan", "html")]
    truth = {f.doc_type: json.loads(Path(f.truth_path).read_text(encoding="utf-8"))
             for f in files}
    raw = {"storage": {"data_dir": str(root / "data")}, "search": {"backend": "sqlite"},
           "tracker": {"database_url": f"sqlite:///{root / 'tracker.db'}"}}
    config = root / "config.yaml"
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", "--config", str(config), str(root / "docs")])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["ingested"], summary["failed"]) == (3, 0), summary
    assert summary["tracker"]["reviews"] == 1, summary

    with Api(config_from_dict(raw, config, env={})) as api:
        keys = {t["id"]: api.json(f"/api/v1/documents/{t['id']}")["review_key"]
                for t in truth.values()}
        yield {"truth": truth, "api": api, "keys": keys}


def _listed(review: dict[str, Any]) -> list[dict[str, Any]]:
    key = _review_key(review)
    page = review["api"].json("/api/v1/review-recommendations",
                             {"review_key": key, "page_size": 100})
    assert page["next_cursor"] is None
    assert page["total"] == len(page["results"])
    return page["results"]


def _review_key(review: dict[str, Any]) -> str:
    keys = set(review["keys"].values())
    assert len(keys) == 1 and None not in keys, review["keys"]
    return keys.pop()


def _printed_everywhere(truth: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The truth's recommendations printed in all three documents: per recommendation, its
    number, text and owners per document type and the page each document prints it on."""
    by_text: dict[str, dict[str, Any]] = {}
    for doc_type in DOC_TYPES:
        doc = truth[doc_type]
        for rec in doc["recommendations"]:
            entry = by_text.setdefault(_norm(rec["text"]), {"text": rec["text"], "printed": {}})
            entry["printed"][doc_type] = rec
    return [e for e in by_text.values() if set(e["printed"]) == set(DOC_TYPES)]


def _match(listed: list[dict[str, Any]], text: str) -> dict[str, Any]:
    hits = [r for r in listed if _norm(r["text"]) == _norm(text)]
    assert len(hits) == 1, (text, [r["text"] for r in listed])
    return hits[0]


def test_the_three_documents_are_one_review(review) -> None:
    truth = review["truth"]
    assert set(review["keys"]) == {truth[t]["id"] for t in DOC_TYPES}
    assert _review_key(review)


def test_each_recommendation_printed_three_times_is_one_record_with_three_appearances(review):
    truth = review["truth"]
    expected = _printed_everywhere(truth)
    assert len(expected) >= 5  # the review prints its recommendations in all three documents
    listed = _listed(review)
    assert len(listed) == len({_norm(r["text"]) for r in listed}), "a recommendation listed twice"
    printed = {_norm(r["text"]) for t in DOC_TYPES for r in truth[t]["recommendations"]}
    assert len(listed) == len(printed)
    for want in expected:
        got = _match(listed, want["text"])
        pages = {truth[t]["id"]: want["printed"][t]["page"] for t in DOC_TYPES}
        assert {d["id"]: d["page"] for d in got["documents"]} == pages, want["text"]
        assert len(got["documents"]) == 3, got["documents"]


def test_owners_are_the_registry_organisations_the_truth_names(review) -> None:
    listed = _listed(review)
    for want in _printed_everywhere(review["truth"]):
        owners = next((p["organisations"] for t in DOC_TYPES
                       if (p := want["printed"][t]).get("organisations")), [])
        got = _match(listed, want["text"])
        assert [o["id"] for o in got["owners"]] == [o["id"] for o in owners], want["text"]
        for owner in got["owners"]:
            org = review["api"].json(f"/api/v1/organisations/{owner['id']}")
            assert owner["name"] == org["name"]
    # The review exercises the owner patterns: two owners, an owner from the action plan's lead
    # column (the agency heading's recommendations do not name it), and recommendations nobody
    # in the registry owns ("no owner", never guessed).
    sources = {p.get("owner_source") for w in _printed_everywhere(review["truth"])
               for p in w["printed"].values()}
    assert {"text", "action_plan", None} <= sources
    assert any(len(r["owners"]) == 2 for r in listed)
    assert any(r["owners"] == [] for r in listed)


def _likeness(a: str, b: str) -> float:
    return SequenceMatcher(None, _norm(a).split(), _norm(b).split(), autojunk=False).ratio()


def _row(a: dict[str, Any]) -> tuple:
    return (a["recommendation"], a["action"], a["target_date"], a["status"])


def test_detail_shows_the_action_rows_and_history_as_published_by_the_action_plan(review):
    truth = review["truth"]
    plan = truth["action_plan"]
    plan_numbers = {_norm(r["text"]): r["number"] for r in plan["recommendations"]}
    listed = _listed(review)
    overview = truth["overview_report"]
    seen_rows: list[tuple] = []
    appendix_rows: list[tuple] = []
    for want in _printed_everywhere(truth):
        rec = review["api"].json(_match(listed, want["text"])["url"])
        assert {a["document"] for a in rec["actions"]} <= {truth[t]["id"] for t in DOC_TYPES}
        rows = [_row(a) for a in rec["actions"] if a["document"] == plan["id"]]
        # Numbers restart per agency, so the truth's rows are told apart by their text: the
        # first row of a recommendation restates it, further rows follow it.
        assert rows, want["text"]
        assert {r[0] for r in rows} == {plan_numbers[_norm(want["text"])]}, rows
        same_number = [r["text"] for r in plan["recommendations"] if r["number"] == rows[0][0]]
        closest = max(same_number, key=lambda t: _likeness(rows[0][1], t))
        assert _norm(closest) == _norm(want["text"]), rows[0]
        seen_rows += rows
        appendix_rows += [_row(a) for a in rec["actions"] if a["document"] == overview["id"]]
        published = [h for h in rec["history"] if h["source"] == "published"]
        assert published and rec["history"][0] == published[0], rec["history"]
        first = published[0]
        assert first["document"] == plan["id"], rec["history"]
        first_row = next(r for r in rows if r[3] or r[2])
        assert (first["status"], first["target_date"]) == (first_row[3], first_row[2])
        statuses = [r[3] for r in rows if r[3]]
        assert rec["status"] == (statuses[-1] if statuses else "no_information"), rec["history"]
    # Every recommendation of this plan is printed in all three documents: every row is seen once.
    assert len(plan_numbers) == len(_printed_everywhere(truth))
    assert sorted(seen_rows, key=str) == sorted((_row(a) for a in plan["actions"]), key=str)
    assert sorted(appendix_rows, key=str) == sorted((_row(a) for a in overview["actions"]),
                                                    key=str)
