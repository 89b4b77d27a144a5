"""Recurring recommendation groups (issue 16): groups and their members.

- ``recurring_groups``: a group of review recommendations that ask for the same change: a
  readable label, size, first and last year (denormalised at each grouping run, for listing);
  ``merged_into`` names the group that absorbed it when two were merged (its old id still
  resolves);
- ``recurring_members``: one row per grouped recommendation: its group, the order it was
  assigned in (``seq``), its review and year, the hashed text features the method compares
  (:mod:`accountability.recurring_method`), and ``repeat``: the group already held a
  recommendation of another review when this one joined (flagged for oversight).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class RecurringGroup(Base):
    __tablename__ = "recurring_groups"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int] = mapped_column(default=0, index=True)
    reviews: Mapped[int] = mapped_column(default=0)
    first_year: Mapped[int | None] = mapped_column()
    last_year: Mapped[int | None] = mapped_column()
    merged_into: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecurringMember(Base):
    __tablename__ = "recurring_members"

    recommendation_id: Mapped[str] = mapped_column(ForeignKey("review_recommendations.id"),
                                                   primary_key=True)
    group_id: Mapped[str] = mapped_column(ForeignKey("recurring_groups.id"), index=True)
    seq: Mapped[int] = mapped_column(index=True)
    review_key: Mapped[str] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column()
    features: Mapped[list] = mapped_column(default=list)
    repeat: Mapped[bool] = mapped_column(default=False, index=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
