"""Odd client input never makes a tracker answer 500, on SQLite or PostgreSQL, and a refused
attempt is still recorded: NUL characters (PostgreSQL refuses them in text), lone surrogates
(not UTF-8), text longer than the audit log's columns, JSON nested past the parser's limit."""

from __future__ import annotations

import pytest

from .conftest import bearer
from .helpers import audit_entries, csrf_token, detail, sign_in, snapshot

LONG_ADDRESS = "x" * 250 + "@example.org"


@pytest.mark.parametrize("email", ["a\x00b@example.org", LONG_ADDRESS, "y" * 400])
def test_a_sign_in_with_an_odd_address_is_refused_and_recorded(client, world, engine, email):
    before = audit_entries(engine)[-1].seq
    resp = client.post("/sign-in", data={"email": email, "password": "any password at all",
                                         "csrf_token": csrf_token(client)})
    assert resp.status_code == 400
    assert "is not right" in resp.get_data(as_text=True)
    new = [e for e in audit_entries(engine) if e.seq > before]
    assert [(e.action, detail(e)["reason"]) for e in new] == [("signin.refused", "unknown_user")]
    assert "\x00" not in new[0].actor and len(new[0].target_id) <= 200


@pytest.mark.parametrize("rec_id", ["%00", "x" * 300])
def test_an_odd_page_address_is_refused_and_recorded(client, world, engine, rec_id):
    before = audit_entries(engine)[-1].seq
    assert client.get(f"/recommendations/{rec_id}/update").status_code == 401
    new = [e for e in audit_entries(engine) if e.seq > before]
    assert [detail(e)["reason"] for e in new] == ["not_signed_in"]
    sign_in(client, "gmp-editor@example.org")
    assert client.get(f"/recommendations/{rec_id}/update").status_code == 404


@pytest.mark.parametrize("body", [
    '{"note": "a\\u0000b"}',
    '{"note": "\\ud800"}',
    '{"evidence_url": "https://example.org/\\u0000"}',
    "[" * 5000 + "]" * 5000,
])
def test_an_update_with_unstorable_text_is_a_400_and_changes_nothing(client, world, engine,
                                                                      body):
    before = snapshot(engine)
    resp = client.post(f"/api/v1/review-recommendations/{world.recs['1']}/updates", data=body,
                       headers={**bearer(world.tokens["gmp"]),
                                "Content-Type": "application/json"})
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert snapshot(engine) == before
