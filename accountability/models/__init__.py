"""The tracker's tables (SQLAlchemy 2 declarative models), one module per aggregate."""

from .accounts import ROLES, SCOPES, ApiToken, Membership, User
from .audit import GENESIS, AuditEntry, AuditHead
from .base import Base, utcnow
from .corrections import Correction
from .organisations import KINDS, OrganisationRow
from .recommendations import (
    ActionRow,
    Appearance,
    RecommendationOwner,
    RelinkFlag,
    ReviewRecommendation,
    ReviewRow,
)
from .updates import Update

__all__ = [
    "GENESIS",
    "KINDS",
    "ROLES",
    "SCOPES",
    "ActionRow",
    "ApiToken",
    "Appearance",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Correction",
    "Membership",
    "OrganisationRow",
    "RecommendationOwner",
    "RelinkFlag",
    "ReviewRecommendation",
    "ReviewRow",
    "Update",
    "User",
    "utcnow",
]
