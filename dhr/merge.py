"""Merge what the crawler learned about a file with what extraction found in it.

The source (a Home Office library card, a source's configured area) wins where both speak, and
every disagreement is recorded in ``provenance["disagreements"]`` so the UI can show it. The
provenance of each review field says where it came from (``source`` or ``text``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .document import Document, Source

# Crawler metadata key -> Document review field.
REVIEW_KEYS = ("pseudonym", "area", "region", "date_of_death", "review_type", "death_type")


def source_of(sightings: list[dict[str, Any]]) -> Source | None:
    if not sightings:
        return None
    first = sightings[0]
    current = [s for s in sightings if s.get("current")] or sightings
    url = current[0]["url"]
    return Source(
        url=url,
        site=(urlsplit(url).hostname or None) if url.startswith("http") else None,
        first_seen=min(s["first_seen"] for s in sightings),
        last_seen=max(s["last_seen"] for s in sightings),
        online=any(s.get("online") for s in sightings),
    ) if first else None


def crawler_metadata(sightings: list[dict[str, Any]]) -> dict[str, Any]:
    """Metadata recorded with the file's sightings; later sightings fill gaps only."""
    merged: dict[str, Any] = {}
    for s in sightings:
        for key, value in (s.get("metadata") or {}).items():
            if value not in (None, "", []) and key not in merged:
                merged[key] = value
    return merged


def merge_document(doc: Document, sightings: list[dict[str, Any]]) -> Document:
    data = doc.to_json_dict()
    src = source_of(sightings)
    data["source"] = src.model_dump(mode="json") if src else None
    meta = crawler_metadata(sightings)
    review = data["review"]
    prov = dict(data.get("provenance") or {})
    fields = dict(prov.get("fields") or {})
    disagreements = []
    for key in REVIEW_KEYS:
        value = meta.get(key)
        if value in (None, ""):
            continue
        if review.get(key) not in (None, "") and review[key] != value:
            disagreements.append({"field": f"review.{key}", "source": value, "text": review[key]})
        review[key] = value
        fields[f"review.{key}"] = {"from": "source"}
    if meta.get("area") and not meta.get("region"):
        region = _region_for(meta["area"])
        if region and region != review.get("region"):
            review["region"] = region
            fields["review.region"] = {"from": "source"}
    tags = meta.get("abuse_types") or []
    if tags:
        review["abuse_types"] = sorted(set(review.get("abuse_types") or []) | set(tags))
    victim = meta.get("victim") or {}
    for key in ("age", "age_band", "sex"):
        if victim.get(key) not in (None, ""):
            review["victim"][key] = victim[key]
    if meta.get("title") and not data.get("title"):
        data["title"] = meta["title"]
    if fields:
        prov["fields"] = fields
    if disagreements:
        prov["disagreements"] = disagreements
    data["provenance"] = prov
    data["review_key"] = review_key(review)
    return Document.from_json_dict(data)


def review_key(review: dict[str, Any]) -> str | None:
    """Links a review's documents: same area + pseudonym + year of death."""
    if not review.get("area") or not review.get("pseudonym"):
        return None
    year = (review.get("date_of_death") or "")[:4] or "unknown"
    norm = lambda s: " ".join(str(s).lower().split())  # noqa: E731
    return f"{norm(review['area'])}|{norm(review['pseudonym'])}|{year}"


def _region_for(area: str) -> str | None:
    try:
        from ingest.areas import region_for_area  # written with the understanding rules
    except ImportError:
        return None
    try:
        return region_for_area(area)
    except Exception:  # noqa: BLE001 - a lookup problem must not lose the document
        return None
