"""Changing one's password (an invited user's one-time password is replaced by their own):
signed in only, current password checked (a wrong one counts towards the lockout), the new
one meets the password policy and is typed twice, CSRF on the form, rate-limited like
sign-in, audited without the password; the account's other web sessions end, its API tokens
keep working."""

from __future__ import annotations

import re

from sqlalchemy import select

from accountability.accounts import MAX_FAILED_SIGNINS, MIN_PASSWORD
from accountability.db import read_session
from accountability.models import AuditEntry, User

from .conftest import PASSWORD, bearer
from .helpers import audit_entries, csrf_token, detail, sign_in

EMAIL = "gmp-editor@example.org"
NEW = "a brand new passphrase for the tracker"


def change(client, current: str = PASSWORD, new: str = NEW, confirm: str | None = None,
           token: str | None = ""):
    data = {"current_password": current, "new_password": new,
            "confirm_password": new if confirm is None else confirm}
    if token is not None:
        data["csrf_token"] = token or csrf_token(client, "/account/password")
    return client.post("/account/password", data=data)


def error_messages(resp) -> list[str]:
    body = resp.get_data(as_text=True)
    return [m.strip() for m in re.findall(
        r'govuk-error-message"><span class="govuk-visually-hidden">Error:</span>([^<]*)</p>',
        body)]


def hash_of(engine) -> str:
    with read_session(engine) as s:
        return s.scalar(select(User.password_hash).where(User.email == EMAIL))


def test_the_account_page_links_to_a_govuk_password_form(client, world):
    sign_in(client, EMAIL)
    account = client.get("/account").get_data(as_text=True)
    assert 'href="/account/password"' in account
    page = client.get("/account/password")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Change your password" in html
    for name, autocomplete in (("current_password", "current-password"),
                               ("new_password", "new-password"),
                               ("confirm_password", "new-password")):
        assert re.search(rf'name="{name}" type="password" autocomplete="{autocomplete}"', html)
    assert 'name="csrf_token"' in html and "<script" not in html


def test_signed_out_the_page_and_the_form_answer_401_and_change_nothing(client, world, engine):
    before = hash_of(engine)
    assert client.get("/account/password").status_code == 401
    token = csrf_token(client)  # an anonymous session's valid CSRF token
    resp = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW,
        "csrf_token": token})
    assert resp.status_code == 401
    assert hash_of(engine) == before
    assert detail(audit_entries(engine, "request.refused")[-1])["reason"] == "not_signed_in"


def test_the_right_current_password_changes_it_and_the_new_one_signs_in(client, app, world,
                                                                         engine):
    sign_in(client, EMAIL)
    resp = change(client)
    assert resp.status_code == 200
    assert "Your password was changed" in resp.get_data(as_text=True)
    # this session goes on
    assert client.get("/account").status_code == 200
    entry = audit_entries(engine, "account.password_change")[-1]
    assert entry.target_id == EMAIL and entry.actor == f"user:{EMAIL}"
    other = app.test_client()
    assert sign_in(other, EMAIL, PASSWORD).status_code == 400  # the old one no longer works
    assert sign_in(other, EMAIL, NEW).status_code == 303


def test_no_password_reaches_the_audit_log(client, world, engine):
    sign_in(client, EMAIL)
    change(client, current="wrong password here")
    change(client, new="short", confirm="short")
    change(client)
    with read_session(engine) as s:
        logged = " ".join(f"{e.action} {e.detail} {e.actor} {e.target_id}"
                          for e in s.scalars(select(AuditEntry)))
    for secret in (PASSWORD, NEW, "wrong password here"):
        assert secret not in logged
    assert "account.password_change.refused" in logged and "account.password_change" in logged


def test_a_wrong_current_password_is_refused_and_counts_towards_the_lockout(client, world,
                                                                              engine):
    sign_in(client, EMAIL)
    before = hash_of(engine)
    resp = change(client, current="not my password at all")
    assert resp.status_code == 400
    assert error_messages(resp) == ["Your current password is not right"]
    assert re.search(r'<li><a href="#current_password">Your current password is not right',
                     resp.get_data(as_text=True))
    assert hash_of(engine) == before
    assert detail(audit_entries(engine, "account.password_change.refused")[-1]) == {
        "reason": "bad_password", "failed_in_a_row": 1}
    for _ in range(MAX_FAILED_SIGNINS - 1):
        change(client, current="not my password at all")
    locked = change(client)  # now even the right password is refused, for 15 minutes
    assert locked.status_code == 400 and "locked" in error_messages(locked)[0]
    assert hash_of(engine) == before


def test_new_passwords_that_do_not_match_are_refused(client, world, engine):
    sign_in(client, EMAIL)
    before = hash_of(engine)
    resp = change(client, confirm=NEW + " but different")
    assert resp.status_code == 400
    assert error_messages(resp) == ["The new passwords do not match"]
    assert hash_of(engine) == before


def test_a_new_password_below_the_policy_is_refused(client, world, engine):
    sign_in(client, EMAIL)
    before = hash_of(engine)
    short = "x" * (MIN_PASSWORD - 1)
    resp = change(client, new=short)
    assert resp.status_code == 400
    expected = f"Your new password must have at least {MIN_PASSWORD} characters"
    assert error_messages(resp) == [expected]
    assert hash_of(engine) == before
    same = change(client, new=PASSWORD)
    assert same.status_code == 400 and "different" in error_messages(same)[0]


def test_empty_fields_each_get_their_own_message(client, world):
    sign_in(client, EMAIL)
    resp = change(client, current="", new="", confirm="")
    assert resp.status_code == 400
    assert error_messages(resp) == ["Enter your current password", "Enter a new password"]


def test_the_form_without_its_csrf_token_is_refused(client, world, engine):
    sign_in(client, EMAIL)
    before = hash_of(engine)
    resp = change(client, token=None)
    assert resp.status_code == 403
    assert hash_of(engine) == before
    assert detail(audit_entries(engine, "request.refused")[-1])["reason"] == "csrf"


def test_other_sessions_end_and_api_tokens_keep_working(client, app, world, engine):
    other = app.test_client()
    assert sign_in(other, EMAIL).status_code == 303
    assert other.get("/account").status_code == 200
    sign_in(client, EMAIL)
    assert change(client).status_code == 200
    assert client.get("/account").status_code == 200  # the session that changed it
    assert other.get("/account").status_code == 401   # every other session
    rec = world.recs["1"]
    resp = client.application.test_client().post(
        f"/api/v1/review-recommendations/{rec}/updates", json={"note": "Still works"},
        headers=bearer(world.tokens["gmp"]))
    assert resp.status_code == 201


def test_attempts_are_rate_limited_per_address(app, world, engine):
    app.config["DHR_SIGNIN_LIMIT"] = "3 per minute"
    client = app.test_client()
    sign_in(client, EMAIL)
    token = csrf_token(client, "/account/password")
    codes = [change(client, current=f"wrong password {i}", token=token).status_code
             for i in range(4)]
    assert codes == [400, 400, 400, 429]
