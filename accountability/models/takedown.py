"""Suppressions (takedown): a document or a whole review an admin withdrew from public view.

One row per suppression, never deleted: ``state`` is ``active`` (withheld), ``restored``
(shown again) or ``deleted`` (hard deletion by a legal order: the file is gone, the row is its
record with the reason). ``documents`` and ``urls`` list what it covered when it was applied
(the store's ``withheld`` table is what the core checks; ``dhr takedown sync`` re-applies the
active rows there). Who did what is also in the audit log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

CATEGORIES = ("unredacted_personal_data", "legal_request", "family_request",
              "published_in_error", "superseded")
TARGET_TYPES = ("document", "review")
STATES = ("active", "restored", "deleted")


class Suppression(Base):
    __tablename__ = "suppressions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[str] = mapped_column(String(200), index=True)
    category: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="active", index=True)
    documents: Mapped[list] = mapped_column(default=list)
    urls: Mapped[list] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320))
    ended_at: Mapped[datetime | None] = mapped_column()
    ended_by: Mapped[str | None] = mapped_column(String(320))
    end_reason: Mapped[str | None] = mapped_column(Text)
