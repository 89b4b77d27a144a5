"""Notifications: who an organisation wants told, and what is waiting to be told.

- ``notification_contacts``: e-mail addresses that receive an organisation's notifications
  (managed by its org_admin, ``dhr org contacts``);
- ``notification_outbox``: one row per (organisation, new review recommendation) to tell it
  about, written by the tracker sync in the same transaction that creates the recommendation.
  ``dhr notify`` sends due rows as one digest per organisation, counting attempts and
  scheduling the next one with backoff (``next_attempt_at``), and marks them sent in the same
  transaction that records the send (``notification_sends``), so no row is sent twice;
  a row that failed ``max_attempts`` times is given up (``gave_up_at``) and reported;
- ``notification_sends``: each digest handed to the SMTP server: when, to whom, how many items.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class NotificationContact(Base):
    __tablename__ = "notification_contacts"
    __table_args__ = (UniqueConstraint("organisation_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by: Mapped[str] = mapped_column(String(320))


class NotificationSend(Base):
    """One digest accepted by the SMTP server."""

    __tablename__ = "notification_sends"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipients: Mapped[list] = mapped_column(default=list)
    subject: Mapped[str] = mapped_column(String(300))
    message_id: Mapped[str] = mapped_column(String(300))
    items: Mapped[int] = mapped_column(default=0)


class OutboxItem(Base):
    """A new review recommendation an organisation has not been told about yet."""

    __tablename__ = "notification_outbox"
    __table_args__ = (UniqueConstraint("organisation_id", "recommendation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    recommendation_id: Mapped[str] = mapped_column(ForeignKey("review_recommendations.id"),
                                                   index=True)
    kind: Mapped[str] = mapped_column(String(30), default="new_recommendation")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    # Due when this has passed; a run that takes a row moves it ahead (a lease), so two runs
    # at once never send one row twice.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claim: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column()
    send_id: Mapped[int | None] = mapped_column(ForeignKey("notification_sends.id"))
    gave_up_at: Mapped[datetime | None] = mapped_column()
