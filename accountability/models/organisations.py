"""The organisations table: every body that can own a recommendation or hold accounts.

Seeded from the shipped organisation registry (``origin='registry'``) and extended by admins
(``dhr orgs add``, ``origin='local'``). Ids are the registry's stable slugs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

KINDS = ("police_force", "government_department", "national_body", "csp", "icb", "nhs_trust",
         "local_authority", "probation", "charity", "other")


class OrganisationRow(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    agency: Mapped[str | None] = mapped_column(String(60))
    region: Mapped[str | None] = mapped_column(String(60))
    aliases: Mapped[list] = mapped_column(default=list)
    origin: Mapped[str] = mapped_column(String(20), default="registry")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
