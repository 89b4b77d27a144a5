"""Tracker benchmark: update writes and an organisation's recommendations through the API, on
SQLite and PostgreSQL side by side.

    python -m bench tracker
Sizes: BENCH_TRACKER_REVIEWS (default 3000 reviews x 10 recommendations), BENCH_TRACKER_UPDATES
(default 50000 updates, audited like real ones). PostgreSQL is a throw-away server started from
Debian's ``postgresql`` package (as the tests do). Each database gets the same generated data;
then, through a real HTTP server (waitress on 127.0.0.1): the latency of ``POST
.../updates`` (one at a time, write token of an owner's editor) and of ``GET
/api/v1/review-recommendations?owner=<the organisation owning most>`` (first page, a status
filter, and a later page by cursor). Figures only, no pass/fail.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import percentile, print_table

REVIEWS = int(os.environ.get("BENCH_TRACKER_REVIEWS", "3000"))
UPDATES = int(os.environ.get("BENCH_TRACKER_UPDATES", "50000"))
PER_REVIEW = 10
WRITES = int(os.environ.get("BENCH_TRACKER_WRITES", "200"))
READS = int(os.environ.get("BENCH_TRACKER_READS", "200"))


def generate(engine, seed: int = 13) -> dict:
    """Reviews, recommendations with owners and appearances, and audited updates."""
    from sqlalchemy import bindparam, insert, update

    from accountability import audit
    from accountability.db import read_session, write_session
    from accountability.models import (
        Appearance,
        OrganisationRow,
        RecommendationOwner,
        ReviewRecommendation,
        ReviewRow,
        Update,
    )
    from accountability.statuses import STATUSES, due_date

    rng = random.Random(seed)
    with read_session(engine) as s:
        orgs = [(o.id, o.kind) for o in s.query(OrganisationRow)]
    csps = [o for o, k in orgs if k == "csp"]
    police = [o for o, k in orgs if k == "police_force"]
    national = [o for o, k in orgs if k in ("government_department", "national_body")]
    rec_ids: list[str] = []
    owner_of: dict[str, str] = {}
    t0 = time.perf_counter()
    for start in range(0, REVIEWS, 250):
        with write_session(engine) as s:
            pending: list = []
            for r in range(start, min(REVIEWS, start + 250)):
                key = f"bench-review-{r:05d}"
                s.add(ReviewRow(review_key=key, area=f"Area {r % 300}", year=2011 + r % 14,
                                csp_organisation_id=rng.choice(csps)))
                s.flush()
                for n in range(PER_REVIEW):
                    rid = f"rr-{r:08x}{n:08x}"
                    owner = rng.choice(national if rng.random() < 0.3 else police)
                    target = f"{2012 + r % 14}-{1 + n % 12:02d}"
                    s.add(ReviewRecommendation(
                        id=rid, review_key=key, position=n, number=str(n + 1),
                        text=f"Synthetic recommendation {n + 1} of benchmark review {r}: the "
                             f"agency to review its domestic abuse training and risk checks.",
                        target_date=target, target_due=due_date(target),
                        owners=[RecommendationOwner(position=0, organisation_id=owner,
                                                    name=owner)]))
                    pending.append(Appearance(recommendation_id=rid, document_id=f"{r:064x}",
                                              page=30 + n, number=str(n + 1), text="synthetic"))
                    rec_ids.append(rid)
                    owner_of[rid] = owner
            s.flush()
            s.add_all(pending)
            audit.append(s, "bench", "bench.generate", detail={"reviews_from": start})
    t_recs = time.perf_counter() - t0
    t0 = time.perf_counter()
    seqs: dict[str, int] = {}
    base = datetime.now(UTC) - timedelta(days=365)
    status_of: dict[str, str] = {}
    for start in range(0, UPDATES, 2000):
        rows, entries = [], []
        for i in range(start, min(UPDATES, start + 2000)):
            rid = rng.choice(rec_ids)
            seqs[rid] = seqs.get(rid, 0) + 1
            status = rng.choice(STATUSES[1:])
            status_of[rid] = status
            rows.append({"recommendation_id": rid, "seq": seqs[rid], "source": "user",
                         "status": status, "note": f"benchmark update {i}",
                         "public": rng.random() < 0.5, "created_at": base + timedelta(seconds=i),
                         "organisation_id": owner_of[rid]})
            entries.append({"actor": "bench", "action": "update.create",
                            "target_type": "recommendation", "target_id": rid,
                            "detail": {"seq": seqs[rid], "status": status}})
        with write_session(engine) as s:
            s.execute(insert(Update), rows)
            audit.append_many(s, entries)
    with write_session(engine) as s:
        s.connection().execute(
            update(ReviewRecommendation.__table__)
            .where(ReviewRecommendation.__table__.c.id == bindparam("rid"))
            .values(status=bindparam("st")),
            [{"rid": r, "st": st} for r, st in status_of.items()])
    t_updates = time.perf_counter() - t0
    counts: dict[str, int] = {}
    for owner in owner_of.values():
        counts[owner] = counts.get(owner, 0) + 1
    busiest = max(counts, key=counts.get)
    return {"busiest": busiest, "owned": counts[busiest], "generate_recs_s": t_recs,
            "generate_updates_s": t_updates,
            "editable": [r for r, o in owner_of.items() if o == busiest][:WRITES]}


def measure(engine, url: str, data: dict, tmp: Path) -> dict:
    from accountability.accounts import add_user, create_token
    from search_api.app import create_app
    from search_api.wsgi import BackgroundServer
    from tests.conftest import make_config

    add_user(engine, "bench-editor@example.org", "benchmark password", data["busiest"], "editor")
    token = create_token(engine, "bench-editor@example.org", scope="write")[0]
    cfg = make_config(tmp, "sqlite", tracker={"database_url": url})
    app = create_app(cfg, tracker_engine=engine)
    out: dict = {}
    with BackgroundServer(app) as server:
        host, port = server.url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=60)

        def call(method: str, path: str, body: dict | None = None) -> tuple[float, dict]:
            headers = {"Accept": "application/json"}
            payload = None
            if body is not None:
                payload = json.dumps(body)
                headers.update({"Content-Type": "application/json",
                                "Authorization": f"Bearer {token}"})
            t = time.perf_counter()
            conn.request(method, path, body=payload, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
            dt = (time.perf_counter() - t) * 1000
            if resp.status not in (200, 201):
                raise RuntimeError(f"{method} {path}: {resp.status} {raw[:200]!r}")
            return dt, json.loads(raw)

        writes = [call("POST", f"/api/v1/review-recommendations/{rid}/updates",
                       {"status": "in_progress", "note": "bench", "public": True})[0]
                  for rid in (data["editable"] * (WRITES // max(1, len(data["editable"])) + 1)
                              )[:WRITES]]
        owner = data["busiest"]
        first, filtered, later = [], [], []
        _, page = call("GET", f"/api/v1/review-recommendations?owner={owner}&page_size=100")
        cursor = page["next_cursor"]
        for _ in range(READS):
            first.append(call("GET", f"/api/v1/review-recommendations?owner={owner}")[0])
            filtered.append(call("GET", f"/api/v1/review-recommendations?owner={owner}"
                                        "&status=in_progress&overdue=true&page_size=50")[0])
            if cursor:
                later.append(call("GET", f"/api/v1/review-recommendations?owner={owner}"
                                         f"&page_size=100&cursor={cursor}")[0])
        org = [call("GET", f"/api/v1/organisations/{owner}")[0] for _ in range(READS // 4)]
        conn.close()
    for name, values in (("write", writes), ("list", first), ("list_filtered", filtered),
                         ("list_cursor", later), ("org_counts", org)):
        out[name] = (percentile(values, 50), percentile(values, 95)) if values else (None, None)
    return out


def main(argv: list[str]) -> None:
    from accountability.db import create_tracker_engine, upgrade
    from accountability.organisations import seed_registry
    from tests.tracker.pgserver import PostgresServer, PostgresUnavailable

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="dhr-bench-tracker-") as tmp:
        targets = [("sqlite", lambda: f"sqlite:///{Path(tmp) / 'tracker.db'}")]
        server = None
        try:
            server = PostgresServer().start()
            targets.append(("postgresql", lambda: server.create_database("bench")))
        except PostgresUnavailable as err:
            print(f"PostgreSQL not available: {err}")
        try:
            for name, make_url in targets:
                url = make_url()
                engine = create_tracker_engine(url)
                upgrade(engine)
                seed_registry(engine)
                data = generate(engine)
                sub = Path(tmp) / name
                sub.mkdir()
                results[name] = {**measure(engine, url, data, sub), **data}
                engine.dispose()
        finally:
            if server:
                server.stop()
    names = list(results)
    print(f"\n{REVIEWS} reviews x {PER_REVIEW} recommendations, {UPDATES} updates; busiest "
          f"organisation owns " + ", ".join(f"{results[n]['owned']} ({n})" for n in names))
    rows = [["generate recommendations (s)", *[results[n]["generate_recs_s"] for n in names]],
            ["generate updates, audited (s)", *[results[n]["generate_updates_s"] for n in names]]]
    labels = {"write": f"POST update ({WRITES}, one at a time)",
              "list": "GET owner's recommendations, page 1 (20)",
              "list_filtered": "GET owner + status + overdue (50)",
              "list_cursor": "GET owner, page 2 by cursor (100)",
              "org_counts": "GET organisation with status counts"}
    for key, label in labels.items():
        for i, p in enumerate(("p50", "p95")):
            rows.append([f"{label} {p} (ms)",
                         *[results[n][key][i] if results[n][key][i] is not None else "-"
                           for n in names]])
    print_table("tracker: SQLite and PostgreSQL side by side", ["measure", *names], rows)


if __name__ == "__main__":
    main([])
