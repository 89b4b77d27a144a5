"""Accounts and the accountability commands: users, roles, passwords, tokens, organisations,
``dhr db upgrade`` (contract.md section 1)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from sqlalchemy import select

from accountability.accounts import (
    LOCKOUT,
    MAX_FAILED_SIGNINS,
    authenticate_password,
    check_token,
)
from accountability.db import current_revision, head_revision, read_session
from accountability.models import ApiToken, Membership, OrganisationRow, User
from orchestration.cli import cli

from .conftest import PASSWORD
from .helpers import audit_entries, detail, raw


@pytest.fixture
def run(tmp_path, db_url):
    path = tmp_path / "config.yaml"
    path.write_text(f"storage: {{data_dir: {tmp_path / 'data'}}}\n"
                    f"tracker: {{database_url: '{db_url}'}}\n")

    def invoke(*args: str, stdin: str | None = None):
        return CliRunner().invoke(cli, [*args, "--config", str(path)], input=stdin,
                                  catch_exceptions=False)
    return invoke


def test_db_upgrade_is_idempotent(run, engine):
    for _ in range(2):
        result = run("db", "upgrade")
        assert result.exit_code == 0, result.output
        assert f"at revision {head_revision()}" in result.output
    assert current_revision(engine) == head_revision()


def test_db_upgrade_brings_a_0001_database_with_accounts_to_the_session_epoch(run, engine,
                                                                              db_url):
    # A tracker created before migration 0002 (accounts, roles, tokens in it) is upgraded in
    # place: every account starts at session epoch 0 and still signs in.
    from alembic import command

    from accountability.db import _alembic_config, create_tracker_engine

    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert current_revision(engine) == "0001"
    if db_url.startswith("sqlite"):  # the embedded database migrates itself when opened
        from accountability.db import ensure_current
        ensure_current(create_tracker_engine(db_url))
    else:
        result = run("db", "upgrade")
        assert result.exit_code == 0, result.output
    assert current_revision(engine) == head_revision()
    with read_session(engine) as s:
        epochs = {u.email: u.session_epoch for u in s.scalars(select(User))}
    assert epochs and set(epochs.values()) == {0}
    principal, reason = authenticate_password(engine, "gmp-editor@example.org", PASSWORD)
    assert reason == "ok" and principal.session_epoch == 0


def test_db_upgrade_creates_a_fresh_embedded_database(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(f"storage: {{data_dir: {tmp_path / 'data'}}}\n")
    result = CliRunner().invoke(cli, ["db", "upgrade", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "tracker.db").exists()
    assert "organisations from the registry: " in result.output


def test_an_unreachable_database_is_a_one_line_error(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("tracker: {database_url: 'postgresql://nobody:secret@127.0.0.1:1/none'}\n")
    result = CliRunner().invoke(cli, ["orgs", "list", "--config", str(path)])
    assert result.exit_code == 2
    assert "cannot open the tracker database" in result.output
    assert "secret" not in result.output


def test_users_add_reads_the_password_from_stdin_and_stores_an_argon2id_hash(run, engine):
    result = run("users", "add", "New.Editor@Example.org", "--org", "kent-police", "--role",
                 "editor", "--name", "New Editor", stdin="a long enough password\n")
    assert result.exit_code == 0, result.output
    with read_session(engine) as s:
        user = s.scalar(select(User).where(User.email == "new.editor@example.org"))
        roles = [(m.organisation_id, m.role) for m in s.scalars(
            select(Membership).where(Membership.user_id == user.id))]
    assert user.password_hash.startswith("$argon2id$")
    assert "a long enough password" not in user.password_hash
    assert roles == [("kent-police", "editor")]
    principal, reason = authenticate_password(engine, "new.editor@example.org",
                                              "a long enough password")
    assert reason == "ok" and principal.orgs_with("editor") == {"kent-police"}


def test_the_production_password_hash_is_argon2id_and_memory_hard():
    from accountability import accounts

    params = PasswordHasher()  # what accounts uses outside the tests
    assert params.type.name == "ID" and params.memory_cost >= 19 * 1024
    assert accounts.MIN_PASSWORD >= 12


@pytest.mark.parametrize("args, stdin, message", [
    (["users", "add", "x@example.org", "--org", "no-such-org", "--role", "editor"],
     "a long enough password\n", "unknown organisation"),
    (["users", "add", "not-an-email", "--org", "kent-police", "--role", "editor"],
     "a long enough password\n", "not an e-mail address"),
    (["users", "add", "x@example.org", "--org", "kent-police", "--role", "editor"],
     "short\n", "at least 12 characters"),
    (["users", "add", "x@example.org", "--org", "kent-police", "--role", "king"],
     "a long enough password\n", "Invalid value for '--role'"),
    (["tokens", "create", "nobody@example.org"], None, "no user"),
    (["tokens", "create", "gmp-editor@example.org", "--days", "0"], None, "--days"),
    (["tokens", "revoke", "0000000000000000"], None, "no token"),
    (["orgs", "add", "Bad Id", "--name", "X", "--kind", "csp"], None, "slug"),
    (["orgs", "add", "greater-manchester-police", "--name", "X", "--kind", "police_force"],
     None, "greater-manchester-police"),
    (["orgs", "add", "new-org", "--name", "X", "--kind", "club"], None, "kind"),
    (["orgs", "add", "new-org", "--name", "X", "--kind", "charity", "--agency", "nope"], None,
     "agency"),
])
def test_bad_input_is_a_usage_error_that_changes_nothing(run, engine, args, stdin, message):
    before = len(audit_entries(engine))
    result = run(*args, stdin=stdin)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert len(audit_entries(engine)) == before


def test_tokens_are_printed_once_stored_hashed_and_revocable(run, engine):
    result = run("tokens", "create", "gmp-editor@example.org", "--scope", "write", "--days",
                 "7")
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert token.startswith("dhr_") and "\n" not in token
    token_id, secret = token.split("_")[1], token.split("_", 2)[2]
    with read_session(engine) as s:
        row = s.get(ApiToken, token_id)
        assert row.scope == "write" and secret not in row.secret_hash
        assert timedelta(days=6) < row.expires_at - datetime.now(UTC) <= timedelta(days=7)
        assert check_token(s, token).reason == "ok"
    assert run("tokens", "revoke", token_id).exit_code == 0
    with read_session(engine) as s:
        assert check_token(s, token).reason == "revoked"
    assert [e.action for e in audit_entries(engine)[-2:]] == ["token.create", "token.revoke"]
    assert token not in json.dumps([e.detail for e in audit_entries(engine)])


def test_an_expired_token_is_refused(engine, world):
    token = world.tokens["gmp"]
    raw(engine, "UPDATE api_tokens SET expires_at = :t WHERE id = :id",
        t=datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1), id=token.split("_")[1])
    with read_session(engine) as s:
        assert check_token(s, token).reason == "expired"


def test_orgs_list_and_add(run, engine):
    result = run("orgs", "add", "safer-example-town", "--name", "Safer Example Town", "--kind",
                 "csp", "--agency", "community_safety_partnership", "--alias", "SETP",
                 "--region", "North West")
    assert result.exit_code == 0, result.output
    listed = [json.loads(line) for line in run("orgs", "list", "--json").output.splitlines()]
    ids = {o["id"]: o for o in listed}
    assert ids["safer-example-town"]["aliases"] == ["SETP"]
    assert ids["safer-example-town"]["origin"] == "local"
    assert ids["greater-manchester-police"]["origin"] == "registry"
    assert len([o for o in listed if o["kind"] == "police_force"]) >= 44
    with read_session(engine) as s:
        from accountability.organisations import registry_for

        assert registry_for(s).resolve("SETP").id == "safer-example-town"
        assert s.get(OrganisationRow, "safer-example-town").region == "North West"


def test_a_second_role_is_granted_without_a_new_password(run, engine):
    result = run("users", "add", "gmp-editor@example.org", "--org", "bolton-csp", "--role",
                 "editor")
    assert result.exit_code == 0 and "granted" in result.output
    principal, _ = authenticate_password(engine, "gmp-editor@example.org", PASSWORD)
    assert principal.orgs_with("editor") == {"greater-manchester-police", "bolton-csp"}


def test_wrong_passwords_lock_the_account_and_every_attempt_is_audited(engine, world):
    email = "gmp-editor@example.org"
    for _ in range(MAX_FAILED_SIGNINS):
        assert authenticate_password(engine, email, "wrong password!!", ip="127.0.0.9")[1] == \
            "bad_password"
    assert authenticate_password(engine, email, PASSWORD)[1] == "locked"
    refused = audit_entries(engine, "signin.refused")
    assert len(refused) == MAX_FAILED_SIGNINS + 1
    assert detail(refused[-2])["locked_until"] and detail(refused[-1])["reason"] == "locked"
    assert refused[0].ip == "127.0.0.9"
    # After the lockout the right password works again.
    raw(engine, "UPDATE users SET locked_until = :t WHERE email = :e",
        t=datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1), e=email)
    assert authenticate_password(engine, email, PASSWORD)[1] == "ok"
    assert LOCKOUT >= timedelta(minutes=5)
    assert audit_entries(engine)[-1].action == "signin.ok"


def test_an_unknown_account_is_refused_like_a_wrong_password(engine, world):
    principal, reason = authenticate_password(engine, "nobody@example.org", PASSWORD)
    assert principal is None and reason == "unknown_user"
    assert audit_entries(engine)[-1].action == "signin.refused"


def test_tracker_configuration_defaults_and_environment(tmp_path):
    from dhr.config import ConfigError, config_from_dict

    cfg = config_from_dict({"storage": {"data_dir": str(tmp_path)}}, tmp_path / "c.yaml", env={})
    assert cfg.tracker_database_url == f"sqlite:///{tmp_path / 'tracker.db'}"
    assert cfg.tracker.public_status is True
    env = {"DHR_DATABASE_URL": "postgresql://dhr@db.example.org/tracker"}
    cfg = config_from_dict({"tracker": {"public_status": False}}, tmp_path / "c.yaml", env=env)
    assert cfg.tracker_database_url == env["DHR_DATABASE_URL"]
    assert cfg.tracker.public_status is False
    with pytest.raises(ConfigError, match="tracker.database"):
        config_from_dict({"tracker": {"database": "x"}}, tmp_path / "c.yaml", env={})


def test_revoking_by_the_whole_token_works_and_never_echoes_its_secret(run, engine):
    token = run("tokens", "create", "gmp-editor@example.org").stdout.strip()
    secret = token.split("_", 2)[2]
    done = run("tokens", "revoke", token)
    assert done.exit_code == 0 and secret not in done.output
    with read_session(engine) as s:
        assert check_token(s, token).reason == "revoked"
    mistyped = run("tokens", "revoke", token[:-1] + "!")
    assert mistyped.exit_code != 0 and secret[:-1] not in mistyped.output


def _write_lock_is_free(engine) -> bool:
    """Whether another writer could start now (asked without waiting)."""
    if engine.dialect.name == "sqlite":
        import sqlite3

        conn = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            conn.close()
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    with engine.connect() as conn:
        try:
            conn.execute(text("SELECT id FROM audit_head WHERE id = 1 FOR UPDATE NOWAIT"))
            return True
        except OperationalError:
            return False
        finally:
            conn.rollback()


@pytest.mark.parametrize("email,password", [("gmp-editor@example.org", PASSWORD),
                                            ("gmp-editor@example.org", "not the password"),
                                            ("nobody@example.org", "any password at all")])
def test_a_sign_in_checks_the_password_without_holding_the_write_lock(engine, world,
                                                                      monkeypatch, email,
                                                                      password):
    """argon2id is slow on purpose: while it runs, every other writer of the tracker (updates,
    other sign-ins, refusals) must be able to go on."""
    from accountability import accounts

    free_while_hashing = []
    verify = accounts._verify

    def watched(hash_: str, given: str) -> bool:
        free_while_hashing.append(_write_lock_is_free(engine))
        return verify(hash_, given)

    monkeypatch.setattr(accounts, "_verify", watched)
    authenticate_password(engine, email, password)
    assert free_while_hashing == [True]
