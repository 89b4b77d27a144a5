"""Many writers at once, through a real HTTP server: no update lost, each history's order
consistent, the audit chain whole (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import http.client
import json
import threading
from collections import defaultdict
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from accountability.accounts import create_token
from accountability.audit import verify
from accountability.db import read_session
from accountability.models import Update
from search_api.wsgi import BackgroundServer

from .helpers import audit_entries, detail

WRITERS = 8
EACH = 200


@pytest.mark.slow
def test_eight_writers_two_hundred_updates_each(app, engine, world):
    tokens = [create_token(engine, "gmp-editor@example.org", scope="write")[0]
              for _ in range(WRITERS)]
    targets = [world.recs["1"], world.recs["3"]]  # both owned by GMP: the writers collide
    failures: list[str] = []

    def writer(w: int, base: str) -> None:
        parts = urlsplit(base)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        for i in range(EACH):
            rec = targets[(w + i) % 2]
            body = json.dumps({"status": "in_progress", "note": f"w{w}-{i}", "public": i % 2 == 0})
            conn.request("POST", f"/api/v1/review-recommendations/{rec}/updates", body=body,
                         headers={"Authorization": f"Bearer {tokens[w]}",
                                  "Content-Type": "application/json"})
            resp = conn.getresponse()
            payload = resp.read()
            if resp.status != 201:
                failures.append(f"writer {w} update {i}: {resp.status} {payload[:200]!r}")
        conn.close()

    with BackgroundServer(app, threads=WRITERS) as server:
        threads = [threading.Thread(target=writer, args=(w, server.url)) for w in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert failures == []

    with read_session(engine) as s:
        rows = list(s.scalars(select(Update).where(Update.source == "user")
                              .order_by(Update.recommendation_id, Update.seq)))
        all_seqs = defaultdict(list)
        for u in s.scalars(select(Update).order_by(Update.recommendation_id, Update.seq)):
            all_seqs[u.recommendation_id].append((u.seq, u.created_at))
    # No update lost, none duplicated.
    notes = [u.note for u in rows]
    assert len(notes) == WRITERS * EACH == len(set(notes))
    # Each history is numbered 1..n without gaps, in time order.
    for rec, seqs in all_seqs.items():
        assert [s for s, _ in seqs] == list(range(1, len(seqs) + 1)), rec
        assert [t for _, t in seqs] == sorted(t for _, t in seqs), rec
    # Each writer's updates appear in the order it wrote them.
    by_writer = defaultdict(list)
    for u in rows:
        w, i = u.note[1:].split("-")
        by_writer[(u.recommendation_id, int(w))].append((u.seq, int(i)))
    for key, pairs in by_writer.items():
        assert [i for _, i in sorted(pairs)] == sorted(i for _, i in pairs), key
    # The audit chain is whole and records every update, in history order.
    assert verify(engine).ok
    created = [detail(e) for e in audit_entries(engine, "update.create")]
    assert len(created) == WRITERS * EACH
    per_rec = defaultdict(list)
    for d, u in zip(created, sorted(rows, key=lambda u: u.id), strict=True):
        per_rec[u.recommendation_id].append(d["seq"])
    for rec, seqs in per_rec.items():
        assert seqs == sorted(seqs), rec
