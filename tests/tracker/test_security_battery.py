"""Every write route of the app, found in its own URL map, refuses every kind of bad caller.

The battery is built from ``app.url_map``: a new write route is attacked automatically, and one
whose URL arguments this file does not know fails the test until it is added here. Each refusal
must be a 401 or 403, leave every tracker table exactly as it was, and add one ``refused``
entry to the audit log.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accountability.accounts import create_token, revoke_token

from .conftest import bearer
from .helpers import audit_entries, csrf_token, raw, sign_in, snapshot

READ_ONLY = {"GET", "HEAD", "OPTIONS"}
# Form routes anyone may post (with a valid CSRF token): signing in.
ANONYMOUS_FORMS = {"tracker_web.sign_in"}
GOOD_UPDATE = {"status": "completed", "note": "battery note", "public": True}


def write_rules(app):
    return [r for r in app.url_map.iter_rules() if set(r.methods or ()) - READ_ONLY]


def correction_targets(app, world) -> dict[str, str]:
    """doc_id: a stored document of a Bolton review; correction_id: a correction of it in
    force (made by an admin), for the corrections routes (issue 19)."""
    if "battery_targets" not in app.extensions:
        from accountability.accounts import Principal
        from accountability.corrections import add_review_correction, parse_review_correction
        from ingest.resync import MergeState, store_merged
        from search_api.state import EXTENSION_KEY
        from search_api.tracker_state import EXTENSION_KEY as TRACKER_KEY

        from .docs import document

        st = app.extensions[EXTENSION_KEY]
        doc = document("battery-overview")
        st.store.put(b"battery-overview", ext="pdf", filename=doc.filename)
        state = MergeState(st.store)
        store_merged(st.store, state, doc)
        state.close()
        engine = app.extensions[TRACKER_KEY].engine
        from sqlalchemy import select

        from accountability.db import read_session
        from accountability.models import User

        with read_session(engine) as s:
            admin_id = s.scalar(select(User.id).where(User.email == "admin@example.org"))
        admin = Principal(admin_id, "admin@example.org", None,
                          frozenset({("admin", "home-office")}))
        row = add_review_correction(engine, st.store, admin, doc.id, parse_review_correction(
            {"field": "death_type", "value": "homicide", "reason": "battery"}),
            backend=st.backend.backend)
        app.extensions["battery_targets"] = {"doc_id": doc.id, "correction_id": row.id}
    return app.extensions["battery_targets"]


def url_for_rule(rule, world, app=None) -> str:
    # rec_id: recommendation 2, owned by the Home Office, in a review whose CSP is Bolton's.
    # sup_id: a suppression id (takedown); the refusal comes before any lookup.
    # org_id: the Home Office (the GMP org_admin administers another one); token_id: a token of
    # the Home Office editor (no one else may revoke it); user_id: the first account.
    known = {"rec_id": world.recs["2"], "sup_id": "sup-0123456789abcdef",
             "org_id": "home-office", "user_id": 1,
             "token_id": world.tokens["home_office"].split("_")[1]}
    if app is not None and {"doc_id", "correction_id"} & set(rule.arguments):
        known.update(correction_targets(app, world))
    missing = set(rule.arguments) - set(known)
    assert not missing, f"{rule.rule}: teach the battery the URL argument(s) {missing}"
    return rule.build({k: known[k] for k in rule.arguments}, append_unknown=False)[1]


def api_cases(world, engine):
    expired, _ = create_token(engine, "gmp-editor@example.org", scope="write")
    raw(engine, "UPDATE api_tokens SET expires_at = :t WHERE id = :id",
        t=datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1), id=expired.split("_")[1])
    revoked, row = create_token(engine, "ho-editor@example.org", scope="write")
    revoke_token(engine, row.id)
    return [
        ("no token", {}, 401, "no_token"),
        ("malformed token", {"Authorization": "Bearer not-a-token"}, 401, "malformed_token"),
        ("other scheme", {"Authorization": "Basic ZWQ6cGFzcw=="}, 401, "malformed_token"),
        ("unknown token", bearer("dhr_0123456789abcdef_" + "A" * 43), 401, "unknown_token"),
        ("expired token", bearer(expired), 401, "expired_token"),
        ("revoked token", bearer(revoked), 401, "revoked_token"),
        ("read-scope token", bearer(world.tokens["read"]), 403, "read_scope"),
        ("editor of another organisation", bearer(world.tokens["gmp"]), 403, "not_an_editor"),
        ("oversight (reads, never writes)", bearer(world.tokens["oversight"]), 403,
         "not_an_editor"),
        ("org_admin is not an editor", bearer(world.tokens["gmp_admin"]), 403, "not_an_editor"),
    ]


def _refusal_recorded(engine, before: int, reason: str) -> None:
    refused = [e for e in audit_entries(engine) if e.seq > before]
    assert len(refused) == 1, [(e.action, e.detail) for e in refused]
    assert refused[0].action == "request.refused"
    assert f'"reason":"{reason}"' in refused[0].detail


def test_the_battery_covers_the_tracker_write_routes(app):
    endpoints = {r.endpoint for r in write_rules(app)}
    assert {"tracker_api.add_recommendation_update", "tracker_web.update_form",
            "tracker_web.sign_in", "tracker_web.sign_out"} <= endpoints


def test_api_write_routes_refuse_every_bad_token(app, client, world, engine):
    rules = [r for r in write_rules(app) if r.rule.startswith("/api/")]
    assert rules
    for rule in rules:
        url = url_for_rule(rule, world, app)
        for method in sorted(set(rule.methods) - READ_ONLY):
            for name, headers, status, reason in api_cases(world, engine):
                if rule.endpoint.startswith("takedown") and reason == "not_an_editor":
                    reason = "not_admin"  # takedown writes are for admins only
                before_rows = snapshot(engine)
                before_seq = len(audit_entries(engine))
                resp = client.open(url, method=method, json=GOOD_UPDATE, headers=headers)
                assert resp.status_code == status, (rule.rule, method, name, resp.get_json())
                assert resp.get_json()["error"]["code"] in ("unauthorized", "forbidden")
                assert snapshot(engine) == before_rows, (rule.rule, name, "changed something")
                _refusal_recorded(engine, before_seq, reason)


def test_form_routes_refuse_missing_csrf_and_strangers(app, world, engine):
    app.config["DHR_SIGNIN_LIMIT"] = "1000 per minute"
    rules = [r for r in write_rules(app) if not r.rule.startswith("/api/")]
    assert rules
    for rule in rules:
        url = url_for_rule(rule, world, app)
        form = {"status": "completed", "note": "form battery note", "email":
                "admin@example.org", "password": "correct horse battery staple"}
        cases = []
        # 1. A signed-in admin (allowed to do anything) posting without the CSRF token.
        cases.append(("missing CSRF", "admin@example.org", False, 403, "csrf"))
        cases.append(("wrong CSRF", "admin@example.org", "forged", 403, "csrf"))
        if rule.endpoint not in ANONYMOUS_FORMS:
            cases.append(("not signed in", None, True, 401, "not_signed_in"))
        if "rec_id" in rule.arguments:
            cases.append(("editor of another organisation", "gmp-editor@example.org", True, 403,
                          "not_an_editor"))
        if rule.endpoint.startswith("takedown"):
            cases.append(("editor, not an admin", "gmp-editor@example.org", True, 403,
                          "not_admin"))
            cases.append(("oversight reads, never writes", "oversight@example.org", True, 403,
                          "not_admin"))
        if "org_id" in rule.arguments:
            cases.append(("administrator of another organisation", "gmp-admin@example.org",
                          True, 403, "not_org_admin"))
            cases.append(("editor of the organisation", "ho-editor@example.org", True, 403,
                          "not_org_admin"))
        if "token_id" in rule.arguments:
            cases.append(("another user's token", "gmp-editor@example.org", True, 403,
                          "not_your_token"))
        for name, who, with_csrf, status, reason in cases:
            client = app.test_client()
            if who:
                assert sign_in(client, who).status_code == 303
            data = dict(form)
            if with_csrf is True:
                data["csrf_token"] = csrf_token(client)
            elif with_csrf:
                data["csrf_token"] = with_csrf
            before_rows = snapshot(engine)
            before_seq = len(audit_entries(engine))
            resp = client.post(url, data=data)
            assert resp.status_code == status, (rule.rule, name, resp.status_code)
            assert snapshot(engine) == before_rows, (rule.rule, name, "changed something")
            _refusal_recorded(engine, before_seq, reason)


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_methods_on_tracker_resources_are_not_allowed(client, world, method):
    resp = client.open(f"/api/v1/review-recommendations/{world.recs['1']}/updates",
                       method=method, headers=bearer(world.tokens["gmp"]))
    assert resp.status_code == 405
