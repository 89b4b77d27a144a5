"""The audit log: every write is in it, chained by hashes; tampering is detected and named."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import DBAPIError

from accountability.audit import verify
from accountability.organisations import add_organisation
from orchestration.cli import cli
from understanding.owner_registry import Organisation

from .helpers import audit_entries, raw

DROP_TRIGGERS = {
    "sqlite": ["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"],
    "postgresql": ["DROP TRIGGER audit_log_append_only ON audit_log"],
}


def _verify_cli(cfg):
    return CliRunner().invoke(cli, ["audit", "verify", "--config", str(cfg.path)],
                              catch_exceptions=False)


@pytest.fixture
def cfg_file(cfg, tmp_path, db_url):
    path = tmp_path / "config.yaml"
    path.write_text(f"storage: {{data_dir: {tmp_path / 'data'}}}\n"
                    f"tracker: {{database_url: '{db_url}'}}\n")
    cfg.path = path
    return cfg


def test_the_world_setup_is_audited_and_whole(engine, cfg_file):
    actions = [e.action for e in audit_entries(engine)]
    for expected in ("organisations.seed", "recommendations.sync", "update.publish",
                     "user.create", "role.grant", "token.create"):
        assert expected in actions
    assert verify(engine).ok
    result = _verify_cli(cfg_file)
    assert result.exit_code == 0, result.output
    assert "whole" in result.output


def test_the_product_itself_cannot_edit_or_delete_audit_rows(engine):
    with pytest.raises(DBAPIError):
        raw(engine, "UPDATE audit_log SET actor = 'someone else' WHERE seq = 1")
    with pytest.raises(DBAPIError):
        raw(engine, "DELETE FROM audit_log WHERE seq = 1")
    assert verify(engine).ok


@pytest.mark.parametrize("tamper, seq, words", [
    ("UPDATE audit_log SET actor = 'cli:nobody' WHERE seq = 3", 3, "edited"),
    ("UPDATE audit_log SET detail = '{}' WHERE seq = 2", 2, "edited"),
    ("DELETE FROM audit_log WHERE seq = 4", 4, "missing"),
    ("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)", None, "removed"),
])
def test_tampering_behind_the_products_back_breaks_the_chain(engine, cfg_file, tamper, seq,
                                                              words):
    for sql in DROP_TRIGGERS[engine.dialect.name]:
        raw(engine, sql)  # someone with the database owner's rights
    total = len(audit_entries(engine))
    raw(engine, tamper)
    result = verify(engine)
    assert not result.ok and words in result.reason
    expected_seq = seq if seq is not None else total
    assert result.broken_seq == expected_seq
    out = _verify_cli(cfg_file)
    assert out.exit_code == 1
    assert f"broken at entry {expected_seq}" in out.output


def test_recomputing_one_hash_does_not_hide_an_edit(engine):
    """Editing an entry and its own hash still breaks the link from the next entry."""
    from accountability.audit import entry_hash

    for sql in DROP_TRIGGERS[engine.dialect.name]:
        raw(engine, sql)
    e = audit_entries(engine)[1]
    forged = entry_hash(e.prev_hash, e.seq, e.created_at, "cli:nobody", e.action, e.target_type,
                        e.target_id, e.detail, e.ip)
    raw(engine, "UPDATE audit_log SET actor = 'cli:nobody', hash = :h WHERE seq = :s",
        h=forged, s=e.seq)
    result = verify(engine)
    assert not result.ok and result.broken_seq == e.seq + 1


def test_organisation_changes_are_audited(engine):
    add_organisation(engine, Organisation("safer-example-town", "Safer Example Town", "csp",
                                          "community_safety_partnership", None, ("SETP",)),
                     actor="cli:tester")
    last = audit_entries(engine)[-1]
    assert (last.action, last.target_id, last.actor) == ("organisation.add",
                                                         "safer-example-town", "cli:tester")
    assert verify(engine).ok


def test_verifying_while_entries_are_appended_is_not_a_false_alarm(engine):
    """`dhr audit verify` runs beside a live server: an entry appended while it walks the chain
    is not mistaken for tampering (the walk reads one consistent snapshot)."""
    from sqlalchemy import event

    from accountability import audit
    from accountability.db import write_session

    appended = []

    def append_once(conn, cursor, statement, *args) -> None:
        if "FROM audit_log" in statement and not appended and not conn.in_nested_transaction():
            appended.append(True)
            with write_session(engine) as s:
                audit.append(s, "cli:test", "test.concurrent")

    event.listen(engine, "after_cursor_execute", append_once)
    try:
        result = verify(engine, batch=1)
    finally:
        event.remove(engine, "after_cursor_execute", append_once)
    assert appended
    assert result.ok, result.message()
    assert verify(engine).ok


def test_a_database_error_never_carries_the_values_of_its_statement(engine):
    """What a failed statement was given (a private note, a password hash) stays out of the
    error, and so out of the server's log of unhandled errors."""
    from sqlalchemy import text

    with pytest.raises(DBAPIError) as err, engine.connect() as conn:
        conn.execute(text("SELECT no_such_column FROM updates WHERE note = :n"),
                     {"n": "a private note"})
    assert "a private note" not in str(err.value)
