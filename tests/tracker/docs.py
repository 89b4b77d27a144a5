"""Synthetic Documents for the tracker tests: a review's overview report, executive summary and
action plan, with recommendations owned by registry organisations. No real names: the area is
a real CSP area (so the review's CSP resolves), the pseudonym is invented, and each Document's
provenance says it is synthetic."""

from __future__ import annotations

import hashlib
from typing import Any

from dhr.document import Document

GMP = {"id": "greater-manchester-police", "name": "Greater Manchester Police"}
HOME_OFFICE = {"id": "home-office", "name": "Home Office"}

RECS = [
    ("1", ("Greater Manchester Police to review how officers record coercive control at "
           "domestic abuse incidents and brief all response teams."), [GMP]),
    ("2", ("The Home Office to issue guidance on sharing risk information between agencies "
           "when a victim moves between areas."), [HOME_OFFICE]),
    ("3", ("Greater Manchester Police to audit repeat call handling for domestic abuse and "
           "report the findings to the partnership."), [GMP]),
]


def doc_id(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def document(label: str, *, review_key: str = "review-a", doc_type: str = "overview_report",
             recs: list[tuple[str, str, list[dict]]] | None = None,
             actions: list[dict[str, Any]] | None = None, area: str = "Bolton",
             extractor_version: str = "1.0.0", year: str = "2020") -> Document:
    recs = RECS if recs is None else recs
    return Document.model_validate({
        "id": doc_id(label), "filename": f"{label}.pdf", "format": "pdf",
        "extractor_version": extractor_version, "page_count": 40, "doc_type": doc_type,
        "title": f"Synthetic review {review_key}", "review_key": review_key,
        "review": {"pseudonym": "Alex", "area": area, "date_of_death": year},
        "recommendations": [
            {"number": n, "text": t, "page": 30 + i, "organisation": owners[0] if owners else None,
             "organisations": owners, "owner_source": "text" if owners else None}
            for i, (n, t, owners) in enumerate(recs)],
        "actions": actions or [],
        "provenance": {"synthetic": True},
    })
