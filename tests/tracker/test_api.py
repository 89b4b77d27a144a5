"""The tracker API: organisations, review recommendations (list, filters, one), and adding
updates; private notes never reach anyone who may not read them."""

from __future__ import annotations

import json

import pytest

from accountability.statuses import STATUSES
from accountability.sync import sync_documents

from .conftest import bearer
from .docs import GMP, document
from .helpers import audit_entries, detail

PRIVATE = "PRIVATE-NOTE-7f3a: internal staffing detail"
PUBLIC = "Public progress note: guidance revised"


def post(client, rec_id, body, token):
    return client.post(f"/api/v1/review-recommendations/{rec_id}/updates", json=body,
                       headers=bearer(token))


def test_an_editor_of_an_owner_adds_an_update(client, world):
    rec = world.recs["1"]
    resp = post(client, rec, {"status": "completed", "note": PUBLIC, "public": True,
                              "evidence_url": "https://example.org/evidence.pdf"},
                world.tokens["gmp"])
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert (body["status"], body["note"], body["seq"]) == ("completed", PUBLIC, 2)
    assert body["organisation"]["id"] == "greater-manchester-police"
    assert resp.headers["Location"].endswith(rec)
    one = client.get(f"/api/v1/review-recommendations/{rec}").get_json()
    assert one["status"] == "completed" and one["overdue"] is False
    assert [h["source"] for h in one["history"]] == ["published", "user"]
    assert one["history"][1]["evidence_url"] == "https://example.org/evidence.pdf"


def test_an_editor_of_the_reviews_csp_and_an_admin_may_update_any_of_its_recommendations(
        client, world):
    assert post(client, world.recs["2"], {"status": "in_progress"},
                world.tokens["csp"]).status_code == 201
    assert post(client, world.recs["2"], {"note": "checked"},
                world.tokens["admin"]).status_code == 201
    assert post(client, world.recs["2"], {"note": "checked"},
                world.tokens["home_office"]).status_code == 201


@pytest.mark.parametrize("body, field", [
    ({"status": "overdue"}, "status"),
    ({"status": "done"}, "status"),
    ({"status": 3}, "status"),
    ({"note": ["a"]}, "note"),
    ({"note": "x" * 10_001}, "note"),
    ({"status": "completed", "public": "yes"}, "public"),
    ({"evidence_url": "javascript:alert(1)"}, "evidence_url"),
    ({"evidence_url": "ftp://example.org/x"}, "evidence_url"),
    ({"target_date": "2024-13"}, "target_date"),
    ({"status": "completed", "colour": "red"}, "colour"),
    ({}, None),
    ({"note": "   "}, None),
    ([], None),
    ("completed", None),
])
def test_bad_update_bodies_are_400_naming_the_field_and_change_nothing(client, world, engine,
                                                                      body, field):
    from .helpers import snapshot

    before = snapshot(engine)
    resp = post(client, world.recs["1"], body, world.tokens["gmp"])
    assert resp.status_code == 400, resp.get_json()
    assert resp.get_json()["error"].get("field") == field
    assert snapshot(engine) == before


@pytest.mark.parametrize("data, headers", [
    (b"{not json", {"Content-Type": "application/json"}),
    (b"status=completed", {"Content-Type": "application/x-www-form-urlencoded"}),
    (b"\xff\xfe", {"Content-Type": "application/json"}),
    (b"null", {"Content-Type": "application/json"}),
])
def test_bodies_that_are_not_json_objects_are_400(client, world, data, headers):
    resp = client.post(f"/api/v1/review-recommendations/{world.recs['1']}/updates", data=data,
                       headers={**headers, **bearer(world.tokens["gmp"])})
    assert resp.status_code == 400


def test_unknown_recommendations_are_404_for_an_authorised_caller(client, world):
    for rec in ("rr-0000000000000000", "nonsense", "rr-" + "f" * 16):
        resp = post(client, rec, {"status": "completed"}, world.tokens["admin"])
        assert resp.status_code == 404
        assert client.get(f"/api/v1/review-recommendations/{rec}").status_code == 404


def test_listing_filters(client, world, engine):
    sync_documents(engine, [document("other", review_key="review-b", area="Preston",
                                     year="2016", recs=[("1", ("Lancashire Constabulary to "
                                                         "review stalking risk checks."),
                                                         [{"id": "lancashire-constabulary",
                                                           "name": "Lancashire Constabulary"}])])])
    post(client, world.recs["3"], {"status": "completed"}, world.tokens["gmp"])

    def ids(query: str) -> set[str]:
        resp = client.get(f"/api/v1/review-recommendations?{query}")
        assert resp.status_code == 200, resp.get_json()
        return {r["id"] for r in resp.get_json()["results"]}

    everything = ids("page_size=100")
    assert len(everything) == 4
    gmp = {world.recs["1"], world.recs["3"]}
    assert ids("owner=greater-manchester-police") == gmp
    assert ids("owner_kind=government_department") == {world.recs["2"]}
    assert ids("owner_kind=police_force") == everything - {world.recs["2"]}
    assert ids("status=completed") == {world.recs["3"]}
    assert ids("status=in_progress,completed") == {world.recs["1"], world.recs["3"]}
    assert ids("overdue=true") == {world.recs["1"]}  # target 2021-06, still in progress
    assert ids("overdue=false") == everything - {world.recs["1"]}
    assert ids("review_key=review-a") == set(world.recs.values())
    assert ids("area=preston") == everything - set(world.recs.values())
    assert ids("year_from=2018") == set(world.recs.values())
    assert ids("year_to=2017") == everything - set(world.recs.values())
    assert ids("q=coercive%20control") == {world.recs["1"]}
    assert ids("q=100%25") == set()
    one = client.get("/api/v1/review-recommendations?owner=home-office").get_json()
    result = one["results"][0]
    assert set(result) >= {"id", "review_key", "number", "text", "owners", "scope", "status",
                           "target_date", "overdue", "documents", "recurring_group"}
    assert result["owners"] == [{"id": "home-office", "name": "Home Office"}]
    assert {d["page"] for d in result["documents"]} == {31}


def test_pages_follow_the_cursor_without_repeats(client, world):
    seen, cursor = [], None
    for _ in range(5):
        url = "/api/v1/review-recommendations?page_size=1" + (f"&cursor={cursor}" if cursor
                                                               else "")
        body = client.get(url).get_json()
        seen += [r["id"] for r in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(world.recs.values()) and len(seen) == len(set(seen))


@pytest.mark.parametrize("query, field", [
    ("status=overdue", "status"), ("owner_kind=club", "owner_kind"), ("overdue=maybe",
                                                                        "overdue"),
    ("page_size=0", "page_size"), ("page_size=101", "page_size"), ("year_from=abc",
                                                                    "year_from"),
    ("cursor=%%%", "cursor"), ("cursor=eyJ4IjoxfQ", "cursor"), ("sort=new", "sort"),
    ("q=a&q=b", "q"), ("q=" + "x" * 600, "q"),
])
def test_bad_listing_parameters_are_400(client, world, query, field):
    resp = client.get(f"/api/v1/review-recommendations?{query}")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["field"] == field


def test_organisations(client, world):
    listed = client.get("/api/v1/organisations").get_json()
    assert listed["total"] >= 300
    police = client.get("/api/v1/organisations?kind=police_force").get_json()["results"]
    assert {"greater-manchester-police", "metropolitan-police-service"} <= {o["id"] for o in police}
    post(client, world.recs["3"], {"status": "completed"}, world.tokens["gmp"])
    gmp = client.get("/api/v1/organisations/greater-manchester-police").get_json()
    counts = gmp["recommendations"]["status_counts"]
    assert gmp["recommendations"]["total"] == 2
    assert counts == {s: {"in_progress": 1, "completed": 1}.get(s, 0) for s in STATUSES}
    assert gmp["recommendations"]["overdue"] == 1
    assert client.get("/api/v1/organisations/no-such-org").status_code == 404
    assert client.get("/api/v1/organisations/..%2Fetc").status_code == 404
    assert client.get("/api/v1/organisations?kind=club").status_code == 400


def _every_public_response(client, world) -> str:
    urls = ["/api/v1/review-recommendations?page_size=100",
            "/api/v1/organisations/greater-manchester-police",
            *[f"/api/v1/review-recommendations/{r}" for r in world.recs.values()]]
    return "\n".join(client.get(u).get_data(as_text=True) for u in urls)


def test_private_notes_never_appear_in_public_responses(client, world):
    rec = world.recs["1"]
    assert post(client, rec, {"status": "completed", "note": PRIVATE, "public": False,
                              "evidence_url": "https://example.org/private-evidence"},
                world.tokens["gmp"]).status_code == 201
    assert post(client, rec, {"note": PUBLIC, "public": True},
                world.tokens["gmp"]).status_code == 201
    public = _every_public_response(client, world)
    assert PRIVATE not in public and "private-evidence" not in public
    assert PUBLIC in public
    assert "gmp-editor@example.org" not in public
    # Tokens of people who may not read it: another organisation's editor, a read token of
    # nobody responsible.
    for who in ("home_office",):
        one = client.get(f"/api/v1/review-recommendations/{rec}",
                         headers=bearer(world.tokens[who])).get_data(as_text=True)
        assert PRIVATE not in one
    # Those who may: the owner's editors, the CSP, oversight and admins.
    for who in ("gmp", "read", "csp", "oversight", "admin", "gmp_admin"):
        one = client.get(f"/api/v1/review-recommendations/{rec}",
                         headers=bearer(world.tokens[who])).get_json()
        assert PRIVATE in json.dumps(one), who


def test_when_statuses_are_not_public_anonymous_readers_see_none(tmp_path, engine, world):
    from search_api.app import create_app
    from tests.conftest import make_config

    post_app = create_app(make_config(tmp_path, "sqlite", tracker={"database_url":
                                                                   str(engine.url)}),
                          tracker_engine=engine)
    post(post_app.test_client(), world.recs["1"], {"note": PUBLIC, "public": True},
         world.tokens["gmp"])
    cfg = make_config(tmp_path, "sqlite", tracker={"database_url": str(engine.url),
                                                   "public_status": False})
    client = create_app(cfg, tracker_engine=engine).test_client()
    listed = client.get("/api/v1/review-recommendations").get_json()["results"]
    assert {r["status"] for r in listed} == {None}
    one = client.get(f"/api/v1/review-recommendations/{world.recs['1']}").get_json()
    assert one["status"] is None and one["history"] == []
    assert PUBLIC not in client.get(f"/api/v1/review-recommendations/{world.recs['1']}"
                                    ).get_data(as_text=True)
    before = audit_entries(engine)[-1].seq
    refused = client.get("/api/v1/review-recommendations?status=completed")
    assert refused.status_code == 401 and refused.get_json()["error"]["field"] == "status"
    assert [detail(e)["reason"] for e in audit_entries(engine, "request.refused")
            if e.seq > before] == ["statuses_private"]
    org = client.get("/api/v1/organisations/greater-manchester-police").get_json()
    assert "status_counts" not in org["recommendations"]
    signed = client.get(f"/api/v1/review-recommendations/{world.recs['1']}",
                        headers=bearer(world.tokens["home_office"])).get_json()
    assert signed["status"] == "in_progress" and PUBLIC in json.dumps(signed)


def test_a_bad_token_on_a_read_is_401_not_anonymous(client, world):
    resp = client.get("/api/v1/review-recommendations",
                      headers={"Authorization": "Bearer nope"})
    assert resp.status_code == 401


def test_owners_without_a_registry_id_are_listed_by_name(client, engine, world):
    sync_documents(engine, [document("unresolved", review_key="review-c", recs=[
        ("1", "The GP surgery to add a domestic abuse question to new patient checks.",
         [{"id": "not-in-registry", "name": "Example GP surgery"}]),
        ("2", "Partners to meet again.", []), ("3", "GMP to brief staff.", [GMP])])])
    listed = client.get("/api/v1/review-recommendations?review_key=review-c").get_json()
    owners = {r["number"]: r["owners"] for r in listed["results"]}
    assert owners == {"1": [{"id": None, "name": "Example GP surgery"}], "2": [],
                      "3": [{"id": "greater-manchester-police",
                             "name": "Greater Manchester Police"}]}


def test_evidence_files_go_to_a_content_addressed_store_apart_from_the_corpus(client, world,
                                                                               engine, cfg):
    from sqlalchemy import select

    from accountability.accounts import principal_of
    from accountability.db import read_session
    from accountability.models import User
    from accountability.updates import Evidence, UpdateInput, add_update, store_evidence
    from dhr.store import CorpusStore

    content = b"%PDF-1.4 synthetic evidence for a test\n"
    sha, name = store_evidence(cfg.data_dir, Evidence(content, "../../minutes.pdf"))
    assert (cfg.data_dir / "evidence" / "files" / sha[:2] / f"{sha}.pdf").read_bytes() == content
    assert name == "minutes.pdf"
    corpus = CorpusStore(cfg.data_dir)
    assert not corpus.has_file(sha)  # never ingested as a report
    corpus.close()
    with read_session(engine) as s:
        admin = principal_of(s.scalar(select(User).where(User.email == "admin@example.org")))
    add_update(engine, world.recs["1"], admin, UpdateInput(note="minutes attached"),
               evidence=(sha, name))
    public = client.get(f"/api/v1/review-recommendations/{world.recs['1']}").get_json()
    assert public["history"][-1]["evidence_file"] is None  # a private update
    allowed = client.get(f"/api/v1/review-recommendations/{world.recs['1']}",
                         headers=bearer(world.tokens["oversight"])).get_json()
    assert allowed["history"][-1]["evidence_file"] == {"sha256": sha, "filename": name}
