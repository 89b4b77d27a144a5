"""How a Document becomes index records: the same flattening for both backends.

A Document gives one document record (facet values, year, text, pages) and one record per
recommendation (carrying its review's area, region, review type and year so that
recommendations can be filtered on their own). Each recommendation record also has a
``review_rec`` key: the tracker's review recommendation id once stamped, so that the copies of
one recommendation in several documents of a review can be listed once.
"""

from __future__ import annotations

from typing import Any

from ..document import Document
from ..enrichment.index import enrichment_values
from ..taxonomy import label

PAGE_SEPARATOR = "\n\n"


def date_key(date_of_death: str | None) -> int | None:
    """``2019-05`` -> 201905, ``2019`` -> 201900: sortable, unknown stays None."""
    if not date_of_death:
        return None
    year = int(date_of_death[:4])
    month = int(date_of_death[5:7]) if len(date_of_death) >= 7 else 0
    return year * 100 + month


def display_title(doc: Document) -> str:
    """The title a list shows: the review and the kind of document, the same way for every
    document ("Mrs M (Sheffield, 2023): Overview report"), whatever the file calls itself
    ("Executive Summary", "DHR Fatima - Overview Report - Final"). The file's own title when
    the document names neither a pseudonym nor an area."""
    r = doc.review
    return _display_title(doc.title or doc.filename or doc.id[:12], doc.doc_type, r.pseudonym,
                          r.area, r.year_of_death)


def display_title_of(body: dict[str, Any]) -> str:
    """:func:`display_title` of a stored Document body (JSON, as ``get_document`` returns it)."""
    review = body.get("review") or {}
    dod = review.get("date_of_death") or ""
    return _display_title(body.get("title") or body.get("filename") or str(body.get("id"))[:12],
                          body.get("doc_type"), review.get("pseudonym"), review.get("area"),
                          int(dod[:4]) if dod[:4].isdigit() else None)


def _display_title(own: str, doc_type: str | None, pseudonym: str | None, area: str | None,
                   year: int | None) -> str:
    if not pseudonym and not area:
        return own
    place = ", ".join(str(x) for x in (area, year) if x)
    review = f"{pseudonym} ({place})" if pseudonym and place else (pseudonym or place)
    return f"{review}: {label('doc_type', doc_type)}" if doc_type else review


def summary(doc: Document) -> dict[str, Any]:
    """What a search result shows of a Document."""
    return {
        "id": doc.id,
        "title": doc.title or doc.filename or doc.id[:12],
        "display_title": display_title(doc),
        "doc_type": doc.doc_type,
        "filename": doc.filename,
        "review": doc.review.model_dump(mode="json"),
        "review_key": doc.review_key,
        "page_count": doc.page_count,
        "source": doc.source.model_dump(mode="json") if doc.source else None,
        "url": f"/api/v1/documents/{doc.id}",
    }


def document_record(doc: Document) -> dict[str, Any]:
    r = doc.review
    return {
        "id": doc.id,
        "title": doc.title or "",
        "doc_type": doc.doc_type,
        "review_type": r.review_type,
        "death_type": r.death_type,
        "region": r.region,
        "area": r.area,
        "victim_sex": r.victim.sex,
        "victim_age_band": r.victim.age_band,
        "abuse_types": sorted(set(r.abuse_types)),
        "themes": sorted({t.id for t in doc.themes}),
        "agencies": sorted({a.id for a in doc.agencies}),
        "year": r.year_of_death,
        "date_key": date_key(r.date_of_death),
        "pseudonym": r.pseudonym,
        "text": PAGE_SEPARATOR.join(doc.pages),
        "pages": doc.pages,
        "summary": summary(doc),
        **enrichment_values(doc),
    }


def recommendation_records(doc: Document) -> list[dict[str, Any]]:
    r = doc.review
    doc_themes = sorted({t.id for t in doc.themes})
    out = []
    for i, rec in enumerate(doc.recommendations):
        out.append({
            "id": f"{doc.id}-{i:03d}",
            "document_id": doc.id,
            "position": i,
            "number": rec.number,
            "text": rec.text,
            "agency": rec.agency,
            "agency_name": rec.agency_name,
            "scope": rec.scope,
            "page": rec.page,
            "source": rec.source,
            "smart": rec.smart.model_dump(mode="json"),
            "smart_score": rec.smart.score,
            # A recommendation's own themes where extraction found them, else its review's.
            "themes": sorted(set(rec.themes)) if rec.themes else doc_themes,
            "area": r.area,
            "region": r.region,
            "review_type": r.review_type,
            "year": r.year_of_death,
            "date_key": date_key(r.date_of_death),
            "pseudonym": r.pseudonym,
            "doc_type": doc.doc_type,
            "title": doc.title,
            # The tracker's review recommendation this is a copy of (stamped after sync).
            "review_rec": None,
        })
    return out


def recommendation_result(rec: dict[str, Any]) -> dict[str, Any]:
    """What a recommendation search result shows."""
    return {
        "id": rec["id"],
        "document_id": rec["document_id"],
        "document_url": f"/api/v1/documents/{rec['document_id']}",
        "number": rec["number"],
        "text": rec["text"],
        "agency": rec["agency"],
        "agency_name": rec["agency_name"],
        "agency_label": label("agency", rec["agency"]) if rec["agency"] else None,
        "scope": rec["scope"],
        "page": rec["page"],
        "source": rec["source"],
        "smart": rec["smart"],
        "themes": rec["themes"],
        "review": {"area": rec["area"], "region": rec["region"], "year": rec["year"],
                   "pseudonym": rec["pseudonym"], "review_type": rec["review_type"]},
        "doc_type": rec["doc_type"],
        "title": rec["title"],
        # An extra field (the per-copy shape is unchanged): the review recommendation's id, as
        # in /api/v1/review-recommendations/<id>, once the tracker has stamped it; else null.
        "review_recommendation": rec.get("review_rec"),
    }


def with_copies(results: list[dict[str, Any]], copies: list[dict[str, Any]]) -> None:
    """Give each result of a by-review search ``copies``: the other records of its review
    recommendation (every document and page that prints it), in record id order."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for c in sorted(copies, key=lambda c: c["id"]):
        by_key.setdefault(c["review_recommendation"], []).append(c)
    for r in results:
        key = r["review_recommendation"]
        r["copies"] = [c for c in by_key.get(key, []) if c["id"] != r["id"]] if key else []


def facet_list(name: str, counts: dict[str, int], selected: list[str],
               kind: str | None) -> list[dict]:
    """Facet values sorted by count then value; selected values are always listed."""
    for value in selected:
        counts.setdefault(value, 0)
    items = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return [{"value": v, "label": label(kind, v) if kind else v, "count": c} for v, c in items]
