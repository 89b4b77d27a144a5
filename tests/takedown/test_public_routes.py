"""Suppressed content appears in no public response: every GET route of the app, found in its
own URL map (so pages, feeds and exports added later are walked too), is requested with its
URL arguments filled from the suppressed documents, review and recommendations, and with
queries that found them before; no answer may carry them, and the direct addresses answer the
same neutral 404 as an unknown id. Admins and oversight still see them, marked suppressed.
Runs on both search backends and both tracker databases."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from accountability.audit import verify

from .conftest import NAME, NAME_QUERY, PARTIAL, PSEUDONYM, REVIEW_WORD, UNIQUE_REC, WHOLE, bearer

SUPPRESSED_DOCS = ("partial-summary", "whole-overview", "whole-plan")
# Routes that are not public: admin pages and API (they show suppressed content on purpose),
# and static assets.
NOT_PUBLIC = ("/admin/", "/api/v1/admin/", "/static/")


def public_get_rules(app):
    return [r for r in app.url_map.iter_rules()
            if "GET" in (r.methods or ()) and not r.rule.startswith(NOT_PUBLIC)
            and r.endpoint != "static"]


def argument_values(world) -> dict[str, list[str]]:
    """The suppressed documents, review and recommendations, and their public neighbours (the
    other document of the partly suppressed review, its shared recommendation, the review
    itself): a neighbour's page must not point to what was suppressed."""
    docs = [world.id(label) for label in (*SUPPRESSED_DOCS, "partial-overview")]
    recs = [*world.recs[WHOLE], *world.recs[PARTIAL]]
    keys = [WHOLE, PARTIAL]
    by_name = {"doc_id": docs, "id": docs + recs + keys, "rec_id": recs,
               "review_key": keys, "org_id": ["greater-manchester-police", "home-office"]}
    return {"__any__": docs + recs + keys, **by_name}


def urls_for(rule, values: dict[str, list[str]]) -> list[str]:
    """The rule with each argument filled from the suppressed ids (every combination is not
    needed: each argument takes each of its values once)."""
    args = sorted(rule.arguments)
    if not args:
        return [rule.rule]
    out = []
    width = max(len(values.get(a, values["__any__"])) for a in args)
    from werkzeug.routing.converters import IntegerConverter

    for i in range(width):
        filled = {}
        for a in args:
            options = values.get(a, values["__any__"])
            if isinstance(rule._converters.get(a), IntegerConverter):
                options = [1, 2, 3]  # e.g. an update's sequence number
            filled[a] = options[i % len(options)]
        out.append(rule.build(filled, append_unknown=False)[1])
    return out


QUERIES = [{}, {"q": NAME_QUERY}, {"q": REVIEW_WORD}, {"review_key": WHOLE},
           {"area": "Wigan"}, {"q": "Tarnwick"}]


def forbidden(world) -> list[str]:
    """What only the suppressed content carries: ids, the name, the pseudonym, words of its
    text and recommendations."""
    return [*(world.id(label) for label in SUPPRESSED_DOCS), *world.recs[WHOLE],
            world.partial_only_rec, "Marchbank", PSEUDONYM, "Tarnwick", REVIEW_WORD,
            NAME_QUERY]


def walk(world, headers: dict[str, str] | None = None) -> list[tuple[str, int, str]]:
    client = world.app.test_client()
    values = argument_values(world)
    seen = []
    for rule in public_get_rules(world.app):
        for url in urls_for(rule, values):
            for query in QUERIES:
                full = url + ("?" + urlencode(query) if query else "")
                resp = client.get(full, headers=headers or {})
                body = resp.get_data(as_text=True)
                resp.close()  # a streamed export holds its admission slot until closed
                # An answer that is not given (busy, error) would hide a leak.
                assert resp.status_code < 500, (full, resp.status_code, body[:300])
                seen.append((full, resp.status_code, body))
    return seen


def leaks(world, seen) -> list[tuple[str, int, str]]:
    """(url, status, word) for every forbidden word in an answer, except words the request
    itself carried: a page may echo its own address or query (a search box, a sign-in link's
    ``next``), which tells nothing; what the request found may not be there."""
    bad = forbidden(world)
    return [(url, status, word) for url, status, body in seen for word in bad
            if word in body and word not in url]


def suppress(world, **body) -> dict:
    client = world.app.test_client()
    resp = client.post("/api/v1/admin/suppressions", json=body,
                       headers=bearer(world.tokens["admin"]))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_suppressed_content_is_in_no_public_response(world):
    # Before: the walk finds the content (so the check below can fail).
    before = walk(world)
    found = {url for url, _, _ in leaks(world, before)}
    doc = world.id("partial-summary")
    assert f"/api/v1/documents/{doc}" in found
    assert f"/documents/{world.id('whole-overview')}" in found
    assert f"/api/v1/documents/{doc}/file" in found
    assert f"/api/v1/search?q={NAME_QUERY}" in found
    assert f"/search.csv?q={REVIEW_WORD}" in found
    assert f"/api/v1/review-recommendations?review_key={WHOLE}" in found
    assert f"/api/v1/review-recommendations/{world.partial_only_rec}" in found
    client = world.app.test_client()
    facets_before = client.get("/api/v1/facets").get_json()

    suppress(world, document=doc, category="unredacted_personal_data",
             reason="The executive summary names a neighbour in full.")
    suppress(world, review_key=WHOLE, category="family_request",
             reason="The family asked for the review to be withdrawn.")

    after = walk(world)
    import os
    if os.environ.get("DUMP_LEAKS"):
        print("\n".join(sorted({f"{u.split('?')[0]} {st}" for u, st, _ in leaks(world, after)})))
    assert leaks(world, after) == []
    assert leaks(world, walk(world, bearer(world.tokens["editor"]))) == []
    # The direct addresses are a neutral 404, the same as for an id that never existed.
    unknown = hashlib.sha256(b"never stored").hexdigest()
    for label in SUPPRESSED_DOCS:
        for path in ("/api/v1/documents/{}", "/api/v1/documents/{}/file",
                     "/api/v1/documents/{}/similar"):
            got = client.get(path.format(world.id(label)))
            assert got.status_code == 404
            assert got.get_json() == client.get(path.format(unknown)).get_json()
        page = client.get(f"/documents/{world.id(label)}")
        assert page.status_code == 404 and "suppress" not in page.get_data(as_text=True).lower()
    for rec in [*world.recs[WHOLE], world.partial_only_rec]:
        assert client.get(f"/api/v1/review-recommendations/{rec}").status_code == 404
    # Facet counts and totals drop by exactly the three documents; Wigan (only the withdrawn
    # review) is no longer a facet value.
    facets_after = client.get("/api/v1/facets").get_json()
    assert facets_after["total"] == facets_before["total"] - 3
    assert "Wigan" not in {v["value"] for v in facets_after["facets"]["area"]}
    assert "Wigan" in {v["value"] for v in facets_before["facets"]["area"]}
    # The rest of the review whose summary was suppressed is still public.
    assert client.get(f"/api/v1/documents/{world.id('partial-overview')}").status_code == 200
    listed = client.get(f"/api/v1/review-recommendations?review_key={PARTIAL}").get_json()
    assert listed["total"] == 1 and UNIQUE_REC not in str(listed)
    assert verify(world.engine).ok


def test_admins_and_oversight_still_see_it_marked_suppressed(world):
    doc = world.id("partial-summary")
    sup = suppress(world, document=doc, category="legal_request", reason="Solicitor's letter.")
    client = world.app.test_client()
    for who in ("admin", "oversight", "admin_read"):
        got = client.get(f"/api/v1/admin/documents/{doc}", headers=bearer(world.tokens[who]))
        assert got.status_code == 200, (who, got.get_json())
        body = got.get_json()
        assert NAME in body["pages"][0] if "pages" in body else True
        assert body["suppressed"]["suppression"] == sup["id"]
        listed = client.get(f"/api/v1/review-recommendations?review_key={PARTIAL}",
                            headers=bearer(world.tokens[who])).get_json()
        marked = [r for r in listed["results"] if r.get("suppressed")]
        assert [r["id"] for r in marked] == [world.partial_only_rec]
        one = client.get(f"/api/v1/admin/suppressions/{sup['id']}",
                         headers=bearer(world.tokens[who]))
        assert one.status_code == 200 and one.get_json()["documents"] == [doc]
    editor = client.get(f"/api/v1/admin/documents/{doc}", headers=bearer(world.tokens["editor"]))
    assert editor.status_code == 403
    assert client.get(f"/api/v1/admin/documents/{doc}").status_code == 401
    # The document page: signed-in admins and oversight see it with a "Suppressed" banner;
    # an editor and the public get the plain 404.
    from tests.tracker.helpers import sign_in

    for email, status in (("admin@example.org", 200), ("oversight@example.org", 200),
                          ("gmp-editor@example.org", 404)):
        browser = world.app.test_client()
        assert sign_in(browser, email).status_code == 303
        page = browser.get(f"/documents/{doc}")
        assert page.status_code == status, email
        html = page.get_data(as_text=True)
        assert ("Suppressed" in html and "Legal request" in html) == (status == 200)
    assert client.get(f"/documents/{doc}").status_code == 404


def test_restoring_is_one_action_and_both_steps_are_audited(world):
    doc = world.id("partial-summary")
    client = world.app.test_client()
    sup = suppress(world, review_key=WHOLE, category="published_in_error", reason="Too early.")
    assert client.get(f"/api/v1/search?q={REVIEW_WORD}").get_json()["total"] == 0
    resp = client.post(f"/api/v1/admin/suppressions/{sup['id']}/restore",
                       json={"reason": "Cleared for publication."},
                       headers=bearer(world.tokens["admin"]))
    assert resp.status_code == 200 and resp.get_json()["state"] == "restored"
    found = client.get(f"/api/v1/search?q={REVIEW_WORD}").get_json()
    assert found["total"] == 2
    assert client.get(f"/api/v1/documents/{world.id('whole-plan')}").status_code == 200
    assert client.get(f"/api/v1/review-recommendations?review_key={WHOLE}"
                      ).get_json()["total"] == 2
    assert client.get(f"/api/v1/documents/{doc}").status_code == 200  # never suppressed
    from tests.tracker.helpers import audit_entries, detail

    actions = [(e.action, e.target_id, detail(e).get("suppression"))
               for e in audit_entries(world.engine) if e.action.startswith("takedown.")]
    assert actions == [("takedown.suppress", WHOLE, sup["id"]),
                       ("takedown.restore", WHOLE, sup["id"])]
    assert verify(world.engine).ok
