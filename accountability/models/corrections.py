"""Human corrections of a review's fields and of its recommendations, stored apart from
extraction.

One row per correction: which review (its key when corrected, and its documents) or which
review recommendation, the field, the old and new values, why, who (user and the organisation
they acted for) and when. A correction stays in force until removed; removing it fills
``removed_at``/``removed_by``/``removed_reason`` (the row itself is kept, and both writes are in
the audit log). ``extracted_value`` holds what extraction last gave for a recommendation field
(set by the tracker sync), so a person can see a correction that may no longer be needed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Correction(Base):
    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    # review: a review-level field of every document of the review; recommendation: a field
    # of one review recommendation (text, scope, owners).
    target: Mapped[str] = mapped_column(String(20))
    review_key: Mapped[str | None] = mapped_column(String(200), index=True)
    review_key_after: Mapped[str | None] = mapped_column(String(200), index=True)
    document_ids: Mapped[list] = mapped_column(default=list)
    recommendation_id: Mapped[str | None] = mapped_column(
        ForeignKey("review_recommendations.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    extracted_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column()
    removed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    removed_reason: Mapped[str | None] = mapped_column(Text)
