"""The tracker's tables (SQLAlchemy 2 declarative models), one module per aggregate."""

from .accounts import ROLES, SCOPES, ApiToken, Membership, User
from .audit import GENESIS, AuditEntry, AuditHead
from .base import Base, utcnow
from .corrections import Correction
from .meta import TrackerMeta
from .notifications import NotificationContact, NotificationSend, OutboxItem
from .organisations import KINDS, OrganisationRow
from .recommendations import (
    ActionRow,
    Appearance,
    RecommendationOwner,
    RelinkFlag,
    ReviewRecommendation,
    ReviewRow,
)
from .recurring import RecurringGroup, RecurringMember
from .takedown import Suppression
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
    "NotificationContact",
    "NotificationSend",
    "OrganisationRow",
    "OutboxItem",
    "RecommendationOwner",
    "RecurringGroup",
    "RecurringMember",
    "RelinkFlag",
    "ReviewRecommendation",
    "ReviewRow",
    "Suppression",
    "TrackerMeta",
    "Update",
    "User",
    "utcnow",
]
