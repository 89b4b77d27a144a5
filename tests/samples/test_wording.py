"""Specification of the generator's document-level wording (samples/reports/wording.py): each
split says the relationship, the abuse and themes in its own words, some reports never say how
the people were related, and agencies are named without a finding about them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from samples.reports import generate_corpus

BANKS = Path(__file__).parents[2] / "samples" / "reports" / "data" / "wording"


def sentences(node) -> set[str]:
    if isinstance(node, str):
        return {node}
    if isinstance(node, list):
        return set().union(*(sentences(n) for n in node)) if node else set()
    if isinstance(node, dict):
        return set().union(*(sentences(v) for v in node.values())) if node else set()
    return set()


@pytest.mark.parametrize("a, b", [("train", "dev"), ("train", "heldout"), ("dev", "heldout")])
def test_splits_never_share_a_sentence(a, b) -> None:
    bank_a = yaml.safe_load((BANKS / f"{a}.yaml").read_text(encoding="utf-8"))
    bank_b = yaml.safe_load((BANKS / f"{b}.yaml").read_text(encoding="utf-8"))
    assert set(bank_a) == set(bank_b)
    assert not sentences(bank_a) & sentences(bank_b)


@pytest.fixture(scope="module")
def dev_docs(tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("dev-wording")
    files = generate_corpus(out, seed=3, n_reviews=20, split="dev", text_only=True)
    return [json.loads(f.truth_path.read_text()) for f in files]


def test_some_reports_never_say_how_the_people_were_related(dev_docs) -> None:
    overviews = [d for d in dev_docs if d["doc_type"] == "overview_report"]
    silent = [d for d in overviews if d["review"]["review_type"] is None]
    assert silent and len(silent) < len(overviews)
    for d in silent:
        # no couple-implying abuse type either
        assert not {"separation", "forced_marriage", "faith_based_marriage"} & set(
            d["review"]["abuse_types"])


@pytest.mark.parametrize("abuse, labels", [
    ("economic_abuse", ("economic", "financial abuse")), ("physical_abuse", ("physical",)),
    ("stalking", ("stalk",)), ("coercive_control", ("coercive", "controlling behaviour")),
    ("separation", ("separation",)),
])
def test_dev_describes_abuse_by_behaviour_without_naming_it(abuse, labels) -> None:
    dev = yaml.safe_load((BANKS / "dev.yaml").read_text(encoding="utf-8"))["abuse"]
    assert len(dev[abuse]) >= 2
    for sentence in dev[abuse]:
        assert not any(label in sentence.lower() for label in labels), sentence


def test_train_and_dev_name_the_relation_in_their_own_other_words() -> None:
    words = {
        s: yaml.safe_load((BANKS / f"{s}.yaml").read_text(encoding="utf-8"))["relationship"][
            "words"
        ]
        for s in ("train", "dev")
    }
    assert set(words["train"]) == set(words["dev"])   # every relation has other words in both
    for rel in words["train"]:
        assert not set(words["train"][rel]) & set(words["dev"][rel]), rel


@pytest.fixture(scope="module")
def dev_files(tmp_path_factory) -> list[tuple[dict, str]]:
    out = tmp_path_factory.mktemp("dev-wording-text")
    files = generate_corpus(out, seed=3, n_reviews=20, split="dev", text_only=True)
    return [
        (json.loads(f.truth_path.read_text()), f.path.read_text(encoding="utf-8")) for f in files
    ]


def test_reports_name_someone_else_by_a_relation_silent_ones_too(dev_files) -> None:
    overviews = [(t, text) for t, text in dev_files if t["doc_type"] == "overview_report"]
    # a relative who is not the perpetrator, in a row of the people table
    row = re.compile(r"\| (?:[^|]*['’]s (?:son|daughter|sister|brother|mother|niece)"
                     r"|(?:Son|Daughter|Sister|Brother|Mother|Niece) of the victim) \|")
    assert len([1 for _t, text in overviews if row.search(text)]) >= len(overviews) // 4
    # and reports that never say how victim and perpetrator were related still name relatives
    silent = [text for t, text in overviews if t["review"]["review_type"] is None]
    distractor = re.compile(r"\b(?:son|daughter|sister|brother|mother|father|niece|nephew|aunt|"
                            r"cousin|grandson|neighbour|friend)(?:'s husband)?,? (?:who raised the "
                            r"alarm|described|said that|was interviewed|who lived nearby|told the)")
    assert silent and sum(bool(distractor.search(text)) for text in silent) >= len(silent) // 3
