"""Review recommendations from stored Documents: one per recommendation of a review, stable ids,
and re-extraction that never loses or moves tracking history."""

from __future__ import annotations

from sqlalchemy import select

from accountability.accounts import Principal
from accountability.db import read_session
from accountability.models import (
    ActionRow,
    Appearance,
    RelinkFlag,
    ReviewRecommendation,
    ReviewRow,
    Update,
)
from accountability.sync import sync_documents
from accountability.updates import UpdateInput, add_update

from .docs import GMP, HOME_OFFICE, RECS, doc_id, document

ADMIN = Principal(1, "admin@example.org", None, frozenset({("admin", "home-office")}))


def recs_of(engine, review_key: str) -> dict[str, ReviewRecommendation]:
    with read_session(engine) as s:
        return {r.number: r for r in s.scalars(select(ReviewRecommendation).where(
            ReviewRecommendation.review_key == review_key))}


def history(engine, rec_id: str) -> list[tuple[int, str | None, str | None]]:
    with read_session(engine) as s:
        return [(u.seq, u.status, u.note) for u in s.scalars(
            select(Update).where(Update.recommendation_id == rec_id).order_by(Update.seq))]


def open_flags(engine, review_key: str) -> list[RelinkFlag]:
    with read_session(engine) as s:
        return list(s.scalars(select(RelinkFlag).where(RelinkFlag.review_key == review_key,
                                                        RelinkFlag.resolved_at.is_(None))))


def test_a_recommendation_printed_in_several_documents_is_one_with_every_appearance(engine,
                                                                                    world):
    recs = recs_of(engine, "review-a")
    assert sorted(recs) == ["1", "2", "3"]
    with read_session(engine) as s:
        pages = sorted((a.document_id, a.page) for a in s.scalars(
            select(Appearance).where(Appearance.recommendation_id == recs["1"].id)))
    assert pages == sorted([(doc_id("overview"), 30), (doc_id("summary"), 30)])
    assert [o.organisation_id for o in recs["2"].owners] == ["home-office"]
    with read_session(engine) as s:
        assert s.get(ReviewRow, "review-a").csp_organisation_id == "bolton-csp"


def test_action_rows_link_to_their_recommendation_and_publish_a_first_update(engine, world):
    rec = recs_of(engine, "review-a")["1"]
    with read_session(engine) as s:
        rows = list(s.scalars(select(ActionRow).where(ActionRow.review_key == "review-a")))
        published = list(s.scalars(select(Update).where(Update.recommendation_id == rec.id)))
    assert [r.recommendation_id for r in rows] == [rec.id]
    assert [(u.source, u.status, u.document_id, u.public) for u in published] == [
        ("published", "in_progress", doc_id("plan"), True)]
    assert rec.status == "in_progress" and rec.target_date == "2021-06"


def test_ids_are_stable_and_a_second_sync_changes_nothing(engine, world):
    from .conftest import standard_review

    before = {n: r.id for n, r in recs_of(engine, "review-a").items()}
    summary = sync_documents(engine, standard_review())
    assert summary["reviews_unchanged"] == 1
    summary = sync_documents(engine, standard_review(), force=True)
    assert summary["created"] == 0 and summary["published_updates"] == 0
    assert {n: r.id for n, r in recs_of(engine, "review-a").items()} == before
    assert open_flags(engine, "review-a") == []


def _reextract(recs, version="2.0.0"):
    return [document("overview-v2", recs=recs, extractor_version=version),
            document("plan", doc_type="action_plan", recs=[], extractor_version=version)]


def test_reworded_recommendation_keeps_its_id_and_history(engine, world):
    rec = recs_of(engine, "review-a")["3"]
    add_update(engine, rec.id, ADMIN, UpdateInput(status="in_progress", note="audit begun",
                                                  public=True))
    reworded = [RECS[0], RECS[1],
                ("3", ("Greater Manchester Police should audit how repeat calls about domestic "
                      "abuse are handled, and report its findings to the partnership board."),
                 [GMP])]
    summary = sync_documents(engine, _reextract(reworded))
    assert summary["created"] == 0 and summary["reworded"] == 1
    after = recs_of(engine, "review-a")["3"]
    assert after.id == rec.id and after.text.startswith("Greater Manchester Police should audit")
    assert history(engine, rec.id) == [(1, "in_progress", "audit begun")]
    assert after.status == "in_progress" and after.state == "current"
    assert open_flags(engine, "review-a") == []


def test_renumbered_recommendation_with_the_same_words_keeps_its_id(engine, world):
    before = recs_of(engine, "review-a")
    renumbered = [("R1", RECS[0][1], RECS[0][2]), ("R2", RECS[1][1], RECS[1][2]),
                  ("R3", RECS[2][1], RECS[2][2])]
    sync_documents(engine, _reextract(renumbered))
    after = {r.text: r.id for r in recs_of(engine, "review-a").values()}
    assert after == {r.text: r.id for r in before.values()}


def test_a_dropped_recommendation_is_kept_with_its_history_and_flagged(engine, world):
    rec = recs_of(engine, "review-a")["3"]
    add_update(engine, rec.id, ADMIN, UpdateInput(status="completed", note="done", public=True))
    summary = sync_documents(engine, _reextract(RECS[:2]))
    assert summary["missing"] == 1 and summary["flagged"] == 1
    kept = recs_of(engine, "review-a")["3"]
    assert kept.id == rec.id and kept.state == "missing"
    assert history(engine, rec.id) == [(1, "completed", "done")]
    flags = open_flags(engine, "review-a")
    assert [(f.recommendation_id, f.kind) for f in flags] == [(rec.id, "missing")]
    # It comes back in a later extraction: same id, the flag is resolved.
    sync_documents(engine, _reextract(RECS, "3.0.0"))
    back = recs_of(engine, "review-a")["3"]
    assert back.id == rec.id and back.state == "current"
    assert open_flags(engine, "review-a") == []


def test_an_uncertain_match_is_never_guessed_but_flagged(engine, world):
    rec = recs_of(engine, "review-a")["3"]
    add_update(engine, rec.id, ADMIN, UpdateInput(status="in_progress", note="n", public=True))
    changed = [RECS[0], RECS[1],
               ("4", ("Greater Manchester Police to audit the handling of repeat calls and "
                     "report to the partnership each quarter with a new dashboard."), [GMP])]
    sync_documents(engine, _reextract(changed))
    recs = recs_of(engine, "review-a")
    assert recs["3"].id == rec.id and recs["3"].state == "missing"
    assert history(engine, rec.id) == [(1, "in_progress", "n")]
    assert history(engine, recs["4"].id) == []
    kinds = sorted((f.kind, f.recommendation_id, f.candidate_id)
                   for f in open_flags(engine, "review-a"))
    assert kinds == sorted([("missing", rec.id, recs["4"].id),
                            ("uncertain_match", recs["4"].id, rec.id)])


def test_numbering_that_restarts_per_agency_keeps_recommendations_apart(engine, world):
    recs = [("1", "Greater Manchester Police to train call handlers in coercive control.", [GMP]),
            ("1", "The Home Office to fund a national helpline for professionals.",
             [HOME_OFFICE])]
    sync_documents(engine, [document("restart", review_key="review-b", recs=recs)])
    with read_session(engine) as s:
        rows = list(s.scalars(select(ReviewRecommendation).where(
            ReviewRecommendation.review_key == "review-b")))
    assert len(rows) == 2 and len({r.id for r in rows}) == 2
    # Re-extraction swapping their order still links each to itself.
    ids = {r.text: r.id for r in rows}
    sync_documents(engine, [document("restart-v2", review_key="review-b",
                                     recs=list(reversed(recs)), extractor_version="2")])
    with read_session(engine) as s:
        again = {r.text: r.id for r in s.scalars(select(ReviewRecommendation).where(
            ReviewRecommendation.review_key == "review-b"))}
    assert again == ids
    assert open_flags(engine, "review-b") == []


def test_user_updates_outrank_a_republished_action_plan(engine, world):
    rec = recs_of(engine, "review-a")["1"]
    add_update(engine, rec.id, ADMIN, UpdateInput(status="completed", note="done", public=True))
    plan = document("plan-2024", doc_type="action_plan", recs=[], actions=[
        {"recommendation": "1", "action": "Revise the guidance", "status": "not_started"}])
    from .conftest import standard_review

    sync_documents(engine, [*standard_review(), plan])
    after = recs_of(engine, "review-a")["1"]
    assert after.status == "completed"
    assert [h[1] for h in history(engine, rec.id)] == ["in_progress", "completed", "not_started"]


# Numbers restart under each agency heading: three recommendations "1", none naming its agency.
RESTARTED = [
    ("1", "Ensure that support leaflets are available in easy read and other accessible formats.",
     []),
    ("1", "Agree a safe contact protocol with referrers so that referrals are not closed early.",
     []),
    ("1", "Greater Manchester Police to audit repeat call handling for domestic abuse.", [GMP]),
]


def _row(number: str, action: str, status: str | None, lead: dict | None = None) -> dict:
    return {"recommendation": number, "action": action, "lead": lead, "status": status,
            "target_date": "2021-06", "page": 1}


def test_rows_of_restarted_numbers_link_by_lead_then_text_then_the_row_before(engine, world):
    plan_rows = [
        _row("1", "Ensure that support leaflets are available in easy read formats.", "completed"),
        _row("1", "Agree a safe contact protocol with referrers.", "in_progress"),
        _row("1", "Brief staff on the revised procedure.", "not_started"),  # a further action
        _row("1", "Audit repeat call handling.", "in_progress",
             {"id": "greater-manchester-police", "name": "GMP"}),
    ]
    sync_documents(engine, [document("restart-overview", review_key="review-r", recs=RESTARTED),
                            document("restart-plan", review_key="review-r",
                                     doc_type="action_plan", recs=RESTARTED, actions=plan_rows)])
    with read_session(engine) as s:
        texts = {r.id: r.text for r in s.scalars(select(ReviewRecommendation).where(
            ReviewRecommendation.review_key == "review-r"))}
        rows = [(r.action, texts.get(r.recommendation_id)) for r in s.scalars(
            select(ActionRow).where(ActionRow.review_key == "review-r")
            .order_by(ActionRow.position))]
    assert len(texts) == 3
    assert rows == [(plan_rows[0]["action"], RESTARTED[0][1]),
                    (plan_rows[1]["action"], RESTARTED[1][1]),
                    (plan_rows[2]["action"], RESTARTED[1][1]),
                    (plan_rows[3]["action"], RESTARTED[2][1])]


def test_history_starts_with_the_action_plan_not_an_appendix_that_repeats_it(engine, world):
    appendix = [{**_row("1", "Revise the recording guidance", "not_started"), "page": 38}]
    plan = [_row("1", "Revise the recording guidance", "completed")]
    # Whatever the order of the documents' ids, the action plan document publishes first.
    for label in ("a-overview", "z-overview"):
        key = f"review-{label}"
        sync_documents(engine, [document(label, review_key=key, actions=appendix),
                                document(f"{label}-plan", review_key=key, doc_type="action_plan",
                                         actions=plan)])
        rec = recs_of(engine, key)["1"]
        with read_session(engine) as s:
            published = [(u.status, u.document_id) for u in s.scalars(
                select(Update).where(Update.recommendation_id == rec.id).order_by(Update.seq))]
        assert published == [("completed", doc_id(f"{label}-plan"))]
        assert rec.status == "completed"


def test_a_number_match_with_a_different_owner_is_flagged_not_relinked(engine, world):
    """Numbering restarts per agency and wording is formulaic: "1" of one agency must not take
    over the history (and the private notes) of "1" of another when an extraction finds only
    one of them. The police's history stays with the police's recommendation, for a person."""
    police = ("1", ("Greater Manchester Police should review its training on coercive control "
                    "for all frontline officers."), [GMP])
    home_office = ("1", ("The Home Office should review its guidance on coercive control for "
                         "all frontline agencies."), [HOME_OFFICE])
    sync_documents(engine, [document("only-police", review_key="review-c", recs=[police])])
    rec = recs_of(engine, "review-c")["1"]
    add_update(engine, rec.id, ADMIN, UpdateInput(status="in_progress", note="police only",
                                                  public=False))
    sync_documents(engine, [document("only-home-office", review_key="review-c",
                                     recs=[home_office], extractor_version="2")])
    with read_session(engine) as s:
        kept = s.get(ReviewRecommendation, rec.id)
        assert [o.organisation_id for o in kept.owners] == [GMP["id"]]
        assert kept.state == "missing"
        new = s.scalars(select(ReviewRecommendation).where(
            ReviewRecommendation.review_key == "review-c",
            ReviewRecommendation.id != rec.id)).one()
    assert [o.organisation_id for o in new.owners] == [HOME_OFFICE["id"]]
    assert history(engine, new.id) == []
    assert history(engine, rec.id) == [(1, "in_progress", "police only")]
    assert sorted(f.kind for f in open_flags(engine, "review-c")) == ["missing",
                                                                      "uncertain_match"]


def test_a_document_regrouped_under_another_review_key_takes_its_recommendation_and_history(
        engine, world):
    """A better extractor groups a lone document with its review: the recommendation it prints
    moves to the review's key with its history, and the document is listed once."""
    lone = document("lonely", review_key="lonely-doc-id", recs=RECS[:1])
    sync_documents(engine, [lone])
    rec = recs_of(engine, "lonely-doc-id")["1"]
    add_update(engine, rec.id, ADMIN, UpdateInput(status="in_progress", note="begun",
                                                  public=True))
    summary = sync_documents(engine, [document("lonely", review_key="review-z", recs=RECS[:1],
                                               extractor_version="2.0.0")])
    assert summary["created"] == 0 and summary["moved"] == 1
    assert recs_of(engine, "lonely-doc-id") == {}
    moved = recs_of(engine, "review-z")["1"]
    assert moved.id == rec.id and moved.state == "current" and moved.status == "in_progress"
    assert history(engine, rec.id) == [(1, "in_progress", "begun")]
    with read_session(engine) as s:
        listed = [(a.recommendation_id, a.extractor_version) for a in s.scalars(
            select(Appearance).where(Appearance.document_id == doc_id("lonely")))]
    assert listed == [(rec.id, "2.0.0")]
    assert open_flags(engine, "review-z") == [] and open_flags(engine, "lonely-doc-id") == []


def test_a_regrouped_recommendation_that_cannot_be_matched_keeps_its_history_and_is_flagged(
        engine, world):
    lone = document("lonely", review_key="lonely-doc-id", recs=RECS[2:3])
    sync_documents(engine, [lone])
    rec = recs_of(engine, "lonely-doc-id")["3"]
    add_update(engine, rec.id, ADMIN, UpdateInput(status="completed", note="done", public=True))
    changed = [("4", ("Greater Manchester Police to audit the handling of repeat calls and "
                      "report to the partnership each quarter with a new dashboard."), [GMP])]
    sync_documents(engine, [document("lonely", review_key="review-z", recs=changed,
                                     extractor_version="2.0.0")])
    kept = recs_of(engine, "lonely-doc-id")["3"]
    new = recs_of(engine, "review-z")["4"]
    assert kept.id == rec.id and kept.state == "missing"
    assert history(engine, rec.id) == [(1, "completed", "done")]
    assert history(engine, new.id) == []
    with read_session(engine) as s:
        listed = [a.recommendation_id for a in s.scalars(
            select(Appearance).where(Appearance.document_id == doc_id("lonely")))]
    assert listed == [new.id]
    flags = open_flags(engine, "lonely-doc-id") + open_flags(engine, "review-z")
    assert sorted((f.kind, f.recommendation_id, f.candidate_id) for f in flags) == sorted(
        [("missing", rec.id, new.id), ("uncertain_match", new.id, rec.id)])


def test_a_review_key_printed_by_no_current_document_is_flagged_by_the_store_sync(
        tmp_path, cfg, engine, world):
    """Two documents of one review are regrouped under two different reviews: neither new
    review can claim the recommendation both printed, so the store sync (which sees every
    current Document) flags it, its history kept, rather than leave it current."""
    from accountability.sync import sync_store

    from .test_pipeline import store_documents

    old = [document("split-a", review_key="review-old", recs=RECS[:1]),
           document("split-b", review_key="review-old", doc_type="executive_summary",
                    recs=RECS[:1])]
    store_documents(cfg.data_dir, old)
    sync_store(engine, cfg.data_dir)
    rec = recs_of(engine, "review-old")["1"]
    add_update(engine, rec.id, ADMIN, UpdateInput(status="in_progress", note="kept",
                                                  public=True))
    store_documents(cfg.data_dir, [
        document("split-a", review_key="review-x", recs=RECS[:1], extractor_version="2"),
        document("split-b", review_key="review-y", doc_type="executive_summary",
                 recs=RECS[:1], extractor_version="2")])
    summary = sync_store(engine, cfg.data_dir)
    assert summary["missing"] == 1 and summary["flagged"] == 1
    kept = recs_of(engine, "review-old")["1"]
    assert kept.id == rec.id and kept.state == "missing"
    assert history(engine, rec.id) == [(1, "in_progress", "kept")]
    assert [(f.kind, f.recommendation_id) for f in open_flags(engine, "review-old")] == [
        ("missing", rec.id)]
    with read_session(engine) as s:
        assert list(s.scalars(select(Appearance).where(
            Appearance.recommendation_id == rec.id))) == []
    # Nothing changed: the next store sync writes nothing and flags nothing twice.
    again = sync_store(engine, cfg.data_dir)
    assert again["reviews_changed"] == [] and again.get("missing", 0) == 0
    assert len(open_flags(engine, "review-old")) == 1
