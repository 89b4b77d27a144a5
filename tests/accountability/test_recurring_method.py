"""The grouping method of recurring recommendations, without a database: normalisation cuts
owners, places and numbers away; the generator's families and splits; the quality measure."""

from __future__ import annotations

from accountability.recurring_method import (
    Grouper,
    features,
    group_items,
    normalise,
    pairwise_scores,
)
from samples.reports.families import families, family_reviews, wordings


def test_owner_place_and_numbers_do_not_count():
    a = normalise("Greater Manchester Police should audit DASH completion by March 2021.",
                  ["Greater Manchester Police"], "Bolton")
    b = normalise("That Kent Police audit DASH completion within six months.", ["Kent Police"],
                  "Medway")
    c = normalise("It is recommended that the Bolton Community Safety Partnership (GMP) audit "
                  "DASH completion (recommendation 15.2.1).", [], "Bolton")
    assert a == b == c
    assert "audit" in a and "dashrisk" in a


def test_same_change_in_other_words_is_closer_than_another_change():
    g = Grouper(threshold=0.2, merge_threshold=0.09)
    items = [("1", "r1", features(normalise(
                 "Kent Police should audit a sample of domestic abuse incidents each quarter to "
                 "check the DASH risk assessment was completed.", ["Kent Police"]))),
             ("2", "r2", features(normalise(
                 "That Essex Police carry out a quarterly audit of DASH risk assessment "
                 "completion at domestic abuse incidents.", ["Essex Police"]))),
             ("3", "r3", features(normalise(
                 "GP practices in Leeds should use professional interpreters and never family "
                 "members.", ["GP practices in Leeds"])))]
    groups = group_items(g, items)
    assert groups[0] == groups[1] != groups[2]


def test_assignment_is_deterministic():
    reviews = family_reviews(12, split="dev", seed=4)
    items = [(f"{rv.review_key}/{j}", rv.review_key, features(normalise(r.text, [r.owner],
                                                                         rv.area)))
             for rv in reviews for j, r in enumerate(rv.recommendations)]
    assert group_items(Grouper(), items) == group_items(Grouper(), items)


def test_splits_never_share_a_wording_and_cover_every_family():
    banks = {split: wordings(split) for split in ("train", "dev", "heldout")}
    for split, bank in banks.items():
        assert set(bank) == set(families(split)), split
        assert all(len(v) >= 3 for v in bank.values()), split
    assert set(families("heldout")) < set(families("dev")) == set(families("train")), \
        "near-miss families are worded in train and dev only"
    sentences = {split: {w for v in bank.values() for w in v} for split, bank in banks.items()}
    assert not sentences["train"] & sentences["dev"]
    assert not sentences["train"] & sentences["heldout"]
    assert not sentences["dev"] & sentences["heldout"]


def test_generated_truth_names_families_and_one_offs():
    reviews = family_reviews(30, split="train", seed=9)
    fams = [r.family for rv in reviews for r in rv.recommendations]
    counted = {f: fams.count(f) for f in set(fams) if f is not None}
    assert counted and all(n >= 2 for n in counted.values()), "a family in the truth recurs"
    keys = {rv.review_key for rv in reviews}
    assert len(keys) == len(reviews)
    owners = {r.owner for rv in reviews for r in rv.recommendations}
    assert len(owners) > 20, "many different owners"
    assert family_reviews(30, split="train", seed=9)[3].recommendations[0].text == \
        reviews[3].recommendations[0].text


def test_pairwise_measure_fails_a_bad_grouping():
    truth = ["a", "a", "a", "b", "b", None, None]
    assert pairwise_scores(truth, ["1", "1", "1", "2", "2", "3", "4"]) == {
        "precision": 1.0, "recall": 1.0, "pairs_true": 4.0, "pairs_predicted": 4.0}
    lumped = pairwise_scores(truth, ["x"] * 7)
    assert lumped["recall"] == 1.0 and lumped["precision"] < 0.25
    split = pairwise_scores(truth, [str(i) for i in range(7)])
    assert split["recall"] == 0.0
    one_off_joined = pairwise_scores(truth, ["1", "1", "1", "2", "2", "2", "5"])
    assert one_off_joined["precision"] < 1.0 and one_off_joined["recall"] == 1.0
