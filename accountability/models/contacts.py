"""Notification contacts: the e-mail addresses an organisation wants told about new
recommendations made to it (managed by its org_admin on the organisation admin page; read by
the notification outbox through :func:`accountability.contacts.contacts_for`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class OrganisationContact(Base):
    __tablename__ = "organisation_contacts"
    __table_args__ = (UniqueConstraint("organisation_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
