"""The tracker's pages (issue 15), on SQLite and PostgreSQL: review, recommendation and
organisation pages, the account page's API tokens, the organisation admin page, evidence files.
Private notes never reach a signed-out visitor or another organisation's editor; every write
needs a session, the CSRF token and the right role, and a refused one changes nothing."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from urllib.parse import quote

import pytest
from sqlalchemy import select

from accountability.accounts import check_token
from accountability.contacts import contacts_for
from accountability.db import read_session
from accountability.models import ApiToken, Membership, Update, User

from .helpers import audit_entries, detail, sign_in, snapshot

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PRIVATE_NOTE = "Private: the audit found three missed referrals"
PUBLIC_NOTE = "Guidance reissued to all response teams"


def csrf(client, path: str) -> str:
    page = client.get(path)
    m = _CSRF.search(page.get_data(as_text=True))
    assert m, (path, page.status_code)
    return m.group(1)


def add_updates(client, rec: str) -> None:
    """The GMP editor adds a public and a private update to ``rec``."""
    assert sign_in(client, "gmp-editor@example.org").status_code == 303
    for status, note, public in (("in_progress", PUBLIC_NOTE, "yes"),
                                 ("in_progress", PRIVATE_NOTE, "")):
        token = csrf(client, f"/recommendations/{rec}/update")
        resp = client.post(f"/recommendations/{rec}/update", data={
            "csrf_token": token, "status": status, "note": note, "public": public})
        assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    client.post("/sign-out", data={"csrf_token": csrf(client, "/sign-out")})


def review_key(engine) -> str:
    from accountability.models import ReviewRow

    with read_session(engine) as s:
        return s.scalars(select(ReviewRow.review_key)).one()


# -- review page --------------------------------------------------------------------------------
def test_review_page_lists_each_recommendation_once_with_owner_status_and_link(client, world,
                                                                               engine):
    key = review_key(engine)
    resp = client.get(f"/reviews/{quote(key)}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    # printed in the overview report AND the executive summary: listed once each
    for number, rec_id in world.recs.items():
        assert html.count(f'href="/recommendations/{rec_id}"') == 1, number
    assert "Greater Manchester Police" in html and "Home Office" in html
    assert "Overdue" in html  # rec 1's action plan target (2021-06) has passed, in progress
    assert "2021-06" in html
    # the three documents of the review are linked
    assert html.count('href="/documents/') == 3


def test_unknown_review_is_a_404_page(client, world):
    resp = client.get("/reviews/no%7Csuch%7Creview")
    assert resp.status_code == 404 and "Page not found" in resp.get_data(as_text=True)


# -- recommendation page -----------------------------------------------------------------------
def test_recommendation_page_shows_text_appearances_owners_actions_and_timeline(client, world,
                                                                                engine):
    rec = world.recs["1"]
    add_updates(client, rec)
    resp = client.get(f"/recommendations/{rec}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "record coercive control" in html
    assert "page 30" in html  # where it is printed (overview and summary)
    assert "Revise the recording guidance" in html  # the action plan row
    assert "as published in the action plan" in html
    assert PUBLIC_NOTE in html
    assert 'id="made-before"' not in html  # no recurring group yet


def test_private_notes_never_reach_a_signed_out_visitor_or_another_organisations_editor(
        app, world, engine):
    rec = world.recs["1"]
    add_updates(app.test_client(), rec)
    anonymous = app.test_client().get(f"/recommendations/{rec}").get_data(as_text=True)
    assert PUBLIC_NOTE in anonymous and PRIVATE_NOTE not in anonymous
    other = app.test_client()
    sign_in(other, "ho-editor@example.org")
    html = other.get(f"/recommendations/{rec}").get_data(as_text=True)
    assert PUBLIC_NOTE in html and PRIVATE_NOTE not in html
    assert "Add an update" not in html  # not an editor of an owner
    for who in ("gmp-editor@example.org", "oversight@example.org", "csp-editor@example.org"):
        allowed = app.test_client()
        sign_in(allowed, who)
        assert PRIVATE_NOTE in allowed.get(f"/recommendations/{rec}").get_data(as_text=True), who
    # the review and organisation pages show no notes at all
    for client in (app.test_client(), other):
        for path in (f"/reviews/{quote(review_key(engine))}",
                     "/organisations/greater-manchester-police",
                     "/organisations/greater-manchester-police.csv"):
            assert PRIVATE_NOTE not in client.get(path).get_data(as_text=True), path


def test_unknown_or_malformed_recommendation_ids_are_404_pages(client, world):
    for path in ("/recommendations/rr-0000000000000000", "/recommendations/rr-%00"):
        resp = client.get(path)
        assert resp.status_code == 404 and "<html" in resp.get_data(as_text=True)


def test_made_before_section_appears_only_with_a_recurring_group(client, world, engine):
    from .helpers import raw

    rec, other = world.recs["2"], world.recs["3"]
    for r in (rec, other):  # each is alone in its recurring group: no section
        assert 'id="made-before"' not in client.get(f"/recommendations/{r}").get_data(
            as_text=True)
    raw(engine, "UPDATE recurring_groups SET size = 2 WHERE id = "
        "(SELECT group_id FROM recurring_members WHERE recommendation_id = :id)", id=rec)
    assert 'id="made-before"' in client.get(f"/recommendations/{rec}").get_data(as_text=True)
    assert 'id="made-before"' not in client.get(f"/recommendations/{other}").get_data(
        as_text=True)


# -- organisation page -------------------------------------------------------------------------
def test_organisation_page_counts_by_status_lists_overdue_and_no_information(client, world):
    html = client.get("/organisations/greater-manchester-police").get_data(as_text=True)
    assert "2 recommendations made to this organisation" in html
    overdue = html.split('id="overdue"')[1].split('id="no-information"')[0]
    assert world.recs["1"] in overdue and world.recs["3"] not in overdue
    no_info = html.split('id="no-information"')[1].split('id="results"')[0]
    assert world.recs["3"] in no_info and world.recs["1"] not in no_info
    assert world.recs["2"] not in html  # the Home Office's
    assert "Add an update" not in html  # signed out


def test_organisation_filters_and_csv_export_agree(client, world):
    html = client.get("/organisations/greater-manchester-police?status=no_information"
                      ).get_data(as_text=True)
    listed = html.split('id="results"')[1]
    assert world.recs["3"] in listed and world.recs["1"] not in listed
    resp = client.get("/organisations/greater-manchester-police.csv?overdue=yes")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["id"] for r in rows] == [world.recs["1"]]
    assert rows[0]["overdue"] == "yes" and rows[0]["status"] == "in_progress"
    everything = client.get("/organisations/greater-manchester-police.csv")
    ids = {r["id"] for r in csv.DictReader(io.StringIO(everything.get_data(as_text=True)
                                                         .lstrip("\ufeff")))}
    assert ids == {world.recs["1"], world.recs["3"]}


def test_organisation_page_rejects_bad_filters_with_an_error_summary(client, world):
    resp = client.get("/organisations/greater-manchester-police?status=done&overdue=maybe")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "govuk-error-summary" in html
    assert client.get("/organisations/no-such-org").status_code == 404


def test_editors_of_the_organisation_get_links_to_add_updates(app, world):
    editor = app.test_client()
    sign_in(editor, "gmp-editor@example.org")
    html = editor.get("/organisations/greater-manchester-police").get_data(as_text=True)
    assert f'href="/recommendations/{world.recs["3"]}/update"' in html
    other = app.test_client()
    sign_in(other, "ho-editor@example.org")
    assert "/update" not in other.get("/organisations/greater-manchester-police").get_data(
        as_text=True)


# -- account page: API tokens ------------------------------------------------------------------
def test_account_needs_sign_in(client, world):
    assert client.get("/account").status_code == 401


def test_create_a_token_see_it_once_use_it_and_revoke_it(client, world, engine):
    sign_in(client, "gmp-editor@example.org")
    token = csrf(client, "/account")
    resp = client.post("/account", data={"csrf_token": token, "scope": "write", "days": "30"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    shown = re.search(r'<code id="new-token">(dhr_[0-9a-f]{16}_[A-Za-z0-9_-]{43})</code>', html)
    assert shown, html[:2000]
    with read_session(engine) as s:
        check = check_token(s, shown[1])
    assert check.principal is not None and check.principal.scope == "write"
    again = client.get("/account").get_data(as_text=True)
    assert shown[1] not in again  # shown once
    token_id = shown[1].split("_")[1]
    assert token_id in again
    resp = client.post(f"/account/tokens/{token_id}/revoke",
                       data={"csrf_token": csrf(client, "/account")})
    assert resp.status_code == 200 and "was revoked" in resp.get_data(as_text=True)
    with read_session(engine) as s:
        assert check_token(s, shown[1]).reason == "revoked"
    assert [detail(e)["scope"] for e in audit_entries(engine, "token.create")][-1] == "write"


def test_account_form_errors_and_refusals(client, world, engine):
    sign_in(client, "gmp-editor@example.org")
    resp = client.post("/account", data={"csrf_token": csrf(client, "/account"),
                                         "scope": "admin", "days": "9999"})
    assert resp.status_code == 400 and "govuk-error-summary" in resp.get_data(as_text=True)
    # another user's token cannot be revoked from this account
    with read_session(engine) as s:
        theirs = s.scalars(select(ApiToken).join(User, User.id == ApiToken.user_id)
                           .where(User.email == "ho-editor@example.org")).first()
    before = snapshot(engine)
    resp = client.post(f"/account/tokens/{theirs.id}/revoke",
                       data={"csrf_token": csrf(client, "/account")})
    assert resp.status_code == 403 and snapshot(engine) == before
    assert detail(audit_entries(engine, "request.refused")[-1])["reason"] == "not_your_token"


# -- organisation admin ------------------------------------------------------------------------
ADMIN = "/organisations/greater-manchester-police/admin"


def test_org_admin_adds_a_user_with_a_one_time_password_and_removes_the_role(app, world,
                                                                             engine):
    client = app.test_client()
    sign_in(client, "gmp-admin@example.org")
    page = client.get(ADMIN)
    assert page.status_code == 200 and "gmp-editor@example.org" in page.get_data(as_text=True)
    resp = client.post(ADMIN + "/members", data={
        "csrf_token": csrf(client, ADMIN), "email": "New.Analyst@Example.org",
        "name": "Analyst", "role": "editor"})
    html = resp.get_data(as_text=True)
    password = re.search(r'<code id="one-time-password">([^<]+)</code>', html)[1]
    newcomer = app.test_client()
    assert sign_in(newcomer, "new.analyst@example.org", password).status_code == 303
    assert "greater-manchester-police" in newcomer.get("/account").get_data(as_text=True)
    with read_session(engine) as s:
        uid = s.scalar(select(User.id).where(User.email == "new.analyst@example.org"))
    resp = client.post(f"{ADMIN}/members/{uid}/remove",
                       data={"csrf_token": csrf(client, ADMIN), "role": "editor"})
    assert resp.status_code == 200 and "no longer has the role" in resp.get_data(as_text=True)
    with read_session(engine) as s:
        assert not list(s.scalars(select(Membership).where(Membership.user_id == uid)))
    assert audit_entries(engine, "role.revoke")[-1].target_id == "new.analyst@example.org"


def test_org_admin_cannot_grant_oversight_or_admin(app, world, engine):
    client = app.test_client()
    sign_in(client, "gmp-admin@example.org")
    before = snapshot(engine)
    resp = client.post(ADMIN + "/members", data={
        "csrf_token": csrf(client, ADMIN), "email": "x@example.org", "role": "admin"})
    assert resp.status_code == 400 and snapshot(engine) == before


def test_org_admin_manages_notification_contacts(app, world, engine):
    client = app.test_client()
    sign_in(client, "gmp-admin@example.org")
    resp = client.post(ADMIN + "/contacts", data={"csrf_token": csrf(client, ADMIN),
                                                  "contact": " Alerts@Example.org "})
    assert resp.status_code == 200
    resp = client.post(ADMIN + "/contacts", data={"csrf_token": csrf(client, ADMIN),
                                                  "contact": "not an address"})
    assert resp.status_code == 400 and "correct format" in resp.get_data(as_text=True)
    with read_session(engine) as s:
        assert contacts_for(s, "greater-manchester-police") == ["alerts@example.org"]
    client.post(ADMIN + "/contacts/remove", data={"csrf_token": csrf(client, ADMIN),
                                                  "contact": "alerts@example.org"})
    with read_session(engine) as s:
        assert contacts_for(s, "greater-manchester-police") == []
    assert [e.action for e in audit_entries(engine) if e.action.startswith("contact.")] == [
        "contact.add", "contact.remove"]


WRITES = [(ADMIN + "/members", {"email": "y@example.org", "role": "editor"}),
          (ADMIN + "/members/1/remove", {"role": "editor"}),
          (ADMIN + "/contacts", {"contact": "z@example.org"}),
          (ADMIN + "/contacts/remove", {"contact": "z@example.org"}),
          ("/account", {"scope": "write", "days": "30"}),
          ("/account/tokens/0123456789abcdef/revoke", {})]


@pytest.mark.parametrize("path,data", WRITES)
def test_every_write_route_refuses_wrong_credentials_and_changes_nothing(app, world, engine,
                                                                         path, data):
    before = snapshot(engine)
    # signed out (with a valid anonymous CSRF token)
    anonymous = app.test_client()
    assert anonymous.post(path, data={**data, "csrf_token": csrf(anonymous, "/sign-in")}
                          ).status_code == 401
    # signed in, no CSRF token
    editor = app.test_client()
    sign_in(editor, "gmp-editor@example.org")
    assert editor.post(path, data=data).status_code == 403
    # a bearer token is not a session: the pages ignore it
    bearer = app.test_client()
    assert bearer.post(path, data=data, headers={
        "Authorization": f"Bearer {world.tokens['admin']}"}).status_code in (401, 403)
    if path.startswith(ADMIN):
        # another organisation's administrator rights do not reach this one; nor an editor's
        assert editor.post(path, data={**data, "csrf_token": csrf(editor, "/account")}
                           ).status_code == 403
    assert snapshot(engine) == before


def test_admin_page_refuses_editors_and_other_organisations(app, world):
    editor = app.test_client()
    sign_in(editor, "gmp-editor@example.org")
    assert editor.get(ADMIN).status_code == 403
    ho = app.test_client()
    sign_in(ho, "ho-editor@example.org")
    assert ho.get(ADMIN).status_code == 403
    admin = app.test_client()
    sign_in(admin, "admin@example.org")
    assert admin.get(ADMIN).status_code == 200


# -- evidence files ----------------------------------------------------------------------------
def _pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
            b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def upload(client, rec: str, content: bytes, filename: str, *, public: bool = True,
           note: str = "Evidence attached"):
    token = csrf(client, f"/recommendations/{rec}/update")
    data = {"csrf_token": token, "note": note,
            "evidence_file": (io.BytesIO(content), filename)}
    if public:
        data["public"] = "yes"
    return client.post(f"/recommendations/{rec}/update", data=data,
                        content_type="multipart/form-data")


def test_evidence_upload_is_stored_and_served_with_a_safe_name_and_type(app, world, engine):
    rec = world.recs["1"]
    editor = app.test_client()
    sign_in(editor, "gmp-editor@example.org")
    resp = upload(editor, rec, _pdf(), "../../Évaluation <final>*.pdf")
    assert resp.status_code == 200, re.findall(r"govuk-error-message\">(.*?)</p>",
                                               resp.get_data(as_text=True))
    with read_session(engine) as s:
        upd = s.scalars(select(Update).where(Update.recommendation_id == rec)
                        .order_by(Update.seq.desc())).first()
    assert upd.evidence_sha256 and upd.evidence_filename == "Évaluation _final_.pdf"
    page = app.test_client().get(f"/recommendations/{rec}").get_data(as_text=True)
    link = f"/recommendations/{rec}/evidence/{upd.seq}"
    assert link in page
    got = app.test_client().get(link)
    assert got.status_code == 200 and got.data == _pdf()
    assert got.mimetype == "application/pdf"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%C3%89valuation%20_final_.pdf" in got.headers["Content-Disposition"]
    assert "/" not in got.headers["Content-Disposition"].split("filename*")[0]
    assert "sandbox" in got.headers["Content-Security-Policy"]
    # a DOCX and a plain text file are accepted too
    assert upload(editor, rec, _docx(), "plan.docx").status_code == 200
    assert upload(editor, rec, b"Minutes of the meeting\n", "minutes.txt"
                  ).status_code == 200


def test_a_private_evidence_file_is_served_only_to_those_who_may_see_the_update(app, world,
                                                                              engine):
    rec = world.recs["1"]
    editor = app.test_client()
    sign_in(editor, "gmp-editor@example.org")
    assert upload(editor, rec, b"\x89PNG\r\n\x1a\n" + b"\0" * 32, "chart.png", public=False,
                  note="Private chart").status_code == 200
    with read_session(engine) as s:
        seq = s.scalar(select(Update.seq).where(Update.recommendation_id == rec)
                       .order_by(Update.seq.desc()))
    link = f"/recommendations/{rec}/evidence/{seq}"
    got = editor.get(link)
    assert got.status_code == 200 and got.mimetype == "image/png"
    assert app.test_client().get(link).status_code == 404
    other = app.test_client()
    sign_in(other, "ho-editor@example.org")
    assert other.get(link).status_code == 404
    assert link not in other.get(f"/recommendations/{rec}").get_data(as_text=True)


@pytest.mark.parametrize("content,filename,message", [
    (b"MZ\x90\x00binary", "tool.pdf", "not a real PDF"),
    (b"<html><script>alert(1)</script></html>", "page.txt", "not a real TXT"),
    (b"%PDF-1.4 but named otherwise", "file.exe", "must be a PDF, DOCX"),
    (b"", "empty.pdf", "is empty"),
])
def test_evidence_files_of_the_wrong_type_are_refused_and_nothing_is_written(
        app, world, engine, content, filename, message):
    rec = world.recs["1"]
    editor = app.test_client()
    sign_in(editor, "gmp-editor@example.org")
    before = snapshot(engine)
    resp = upload(editor, rec, content, filename)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and message in html and "govuk-error-summary" in html
    assert snapshot(engine) == before


def test_an_evidence_file_over_the_limit_is_refused(app, world, engine, monkeypatch):
    from accountability import evidence

    monkeypatch.setattr(evidence, "MAX_EVIDENCE_BYTES", 1000)
    editor = app.test_client()
    sign_in(editor, "gmp-editor@example.org")
    before = snapshot(engine)
    resp = upload(editor, world.recs["1"], _pdf() + b"0" * 2000, "big.pdf")
    assert resp.status_code == 400 and "smaller than" in resp.get_data(as_text=True)
    assert snapshot(engine) == before


def test_only_the_update_form_accepts_large_bodies(app, world):
    client = app.test_client()
    sign_in(client, "gmp-editor@example.org")
    body = {"csrf_token": csrf(client, "/account"), "scope": "read", "days": "30",
            "pad": "x" * (200 * 1024)}
    assert client.post("/account", data=body).status_code == 413
    rec = world.recs["1"]
    big = _pdf() + b"0" * (200 * 1024)
    assert upload(client, rec, big, "big.pdf").status_code == 200



def test_a_deployment_that_keeps_statuses_private_shows_none_to_the_public(
        tmp_path, db_url, engine, world):
    from search_api.app import create_app
    from tests.conftest import make_config

    cfg = make_config(tmp_path, "sqlite", tracker={"database_url": db_url,
                                                   "public_status": False})
    app = create_app(cfg, tracker_engine=engine)
    editor = app.test_client()
    sign_in(editor, "gmp-editor@example.org")
    rec = world.recs["1"]
    assert upload(editor, rec, _pdf(), "public.pdf").status_code == 200
    anonymous = app.test_client()
    page = anonymous.get(f"/recommendations/{rec}").get_data(as_text=True)
    assert "Evidence attached" not in page and "/evidence/" not in page
    assert "Statuses and updates are shown to signed-in users only" in page
    assert "In progress" not in page
    org = anonymous.get("/organisations/greater-manchester-police").get_data(as_text=True)
    assert "Statuses are shown to signed-in users only" in org and "Overdue" not in org
    with read_session(engine) as s:
        seq = s.scalar(select(Update.seq).where(Update.recommendation_id == rec)
                       .order_by(Update.seq.desc()))
    assert anonymous.get(f"/recommendations/{rec}/evidence/{seq}").status_code == 404
    assert editor.get(f"/recommendations/{rec}/evidence/{seq}").status_code == 200


def test_the_explorer_of_a_search_only_server_creates_no_tracker_database(tmp_path):
    from dhr.search import open_backend
    from search_api.app import create_app
    from tests.conftest import make_config

    from .conftest import standard_review

    cfg = make_config(tmp_path, "sqlite")
    backend = open_backend(cfg)
    backend.ensure_indices()
    backend.index_documents(standard_review(), refresh=True)
    app = create_app(cfg, backend=backend)
    resp = app.test_client().get("/recommendations?q=coercive")
    assert resp.status_code == 200 and "record coercive control" in resp.get_data(as_text=True)
    assert "What was done" not in resp.get_data(as_text=True)
    assert not (tmp_path / "data" / "tracker.db").exists()
    backend.close()


# -- the explorer filtered by progress: review level -------------------------------------------
def test_explorer_filters_by_status_owner_and_overdue_at_review_level(client, world):
    html = client.get("/recommendations?status=in_progress").get_data(as_text=True)
    assert "1 review recommendation" in html
    # printed in the overview report and the executive summary, listed once
    assert html.count(f'href="/recommendations/{world.recs["1"]}"') == 1
    html = client.get("/recommendations?owner=home-office").get_data(as_text=True)
    assert world.recs["2"] in html and world.recs["1"] not in html
    html = client.get("/recommendations?overdue=true&owner=greater-manchester-police"
                      ).get_data(as_text=True)
    assert world.recs["1"] in html and world.recs["3"] not in html
    html = client.get("/recommendations?status=no_information&q=repeat+call"
                      ).get_data(as_text=True)
    assert world.recs["3"] in html and world.recs["1"] not in html
    resp = client.get("/recommendations?status=done&overdue=maybe")
    assert resp.status_code == 400 and "govuk-error-summary" in resp.get_data(as_text=True)


def test_explorer_progress_exports_are_review_level(client, world):
    resp = client.get("/recommendations.csv?owner=greater-manchester-police")
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert sorted(r["id"] for r in rows) == sorted([world.recs["1"], world.recs["3"]])
    first = next(r for r in rows if r["id"] == world.recs["1"])
    assert first["status"] == "in_progress" and first["overdue"] == "true"
    assert len(first["documents"].split(";")) == 2  # overview report and executive summary
    body = client.get("/recommendations.json?status=in_progress").get_json()
    assert [r["id"] for r in body["results"]] == [world.recs["1"]]
    assert body["query"] == {"status": "in_progress"} and body["truncated"] is False


def test_the_explorer_offers_the_progress_filters_when_there_is_a_tracker(client, world):
    html = client.get("/recommendations").get_data(as_text=True)
    assert 'id="progress"' in html and 'value="greater-manchester-police"' in html


def test_a_csp_page_lists_its_reviews_recommendations_for_its_editors(app, world):
    csp_editor = app.test_client()
    sign_in(csp_editor, "csp-editor@example.org")
    html = csp_editor.get("/organisations/bolton-csp").get_data(as_text=True)
    commissioned = html.split('id="commissioned"')[1]
    for rec in world.recs.values():  # every recommendation of the Bolton review
        assert f'href="/recommendations/{rec}/update"' in commissioned
    public = app.test_client().get("/organisations/bolton-csp").get_data(as_text=True)
    assert 'id="commissioned"' in public and "/update" not in public
