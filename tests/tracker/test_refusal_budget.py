"""Refused requests cannot flood the audit log: each client address has a budget per window.

Within the budget every refusal is audited as before; past it refusals are counted, and the
next window begins with one ``request.refused.throttled`` entry saying how many were left out.
"""

from __future__ import annotations

from tests.conftest import make_config

from .helpers import audit_entries, detail


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_budget_admits_up_to_its_limit_per_address_and_window():
    from accountability.refusal_budget import RefusalBudget

    clock = FakeClock()
    budget = RefusalBudget(limit=3, window_s=60, clock=clock)
    assert [budget.admit("10.0.0.1").record for _ in range(5)] == [True] * 3 + [False] * 2
    assert budget.admit("10.0.0.2").record, "another address has its own budget"
    clock.now += 59.9
    assert not budget.admit("10.0.0.1").record, "still the same window"
    clock.now += 0.2
    first = budget.admit("10.0.0.1")
    assert first.record and first.dropped_before == 3
    assert budget.admit("10.0.0.1").dropped_before == 0, "the drop count is reported once"


def test_a_flood_of_refused_requests_writes_a_bounded_audit_log(tmp_path, db_url, engine):
    from search_api.app import create_app

    cfg = make_config(tmp_path, "sqlite", tracker={"database_url": db_url,
                                                   "refusal_audit_per_minute": 5})
    app = create_app(cfg, tracker_engine=engine)
    client = app.test_client()
    before = len(audit_entries(engine))
    for _ in range(40):
        resp = client.post("/api/v1/review-recommendations/nope/updates", json={})
        assert resp.status_code == 401
    refused = audit_entries(engine)[before:]
    assert [e.action for e in refused] == ["request.refused"] * 5
    assert all(detail(e)["reason"] == "no_token" for e in refused)

    budget = app.extensions["dhr_refusal_budget"]
    budget._windows["127.0.0.1"].started -= 61  # the window has passed
    assert client.post("/api/v1/review-recommendations/nope/updates", json={}).status_code == 401
    after = audit_entries(engine)[before + 5:]
    assert [e.action for e in after] == ["request.refused.throttled", "request.refused"]
    assert detail(after[0])["not_recorded"] == 35
