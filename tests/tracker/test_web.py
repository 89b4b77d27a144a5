"""The tracker's pages: sign-in with a secure session cookie, CSRF on every form, sign-in
rate limit and lockout, and the form that adds an update."""

from __future__ import annotations

import re

from sqlalchemy import select

from accountability.accounts import MAX_FAILED_SIGNINS
from accountability.db import read_session
from accountability.models import Update

from .conftest import PASSWORD
from .helpers import audit_entries, csrf_token, detail, sign_in


def test_sign_in_page_is_a_govuk_form_with_a_csrf_token(client, world):
    resp = client.get("/sign-in")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'name="email"' in html and 'name="password"' in html
    assert 'name="csrf_token"' in html and "govuk-button" in html
    assert "<script" not in html and "style=" not in html
    assert "script-src" not in resp.headers["Content-Security-Policy"]  # default-src 'self'


def test_signing_in_sets_a_secure_httponly_samesite_cookie_and_is_audited(client, world):
    resp = sign_in(client, "gmp-editor@example.org")
    assert resp.status_code == 303
    cookie = next(c for c in resp.headers.getlist("Set-Cookie")
                  if c.startswith("__Host-dhr_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # What the __Host- prefix demands, or browsers drop the cookie: Path=/ and no Domain.
    attributes = [a.strip().lower() for a in cookie.split(";")[1:]]
    assert "path=/" in attributes and not any(a.startswith("domain=") for a in attributes)
    assert audit_entries(client.application.extensions["dhr_tracker"].engine)[-1].action == \
        "signin.ok"


def test_a_wrong_password_shows_an_error_and_the_account_locks(client, world, engine):
    for _ in range(MAX_FAILED_SIGNINS):
        resp = sign_in(client, "gmp-editor@example.org", "not the password at all")
        assert resp.status_code == 400
        body = resp.get_data(as_text=True)
        assert "is not right" in body
        # the error summary links the message to its field
        assert re.search(r'govuk-error-summary__list">\s*<li><a href="#\w+">[^<]*is not right',
                         body)
    resp = sign_in(client, "gmp-editor@example.org", PASSWORD)
    assert resp.status_code == 400
    assert audit_entries(engine, "signin.refused")[-1].detail == '{"reason":"locked"}'
    assert "__Host-dhr_session=" not in " ".join(resp.headers.getlist("Set-Cookie")) or \
        client.get("/recommendations/x/update").status_code == 401


def test_the_sign_in_error_does_not_say_whether_an_account_exists_or_is_locked(client, world):
    def error_of(email: str, password: str) -> str:
        body = sign_in(client, email, password).get_data(as_text=True)
        return re.search(r'govuk-error-message">.*?Error:</span>([^<]*)</p>', body,
                         re.DOTALL)[1].strip()

    unknown = error_of("nobody-here@example.org", "not the password at all")
    for _ in range(MAX_FAILED_SIGNINS):
        wrong = error_of("gmp-editor@example.org", "not the password at all")
    locked = error_of("gmp-editor@example.org", PASSWORD)
    assert "not right" in unknown
    assert unknown == wrong == locked


def test_sign_in_attempts_are_rate_limited_per_address(app, world, engine):
    app.config["DHR_SIGNIN_LIMIT"] = "3 per minute"
    client = app.test_client()
    token = csrf_token(client)
    codes = [client.post("/sign-in", data={"email": f"nobody{i}@example.org",
                                           "password": "whatever password",
                                           "csrf_token": token}).status_code
             for i in range(5)]
    assert codes == [400, 400, 400, 429, 429]
    refused = [detail(e)["reason"] for e in audit_entries(engine, "request.refused")]
    assert refused.count("rate_limited") == 2


def test_an_editor_adds_an_update_through_the_form(client, world, engine):
    rec = world.recs["1"]
    assert sign_in(client, "gmp-editor@example.org").status_code == 303
    page = client.get(f"/recommendations/{rec}/update")
    assert page.status_code == 200 and "Add an update" in page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
    resp = client.post(f"/recommendations/{rec}/update", data={
        "csrf_token": token, "status": "completed", "note": "Guidance reissued", "public": "yes",
        "evidence_url": "https://example.org/guidance"})
    assert resp.status_code == 200 and "Your update was added" in resp.get_data(as_text=True)
    with read_session(engine) as s:
        last = s.scalars(select(Update).where(Update.recommendation_id == rec)
                         .order_by(Update.seq.desc())).first()
    assert (last.status, last.note, last.public, last.user_id is not None) == (
        "completed", "Guidance reissued", True, True)
    bad = client.post(f"/recommendations/{rec}/update", data={
        "csrf_token": token, "evidence_url": "not a url"})
    assert bad.status_code == 400 and "starts with https://" in bad.get_data(as_text=True)
    empty = client.post(f"/recommendations/{rec}/update", data={"csrf_token": token})
    assert empty.status_code == 400 and "Choose a status, or enter" in empty.get_data(as_text=True)


def test_signing_out_ends_the_session(client, world):
    sign_in(client, "gmp-editor@example.org")
    rec = world.recs["1"]
    assert client.get(f"/recommendations/{rec}/update").status_code == 200
    resp = client.post("/sign-out", data={"csrf_token": csrf_token(client, "/sign-out")})
    assert resp.status_code == 303
    assert client.get(f"/recommendations/{rec}/update").status_code == 401


def test_a_copied_session_cookie_stops_working_at_sign_out(client, world, engine):
    # Someone copies the signed-in session cookie (shared computer, stolen backup, ...); once the
    # user signs out, putting the copy back signs nobody in.
    rec = world.recs["1"]
    name = client.application.config["SESSION_COOKIE_NAME"]
    assert sign_in(client, "gmp-editor@example.org").status_code == 303
    copied = client.get_cookie(name)
    assert copied is not None
    assert client.get(f"/recommendations/{rec}/update").status_code == 200
    resp = client.post("/sign-out", data={"csrf_token": csrf_token(client, "/sign-out")})
    assert resp.status_code == 303
    client.set_cookie(name, copied.value, domain=copied.domain, path=copied.path,
                      secure=copied.secure, httponly=copied.http_only)
    assert client.get(f"/recommendations/{rec}/update").status_code == 401
    assert "signout" in [e.action for e in audit_entries(engine)]
    # Signing in again works, and the old copy stays dead.
    assert sign_in(client, "gmp-editor@example.org").status_code == 303
    assert client.get(f"/recommendations/{rec}/update").status_code == 200
    client.set_cookie(name, copied.value, domain=copied.domain, path=copied.path,
                      secure=copied.secure, httponly=copied.http_only)
    assert client.get(f"/recommendations/{rec}/update").status_code == 401


def test_signing_out_ends_the_accounts_other_sessions_too(app, world):
    rec = world.recs["1"]
    laptop, phone = app.test_client(), app.test_client()
    for c in (laptop, phone):
        assert sign_in(c, "gmp-editor@example.org").status_code == 303
        assert c.get(f"/recommendations/{rec}/update").status_code == 200
    assert laptop.post("/sign-out", data={"csrf_token": csrf_token(laptop, "/sign-out")}
                       ).status_code == 303
    assert phone.get(f"/recommendations/{rec}/update").status_code == 401


def test_after_sign_in_the_redirect_stays_on_the_site(client, world):
    token = csrf_token(client)
    for target, expected in (("/recommendations", "/recommendations"),
                             ("https://evil.example/", "/"), ("//evil.example/", "/"),
                             ("/\\evil.example", "/")):
        c = client.application.test_client()
        token = csrf_token(c)
        resp = c.post(f"/sign-in?next={target}", data={"email": "gmp-editor@example.org",
                                                      "password": PASSWORD,
                                                      "csrf_token": token})
        assert resp.status_code == 303
        assert resp.headers["Location"] == expected, target


def test_signing_in_starts_a_new_session_so_an_earlier_form_token_is_refused(client, world,
                                                                          engine):
    # Whoever planted the anonymous session cookie (and so knows its CSRF token) gains nothing.
    rec = world.recs["1"]
    planted = csrf_token(client)
    assert sign_in(client, "gmp-editor@example.org").status_code == 303
    resp = client.post(f"/recommendations/{rec}/update", data={"csrf_token": planted,
                                                               "note": "forged"})
    assert resp.status_code == 403
    assert detail(audit_entries(engine, "request.refused")[-1])["reason"] == "csrf"
    fresh = csrf_token(client, f"/recommendations/{rec}/update")
    assert client.post(f"/recommendations/{rec}/update",
                       data={"csrf_token": fresh, "note": "genuine"}).status_code == 200
