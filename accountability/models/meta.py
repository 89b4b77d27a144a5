"""Facts the tracker keeps about itself (``tracker_meta``: key, value).

- ``recurring_method``: the fingerprint of the grouping method that built the stored recurring
  groups (:func:`accountability.recurring_method.method_fingerprint`); a sync that finds another
  one regroups every recommendation (:mod:`accountability.recurring`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class TrackerMeta(Base):
    __tablename__ = "tracker_meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
