"""Recurring recommendations benchmark (issue 16): group 30,000 recommendations of about 3,000
reviews, then add one new review, on SQLite and PostgreSQL side by side.

    python -m bench recurring
Sizes: BENCH_RECURRING_REVIEWS (default 3000 reviews of 8 to 12 recommendations from the
generator's recurring families, ``samples.reports.families``, train wordings). Figures:

- ``method``: the grouping alone, in memory (normalise, features, assign, merge);
- ``rebuild``: ``dhr tracker recurring --rebuild`` on the database (read every recommendation,
  group, write groups and members): target 60 s;
- ``one review``: one new review's recommendations grouped by the incremental step
  (``assign_pending``: loads the stored members' features, assigns, merges, writes): target 1 s;
  and the whole tracker sync of that review (which includes the grouping), for comparison.
The reviews are inserted directly (no sync) so that only grouping is timed. Figures only, no
pass/fail. PostgreSQL is a throw-away server from Debian's ``postgresql`` package. The CPU
seconds of this process are printed beside the wall-clock ones: on a shared machine the wall
clock also counts the time other programs had the CPU.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import print_table

REVIEWS = int(os.environ.get("BENCH_RECURRING_REVIEWS", "3000"))
NEW_REVIEWS = 5


def _insert(engine, reviews) -> int:
    from sqlalchemy import insert

    from accountability.db import write_session
    from accountability.models import RecommendationOwner, ReviewRecommendation, ReviewRow

    n = 0
    for start in range(0, len(reviews), 500):
        chunk = reviews[start:start + 500]
        review_rows, rec_rows, owner_rows = [], [], []
        for rv in chunk:
            review_rows.append({"review_key": rv.review_key, "area": rv.area,
                                "region": rv.region, "year": rv.year})
            for j, r in enumerate(rv.recommendations):
                rid = f"rr-{n:016x}"
                n += 1
                rec_rows.append({"id": rid, "review_key": rv.review_key, "position": j,
                                 "number": r.number, "text": r.text, "scope": r.scope,
                                 "themes": r.themes, "status": "no_information",
                                 "state": "current"})
                owner_rows.append({"recommendation_id": rid, "position": 0,
                                   "organisation_id": r.owner_id, "name": r.owner})
        with write_session(engine) as s:
            s.execute(insert(ReviewRow), review_rows)
            s.execute(insert(ReviewRecommendation), rec_rows)
            s.execute(insert(RecommendationOwner), owner_rows)
    return n


def method_only(reviews) -> tuple[float, float, int]:
    from accountability.recurring_method import Grouper, features, group_items, normalise

    t, c = time.perf_counter(), time.process_time()
    items = [(f"{rv.review_key}/{j}", rv.review_key, features(normalise(r.text, [r.owner],
                                                                         rv.area)))
             for rv in sorted(reviews, key=lambda r: (r.year, r.review_key))
             for j, r in enumerate(rv.recommendations)]
    groups = group_items(Grouper(), items)
    return time.perf_counter() - t, time.process_time() - c, len(set(groups))


def run(url: str, reviews, extra) -> dict[str, float]:
    from accountability.db import create_tracker_engine, upgrade
    from accountability.organisations import seed_registry
    from accountability.recurring import assign_pending, counts, rebuild
    from accountability.sync import sync_documents
    from dhr.document import Document
    from samples.reports.families import family_documents

    engine = create_tracker_engine(url)
    try:
        upgrade(engine)
        seed_registry(engine)
        n = _insert(engine, reviews)
        t, c = time.perf_counter(), time.process_time()
        rebuild(engine)
        t_rebuild = time.perf_counter() - t
        c_rebuild = time.process_time() - c
        groups = counts(engine)["groups"]
        one, one_cpu, synced = [], [], []
        for rv in extra[:NEW_REVIEWS]:
            _insert_one = _insert_offset(engine, rv, n)
            n += _insert_one
            t, c = time.perf_counter(), time.process_time()
            assign_pending(engine)
            one.append(time.perf_counter() - t)
            one_cpu.append(time.process_time() - c)
        for rv in extra[NEW_REVIEWS:]:
            doc = Document.model_validate(family_documents([rv])[0])
            t = time.perf_counter()
            sync_documents(engine, [doc])
            synced.append(time.perf_counter() - t)
        return {"recommendations": n, "groups": groups, "rebuild_s": t_rebuild,
                "rebuild_cpu_s": c_rebuild,
                "one_review_s": statistics.median(one), "one_review_max_s": max(one),
                "one_review_cpu_s": statistics.median(one_cpu),
                "sync_one_review_s": statistics.median(synced)}
    finally:
        engine.dispose()


def _insert_offset(engine, rv, offset: int) -> int:
    from accountability.db import write_session
    from accountability.models import RecommendationOwner, ReviewRecommendation, ReviewRow

    with write_session(engine) as s:
        s.add(ReviewRow(review_key=rv.review_key, area=rv.area, region=rv.region, year=rv.year))
        s.flush()
        for j, r in enumerate(rv.recommendations):
            s.add(ReviewRecommendation(
                id=f"rr-{offset + j:016x}", review_key=rv.review_key, position=j,
                number=r.number, text=r.text, scope=r.scope, themes=r.themes,
                owners=[RecommendationOwner(position=0, organisation_id=r.owner_id,
                                            name=r.owner)]))
    return len(rv.recommendations)


def main(argv: list[str]) -> None:
    from samples.reports.families import family_reviews
    from tests.tracker.pgserver import PostgresServer, PostgresUnavailable

    t = time.perf_counter()
    reviews = family_reviews(REVIEWS, split="train", seed=21, per_review=(8, 12))
    extra = family_reviews(2 * NEW_REVIEWS, split="train", seed=22, per_review=(8, 12))
    for rv in extra:
        rv.review_key = rv.review_key.replace("-family-", "-new-")
        rv.year = 2025
    print(f"generated {REVIEWS} reviews in {time.perf_counter() - t:.1f} s")
    t_method, c_method, n_groups = method_only(reviews)
    rows = [["method (in memory)", sum(len(r.recommendations) for r in reviews), n_groups,
             t_method, c_method, "", "", "", ""]]
    with tempfile.TemporaryDirectory(prefix="dhr-bench-recurring-") as tmp:
        targets = [("sqlite", lambda: f"sqlite:///{Path(tmp) / 'tracker.db'}")]
        server = None
        try:
            server = PostgresServer().start()
            targets.append(("postgresql", lambda: server.create_database("bench_recurring")))
        except PostgresUnavailable as err:
            print(f"PostgreSQL not available: {err}")
        try:
            for name, make_url in targets:
                r = run(make_url(), reviews, extra)
                rows.append([name, r["recommendations"], r["groups"], r["rebuild_s"],
                             r["rebuild_cpu_s"], r["one_review_s"], r["one_review_cpu_s"],
                             r["one_review_max_s"], r["sync_one_review_s"]])
        finally:
            if server:
                server.stop()
    print_table("recurring recommendations (targets: rebuild <= 60 s, one review <= 1 s)",
                ["database", "recommendations", "groups (>= 2)", "rebuild s",
                 "rebuild cpu s (this process)", "one review s (median)", "one review cpu s",
                 "one review s (max)", "sync one review s"], rows)
