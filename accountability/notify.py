"""``dhr notify``: one digest e-mail per organisation of the new recommendations waiting for it.

For each organisation with due outbox rows (:mod:`accountability.outbox`): the rows are claimed
(one short write transaction), one message listing the recommendations with a link to each
``/recommendations/<id>`` page is handed to the SMTP server (:mod:`accountability.mailer`), then
the rows are marked sent in the transaction that records the send (``notification_sends``) and
appends the audit entry, so no row is ever sent twice. A failure counts an attempt on each row
and schedules the next one with backoff (``notify.retry_after_s``, doubling, at most
``notify.max_retry_after_s``); after ``notify.max_attempts`` the rows are given up and
reported. ``dhr nightly`` runs this after the tracker sync and puts failures in its report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from textwrap import fill
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from dhr.config import Config, NotifyConfig

from . import audit, mailer, outbox
from .contacts import contacts_for
from .db import read_session, write_session
from .models import (
    NotificationSend,
    OrganisationRow,
    OutboxItem,
    ReviewRecommendation,
    ReviewRow,
    utcnow,
)
from .takedown import hidden, recommendation_hidden

ACTOR = "system:notify"
MAX_TEXT = 600  # characters of a recommendation's text quoted in a message


class NotifyNotConfigured(Exception):
    """Something is waiting to be sent but the configuration says nowhere to send it."""


@dataclass
class Digest:
    """One message for one organisation."""

    organisation_id: str
    organisation_name: str
    recipients: list[str]
    items: list[dict[str, Any]]  # {id, number, text, review, url}

    @property
    def subject(self) -> str:
        n = len(self.items)
        return (f"{n} new recommendation{'s' if n != 1 else ''} for "
                f"{self.organisation_name}")[:300]


@dataclass
class NotifyResult:
    messages_sent: int = 0
    items_sent: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    gave_up: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    waiting: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"messages_sent": self.messages_sent, "items_sent": self.items_sent,
                "failed": self.failed, "gave_up": self.gave_up, "refused": self.refused,
                "waiting": self.waiting}


def base_url_of(cfg: Config) -> str | None:
    return cfg.notify.base_url or cfg.server.public_url


def problems(cfg: Config) -> list[str]:
    """What the configuration lacks for sending (empty when it can send)."""
    out = []
    if not cfg.notify.smtp.host:
        out.append("notify.smtp.host")
    if not cfg.notify.from_address or "@" not in parseaddr(cfg.notify.from_address)[1]:
        out.append("notify.from_address")
    if not base_url_of(cfg):
        out.append("notify.base_url (or server.public_url)")
    return out


def waiting(engine: Engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(OutboxItem).where(
            OutboxItem.sent_at.is_(None), OutboxItem.gave_up_at.is_(None))) or 0


def build_message(digest: Digest, notify: NotifyConfig) -> EmailMessage:
    sender = notify.from_address or ""
    msg = EmailMessage()
    msg["Subject"] = digest.subject
    msg["From"] = sender
    msg["To"] = ", ".join(digest.recipients)
    msg["Date"] = format_datetime(utcnow())
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid("dhr-notify", domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    n = len(digest.items)
    # Plain text wrapped at 72 columns (links on lines of their own, never broken).
    lines = [f"{digest.organisation_name},", "",
             fill(f"The Domestic Homicide Review repository has found {n} new recommendation"
                  f"{'s' if n != 1 else ''} addressed to your organisation in published "
                  "reviews."), ""]
    for i, item in enumerate(digest.items, 1):
        text = " ".join(item["text"].split())
        if len(text) > MAX_TEXT:
            text = text[:MAX_TEXT].rsplit(" ", 1)[0] + " ..."
        number = f"Recommendation {item['number']}" if item["number"] else "Recommendation"
        lines += [fill(f"{i}. {item['review']}: {number}", subsequent_indent="   "),
                  fill(text, initial_indent="   ", subsequent_indent="   "),
                  f"   {item['url']}", ""]
    lines += [fill("Please say what your organisation has done about each recommendation: "
                   "sign in and add an update on its page."), "",
              fill("You receive this because your address is a notification contact of "
                   f"{digest.organisation_name}. Your organisation's administrator manages "
                   "the contacts.")]
    msg.set_content("\n".join(lines) + "\n")
    return msg


def _review_label(review: ReviewRow | None, key: str) -> str:
    if review is None:
        return f"Review {key}"
    place = ", ".join(str(x) for x in (review.area, review.year) if x)
    return f"Review {place}" if place else f"Review {key}"


def _digest(engine: Engine, org_id: str, items: list[OutboxItem], base_url: str) -> Digest:
    with read_session(engine) as s:
        org = s.get(OrganisationRow, org_id)
        recipients = contacts_for(s, org_id)
        entries = []
        for item in items:
            rec = s.get(ReviewRecommendation, item.recommendation_id)
            if rec is None:
                continue
            entries.append({"id": rec.id, "number": rec.number, "text": rec.text,
                            "review": _review_label(s.get(ReviewRow, rec.review_key),
                                                    rec.review_key),
                            "url": f"{base_url}/recommendations/{rec.id}"})
    return Digest(org_id, org.name if org else org_id, recipients, entries)


def run_notify(engine: Engine, cfg: Config, *, now: datetime | None = None,
               echo: Callable[[str], None] | None = None,
               send: Callable[[EmailMessage], dict[str, str]] | None = None) -> NotifyResult:
    """Send every due digest once; returns what happened. Raises :class:`NotifyNotConfigured`
    when rows are due but the configuration cannot send (nothing is changed then)."""
    say = echo or (lambda line: None)
    notify = cfg.notify
    now = now or utcnow()
    result = NotifyResult()
    with read_session(engine) as s:
        hide = hidden(s)  # a suppressed review's recommendations wait (sent if it is restored)
        due = {org: ids for org, items in outbox.due(s, now).items()
               if (ids := [i.id for i in items if not (hide and recommendation_hidden(
                   s, i.recommendation_id))])}
    if due and problems(cfg):
        raise NotifyNotConfigured(
            f"{sum(len(v) for v in due.values())} notification(s) are waiting but the "
            f"configuration does not say where to send them: set {', '.join(problems(cfg))}")
    base_url = base_url_of(cfg) or ""
    deliver = send or (lambda message: mailer.send(notify.smtp, message))
    for org_id in sorted(due):
        with write_session(engine) as s:
            items = list(s.scalars(select(OutboxItem).where(
                OutboxItem.id.in_(due[org_id]), OutboxItem.sent_at.is_(None),
                OutboxItem.gave_up_at.is_(None), OutboxItem.next_attempt_at <= now)
                .order_by(OutboxItem.id)))
            if not items:
                continue  # another run took them
            token = outbox.claim(s, items, now)
            ids = [i.id for i in items]
        digest = _digest(engine, org_id, items, base_url)
        if not digest.recipients:
            _give_up(engine, org_id, ids, token, "the organisation has no notification "
                     "contacts any more", now, result, say)
            continue
        message = build_message(digest, notify)
        try:
            refused = deliver(message)
        except mailer.MailError as err:
            _failed(engine, org_id, ids, token, str(err), now, cfg, result, say)
            continue
        with write_session(engine) as s:
            send_row = NotificationSend(organisation_id=org_id, sent_at=utcnow(),
                                        recipients=digest.recipients, subject=digest.subject,
                                        message_id=str(message["Message-ID"]),
                                        items=len(digest.items))
            marked = outbox.mark_sent(s, ids, token, send_row)
            audit.append(s, ACTOR, "notification.send", target_type="organisation",
                         target_id=org_id,
                         detail={"send": send_row.id, "recipients": digest.recipients,
                                 "recommendations": [e["id"] for e in digest.items],
                                 "refused": sorted(refused)})
        result.messages_sent += 1
        result.items_sent += marked
        for rcpt, reason in sorted(refused.items()):
            result.refused.append({"organisation": org_id, "recipient": rcpt, "reason": reason})
        say(f"  {org_id}: sent {marked} new recommendation(s) to {len(digest.recipients)} "
            f"contact(s)" + (f" ({len(refused)} refused)" if refused else ""))
    result.waiting = waiting(engine)
    return result


def _failed(engine: Engine, org_id: str, ids: list[int], token: str, error: str, now: datetime,
            cfg: Config, result: NotifyResult, say: Callable[[str], None]) -> None:
    n = cfg.notify
    with write_session(engine) as s:
        gave_up = outbox.mark_failed(s, ids, token, error, now, max_attempts=n.max_attempts,
                                     first=n.retry_after_s, most=n.max_retry_after_s)
        rows = list(s.scalars(select(OutboxItem).where(OutboxItem.id.in_(ids))))
        audit.append(s, ACTOR, "notification.fail", target_type="organisation",
                     target_id=org_id, detail={"items": ids, "error": error,
                                               "gave_up": [g.id for g in gave_up]})
    attempts = max((r.attempts for r in rows), default=0)
    retry = min((r.next_attempt_at for r in rows if r.gave_up_at is None), default=None)
    entry = {"organisation": org_id, "items": len(ids), "attempts": attempts, "error": error,
             "next_attempt_at": retry.isoformat() if retry else None}
    result.failed.append(entry)
    if gave_up:
        result.gave_up.append({"organisation": org_id, "items": len(gave_up),
                               "attempts": attempts, "error": error})
        say(f"  {org_id}: FAILED (attempt {attempts} of {n.max_attempts}, given up): {error}")
    else:
        say(f"  {org_id}: failed (attempt {attempts} of {n.max_attempts}, next try after "
            f"{retry:%Y-%m-%d %H:%M} UTC): {error}")


def _give_up(engine: Engine, org_id: str, ids: list[int], token: str, reason: str,
             now: datetime, result: NotifyResult, say: Callable[[str], None]) -> None:
    with write_session(engine) as s:
        for item in s.scalars(select(OutboxItem).where(OutboxItem.id.in_(ids),
                                                       OutboxItem.claim == token)):
            item.gave_up_at, item.last_error, item.claim = now, reason, None
        audit.append(s, ACTOR, "notification.drop", target_type="organisation",
                     target_id=org_id, detail={"items": ids, "reason": reason})
    result.gave_up.append({"organisation": org_id, "items": len(ids), "attempts": 0,
                           "error": reason})
    say(f"  {org_id}: {len(ids)} notification(s) dropped: {reason}")


def summary_line(result: NotifyResult) -> str:
    return (f"notify: {result.messages_sent} message(s) sent ({result.items_sent} "
            f"recommendation(s)), {len(result.failed)} failed, "
            f"{sum(g['items'] for g in result.gave_up)} notification(s) given up, "
            f"{result.waiting} waiting")
