"""What the review page shows about one document, gathered from the index and the store.

- :func:`metadata_rows`: the review's metadata as summary-list rows, each saying where the value
  came from (a page of the report, or the publishing website), from ``Document.provenance``.
- :func:`other_documents`: the same review's other documents (overview report, executive
  summary, action plan...). Documents of one review share area, pseudonym and year of death
  (``review_key``); they are found with a bounded search filtered on the area, then matched on
  pseudonym and a compatible year here (a document that does not state the year still matches).
- :func:`corrections`: the human corrections laid over the review's values (who, when, why).
- :func:`sources`: every URL the file was seen at, with first/last seen and whether it is still
  online, from the store (falling back to the indexed ``source`` when no store is at hand).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from dhr.search.base import DocumentRequest, SearchBackend
from dhr.store import CorpusStore
from dhr.text import fold

from .public import PublicBackend, local_file_name
from .ui_text import date_of_death, facet_label, yes_no

log = logging.getLogger(__name__)

MAX_AREA_DOCUMENTS = 300  # bound on the search for a review's other documents


@dataclass(frozen=True)
class MetadataRow:
    key: str
    value: str
    origin: str  # "Page 3", "Publishing website", "Not stated in the report"
    page: int | None = None


def correction_note(mark: dict[str, Any]) -> str:
    """"Corrected by Safer Example Partnership on 2027-02-01: <reason>" (dhr/corrections.py)."""
    who = mark.get("organisation_name") or mark.get("organisation") or "an administrator"
    when = str(mark.get("at") or "")[:10]
    reason = str(mark.get("reason") or "").strip()
    return f"Corrected by {who}" + (f" on {when}" if when else "") + \
        (f": {reason}" if reason else "")


def corrections(doc: dict[str, Any]) -> list[dict[str, str]]:
    """Every human correction the document carries, for the page's list of corrections."""
    from dhr.corrections import display, field_label

    out = []
    for r in (doc.get("provenance") or {}).get("corrections") or []:
        if isinstance(r, dict) and r.get("field"):
            out.append({"field": field_label(str(r["field"])).capitalize(),
                        "value": display(str(r["field"]), r.get("value")),
                        "note": correction_note(r)})
    return out


def _origin(prov: dict[str, Any], field: str, value: Any) -> tuple[str, int | None]:
    fields = prov.get("fields") or {}
    mark = fields.get(f"review.{field}") or {}
    if mark.get("from") == "correction":
        return correction_note(mark), None
    if (fields.get(f"review.{field}") or {}).get("from") == "source":
        return "Publishing website", None
    page = (prov.get("review") or {}).get(field)
    if isinstance(page, int) and page >= 1:
        return f"Page {page}", page
    if field == "region" and value and (prov.get("review") or {}).get("area"):
        return "Follows from the area", None
    if value in (None, "", [], "Not known"):
        return "Not stated", None
    return "Not recorded", None


def metadata_rows(doc: dict[str, Any]) -> list[MetadataRow]:
    review = doc.get("review") or {}
    victim = review.get("victim") or {}
    chair = review.get("chair") or {}
    prov = doc.get("provenance") or {}
    age = victim.get("age")
    age_text = (f"{age} ({facet_label('victim_age_band', victim.get('age_band'))})"
                if age is not None else facet_label("victim_age_band", victim.get("age_band")))
    chair_text = chair.get("name") or "Not known"
    if chair.get("independent") is not None:
        chair_text += " (independent)" if chair["independent"] else " (not independent)"
    rows = [
        ("Pseudonym", "pseudonym", review.get("pseudonym") or "Not known"),
        ("Area", "area", review.get("area") or "Not known"),
        ("Region", "region", facet_label("region", review.get("region"))),
        ("Date of death", "date_of_death", date_of_death(review.get("date_of_death"))),
        ("Review type", "review_type", facet_label("review_type", review.get("review_type"))),
        ("Type of death", "death_type", facet_label("death_type", review.get("death_type"))),
        ("Victim age", "victim.age", age_text),
        ("Victim sex", "victim.sex", facet_label("victim_sex", victim.get("sex"))),
        ("Types of abuse", "abuse_types",
         ", ".join(facet_label("abuse_type", a) for a in review.get("abuse_types") or [])
         or "None identified"),
        ("Review chair", "chair", chair_text),
        ("Family involved in the review", "family_involved", yes_no(review.get("family_involved"))),
    ]
    out = []
    for key, field, value in rows:
        raw = review.get(field) if "." not in field else victim.get(field.split(".")[1])
        origin, page = _origin(prov, field, raw if field != "chair" else chair.get("name"))
        out.append(MetadataRow(key, value, origin, page))
    return out


def disagreements(doc: dict[str, Any]) -> list[dict[str, str]]:
    """Where the publishing website and the report's text gave different values."""
    out = []
    for d in (doc.get("provenance") or {}).get("disagreements") or []:
        if isinstance(d, dict) and d.get("field"):
            name = str(d["field"]).removeprefix("review.")
            kind = name if name in ("review_type", "death_type", "region") else ""
            out.append({"field": name.replace("_", " "),
                        "source": facet_label(kind, d.get("source")),
                        "text": facet_label(kind, d.get("text"))})
    return out


def same_review(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Same area and pseudonym, and the same year of death unless one does not state it."""
    if a.get("review_key") and a.get("review_key") == b.get("review_key"):
        return True
    ra, rb = a.get("review") or {}, b.get("review") or {}
    if not ra.get("pseudonym") or not ra.get("area"):
        return False
    if fold(ra.get("area") or "") != fold(rb.get("area") or ""):
        return False
    if fold(ra.get("pseudonym") or "") != fold(rb.get("pseudonym") or ""):
        return False
    ya, yb = (ra.get("date_of_death") or "")[:4], (rb.get("date_of_death") or "")[:4]
    return not ya or not yb or ya == yb


def other_documents(backend: SearchBackend | PublicBackend,
                    doc: dict[str, Any]) -> list[dict[str, Any]]:
    review = doc.get("review") or {}
    if not review.get("area") or not review.get("pseudonym"):
        return []
    req = DocumentRequest(filters={"area": [review["area"]]}, page_size=100, facets=False,
                          sort="newest")
    out: list[dict[str, Any]] = []
    seen = 0
    while seen < MAX_AREA_DOCUMENTS:
        page = backend.search(req)
        seen += len(page.results)
        out.extend(r for r in page.results if r["id"] != doc["id"] and same_review(doc, r))
        if not page.next_cursor or not page.results:
            break
        req = DocumentRequest(filters=req.filters, page_size=100, facets=False, sort="newest",
                              cursor=page.next_cursor)
    order = ("overview_report", "executive_summary", "action_plan", "learning_brief",
             "home_office_letter", "other", None)
    return sorted(out, key=lambda r: (order.index(r.get("doc_type"))
                                      if r.get("doc_type") in order else len(order),
                                      r.get("title") or ""))


@dataclass(frozen=True)
class SourceRow:
    url: str
    is_web: bool
    first_seen: str | None
    last_seen: str | None
    online: bool | None


def sources(store: CorpusStore | None, doc: dict[str, Any]) -> list[SourceRow]:
    rows: list[SourceRow] = []
    if store is not None:
        try:
            for s in store.sightings_of(doc["id"]):
                url = str(s["url"])
                web = url.startswith(("http://", "https://"))
                # A file ingested from this server's disk: its name, never its path.
                shown = url if web else f"Local file: {local_file_name(url)}"
                rows.append(SourceRow(shown, web, s.get("first_seen"), s.get("last_seen"),
                                      bool(s.get("online"))))
        except Exception:  # a store problem must not take the page down: fall back to the index
            log.warning("could not read sightings for %s", doc["id"], exc_info=True)
            rows = []
    src = doc.get("source") or {}
    if not rows and src.get("url"):
        url = str(src["url"])
        rows.append(SourceRow(url, url.startswith(("http://", "https://")), src.get("first_seen"),
                              src.get("last_seen"), src.get("online")))
    return rows


def file_info(store: CorpusStore | None, doc_id: str) -> dict[str, Any] | None:
    """The stored original file's record, if this server holds it."""
    if store is None:
        return None
    try:
        info = store.file_info(doc_id)
        if info and store.file_path(doc_id, info["ext"]).is_file():
            return info
    except Exception:
        log.warning("could not read the stored file record for %s", doc_id, exc_info=True)
    return None
