"""Notifications by e-mail: the outbox the tracker sync fills, and ``dhr notify`` sending one
digest per organisation to a real SMTP server on 127.0.0.1 (aiosmtpd), with retries, no
duplicates and failures in the nightly report. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select

from accountability.contacts import ContactError, add_contact, contacts_for, remove_contact
from accountability.db import read_session, write_session
from accountability.models import NotificationSend, OutboxItem, ReviewRecommendation, utcnow
from accountability.notify import NotifyNotConfigured, run_notify
from accountability.sync import sync_documents
from orchestration import nightly
from orchestration.cli import cli
from tests.conftest import make_config

from .docs import GMP, HOME_OFFICE, RECS, document
from .helpers import audit_entries, detail
from .smtp import SmtpServer

GMP_ID, HO_ID = GMP["id"], HOME_OFFICE["id"]
BASE = "https://dhr.example.org"
FROM = "DHR repository <no-reply@dhr.example.org>"


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


def notify_config(tmp_path, db_url, port, **notify):
    settings = {"smtp": {"host": "127.0.0.1", "port": port, "starttls": False},
                "from_address": FROM, "base_url": BASE, "retry_after_s": 0} | notify
    return make_config(tmp_path, "sqlite", tracker={"database_url": db_url}, notify=settings)


@pytest.fixture
def ncfg(tmp_path, db_url, smtp):
    return notify_config(tmp_path, db_url, smtp.port)


def new_review(engine, key: str = "review-b", recs=None) -> dict[str, str]:
    """Sync a review the tracker has not seen; returns {number: recommendation id}."""
    summary = sync_documents(engine, [document(f"{key}-overview", review_key=key, recs=recs)])
    assert summary["reviews_changed"] == [key]
    with read_session(engine) as s:
        return {r.number: r.id for r in s.scalars(select(ReviewRecommendation).where(
            ReviewRecommendation.review_key == key))}


def outbox(engine) -> list[OutboxItem]:
    with read_session(engine) as s:
        return list(s.scalars(select(OutboxItem).order_by(OutboxItem.id)))


# -- the outbox ---------------------------------------------------------------------------------
def test_a_new_review_queues_its_recommendations_for_owners_with_contacts(engine):
    add_contact(engine, GMP_ID, "Alerts@GMP.example.org", actor="test")
    summary = sync_documents(engine, [document("b-overview", review_key="review-b")])
    with read_session(engine) as s:
        recs = {r.number: r.id for r in s.scalars(select(ReviewRecommendation).where(
            ReviewRecommendation.review_key == "review-b"))}
    rows = outbox(engine)
    # Recommendations 1 and 3 are owned by GMP, which has a contact; 2 by the Home Office,
    # which has none.
    assert [(r.organisation_id, r.recommendation_id) for r in rows] == [
        (GMP_ID, recs["1"]), (GMP_ID, recs["3"])]
    assert all(r.sent_at is None and r.attempts == 0 for r in rows)
    assert summary["notifications_queued"] == 2
    sync_audit = [e for e in audit_entries(engine, "recommendations.sync")
                  if e.target_id == "review-b"]
    assert detail(sync_audit[-1])["notifications_queued"] == 2


def test_re_linked_and_re_extracted_recommendations_are_not_queued(engine, world):
    add_contact(engine, GMP_ID, "alerts@gmp.example.org", actor="test")
    # Review A's documents re-extracted by a new extractor: recommendation 3 is reworded (a
    # re-link keeps its id) and a fourth one is found in the same, known, document.
    reworded = [*RECS[:2], ("3", ("Greater Manchester Police should audit its handling of "
                                 "repeat calls about domestic abuse and report the findings to "
                                 "the partnership."), [GMP]),
                ("4", ("Greater Manchester Police to train call handlers in recognising "
                      "stalking behaviour."), [GMP])]
    summary = sync_documents(engine, [document("overview", recs=reworded,
                                               extractor_version="2.0.0")])
    assert (summary["relinked"], summary["reworded"], summary["created"]) == (3, 1, 1)
    with read_session(engine) as s:
        ids = set(s.scalars(select(ReviewRecommendation.id)))
    assert set(world.recs.values()) < ids and len(ids) == 4
    assert outbox(engine) == []


def test_no_contacts_no_outbox(engine):
    new_review(engine)
    assert outbox(engine) == []


# -- dhr notify ---------------------------------------------------------------------------------
def test_one_digest_per_organisation_with_a_link_to_each_new_recommendation(engine, ncfg,
                                                                            smtp):
    add_contact(engine, GMP_ID, "alerts@gmp.example.org", actor="test")
    add_contact(engine, GMP_ID, "dhr-lead@gmp.example.org", actor="test")
    recs = new_review(engine)
    result = run_notify(engine, ncfg)
    assert (result.messages_sent, result.items_sent, result.failed) == (1, 2, [])
    [mail] = smtp.mailbox.received
    assert sorted(mail.rcpt_tos) == ["alerts@gmp.example.org", "dhr-lead@gmp.example.org"]
    assert mail.mail_from == "no-reply@dhr.example.org"
    assert mail.message["To"] == "alerts@gmp.example.org, dhr-lead@gmp.example.org"
    assert mail.message["From"] == FROM
    assert mail.message["Subject"] == "2 new recommendations for Greater Manchester Police"
    assert mail.message["Message-ID"].endswith("@dhr.example.org>")
    body = mail.body
    assert f"   {BASE}/recommendations/{recs['1']}" in body.splitlines()
    assert f"   {BASE}/recommendations/{recs['3']}" in body.splitlines()
    assert f"{BASE}/recommendations/{recs['2']}" not in body  # the Home Office's
    assert "Recommendation 1" in body and "Recommendation 3" in body
    assert "record coercive control" in " ".join(body.split())
    assert "Review Bolton, 2020" in body
    with read_session(engine) as s:
        [send] = s.scalars(select(NotificationSend))
    assert (send.organisation_id, send.items, send.message_id) == (
        GMP_ID, 2, mail.message["Message-ID"].strip())  # a long header arrives folded
    assert all(r.sent_at is not None and r.send_id == send.id for r in outbox(engine))
    [entry] = audit_entries(engine, "notification.send")
    assert detail(entry)["recommendations"] == [recs["1"], recs["3"]]


def test_two_organisations_get_one_message_each(engine, ncfg, smtp):
    add_contact(engine, GMP_ID, "alerts@gmp.example.org", actor="test")
    add_contact(engine, HO_ID, "dhr@homeoffice.example.org", actor="test")
    new_review(engine)
    assert run_notify(engine, ncfg).messages_sent == 2
    subjects = sorted((m.rcpt_tos[0], m.message["Subject"]) for m in smtp.mailbox.received)
    assert subjects == [("alerts@gmp.example.org",
                         "2 new recommendations for Greater Manchester Police"),
                        ("dhr@homeoffice.example.org", "1 new recommendation for Home Office")]


def test_a_second_run_sends_nothing_again(engine, ncfg, smtp):
    add_contact(engine, GMP_ID, "alerts@gmp.example.org", actor="test")
    new_review(engine)
    assert run_notify(engine, ncfg).messages_sent == 1
    again = run_notify(engine, ncfg)
    assert (again.messages_sent, again.items_sent, again.waiting) == (0, 0, 0)
    assert len(smtp.mailbox.received) == 1
    # A later review brings only its own recommendations.
    later = new_review(engine, "review-c", recs=[RECS[0]])
    assert run_notify(engine, ncfg).messages_sent == 1
    assert len(smtp.mailbox.received) == 2
    assert smtp.mailbox.received[1].message["Subject"] == (
        "1 new recommendation for Greater Manchester Police")
    assert later["1"] in smtp.mailbox.received[1].body


def test_a_refused_send_is_retried_after_the_backoff_and_then_sent_once(tmp_path, db_url,
                                                                       engine, smtp):
    cfg = notify_config(tmp_path, db_url, smtp.port, retry_after_s=300)
    add_contact(engine, GMP_ID, "alerts@gmp.example.org", actor="test")
    new_review(engine)
    smtp.mailbox.refuse = 1  # 451 once, then accepted
    before = utcnow()
    first = run_notify(engine, cfg)
    assert (first.messages_sent, smtp.mailbox.refused, smtp.mailbox.received) == (0, 1, [])
    [failure] = first.failed
    assert failure["organisation"] == GMP_ID and failure["attempts"] == 1
    assert "451" in failure["error"]
    rows = outbox(engine)
    assert all(r.attempts == 1 and r.sent_at is None and "451" in r.last_error for r in rows)
    assert all(timedelta(seconds=299) < r.next_attempt_at - before < timedelta(seconds=310)
               for r in rows)
    # Not due yet: nothing is attempted.
    assert run_notify(engine, cfg).failed == [] and smtp.mailbox.refused == 1
    assert smtp.mailbox.received == []
    # After the backoff the digest goes, once; the next wait would have doubled.
    later = run_notify(engine, cfg, now=utcnow() + timedelta(seconds=301))
    assert (later.messages_sent, later.items_sent) == (1, 2)
    assert len(smtp.mailbox.received) == 1
    assert all(r.sent_at is not None and r.attempts == 2 for r in outbox(engine))
    assert run_notify(engine, cfg, now=utcnow() + timedelta(days=1)).messages_sent == 0


def test_backoff_doubles_and_is_capped():
    from accountability.outbox import backoff

    assert [backoff(n, 300, 3600).total_seconds() for n in (1, 2, 3, 4, 5)] == [
        300, 600, 1200, 2400, 3600]


def test_a_digest_is_given_up_after_the_last_attempt_and_reported(tmp_path, db_url, engine,
                                                                 smtp):
    cfg = notify_config(tmp_path, db_url, smtp.port, max_attempts=2)
    add_contact(engine, GMP_ID, "alerts@gmp.example.org", actor="test")
    new_review(engine)
    smtp.mailbox.refuse_always = True
    first = run_notify(engine, cfg)
    assert len(first.failed) == 1 and first.gave_up == []
    second = run_notify(engine, cfg)
    assert second.gave_up == [{"organisation": GMP_ID, "items": 2, "attempts": 2,
                               "error": second.failed[0]["error"]}]
    assert all(r.gave_up_at is not None and r.sent_at is None for r in outbox(engine))
    smtp.mailbox.refuse_always = False
    third = run_notify(engine, cfg)
    assert (third.messages_sent, third.failed, third.waiting) == (0, [], 0)
    assert smtp.mailbox.received == [] and smtp.mailbox.refused == 2


def test_the_nightly_report_lists_notification_failures(tmp_path, db_url, engine, smtp):
    cfg = notify_config(tmp_path, db_url, smtp.port, max_attempts=3)
    add_contact(engine, GMP_ID, "alerts@gmp.example.org", actor="test")
    new_review(engine)
    smtp.mailbox.refuse_always = True
    report = {"stages": {"notify": {}}, "failures": [], "interrupted": False}
    nightly._notify(cfg, report)
    [failure] = report["failures"]
    assert failure["stage"] == "notify" and failure["item"] == GMP_ID
    assert "2 notification(s) not sent (attempt 1, next try after" in failure["reason"]
    assert "451" in failure["reason"]
    assert nightly._exit_code(report) == nightly.EXIT_PARTIAL
    report.update(duration_s=1.0, exit_code=1, changes=True)
    lines = nightly.summary_lines(report)
    assert any(line.startswith("  notify: 0 message(s) sent") and "1 failed" in line
               for line in lines)
    assert any(line.startswith("  failed:  [notify] greater-manchester-police") for line in lines)
    # Once the server takes it, the next nightly sends it and reports no failure.
    smtp.mailbox.refuse_always = False
    report = {"stages": {"notify": {}}, "failures": [], "interrupted": False}
    nightly._notify(cfg, report)
    assert report["failures"] == [] and report["stages"]["notify"]["messages_sent"] == 1


def test_waiting_notifications_without_a_mail_server_configured(tmp_path, db_url, engine):
    cfg = make_config(tmp_path, "sqlite", tracker={"database_url": db_url})
    assert run_notify(engine, cfg).messages_sent == 0  # nothing waiting: nothing to say
    add_contact(engine, GMP_ID, "alerts@gmp.example.org", actor="test")
    new_review(engine)
    with pytest.raises(NotifyNotConfigured, match="notify.smtp.host, notify.from_address"):
        run_notify(engine, cfg)
    assert all(r.attempts == 0 and r.claim is None for r in outbox(engine))
    report = {"stages": {"notify": {}}, "failures": [], "interrupted": False}
    nightly._notify(cfg, report)
    assert report["failures"][0]["stage"] == "notify"
    assert "2 notification(s) are waiting" in report["failures"][0]["reason"]


def test_the_smtp_password_is_never_in_an_error_or_the_report(tmp_path, db_url, engine, smtp):
    secret = "s3cret-smtp-Passw0rd"
    cfg = notify_config(tmp_path, db_url, smtp.port, max_attempts=1,
                        smtp={"host": "127.0.0.1", "port": smtp.port, "starttls": False,
                              "username": "dhr", "password": secret})
    assert secret not in repr(cfg) and secret not in str(cfg.notify)
    add_contact(engine, GMP_ID, "alerts@gmp.example.org", actor="test")
    new_review(engine)
    report = {"stages": {"notify": {}}, "failures": [], "interrupted": False}
    nightly._notify(cfg, report)  # this server offers no AUTH: the sign-in fails
    assert report["failures"] and smtp.mailbox.received == []
    assert secret not in repr(report)
    assert all(secret not in e.detail for e in audit_entries(engine))
    assert all(secret not in (r.last_error or "") for r in outbox(engine))


def test_a_password_is_not_sent_unencrypted_to_another_host(tmp_path, db_url, engine):
    from accountability.mailer import MailError, send
    from accountability.notify import Digest, build_message

    cfg = notify_config(tmp_path, db_url, 25, smtp={"host": "mail.example.org",
                                                     "starttls": False, "username": "dhr",
                                                     "password": "x" * 12})
    message = build_message(Digest(GMP_ID, "GMP", ["a@example.org"], []), cfg.notify)
    with pytest.raises(MailError, match="unencrypted") as err:
        send(cfg.notify.smtp, message)
    assert not err.value.temporary


# -- contacts -----------------------------------------------------------------------------------
def test_contacts_are_added_listed_and_removed_with_an_audit_trail(engine):
    add_contact(engine, GMP_ID, " Alerts@GMP.example.org ", actor="cli:test")
    add_contact(engine, GMP_ID, "second@gmp.example.org", actor="cli:test")
    with read_session(engine) as s:
        assert contacts_for(s, GMP_ID) == ["alerts@gmp.example.org", "second@gmp.example.org"]
    with pytest.raises(ContactError, match="already a contact"):
        add_contact(engine, GMP_ID, "alerts@gmp.example.org", actor="cli:test")
    with pytest.raises(ContactError, match="no organisation"):
        add_contact(engine, "no-such-org", "a@example.org", actor="cli:test")
    with pytest.raises(ContactError, match="not an e-mail address"):
        add_contact(engine, GMP_ID, "not an address", actor="cli:test")
    remove_contact(engine, GMP_ID, "alerts@gmp.example.org", actor="cli:test")
    with pytest.raises(ContactError, match="is not a contact"):
        remove_contact(engine, GMP_ID, "alerts@gmp.example.org", actor="cli:test")
    with read_session(engine) as s:
        assert contacts_for(s, GMP_ID) == ["second@gmp.example.org"]
    actions = [(e.action, e.actor, detail(e)["email"]) for e in audit_entries(engine)
               if e.action.startswith("contact.")]
    assert actions == [("contact.add", "cli:test", "alerts@gmp.example.org"),
                       ("contact.add", "cli:test", "second@gmp.example.org"),
                       ("contact.remove", "cli:test", "alerts@gmp.example.org")]


@pytest.fixture
def run(tmp_path, ncfg):
    path = tmp_path / "cli-config.yaml"
    raw = ncfg.model_dump(mode="json", exclude={"path"})
    path.write_text(yaml.safe_dump(raw))

    def invoke(*args: str):
        return CliRunner().invoke(cli, [*args, "--config", str(path)])
    return invoke


def test_contacts_and_notify_from_the_command_line(run, engine, smtp):
    assert run("org", "contacts", "add", GMP_ID, "alerts@gmp.example.org").exit_code == 0
    assert run("orgs", "contacts", "add", GMP_ID, "two@gmp.example.org").exit_code == 0
    listed = run("org", "contacts", "list", GMP_ID)
    assert listed.output.splitlines() == ["alerts@gmp.example.org", "two@gmp.example.org"]
    dup = run("org", "contacts", "add", GMP_ID, "two@gmp.example.org")
    assert dup.exit_code == 2 and "already a contact" in dup.output
    assert run("org", "contacts", "list", "no-such-org").exit_code == 2
    assert run("org", "contacts", "remove", GMP_ID, "two@gmp.example.org").exit_code == 0
    new_review(engine)
    sent = run("notify")
    assert sent.exit_code == 0, sent.output
    assert sent.output.splitlines() == [
        "dhr notify: sending due notifications",
        f"  {GMP_ID}: sent 2 new recommendation(s) to 1 contact(s)",
        ("notify: 1 message(s) sent (2 recommendation(s)), 0 failed, 0 notification(s) given "
        "up, 0 waiting")]
    again = run("notify")
    assert again.exit_code == 0 and "0 message(s) sent" in again.output
    assert len(smtp.mailbox.received) == 1


def test_rows_another_run_is_sending_are_left_alone_until_its_lease_ends(engine, ncfg, smtp):
    from accountability import outbox as ob
    from accountability.db import write_session

    add_contact(engine, GMP_ID, "alerts@gmp.example.org", actor="test")
    new_review(engine)
    now = utcnow()
    with write_session(engine) as s:  # another run has claimed the rows and is sending them
        rows = list(s.scalars(select(OutboxItem)))
        ob.claim(s, rows, now)
    assert run_notify(engine, ncfg).messages_sent == 0 and smtp.mailbox.received == []
    # That run died before recording its send: after the lease the rows go, once.
    later = run_notify(engine, ncfg, now=now + ob.LEASE + timedelta(seconds=1))
    assert (later.messages_sent, later.items_sent) == (1, 2)
    assert len(smtp.mailbox.received) == 1


def test_dhr_notify_without_a_mail_server_says_what_to_set(tmp_path, db_url, engine):
    path = tmp_path / "bare.yaml"
    path.write_text(yaml.safe_dump({"storage": {"data_dir": str(tmp_path / "data")},
                                    "tracker": {"database_url": db_url}}))
    add_contact(engine, GMP_ID, "alerts@gmp.example.org", actor="test")
    new_review(engine)
    result = CliRunner().invoke(cli, ["notify", "--config", str(path)])
    assert result.exit_code == 2
    assert ("2 notification(s) are waiting but the configuration does not say where to send "
            "them: set notify.smtp.host, notify.from_address, notify.base_url (or "
            "server.public_url)") in result.output
    assert all(r.attempts == 0 and r.sent_at is None for r in outbox(engine))


def test_a_nightly_run_sends_the_digests_and_reports_a_refused_one(tmp_path, db_url, engine,
                                                                  smtp):
    """The whole ``dhr nightly`` (its crawl finds nothing: the source is down): the tracker
    sync finds a new review in the store, queues it, and the notify stage's refused send is in
    the run report's failures and summary; the next night sends it."""
    from ingest.extract import EXTRACTOR_VERSION

    from .test_pipeline import store_documents

    cfg = notify_config(tmp_path, db_url, smtp.port)
    raw = cfg.model_dump(mode="json", exclude={"path"})
    raw["sources"] = [{"name": "down", "kind": "site", "start_urls": ["http://127.0.0.1:9/"],
                       "should_have_results": False}]
    path = tmp_path / "nightly.yaml"
    path.write_text(yaml.safe_dump(raw))
    from dhr.config import load_config

    cfg = load_config(path)
    add_contact(engine, GMP_ID, "alerts@gmp.example.org", actor="test")
    store_documents(cfg.data_dir, [document("night-overview", review_key="review-n",
                                            extractor_version=EXTRACTOR_VERSION)])
    smtp.mailbox.refuse = 1
    report = nightly.run_nightly(cfg, report_path=tmp_path / "night1.json", quiet=True)
    assert report["stages"]["tracker"]["notifications_queued"] == 2
    notify = [f for f in report["failures"] if f["stage"] == "notify"]
    assert notify == [{"stage": "notify", "item": GMP_ID, "reason": notify[0]["reason"]}]
    assert "451" in notify[0]["reason"] and report["exit_code"] == nightly.EXIT_PARTIAL
    assert any(line.startswith("  notify: 0 message(s) sent") for line in report["summary"])
    assert smtp.mailbox.received == []
    report = nightly.run_nightly(cfg, report_path=tmp_path / "night2.json", quiet=True)
    assert [f for f in report["failures"] if f["stage"] == "notify"] == []
    assert report["stages"]["notify"]["messages_sent"] == 1
    [mail] = smtp.mailbox.received
    assert mail.message["Subject"] == "2 new recommendations for Greater Manchester Police"


def test_a_suppressed_reviews_recommendations_wait_and_go_when_it_is_restored(engine, ncfg,
                                                                              smtp):
    """Takedown: nothing of a suppressed review is mailed; restoring it lets the digest go."""
    from accountability.models import Suppression

    add_contact(engine, GMP_ID, "alerts@gmp.example.org", actor="test")
    recs = new_review(engine)
    with write_session(engine) as s:
        review_key = s.get(ReviewRecommendation, recs["1"]).review_key
        s.add(Suppression(id="sup-0000000000000001", target_type="review", target_id=review_key,
                          category="family_request", reason="test", created_by="test"))
    assert run_notify(engine, ncfg).messages_sent == 0
    assert smtp.mailbox.received == []
    with write_session(engine) as s:
        s.get(Suppression, "sup-0000000000000001").state = "restored"
    assert run_notify(engine, ncfg).messages_sent == 1
    assert f"{BASE}/recommendations/{recs['1']}" in smtp.mailbox.received[0].body
