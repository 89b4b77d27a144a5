"""Only admins suppress, restore and delete. Every takedown write route, found in the app's URL
map, refuses every kind of wrong credential with 401/403, changes nothing (tracker tables,
store, index) and leaves one ``request.refused`` entry in the audit log. The admin's web form
works with a CSRF token, and refuses without one. Both tracker databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from accountability.accounts import create_token, revoke_token
from tests.tracker.helpers import audit_entries, csrf_token, raw, sign_in, snapshot

from .conftest import KEEP, NAME_QUERY, WHOLE, bearer

READ_ONLY = {"GET", "HEAD", "OPTIONS"}


def takedown_write_rules(app):
    return [r for r in app.url_map.iter_rules()
            if r.endpoint.startswith("takedown") and set(r.methods or ()) - READ_ONLY]


def state_of(world) -> tuple:
    client = world.app.test_client()
    return (snapshot(world.engine), world.store.withheld_files(), world.store.tombstones(),
            client.get(f"/api/v1/search?q={NAME_QUERY}").get_json()["total"],
            client.get("/api/v1/facets").get_json()["total"],
            sorted(p.name for p in world.store.files_dir.rglob("*.*")))


def bad_credentials(world):
    engine = world.engine
    expired, _ = create_token(engine, "admin@example.org", scope="write")
    raw(engine, "UPDATE api_tokens SET expires_at = :t WHERE id = :id",
        t=datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1), id=expired.split("_")[1])
    revoked, row = create_token(engine, "admin@example.org", scope="write")
    revoke_token(engine, row.id)
    return [
        ("no token", {}, 401, "no_token"),
        ("not a bearer token", {"Authorization": "Basic YWRtaW46cGFzcw=="}, 401,
         "malformed_token"),
        ("bad token", bearer("dhr_0123456789abcdef_" + "A" * 43), 401, "unknown_token"),
        ("expired admin token", bearer(expired), 401, "expired_token"),
        ("revoked admin token", bearer(revoked), 401, "revoked_token"),
        ("admin's read-scope token", bearer(world.tokens["admin_read"]), 403, "read_scope"),
        ("editor, not an admin", bearer(world.tokens["editor"]), 403, "not_admin"),
        ("oversight reads, never writes", bearer(world.tokens["oversight"]), 403, "not_admin"),
    ]


def one_refusal(world, before: int, reason: str) -> None:
    new = [e for e in audit_entries(world.engine) if e.seq > before]
    assert [e.action for e in new] == ["request.refused"], [(e.action, e.detail) for e in new]
    assert f'"reason":"{reason}"' in new[0].detail


def test_every_write_route_refuses_every_wrong_credential(sqlite_world):
    world = sqlite_world
    client = world.app.test_client()
    # One active suppression, so that restore and delete would change something if allowed.
    made = client.post("/api/v1/admin/suppressions", headers=bearer(world.tokens["admin"]),
                       json={"review_key": WHOLE, "category": "family_request",
                             "reason": "Family request."})
    assert made.status_code == 201
    sup_id = made.get_json()["id"]
    bodies = {"takedown_api.create_suppression": {
        "document": world.id("partial-summary"), "category": "legal_request",
        "reason": "Should never be applied."},
        "takedown_api.restore_suppression": {"reason": "Should never be applied."},
        "takedown_api.delete_suppressed": {"reason": "Should never be applied.",
                                           "confirm": True}}
    rules = [r for r in takedown_write_rules(world.app) if r.rule.startswith("/api/")]
    assert {r.endpoint for r in rules} == set(bodies), "a new write route: give it a body here"
    cases = bad_credentials(world)
    for rule in rules:
        url = rule.build({"sup_id": sup_id} if "sup_id" in rule.arguments else {},
                         append_unknown=False)[1]
        for name, headers, status, reason in cases:
            before, seq = state_of(world), len(audit_entries(world.engine))
            resp = client.post(url, json=bodies[rule.endpoint], headers=headers)
            assert resp.status_code == status, (rule.rule, name, resp.get_json())
            assert resp.get_json()["error"]["code"] in ("unauthorized", "forbidden")
            assert state_of(world) == before, (rule.rule, name, "changed something")
            one_refusal(world, seq, reason)
    # The admin's own write token does it (the battery above could not pass by refusing all).
    ok = client.post(f"/api/v1/admin/suppressions/{sup_id}/restore",
                     headers=bearer(world.tokens["admin"]), json={"reason": "Agreed."})
    assert ok.status_code == 200


def test_reading_suppressions_needs_admin_or_oversight(sqlite_world):
    client = sqlite_world.app.test_client()
    assert client.get("/api/v1/admin/suppressions").status_code == 401
    assert client.get("/api/v1/admin/suppressions",
                      headers=bearer(sqlite_world.tokens["editor"])).status_code == 403
    for who in ("admin", "admin_read", "oversight"):
        got = client.get("/api/v1/admin/suppressions", headers=bearer(sqlite_world.tokens[who]))
        assert got.status_code == 200 and got.get_json() == {"total": 0, "results": []}


def test_bad_requests_are_400_404_409_and_change_nothing(sqlite_world):
    world = sqlite_world
    client = world.app.test_client()
    admin = bearer(world.tokens["admin"])
    doc = world.id("partial-summary")
    cases = [
        ({"document": doc, "category": "because", "reason": "x"}, 400, "category"),
        ({"document": doc, "category": "legal_request", "reason": "  "}, 400, "reason"),
        ({"document": doc, "review_key": WHOLE, "category": "legal_request", "reason": "x"},
         400, "document"),
        ({"document": "../../etc/passwd", "category": "legal_request", "reason": "x"}, 400,
         "document"),
        ({"category": "legal_request", "reason": "x"}, 400, "document"),
        ({"document": "0" * 64, "category": "legal_request", "reason": "x"}, 404, None),
        ({"review_key": "no-such-review", "category": "legal_request", "reason": "x"}, 404,
         None),
        ({"document": doc, "category": "legal_request", "reason": "x", "extra": 1}, 400,
         "extra"),
    ]
    before = state_of(world)
    for body, status, field in cases:
        resp = client.post("/api/v1/admin/suppressions", json=body, headers=admin)
        assert resp.status_code == status, (body, resp.get_json())
        if field:
            assert resp.get_json()["error"]["field"] == field
    assert client.post("/api/v1/admin/suppressions", data="not json", headers=admin,
                       content_type="application/json").status_code == 400
    assert state_of(world) == before
    first = client.post("/api/v1/admin/suppressions", headers=admin, json={
        "document": doc, "category": "superseded", "reason": "A corrected summary."})
    again = client.post("/api/v1/admin/suppressions", headers=admin, json={
        "document": doc, "category": "superseded", "reason": "Twice."})
    assert (first.status_code, again.status_code) == (201, 409)
    sup = first.get_json()["id"]
    assert client.post(f"/api/v1/admin/suppressions/{sup}/delete", headers=admin,
                       json={"reason": "Order 1"}).status_code == 400  # no confirm
    assert client.post("/api/v1/admin/suppressions/sup-0000000000000000/restore",
                       headers=admin, json={"reason": "x"}).status_code == 404
    assert client.post(f"/api/v1/admin/suppressions/{sup}/restore", headers=admin,
                       json={"reason": "Back."}).status_code == 200
    assert client.post(f"/api/v1/admin/suppressions/{sup}/restore", headers=admin,
                       json={"reason": "Back again."}).status_code == 409


def test_the_admin_web_form_suppresses_and_restores_with_csrf(sqlite_world):
    world = sqlite_world
    doc = world.id("partial-summary")
    form = {"document": doc, "review_key": "", "category": "unredacted_personal_data",
            "reason": "The summary names a neighbour."}
    # Strangers, editors, oversight and a forged form are refused; nothing changes.
    refusals = [(None, True, 401, "not_signed_in"),
                ("gmp-editor@example.org", True, 403, "not_admin"),
                ("oversight@example.org", True, 403, "not_admin"),
                ("admin@example.org", False, 403, "csrf")]
    for who, with_csrf, status, reason in refusals:
        client = world.app.test_client()
        if who:
            assert sign_in(client, who).status_code == 303
        data = dict(form)
        if with_csrf:
            data["csrf_token"] = csrf_token(client)
        before, seq = state_of(world), len(audit_entries(world.engine))
        resp = client.post("/admin/takedown", data=data)
        assert resp.status_code == status, (who, resp.status_code)
        assert state_of(world) == before
        one_refusal(world, seq, reason)
    # Oversight may read the page (no form), the admin may post it.
    overseer = world.app.test_client()
    sign_in(overseer, "oversight@example.org")
    page = overseer.get("/admin/takedown")
    assert page.status_code == 200 and 'name="reason"' not in page.get_data(as_text=True)
    admin = world.app.test_client()
    sign_in(admin, "admin@example.org")
    bad = admin.post("/admin/takedown", data={**form, "category": "",
                                               "csrf_token": csrf_token(admin, "/admin/takedown")})
    assert bad.status_code == 400 and "Choose a category" in bad.get_data(as_text=True)
    done = admin.post("/admin/takedown", data={**form, "csrf_token": csrf_token(
        admin, "/admin/takedown")})
    assert done.status_code == 303
    detail_url = done.headers["Location"]
    assert world.app.test_client().get(f"/api/v1/documents/{doc}").status_code == 404
    detail = admin.get(detail_url)
    assert detail.status_code == 200 and doc in detail.get_data(as_text=True)
    restored = admin.post(detail_url, data={"action": "restore", "reason": "Redacted copy.",
                                            "csrf_token": csrf_token(admin, detail_url)})
    assert restored.status_code == 303
    assert world.app.test_client().get(f"/api/v1/documents/{doc}").status_code == 200


def test_an_editor_cannot_open_or_update_a_suppressed_reviews_recommendation(sqlite_world):
    world = sqlite_world
    client = world.app.test_client()
    client.post("/api/v1/admin/suppressions", headers=bearer(world.tokens["admin"]),
                json={"review_key": WHOLE, "category": "family_request", "reason": "Family."})
    rec = world.recs[WHOLE][0]
    editor = world.app.test_client()
    sign_in(editor, "gmp-editor@example.org")
    assert editor.get(f"/recommendations/{rec}/update").status_code == 404
    resp = client.post(f"/api/v1/review-recommendations/{rec}/updates",
                       headers=bearer(world.tokens["editor"]),
                       json={"status": "completed", "note": "done"})
    assert resp.status_code == 404
    # Other reviews are untouched: GMP's recommendation in a public review opens as before.
    other = world.recs[KEEP][0]
    assert editor.get(f"/recommendations/{other}/update").status_code == 200
