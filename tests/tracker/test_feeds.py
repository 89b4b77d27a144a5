"""An organisation's Atom feed (``/feeds/organisations/<id>.atom``), on SQLite and PostgreSQL:
valid Atom (parsed by feedparser) listing the recommendations it owns and their public status
changes, never a non-public update or its note, with ids and dates that do not change."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser
import pytest
from sqlalchemy import select

from accountability.accounts import Principal
from accountability.db import read_session
from accountability.feeds import entry_id
from accountability.models import ReviewRecommendation, Update, User
from accountability.updates import UpdateInput, add_update
from tests.conftest import make_config

PUBLIC_NOTE = "Guidance revised and briefed to every response team."
PRIVATE_NOTE = "Internal: the audit found gaps we have not yet shared."
BASE = "https://dhr.example.org"


@pytest.fixture
def site(tmp_path, db_url, engine):
    from search_api.app import create_app

    def make(**tracker):
        cfg = make_config(tmp_path, "sqlite", tracker={"database_url": db_url, **tracker},
                          server={"public_url": BASE})
        return create_app(cfg, tracker_engine=engine).test_client()
    return make


def gmp_editor(engine) -> Principal:
    with read_session(engine) as s:
        user = s.scalar(select(User).where(User.email == "gmp-editor@example.org"))
    return Principal(user.id, user.email, None,
                     frozenset({("editor", "greater-manchester-police")}))


def parse(resp):
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "application/atom+xml"
    feed = feedparser.parse(resp.data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def when(parsed) -> datetime:
    return datetime(*parsed[:6], tzinfo=UTC)


def test_new_recommendations_and_public_status_changes_never_private_notes(site, engine,
                                                                           world):
    editor = gmp_editor(engine)
    add_update(engine, world.recs["3"], editor, UpdateInput(status="completed",
                                                            note=PRIVATE_NOTE, public=False))
    add_update(engine, world.recs["3"], editor, UpdateInput(status="in_progress",
                                                            note=PUBLIC_NOTE, public=True))
    resp = site().get("/feeds/organisations/greater-manchester-police.atom")
    feed = parse(resp)
    assert PRIVATE_NOTE not in resp.get_data(as_text=True)
    assert "Completed" not in resp.get_data(as_text=True)
    assert feed.feed.title == "Greater Manchester Police: recommendations and their status"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"self": f"{BASE}/feeds/organisations/greater-manchester-police.atom",
                     "alternate": f"{BASE}/organisations/greater-manchester-police"}
    with read_session(engine) as s:
        recs = {r.id: r for r in s.scalars(select(ReviewRecommendation))}
        updates = {(u.recommendation_id, u.seq): u for u in s.scalars(select(Update))}
    by_id = {e.id: e for e in feed.entries}
    # GMP owns recommendations 1 and 3 (2 is the Home Office's): each is an entry.
    for number in ("1", "3"):
        rid = world.recs[number]
        e = by_id.pop(entry_id(f"recommendation:{rid}"))
        assert e.title == f"New: Recommendation {number} of review Bolton, 2020"
        assert e.link == f"{BASE}/recommendations/{rid}"
        assert e.content[0].value == recs[rid].text
        assert when(e.updated_parsed) == recs[rid].created_at.replace(microsecond=0)
    # The action plan's published row for recommendation 1, and the public update of 3.
    published = next(u for (rid, _), u in updates.items() if rid == world.recs["1"])
    e = by_id.pop(entry_id(f"recommendation:{world.recs['1']}:update:{published.seq}"))
    assert e.title == "Recommendation 1 of review Bolton, 2020: In progress"
    assert "as published in the review's action plan" in e.content[0].value
    public = next(u for (rid, _), u in updates.items() if rid == world.recs["3"] and u.public)
    e = by_id.pop(entry_id(f"recommendation:{world.recs['3']}:update:{public.seq}"))
    assert e.title == "Recommendation 3 of review Bolton, 2020: In progress"
    assert PUBLIC_NOTE in e.content[0].value
    assert when(e.updated_parsed) == public.created_at.replace(microsecond=0)
    assert by_id == {}  # nothing else: not the private update, not the Home Office's
    assert world.recs["2"] not in resp.get_data(as_text=True)
    # Newest first, and the feed is as new as its newest entry.
    dates = [when(e.updated_parsed) for e in feed.entries]
    assert dates == sorted(dates, reverse=True)
    assert when(feed.feed.updated_parsed) == dates[0]


def test_the_feed_is_the_same_at_every_fetch(site, engine, world):
    client = site()
    first = client.get("/feeds/organisations/greater-manchester-police.atom")
    second = client.get("/feeds/organisations/greater-manchester-police.atom")
    assert first.data == second.data
    assert parse(first).feed.id == entry_id("organisation:greater-manchester-police")


def test_statuses_kept_private_leave_only_new_recommendations(site, engine, world):
    add_update(engine, world.recs["3"], gmp_editor(engine),
               UpdateInput(status="in_progress", note=PUBLIC_NOTE, public=True))
    feed = parse(site(public_status=False).get(
        "/feeds/organisations/greater-manchester-police.atom"))
    assert sorted(e.id for e in feed.entries) == sorted(
        entry_id(f"recommendation:{world.recs[n]}") for n in ("1", "3"))
    assert PUBLIC_NOTE not in str(feed)


def test_an_organisation_owning_nothing_has_a_valid_empty_feed(site):
    feed = parse(site().get("/feeds/organisations/kent-police.atom"))
    assert feed.entries == []


@pytest.mark.parametrize("org_id", ["no-such-organisation", "BAD..id", "x" * 200])
def test_an_unknown_organisation_is_a_404(site, org_id):
    resp = site().get(f"/feeds/organisations/{org_id}.atom")
    assert resp.status_code == 404
    assert resp.json["error"]["code"] == "not_found"
