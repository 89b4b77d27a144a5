"""A review's key: ``area|pseudonym|year``, shared by every document of one review.

Used by the review-level merge (``ingest.merge``) and by corrections (``dhr.corrections``), which
move a document to another review when its area, pseudonym or date of death is corrected.
"""

from __future__ import annotations

from typing import Any

from .text import fold


def review_key(review: dict[str, Any], year: str | None = None) -> str | None:
    """``area|pseudonym|year`` (normalised; year ``unknown`` if not stated), or None."""
    if not review.get("area") or not review.get("pseudonym"):
        return None
    year = year or (review.get("date_of_death") or "")[:4] or "unknown"
    return f"{fold(review['area'])}|{fold(review['pseudonym'])}|{year}"
