"""The whole accountability loop, end to end, on both tracker databases (issue 15).

A new review (a generated PDF) is ingested with ``dhr ingest``; the owner organisation's contact
receives the e-mail that ``dhr notify`` sends through a real SMTP server on 127.0.0.1; the
organisation's editor signs in with a real browser and adds an update with an evidence file;
the public recommendation page shows the new status, the organisation's Atom feed carries it,
and the audit log has it. SQLite search backend; the tracker on SQLite and on a real PostgreSQL
server the test starts.
"""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import select

from accountability.accounts import add_user
from accountability.contacts import add_contact
from accountability.db import create_tracker_engine, read_session, upgrade
from accountability.models import AuditEntry, OrganisationRow, RecommendationOwner
from accountability.organisations import seed_registry
from dhr.config import load_config
from orchestration.cli import cli
from samples.reports import generate_corpus
from search_api import create_app
from search_api.wsgi import BackgroundServer
from tests.tracker.smtp import SmtpServer

pytestmark = pytest.mark.slow

PASSWORD = "synthetic loop password 1"
NOTE = "The referral pathway was rewritten and staff were trained."


def _config(tmp_path: Path, tracker_url: str, smtp_port: int) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"storage: {{data_dir: '{tmp_path / 'data'}'}}\n"
        f"tracker: {{database_url: '{tracker_url}'}}\n"
        "server: {public_url: 'https://dhr.example.org'}\n"
        "notify:\n"
        f"  smtp: {{host: 127.0.0.1, port: {smtp_port}, starttls: false}}\n"
        "  from_address: 'DHR repository <no-reply@dhr.example.org>'\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_new_review_reaches_its_owner_who_reports_progress_that_the_public_sees(
        database, request, tmp_path, browser):
    tracker_url = (request.getfixturevalue("pg_server").create_database()
                   if database == "postgresql" else f"sqlite:///{tmp_path / 'tracker.db'}")
    with SmtpServer() as smtp:
        config_path = _config(tmp_path, tracker_url, smtp.port)
        cfg = load_config(config_path)
        engine = create_tracker_engine(cfg.tracker_database_url)
        upgrade(engine)
        seed_registry(engine)
        with read_session(engine) as s:
            org_ids = list(s.scalars(select(OrganisationRow.id)))
        for org_id in org_ids:  # every organisation has a contact before the review arrives
            add_contact(engine, org_id, f"alerts@{org_id}.example.org", actor="test")

        # 1. A new review is ingested: extraction, index, tracker sync (and the outbox).
        files = generate_corpus(tmp_path / "incoming", seed=23, n_reviews=1, formats=("pdf",))
        runner = CliRunner()
        result = runner.invoke(cli, ["ingest", *(str(f.path) for f in files),
                                     "--config", str(config_path)])
        assert result.exit_code == 0, result.output
        with read_session(engine) as s:
            owned = s.execute(select(RecommendationOwner.recommendation_id,
                                     RecommendationOwner.organisation_id)
                              .where(RecommendationOwner.organisation_id.is_not(None))
                              .order_by(RecommendationOwner.recommendation_id)).first()
        assert owned, "the generated review has no recommendation with a registry owner"
        rec_id, org_id = owned

        # 2. `dhr notify` tells the owner's contact, once.
        result = runner.invoke(cli, ["notify", "--config", str(config_path)])
        assert result.exit_code == 0, result.output
        to_owner = [m for m in smtp.mailbox.received
                    if f"alerts@{org_id}.example.org" in m.rcpt_tos]
        assert len(to_owner) == 1
        assert f"https://dhr.example.org/recommendations/{rec_id}" in to_owner[0].body
        again = runner.invoke(cli, ["notify", "--config", str(config_path)])
        assert again.exit_code == 0 and len(smtp.mailbox.received) == len(
            {tuple(m.rcpt_tos) for m in smtp.mailbox.received}), "a second run sent again"

    editor = f"editor@{org_id}.example.org"
    add_user(engine, editor, PASSWORD, org_id, "editor")
    app = create_app(cfg, tracker_engine=engine)
    evidence = tmp_path / "minutes.txt"
    evidence.write_text("Minutes: the new referral pathway was approved.\n", encoding="utf-8")
    with BackgroundServer(app, threads=4) as server:
        # 3. The editor signs in and adds an update with evidence (no JavaScript needed).
        context = browser.new_context(java_script_enabled=False)
        try:
            tab = context.new_page()
            tab.goto(server.url + "/sign-in")
            tab.fill("#email", editor)
            tab.fill("#password", PASSWORD)
            tab.locator("form button[type=submit]").click()
            tab.wait_for_url(server.url + "/")
            tab.goto(server.url + f"/recommendations/{rec_id}/update")
            tab.select_option("#status", "completed")
            tab.fill("#note", NOTE)
            tab.check("#public")
            tab.set_input_files("#evidence_file", str(evidence))
            tab.locator("button", has_text="Add update").click()
            tab.wait_for_selector("text=Your update was added")
        finally:
            context.close()

        # 4. The public recommendation page shows the new status and the note.
        public = browser.new_context()
        try:
            tab = public.new_page()
            tab.goto(server.url + f"/recommendations/{rec_id}")
            assert "Completed" in tab.locator("#status").inner_text()
            assert NOTE in tab.content()
        finally:
            public.close()

        # 5. The organisation's feed carries the status change.
        feed = feedparser.parse(requests.get(
            server.url + f"/feeds/organisations/{org_id}.atom", timeout=30).content)
        assert feed.bozo == 0
        changes = [e for e in feed.entries if NOTE in (e.get("summary") or "")
                   or NOTE in "".join(c.value for c in e.get("content", []))]
        assert changes and any(rec_id in link.href for e in changes for link in e.links)

    # 6. The audit log has the update, by the editor.
    with read_session(engine) as s:
        last = s.scalars(select(AuditEntry).where(AuditEntry.action == "update.create")
                         .order_by(AuditEntry.seq.desc())).first()
    assert last is not None and last.actor == f"user:{editor}" and last.target_id == rec_id
    assert re.search(r'"evidence":\s*true', last.detail)
    engine.dispose()
