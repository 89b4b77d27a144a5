"""Corrections by people (issue 19): an editor of the review's CSP, or an admin, corrects a
review's field or a recommendation; the correction is kept apart from extraction, wins over
``dhr index --rebuild`` and a re-extraction by a new extractor version until removed, shows in
searches and facet counts at once, and is listed when a re-extraction disagrees with it.

Every test runs on both tracker databases (SQLite, PostgreSQL) and both search backends
(embedded SQLite FTS5, a real Elasticsearch node), with real text reports extracted by the real
extractor. The reports are synthetic: they say so, and describe no real person.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from accountability.accounts import create_token, revoke_token
from accountability.db import read_session, write_session
from accountability.models import ApiToken, Correction, ReviewRecommendation, ReviewRow
from dhr.search import open_backend
from dhr.search.base import DocumentRequest, RecommendationRequest
from dhr.store import CorpusStore
from orchestration.cli import cli
from orchestration.pipeline import index_pending, ingest_paths, rebuild_index
from orchestration.tracker_cli import sync_after_ingest
from tests.conftest import _drop_es, make_config

from .conftest import bearer
from .helpers import audit_entries, snapshot

OVERVIEW = """Bolton Community Safety Partnership

Domestic Homicide Review

Overview Report into the death of Robin

This report is synthetic: it was generated for testing and describes no real person.

1. Introduction

1.1 This review examines the contact agencies had with Robin, a resident of Bolton, before Robin \
died in March 2020.

1.2 Robin was killed by her partner. There was a history of coercive control.

2. Recommendations

Recommendation 1: Greater Manchester Police to review how officers record coercive control at \
domestic abuse incidents and brief all response teams.

Recommendation 2: Bolton Council to audit its housing referrals for victims of domestic abuse.
"""
SUMMARY = OVERVIEW.replace("Overview Report", "Executive Summary")


@dataclass
class Stack:
    cfg: object
    backend: object
    client: object
    overview: str
    summary: str
    data_dir: Path

    def store(self) -> CorpusStore:
        return CorpusStore(self.data_dir)

    def stored(self, doc_id: str):
        store = self.store()
        try:
            return store.get_document(doc_id)
        finally:
            store.close()

    def facet(self, name: str) -> dict[str, int]:
        resp = self.backend.search(DocumentRequest(page_size=1))
        return {f["value"]: f["count"] for f in resp.facets.get(name, [])}

    def rec_facet(self, name: str) -> dict[str, int]:
        resp = self.backend.search_recommendations(RecommendationRequest(page_size=1))
        return {f["value"]: f["count"] for f in resp.facets.get(name, [])}


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch",
                                                marks=pytest.mark.elasticsearch)])
def stack(request, tmp_path, db_url, engine):
    es_url = request.getfixturevalue("es_url") if request.param == "elasticsearch" else None
    cfg = make_config(tmp_path, request.param, es_url, tracker={"database_url": db_url})
    files = tmp_path / "files"
    files.mkdir()
    (files / "overview.txt").write_text(OVERVIEW, encoding="utf-8")
    (files / "summary.txt").write_text(SUMMARY, encoding="utf-8")
    backend = open_backend(cfg)
    done = ingest_paths(cfg, [files], backend=backend)
    assert done["ingested"] == 2 and done["failed"] == 0, done
    sync_after_ingest(cfg)
    store = CorpusStore(cfg.data_dir)
    docs = {d.doc_type: d.id for d in store.documents()}
    store.close()
    from search_api.app import create_app

    app = create_app(cfg, backend=backend, tracker_engine=engine)
    app.config["TESTING"] = False
    yield Stack(cfg, backend, app.test_client(), docs["overview_report"],
                docs["executive_summary"], Path(cfg.data_dir))
    backend.close()
    if request.param == "elasticsearch":
        _drop_es(cfg)


def correct(stack: Stack, token: str | None, body: dict, doc_id: str | None = None):
    headers = bearer(token) if token else {}
    return stack.client.post(f"/api/v1/documents/{doc_id or stack.overview}/corrections",
                             json=body, headers=headers)


AREA = {"field": "review_type", "value": "adult_family",
        "reason": "The perpetrator was the victim's adult son, not a partner"}


def test_a_csp_editor_corrects_a_review_everywhere_at_once(stack, world, engine):
    before = stack.facet("review_type")
    assert before.get("intimate_partner") == 2 and "adult_family" not in before
    resp = correct(stack, world.tokens["csp"], AREA)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert (body["field"], body["value"], body["old_value"]) == ("review_type", "adult_family",
                                                                 "intimate_partner")
    assert body["organisation"] == {"id": "bolton-csp", "name": body["organisation"]["name"]}
    # Both documents of the review, in the store and in the index, facet counts included.
    for doc_id in (stack.overview, stack.summary):
        assert stack.stored(doc_id).review.review_type == "adult_family"
        assert stack.backend.get_document(doc_id)["review"]["review_type"] == "adult_family"
    after = stack.facet("review_type")
    assert after.get("adult_family") == 2 and "intimate_partner" not in after
    filtered = stack.backend.search(DocumentRequest(filters={"review_type": ["adult_family"]}))
    assert filtered.total == 2
    # The document page says who corrected it, when and why, next to the value.
    page = html.unescape(stack.client.get(f"/documents/{stack.overview}").get_data(as_text=True))
    org_name = body["organisation"]["name"]
    assert f"Corrected by {org_name} on {body['created_at'][:10]}: {AREA['reason']}" in page
    # The public API shows the corrected value and its provenance, never the value replaced.
    public = stack.client.get(f"/api/v1/documents/{stack.overview}").get_json()
    assert public["review"]["review_type"] == "adult_family"
    shown = public["provenance"]["corrections"][0]
    assert shown["reason"] == AREA["reason"] and "replaced" not in shown
    assert "intimate_partner" not in json.dumps(public["provenance"])
    entries = audit_entries(engine, "correction.create")
    assert len(entries) == 1 and json.loads(entries[0].detail)["new"] == "adult_family"


def test_only_those_who_may_correct_and_oversight_see_the_replaced_value(stack, world):
    """The list of a review's corrections says what, when, why and which organisation to
    everyone; the value replaced and the account that made it only to those who may correct the
    review (its CSP's editors, admins) and oversight, not to any other token holder."""
    assert correct(stack, world.tokens["csp"], AREA).status_code == 201
    path = f"/api/v1/documents/{stack.overview}/corrections"
    for who, full in [(None, False), ("read", False), ("gmp", False), ("home_office", False),
                      ("gmp_admin", False), ("csp", True), ("admin", True),
                      ("oversight", True)]:
        headers = bearer(world.tokens[who]) if who else {}
        [row] = stack.client.get(path, headers=headers).get_json()["corrections"]
        assert row["reason"] == AREA["reason"], who
        assert ("old_value" in row) is full and ("by" in row) is full, who
        if full:
            assert (row["old_value"], row["by"]) == ("intimate_partner",
                                                     "csp-editor@example.org"), who


def test_a_correction_survives_rebuild_and_a_new_extractor_version(stack, world, engine):
    assert correct(stack, world.tokens["csp"], AREA).status_code == 201
    assert correct(stack, world.tokens["admin"], {
        "field": "themes", "value": ["housing", "risk_assessment"],
        "reason": "Risk assessment is the review's main finding"}).status_code == 201
    # dhr index --rebuild (from the store, no re-extraction)
    assert rebuild_index(stack.cfg, stack.backend)["failed"] == 0
    assert stack.facet("review_type").get("adult_family") == 2
    assert stack.facet("theme").get("risk_assessment") == 2
    # A new extractor version: the stored files were extracted by an older one, so the
    # current extractor extracts them again (real extraction of the stored files).
    store = stack.store()
    with store._tx() as db:
        db.execute("UPDATE documents SET extractor_version='0.9.0'")
        db.execute("UPDATE files SET extractor_version='0.9.0'")
    store.close()
    done = ingest_paths(stack.cfg, [], backend=stack.backend)
    assert done["ingested"] == 2, done
    from ingest.extract import EXTRACTOR_VERSION

    for doc_id in (stack.overview, stack.summary):
        doc = stack.stored(doc_id)
        assert doc.extractor_version == EXTRACTOR_VERSION
        assert doc.review.review_type == "adult_family"
        assert {t.id for t in doc.themes} == {"housing", "risk_assessment"}
        assert stack.backend.get_document(doc_id)["review"]["review_type"] == "adult_family"
    assert stack.facet("review_type") == {"adult_family": 2}
    assert rebuild_index(stack.cfg, stack.backend)["failed"] == 0
    assert stack.facet("review_type") == {"adult_family": 2}
    # The extraction still says intimate_partner, as when corrected: no disagreement to list.
    result = CliRunner().invoke(cli, ["corrections", "review", "--json", "--config",
                                      str(_config_file(stack))])
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.output.splitlines() if line.strip()] == []


def _config_file(stack: Stack) -> Path:
    path = stack.data_dir.parent / "config.yaml"
    raw = {"storage": {"data_dir": str(stack.data_dir)},
           "tracker": {"database_url": stack.cfg.tracker_database_url},
           "search": {"backend": stack.cfg.search.backend}}
    if stack.cfg.search.backend == "elasticsearch":
        raw["search"]["elasticsearch"] = {
            "url": stack.cfg.search.elasticsearch.urls[0],
            "index_prefix": stack.cfg.search.elasticsearch.index_prefix}
    import yaml

    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_a_re_extraction_that_disagrees_is_listed_for_a_person(stack, world, tmp_path):
    assert correct(stack, world.tokens["csp"], {
        "field": "death_type", "value": "homicide_suicide",
        "reason": "The perpetrator took his own life two days later"}).status_code == 201
    # A better extractor now reads the same file as saying homicide_suicide too: the
    # correction may no longer be needed. (The new extractor is the same text re-extracted
    # with the sentence it now understands added to the stored file's text.)
    store = stack.store()
    doc = store.get_document(stack.overview)
    from dhr import corrections as core
    from ingest.resync import MergeState, store_merged

    raw = core.strip(doc.to_json_dict())
    raw["review"]["death_type"] = "homicide_suicide"
    raw["extractor_version"] = "9.0.0"
    raw["provenance"].pop("corrections", None)
    new = type(doc).from_json_dict(raw)
    state = MergeState(store)
    store_merged(store, state, new)  # what extraction does with a freshly extracted Document
    state.close()
    store.close()
    index_pending(CorpusStore(stack.data_dir), stack.backend)
    result = CliRunner().invoke(cli, ["corrections", "review", "--json", "--config",
                                      str(_config_file(stack))])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert [(r["field"], r["kind"], r["document"]) for r in rows] == [
        ("death_type", "extraction_agrees", stack.overview)]
    api = stack.client.get("/api/v1/corrections/disagreements",
                           headers=bearer(world.tokens["admin"]))
    assert api.status_code == 200 and api.get_json()["total"] == 1
    assert stack.client.get("/api/v1/corrections/disagreements",
                            headers=bearer(world.tokens["csp"])).status_code == 403


@pytest.mark.parametrize("who,status", [("gmp", 403), ("home_office", 403), ("read", 403),
                                        (None, 401)])
def test_refusals_change_nothing(stack, world, engine, who, status):
    tables = snapshot(engine)
    facets = stack.facet("review_type")
    stored = stack.stored(stack.overview)
    resp = correct(stack, world.tokens[who] if who else None, AREA)
    assert resp.status_code == status, resp.get_json()
    assert snapshot(engine) == tables
    assert stack.facet("review_type") == facets
    assert stack.stored(stack.overview) == stored
    refused = audit_entries(engine, "request.refused")
    assert refused and json.loads(refused[-1].detail)["status"] == status


def test_revoked_and_expired_tokens_are_refused(stack, world, engine):
    token, _ = create_token(engine, "csp-editor@example.org", scope="write")
    token_id = token.split("_")[1]
    revoke_token(engine, token_id)
    assert correct(stack, token, AREA).status_code == 401
    token2, _ = create_token(engine, "csp-editor@example.org", scope="write")
    with write_session(engine) as s:
        s.execute(update(ApiToken).where(ApiToken.id == token2.split("_")[1])
                  .values(expires_at=datetime.now(UTC) - timedelta(days=1)))
    assert correct(stack, token2, AREA).status_code == 401
    with read_session(engine) as s:
        assert s.scalars(select(Correction)).all() == []


@pytest.mark.parametrize("body,field", [
    ({"field": "review_type", "value": "boyfriend", "reason": "x"}, "value"),
    ({"field": "colour", "value": "red", "reason": "x"}, "field"),
    ({"field": "date_of_death", "value": "March 2020", "reason": "x"}, "value"),
    ({"field": "abuse_types", "value": ["stalking", "shouting"], "reason": "x"}, "value"),
    ({"field": "victim.age", "value": 300, "reason": "x"}, "value"),
    ({"field": "area", "value": "Wigan"}, "reason"),
    ({"field": "review_type", "value": "intimate_partner", "reason": "same"}, "value"),
    ({"field": "area", "value": "Wigan", "reason": "x", "extra": 1}, "extra"),
])
def test_bad_values_are_a_400_that_names_the_field(stack, world, engine, body, field):
    tables = snapshot(engine)
    resp = correct(stack, world.tokens["admin"], body)
    assert resp.status_code == 400, resp.get_json()
    err = resp.get_json()["error"]
    assert err["field"] == field and err["message"]
    assert snapshot(engine) == tables


def test_removing_a_correction_restores_extraction_and_is_audited(stack, world, engine):
    made = correct(stack, world.tokens["csp"], AREA).get_json()
    other = stack.client.post(f"/api/v1/corrections/{made['id']}/remove",
                              json={"reason": "wrong review"}, headers=bearer(world.tokens["gmp"]))
    assert other.status_code == 403
    resp = stack.client.post(f"/api/v1/corrections/{made['id']}/remove",
                             json={"reason": "The panel confirmed the partner relationship"},
                             headers=bearer(world.tokens["admin"]))
    assert resp.status_code == 200 and resp.get_json()["active"] is False
    assert stack.stored(stack.overview).review.review_type == "intimate_partner"
    assert "corrections" not in stack.stored(stack.overview).provenance
    assert stack.facet("review_type") == {"intimate_partner": 2}
    assert rebuild_index(stack.cfg, stack.backend)["failed"] == 0
    assert stack.facet("review_type") == {"intimate_partner": 2}
    assert [json.loads(e.detail)["reason"] for e in audit_entries(engine, "correction.remove")] \
        == ["The panel confirmed the partner relationship"]
    listed = stack.client.get(f"/api/v1/documents/{stack.overview}/corrections").get_json()
    assert [(c["id"], c["active"]) for c in listed["corrections"]] == [(made["id"], False)]
    assert "old_value" not in listed["corrections"][0]  # the public see what, who, when, why


def test_an_area_correction_moves_the_review_and_its_csp(stack, world, engine):
    resp = correct(stack, world.tokens["admin"], {"field": "area", "value": "Wigan",
                                                  "reason": "The report is Wigan's"})
    assert resp.status_code == 201, resp.get_json()
    doc = stack.stored(stack.overview)
    assert doc.review.area == "Wigan" and doc.review_key.startswith("wigan|")
    assert stack.facet("area") == {"Wigan": 2}
    with read_session(engine) as s:
        row = s.get(ReviewRow, doc.review_key)
        assert row is not None and row.csp_organisation_id == "wigan-csp"
        recs = list(s.scalars(select(ReviewRecommendation).where(
            ReviewRecommendation.review_key == doc.review_key)))
    assert len(recs) == 2  # the recommendations (and their history) followed the review
    # The Bolton CSP editor is no longer the review's CSP editor.
    assert correct(stack, world.tokens["csp"], AREA).status_code == 403


def test_a_recommendation_correction_survives_sync_and_re_extraction(stack, world, engine):
    with read_session(engine) as s:
        rec = s.scalars(select(ReviewRecommendation).where(
            ReviewRecommendation.text.like("%housing referrals%"))).one()
    url = f"/api/v1/review-recommendations/{rec.id}/corrections"
    gmp = stack.client.post(url, json={"field": "scope", "value": "local", "reason": "x"},
                            headers=bearer(world.tokens["gmp"]))
    assert gmp.status_code == 403
    bad = stack.client.post(url, json={"field": "owners", "value": ["no-such-org"],
                                       "reason": "x"}, headers=bearer(world.tokens["csp"]))
    assert bad.status_code == 400 and "no-such-org" in bad.get_json()["error"]["message"]
    for body in ({"field": "owners", "value": ["bolton-csp"],
                  "reason": "The council's housing service owns it"},
                 {"field": "scope", "value": "regional",
                  "reason": "All ten Greater Manchester boroughs"},
                 {"field": "text", "value": "Bolton Council to audit its housing referrals for "
                  "victims of domestic abuse within six months.",
                  "reason": "The action plan's wording"}):
        resp = stack.client.post(url, json=body, headers=bearer(world.tokens["csp"]))
        assert resp.status_code == 201, resp.get_json()
    store = stack.store()
    with store._tx() as db:
        db.execute("UPDATE documents SET extractor_version='0.9.0'")
        db.execute("UPDATE files SET extractor_version='0.9.0'")
    store.close()
    assert ingest_paths(stack.cfg, [], backend=stack.backend)["ingested"] == 2
    summary = sync_after_ingest(stack.cfg)
    assert summary.get("flagged", 0) == 0, summary
    with read_session(engine) as s:
        again = s.get(ReviewRecommendation, rec.id)
        assert again.state == "current"
        assert again.text.endswith("within six months.")
        assert again.scope == "regional"
        assert [o.organisation_id for o in again.owners] == ["bolton-csp"]
    detail = stack.client.get(f"/api/v1/review-recommendations/{rec.id}").get_json()
    assert detail["text"].endswith("within six months.")


def test_the_web_form_corrects_a_review_with_a_csrf_token(stack, world, engine):
    from .helpers import sign_in

    client = stack.client
    before = stack.facet("abuse_type")
    assert "stalking" not in before
    doc_page = client.get(f"/documents/{stack.overview}").get_data(as_text=True)
    assert f"/documents/{stack.overview}/corrections" in doc_page  # reached from the page
    assert client.get(f"/documents/{stack.overview}/corrections").status_code == 401
    assert sign_in(client, "gmp-editor@example.org").status_code == 303
    assert client.get(f"/documents/{stack.overview}/corrections").status_code == 403
    client.post("/sign-out", data={"csrf_token": re.search(
        r'name="csrf_token" value="([^"]+)"',
        client.get("/sign-out").get_data(as_text=True))[1]})
    assert sign_in(client, "csp-editor@example.org").status_code == 303
    page = client.get(f"/documents/{stack.overview}/corrections")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
    form = {"field": "abuse_types", "value": "coercive_control, stalking",
            "reason": "The report describes stalking after separation"}
    tables = snapshot(engine)
    assert client.post(f"/documents/{stack.overview}/corrections", data=form).status_code == 403
    assert snapshot(engine) == tables  # without the form's CSRF token nothing changes
    bad = client.post(f"/documents/{stack.overview}/corrections",
                      data={**form, "value": "stalking, shouting", "csrf_token": token})
    assert bad.status_code == 400 and "'shouting' is not a valid abuse type id" in html.unescape(
        bad.get_data(as_text=True))
    ok = client.post(f"/documents/{stack.overview}/corrections", data={**form,
                                                                      "csrf_token": token})
    assert ok.status_code == 200 and "Your correction was saved" in ok.get_data(as_text=True)
    assert stack.stored(stack.summary).review.abuse_types == ["coercive_control", "stalking"]
    assert stack.facet("abuse_type") == {"coercive_control": 2, "stalking": 2}
    with read_session(engine) as s:
        made = s.scalars(select(Correction)).one()
    removed = client.post(f"/corrections/{made.id}/remove", data={
        "csrf_token": token, "reason": "Entered on the wrong review",
        "back": f"/documents/{stack.overview}/corrections"})
    assert removed.status_code == 303
    assert stack.facet("abuse_type") == before


def test_a_document_that_joins_a_corrected_review_later_gets_its_corrections(stack, world):
    assert correct(stack, world.tokens["csp"], AREA).status_code == 201
    later = stack.data_dir.parent / "later"
    later.mkdir()
    (later / "letter.txt").write_text(OVERVIEW.replace("Overview Report", "Learning Brief"),
                                      encoding="utf-8")
    assert ingest_paths(stack.cfg, [later], backend=stack.backend)["ingested"] == 1
    summary = sync_after_ingest(stack.cfg)  # what dhr ingest and dhr nightly run next
    assert summary["corrected_documents"] == 1
    assert stack.facet("review_type") == {"adult_family": 3}


def test_the_web_form_corrects_a_recommendation(client, world, engine):
    from .helpers import sign_in

    rec = world.recs["2"]  # owned by the Home Office, in a review whose CSP is Bolton's
    assert sign_in(client, "ho-editor@example.org").status_code == 303
    assert client.get(f"/recommendations/{rec}/correct").status_code == 403  # an owner, not the CSP
    client = client.application.test_client()
    assert sign_in(client, "csp-editor@example.org").status_code == 303
    page = client.get(f"/recommendations/{rec}/correct")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
    bad = client.post(f"/recommendations/{rec}/correct", data={
        "csrf_token": token, "field": "scope", "value": "global", "reason": "x"})
    assert bad.status_code == 400 and "scope must be one of" in bad.get_data(as_text=True)
    ok = client.post(f"/recommendations/{rec}/correct", data={
        "csrf_token": token, "field": "owners", "value": "home-office, dhsc",
        "reason": "The action plan names both departments"})
    assert ok.status_code == 200, ok.get_data(as_text=True)[:2000]
    with read_session(engine) as s:
        owners = [o.organisation_id for o in s.get(ReviewRecommendation, rec).owners]
    assert owners == ["home-office", "dhsc"]
    assert [json.loads(e.detail)["field"] for e in audit_entries(engine, "correction.create")] \
        == ["owners"]


HOUSING = "Bolton Council to audit its housing referrals for victims of domestic abuse."
REWORDED = ("Bolton Council to audit its housing referrals for victims of domestic abuse within "
            "six months.")
REC_CORRECTIONS = (
    {"field": "owners", "value": ["bolton-csp"], "reason": "The partnership owns the action"},
    {"field": "scope", "value": "regional", "reason": "All ten Greater Manchester boroughs"},
    {"field": "text", "value": REWORDED, "reason": "The action plan's wording"},
)


def _entries(stack: Stack, doc_id: str, text: str) -> list:
    return [r for r in stack.stored(doc_id).recommendations if r.text == text]


def _regional(stack: Stack) -> list[dict]:
    return stack.backend.search_recommendations(RecommendationRequest(
        filters={"scope": ["regional"]})).results


def test_a_recommendation_correction_reaches_the_documents_and_the_index_at_once(
        stack, world, engine):
    with read_session(engine) as s:
        rec = s.scalars(select(ReviewRecommendation).where(
            ReviewRecommendation.text == HOUSING)).one()
        printed = sorted(a.document_id for a in rec.appearances)
    assert printed == sorted([stack.overview, stack.summary])
    extracted = {d: stack.stored(d) for d in printed}
    scope_before, agency_before = stack.rec_facet("scope"), stack.rec_facet("agency")
    assert "regional" not in scope_before and not _regional(stack)
    assert "community_safety_partnership" not in agency_before
    url = f"/api/v1/review-recommendations/{rec.id}/corrections"
    made = []
    for body in REC_CORRECTIONS:
        resp = stack.client.post(url, json=body, headers=bearer(world.tokens["csp"]))
        assert resp.status_code == 201, resp.get_json()
        made.append(resp.get_json()["id"])
    # Every stored document that prints it carries the corrected entry (contract 2a fields);
    # the other recommendation is untouched.
    for doc_id in printed:
        [entry] = _entries(stack, doc_id, REWORDED)
        assert entry.scope == "regional"
        assert entry.organisation is not None and entry.organisation.id == "bolton-csp"
        assert [o.id for o in entry.organisations] == ["bolton-csp"]
        assert (entry.owner_source, entry.agency) == ("correction", "community_safety_partnership")
        assert _entries(stack, doc_id, HOUSING) == []
        other = [r for r in extracted[doc_id].recommendations if r.text != HOUSING]
        assert [r for r in stack.stored(doc_id).recommendations if r.text != REWORDED] == other
    # The index at once: facet counts, filters and words, on the API and the explorer.
    scope_after = stack.rec_facet("scope")
    assert scope_after["regional"] == 2 and sum(scope_after.values()) == sum(scope_before.values())
    assert stack.rec_facet("agency")["community_safety_partnership"] == 2
    assert sorted((r["document_id"], r["text"]) for r in _regional(stack)) == [
        (d, REWORDED) for d in printed]
    api = stack.client.get("/api/v1/recommendations?scope=regional").get_json()
    assert api["total"] == 2 and {r["agency"] for r in api["results"]} == {
        "community_safety_partnership"}
    assert {f["value"]: f["count"] for f in api["facets"]["scope"]}["regional"] == 2
    words = stack.client.get('/api/v1/recommendations?q="within six months"').get_json()
    assert words["total"] == 2
    page = html.unescape(stack.client.get("/recommendations?scope=regional").get_data(
        as_text=True))
    assert REWORDED in page
    # The public Document shows who corrected it and why, never what was replaced.
    public = stack.client.get(f"/api/v1/documents/{stack.overview}").get_json()
    shown = {c["field"]: c for c in public["provenance"]["corrections"]}
    assert shown["recommendation.scope"]["reason"] == REC_CORRECTIONS[1]["reason"]
    assert not {"target", "replaced", "underlying"} & {k for c in shown.values() for k in c}
    # dhr index --rebuild, then a new extractor version (real re-extraction) and the sync.
    assert rebuild_index(stack.cfg, stack.backend)["failed"] == 0
    assert stack.rec_facet("scope") == scope_after and len(_regional(stack)) == 2
    store = stack.store()
    with store._tx() as db:
        db.execute("UPDATE documents SET extractor_version='0.9.0'")
        db.execute("UPDATE files SET extractor_version='0.9.0'")
    store.close()
    assert ingest_paths(stack.cfg, [], backend=stack.backend)["ingested"] == 2
    summary = sync_after_ingest(stack.cfg)
    assert summary.get("flagged", 0) == 0, summary
    from ingest.extract import EXTRACTOR_VERSION

    for doc_id in printed:
        assert stack.stored(doc_id).extractor_version == EXTRACTOR_VERSION
        [entry] = _entries(stack, doc_id, REWORDED)
        assert (entry.scope, entry.owner_source) == ("regional", "correction")
    assert stack.rec_facet("scope") == scope_after and len(_regional(stack)) == 2
    with read_session(engine) as s:  # the tracker still compares extraction with extraction
        assert [a.text for a in s.get(ReviewRecommendation, rec.id).appearances] == [HOUSING] * 2
    # Removing the corrections restores the extracted entries exactly, in the store and index.
    for cid in made:
        resp = stack.client.post(f"/api/v1/corrections/{cid}/remove",
                                 json={"reason": "Entered on the wrong recommendation"},
                                 headers=bearer(world.tokens["admin"]))
        assert resp.status_code == 200, resp.get_json()
    for doc_id in printed:
        again = stack.stored(doc_id)
        assert again.recommendations == extracted[doc_id].recommendations
        assert "corrections" not in again.provenance
    assert stack.rec_facet("scope") == scope_before and not _regional(stack)
    assert stack.rec_facet("agency") == agency_before
    assert stack.client.get('/api/v1/recommendations?q="within six months"').get_json()[
        "total"] == 0
    with read_session(engine) as s:
        assert s.get(ReviewRecommendation, rec.id).text == HOUSING


def test_a_recommendation_correction_follows_a_re_extraction_that_rewords_it(stack, world,
                                                                             engine):
    with read_session(engine) as s:
        rec = s.scalars(select(ReviewRecommendation).where(
            ReviewRecommendation.text == HOUSING)).one()
    resp = stack.client.post(f"/api/v1/review-recommendations/{rec.id}/corrections",
                             json=REC_CORRECTIONS[1], headers=bearer(world.tokens["csp"]))
    assert resp.status_code == 201, resp.get_json()
    assert len(_regional(stack)) == 2
    # A new extractor reads the overview report's recommendation with other words: the stored
    # Document alone no longer names it clearly (the correction is kept, laid over nothing) ...
    reworded = ("Bolton Council to audit all of its housing referrals for domestic abuse "
                "victims within the year.")
    store = stack.store()
    from dhr import corrections as core
    from ingest.resync import MergeState, store_merged

    raw = core.strip(store.get_document(stack.overview).to_json_dict())
    [entry] = [r for r in raw["recommendations"] if r["text"] == HOUSING]
    entry["text"] = reworded
    raw["extractor_version"] = "9.0.0"
    raw["provenance"].pop("corrections", None)
    state = MergeState(store)
    stored = store_merged(store, state, type(store.get_document(stack.overview))
                          .from_json_dict(raw))
    state.close()
    store.close()
    assert [r.scope for r in stored.recommendations if r.text == reworded] != ["regional"]
    index_pending(CorpusStore(stack.data_dir), stack.backend)
    listed = stack.client.get("/api/v1/corrections/disagreements",
                              headers=bearer(world.tokens["admin"])).get_json()["disagreements"]
    assert [(d["kind"], d["document"]) for d in listed] == [("not_found", stack.overview)]
    # ... the tracker sync re-links it by number and wording, and the correction is laid over
    # the re-worded entry again, in the store and the index (what dhr ingest runs next).
    summary = sync_after_ingest(stack.cfg)
    assert summary.get("flagged", 0) == 0 and summary["corrected_documents"] == 1, summary
    [again] = [r for r in stack.stored(stack.overview).recommendations if r.text == reworded]
    assert again.scope == "regional"
    assert sorted(r["text"] for r in _regional(stack)) == sorted([HOUSING, reworded])
    assert stack.client.get("/api/v1/corrections/disagreements",
                            headers=bearer(world.tokens["admin"])).get_json()["total"] == 0
