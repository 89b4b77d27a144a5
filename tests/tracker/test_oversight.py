"""Oversight figures (``/api/v1/oversight``, ``/oversight`` and its CSV/JSON downloads) on
SQLite and PostgreSQL: counts by status (no_information included), overdue, owner level and
organisation, no owner, SMART and year; private detail only for the oversight role and admins.

The world (tests/tracker/conftest.py): review-a (Bolton, 2020) with recommendations 1 and 3
owned by Greater Manchester Police and 2 by the Home Office; its action plan puts 1 in progress
with a target of 2021-06 (so 1 is overdue). Here a second review (2022-03) adds one
recommendation naming nobody, and editors add a public and a non-public update.
"""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from accountability.oversight import owner_level
from accountability.sync import sync_documents

from .conftest import bearer
from .docs import document
from .helpers import sign_in

PRIVATE = "PRIVATE-NOTE-oversight-91c2: staffing shortfall"
PUBLIC = "Guidance issued to every force"
NO_OWNER_TEXT = "Agencies should consider how they share information about risk."


@pytest.fixture
def figures_world(engine, world, client):
    sync_documents(engine, [document("b-overview", review_key="review-b", year="2022-03",
                                     recs=[("1", NO_OWNER_TEXT, [])])])
    post = "/api/v1/review-recommendations/{}/updates"
    assert client.post(post.format(world.recs["2"]), headers=bearer(world.tokens["home_office"]),
                       json={"status": "completed", "note": PUBLIC, "public": True}
                       ).status_code == 201
    assert client.post(post.format(world.recs["3"]), headers=bearer(world.tokens["gmp"]),
                       json={"status": "not_started", "note": PRIVATE, "public": False}
                       ).status_code == 201
    return world


def by_key(rows):
    return {r["key"]: r for r in rows}


def test_public_figures_count_status_overdue_owner_level_no_owner_and_year(client, engine,
                                                                          figures_world):
    resp = client.get("/api/v1/oversight")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["total"]["count"] == 4
    assert body["total"]["by_year"] == {"2020": 3, "2022": 1}
    status = by_key(body["by_status"])
    assert {k: v["count"] for k, v in status.items() if v["count"]} == {
        "in_progress": 1, "completed": 1, "not_started": 1, "no_information": 1}
    assert status["no_information"]["by_year"] == {"2022": 1}
    assert body["overdue"]["count"] == 1 and body["overdue"]["by_year"] == {"2020": 1}
    levels = by_key(body["by_owner_level"])
    assert levels["local"]["count"] == 2 and levels["government_department"]["count"] == 1
    assert levels["none"]["count"] == 1 and levels["national"]["count"] == 0
    assert levels["local"]["overdue"] == 1
    assert body["no_owner"] == {"key": "none", "count": 1, "by_year": {"2022": 1}}
    kinds = {e["key"]: e["count"] for e in body["by_owner_kind"]}
    assert kinds == {"police_force": 2, "government_department": 1, "none": 1}
    orgs = {o["id"]: o for o in body["by_organisation"]}
    assert orgs["greater-manchester-police"]["count"] == 2
    assert orgs["greater-manchester-police"]["by_year"] == {"2020": 2}
    assert orgs["greater-manchester-police"]["overdue"] == 1
    assert orgs["home-office"]["statuses"]["completed"] == 1
    assert sum(r["count"] for r in body["smart"]) == 4
    from accountability.db import read_session
    from accountability.models import RecurringMember

    with read_session(engine) as s:  # what the grouping at sync flagged
        flagged = len(list(s.scalars(select(RecurringMember).where(
            RecurringMember.repeat.is_(True)))))
    assert body["repeats"]["available"] is True and body["repeats"]["count"] == flagged
    assert "private" not in body and PRIVATE not in resp.get_data(as_text=True)


def test_private_detail_only_for_the_oversight_role_and_admins(client, figures_world):
    for who in ("oversight", "admin"):
        resp = client.get("/api/v1/oversight", headers=bearer(figures_world.tokens[who]))
        private = resp.get_json()["private"]
        assert private["updates"] == {"public": 1, "private": 1}
        assert private["statuses_from_private_updates"] == {"not_started": 1}
        gmp = next(o for o in private["organisations"] if o["id"] == "greater-manchester-police")
        assert [r["note"] for r in gmp["recommendations"]] == [PRIVATE]
        assert resp.headers["Cache-Control"] == "private, no-store"
    for who in ("gmp", "home_office", "csp"):
        resp = client.get("/api/v1/oversight", headers=bearer(figures_world.tokens[who]))
        assert "private" not in resp.get_json() and PRIVATE not in resp.get_data(as_text=True)
    assert client.get("/api/v1/oversight", headers=bearer("not-a-token")).status_code == 401


def test_unknown_parameters_are_refused(client, figures_world):
    resp = client.get("/api/v1/oversight?year=2020")
    assert resp.status_code == 400 and resp.get_json()["error"]["field"] == "year"
    assert client.get("/oversight.csv?x=1").status_code == 400


def test_the_page_has_every_chart_with_its_table_and_private_detail_when_signed_in(
        client, figures_world):
    page = client.get("/oversight").get_data(as_text=True)
    for title in ("Recommendations by year of death", "Recommendations by status",
                  "Overdue recommendations by year of death", "Recommendations by owner level",
                  "Recommendations with no owner, by year of death",
                  "Recommendations by SMART score", "Recommendations by status and year of death"):
        assert title in page, title
    assert page.count('role="img"') == page.count("<desc id=") >= 6
    assert page.count("Show the data") >= 6
    assert "Detail for oversight" not in page and PRIVATE not in page
    assert "Recommendations that ask for a change earlier reviews already asked for" in page
    sign_in(client, "oversight@example.org")
    page = client.get("/oversight").get_data(as_text=True)
    assert "Detail for oversight" in page and PRIVATE in page


def test_csv_and_json_downloads_carry_the_same_figures(client, figures_world):
    body = client.get("/api/v1/oversight").get_json()
    resp = client.get("/oversight.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    got = {(r["figure"], r["key"], r["year"]): int(r["count"]) for r in rows}
    assert got[("total", "all", "all")] == body["total"]["count"]
    for e in body["by_status"]:
        assert got[("status", e["key"], "all")] == e["count"]
        for year, n in e["by_year"].items():
            assert got[("status", e["key"], year)] == n
    assert got[("no_owner", "none", "2022")] == 1
    assert got[("overdue", "overdue", "all")] == 1
    js = client.get("/oversight.json")
    assert js.get_json()["total"] == body["total"]


def test_statuses_stay_private_where_the_deployment_does_not_publish_them(
        tmp_path, db_url, engine, figures_world):
    from search_api.app import create_app
    from tests.conftest import make_config

    cfg = make_config(tmp_path, "sqlite", tracker={"database_url": db_url,
                                                   "public_status": False})
    client = create_app(cfg, tracker_engine=engine).test_client()
    body = client.get("/api/v1/oversight").get_json()
    assert body["by_status"] is None and body["overdue"] is None
    assert body["total"]["count"] == 4 and body["no_owner"]["count"] == 1
    assert "statuses" not in body["by_organisation"][0]
    rows = client.get("/oversight.csv").get_data(as_text=True)
    assert ",status," not in rows and "no_information" not in rows
    signed = client.get("/api/v1/oversight", headers=bearer(figures_world.tokens["gmp"]))
    assert signed.get_json()["by_status"] is not None


@pytest.mark.parametrize("kind, level", [("police_force", "local"), ("csp", "local"),
                                         ("probation", "regional"),
                                         ("national_body", "national"),
                                         ("government_department", "government_department"),
                                         ("charity", "other"), (None, "other")])
def test_owner_levels(kind, level):
    assert owner_level(kind) == level


def test_repeats_are_counted_once_the_tracker_flags_them(client, engine, figures_world):
    """Recommendations the recurring grouping flagged as repeats are counted by year."""
    from accountability.db import read_session
    from accountability.models import RecurringMember

    from .helpers import raw

    def flagged() -> int:
        with read_session(engine) as s:
            return len(list(s.scalars(select(RecurringMember).where(
                RecurringMember.repeat.is_(True)))))

    before = client.get("/api/v1/oversight").get_json()["repeats"]
    assert before["count"] == flagged()
    rec = figures_world.recs["3"]  # a 2020 review's recommendation, not flagged by the grouping
    with read_session(engine) as s:
        assert not s.get(RecurringMember, rec).repeat
    raw(engine, "UPDATE recurring_members SET repeat = :yes WHERE recommendation_id = :id",
        yes=True, id=rec)
    body = client.get("/api/v1/oversight").get_json()
    assert body["repeats"]["available"] is True
    assert body["repeats"]["count"] == before["count"] + 1 == flagged()
    assert body["repeats"]["by_year"]["2020"] == before["by_year"].get("2020", 0) + 1
    page = client.get("/oversight").get_data(as_text=True)
    assert "Repeated recommendations by year of death" in page
