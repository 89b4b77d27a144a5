"""Review recommendations: one row per recommendation of a review, with stable ids.

- ``reviews``: a review (its documents share a ``review_key``): area, region, year, the CSP;
- ``review_recommendations``: number and text as printed, scope, the current status
  (denormalised from the updates, for listing) and the target date;
- ``recommendation_owners``: its owner organisations (an unresolved name keeps ``organisation_id``
  null);
- ``appearances``: every document and page that prints it (rebuilt at each sync);
- ``action_rows``: the published action-plan rows (rebuilt at each sync);
- ``relink_flags``: what re-extraction could not re-link with confidence, for a person.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class ReviewRow(Base):
    __tablename__ = "reviews"

    review_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    area: Mapped[str | None] = mapped_column(String(200), index=True)
    region: Mapped[str | None] = mapped_column(String(60))
    year: Mapped[int | None] = mapped_column(index=True)
    pseudonym: Mapped[str | None] = mapped_column(String(200))
    csp_organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"),
                                                             index=True)
    # Fingerprint of the documents last synced: an unchanged review is skipped.
    source_hash: Mapped[str | None] = mapped_column(String(64))
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewRecommendation(Base):
    __tablename__ = "review_recommendations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    review_key: Mapped[str] = mapped_column(ForeignKey("reviews.review_key"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    number: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    agency: Mapped[str | None] = mapped_column(String(60))
    scope: Mapped[str | None] = mapped_column(String(20))
    smart_score: Mapped[int | None] = mapped_column()
    themes: Mapped[list] = mapped_column(default=list)
    owner_source: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="no_information", index=True)
    status_updated_at: Mapped[datetime | None] = mapped_column()
    target_date: Mapped[str | None] = mapped_column(String(10))
    target_due: Mapped[date | None] = mapped_column(Date, index=True)
    # current: printed by the review's current extraction; missing: no longer found (flagged).
    state: Mapped[str] = mapped_column(String(10), default="current")
    recurring_group: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)

    owners: Mapped[list[RecommendationOwner]] = relationship(
        lazy="selectin", order_by="RecommendationOwner.position", cascade="all, delete-orphan")
    appearances: Mapped[list[Appearance]] = relationship(
        lazy="selectin", order_by="Appearance.id", viewonly=True)


class RecommendationOwner(Base):
    __tablename__ = "recommendation_owners"
    # An organisation's recommendations (the inbox, oversight by owner): from migration 0001.
    __table_args__ = (Index("ix_recommendation_owners_org_rec", "organisation_id",
                            "recommendation_id"),)

    recommendation_id: Mapped[str] = mapped_column(ForeignKey("review_recommendations.id"),
                                                   primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"),
                                                        index=True)
    name: Mapped[str] = mapped_column(String(300))


class Appearance(Base):
    __tablename__ = "appearances"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[str] = mapped_column(ForeignKey("review_recommendations.id"),
                                                   index=True)
    document_id: Mapped[str] = mapped_column(String(64), index=True)
    doc_type: Mapped[str | None] = mapped_column(String(40))
    page: Mapped[int | None] = mapped_column()
    number: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    extractor_version: Mapped[str | None] = mapped_column(String(40))


class ActionRow(Base):
    __tablename__ = "action_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_key: Mapped[str] = mapped_column(ForeignKey("reviews.review_key"), index=True)
    recommendation_id: Mapped[str | None] = mapped_column(
        ForeignKey("review_recommendations.id"), index=True)
    document_id: Mapped[str] = mapped_column(String(64))
    page: Mapped[int | None] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)
    number: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str | None] = mapped_column(Text)
    lead_organisation_id: Mapped[str | None] = mapped_column(String(100))
    lead_name: Mapped[str | None] = mapped_column(String(300))
    milestones: Mapped[str | None] = mapped_column(Text)
    target_date: Mapped[str | None] = mapped_column(String(10))
    completed_date: Mapped[str | None] = mapped_column(String(10))
    outcome: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(20))


class RelinkFlag(Base):
    """A recommendation re-extraction could not re-link with confidence: a person decides."""

    __tablename__ = "relink_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_key: Mapped[str] = mapped_column(String(200), index=True)
    recommendation_id: Mapped[str] = mapped_column(ForeignKey("review_recommendations.id"),
                                                   index=True)
    kind: Mapped[str] = mapped_column(String(20))  # missing | uncertain_match
    candidate_id: Mapped[str | None] = mapped_column(ForeignKey("review_recommendations.id"))
    score: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolution: Mapped[str | None] = mapped_column(String(40))
