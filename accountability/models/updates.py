"""Updates: the append-only history of a review recommendation.

Each update has a per-recommendation sequence number (its place in the history), a status
and/or a note, a public flag, optional evidence (a URL, or a file in the content-addressed
evidence store) and who made it: a user and organisation, or a published document ("as
published", ``source='published'``). A correction is a new update; rows are never changed
(database triggers refuse UPDATE and DELETE).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Update(Base):
    __tablename__ = "updates"
    __table_args__ = (UniqueConstraint("recommendation_id", "seq"),
                      UniqueConstraint("recommendation_id", "published_key",
                                       name="uq_updates_published_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[str] = mapped_column(ForeignKey("review_recommendations.id"),
                                                   index=True)
    seq: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(20), default="user")  # user | published
    status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(default=False)
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    evidence_filename: Mapped[str | None] = mapped_column(String(300))
    target_date: Mapped[str | None] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    document_id: Mapped[str | None] = mapped_column(String(64))
    published_key: Mapped[str | None] = mapped_column(String(64))
