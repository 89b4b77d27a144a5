"""The research dataset: ``dhr export DIR --format csv|parquet`` (contract.md section 1).

One file per table, a ``codebook.csv`` (one line per column: table, column, type, meaning) and a
``README.md`` (what the tables are, how they join, licences and attribution). Only public data:
the Documents' published facts, the tracker's review recommendations, owners, appearances and
action-plan rows, statuses only when the deployment publishes them (``tracker.public_status``),
public updates without their authors, and the DHRD tags of matched reviews. No non-public note,
evidence file, user or account is read.

Join keys are stable: ``review_key`` (area|pseudonym|year, as the tracker and the search index
use it), ``document_id`` (the sha256 of the original file) and ``review_recommendation_id`` (the
tracker's id, kept across re-extraction). Recurring groups come from ``accountability.recurring``
when that module provides ``export_groups(session)`` (see :func:`recurring_group_rows`); until
then the table is written with its header only.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from dhr.document import Document
from dhr.enrichment.dhrd import ATTRIBUTION, LICENCE, LICENCE_URL
from dhr.enrichment.store import EnrichmentStore
from dhr.store import CorpusStore
from dhr.takedown import publishable
from dhr.taxonomy import label

from .models import (
    ActionRow,
    OrganisationRow,
    ReviewRecommendation,
    Update,
)
from .oversight import owner_level, repeat_ids
from .queries import visible_clauses
from .statuses import due_date, is_overdue
from .takedown import hidden

FORMATS = ("csv", "parquet")
Row = dict[str, Any]


class ExportError(ValueError):
    """The export cannot start (a one-line reason; nothing is written)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string | integer | boolean | list (";"-separated strings)
    meaning: str


def _cols(*specs: tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in specs)


RK = ("review_key", "string", ("Review key (area|pseudonym|year of death, normalised): joins the "
      "tables; the document id for a document whose review is not known"))
TABLES: dict[str, tuple[Column, ...]] = {
    "reviews": _cols(
        RK,
        ("area", "string", "Community safety partnership area, as the documents give it"),
        ("region", "string", "Region of England, or Wales"),
        ("date_of_death", "string", "Month (YYYY-MM) or year (YYYY) of death"),
        ("year_of_death", "integer", "Year of death"),
        ("pseudonym", "string", "The pseudonym the review uses"),
        ("review_type", "string", "Review type id (taxonomy.md)"),
        ("death_type", "string", "Death type id (taxonomy.md)"),
        ("victim_sex", "string", "Victim's sex as the report gives it"),
        ("victim_age_band", "string", "Victim's age band"),
        ("abuse_types", "list", "Abuse type ids recorded (taxonomy.md)"),
        ("document_count", "integer", "How many documents of this review the repository holds"),
        ("recommendation_count", "integer", "How many review recommendations it made"),
        ("dhrd_incident_ids", "list", "DHRD incidents matched to this review (see dhrd_tags)"),
    ),
    "documents": _cols(
        ("document_id", "string", "sha256 of the original file: the document's id"),
        RK,
        ("doc_type", "string", "Kind of document (taxonomy.md)"),
        ("title", "string", "Title as printed"),
        ("filename", "string", "File name as published"),
        ("format", "string", "File format (pdf, docx, doc, html, txt)"),
        ("page_count", "integer", "Number of pages"),
        ("extractor_version", "string", "Version of the extractor that read it"),
        ("source_url", "string", "Where it was published"),
        ("source_site", "string", "The publishing website"),
        ("first_seen", "string", "When the crawler first saw it (ISO 8601)"),
        ("last_seen", "string", "When the crawler last saw it (ISO 8601)"),
        ("online", "boolean", "Still online at last check"),
        ("url", "string", "Its page in this repository's API"),
    ),
    "recommendations": _cols(
        ("review_recommendation_id", "string", ("Stable id of the review recommendation "
         "(kept across re-extraction): joins owners, appearances, actions and updates")),
        RK,
        ("position", "integer", "Order within the review"),
        ("number", "string", "Number as printed"),
        ("text", "string", "Text of the recommendation"),
        ("agency", "string", "Agency type addressed (taxonomy.md)"),
        ("scope", "string", "local, regional or national, as the report gives it"),
        ("owner_ids", "list", "Owner organisation ids (see organisations)"),
        ("owner_levels", "list", ("Owners' levels: local, regional, national, "
         "government_department, other")),
        ("no_owner", "boolean", "True when the report names no owner"),
        ("owner_source", "string", "Where the owner was read: text, heading or action_plan"),
        ("smart_score", "integer", "SMART signals found (0-3)"),
        ("themes", "list", "Theme ids (taxonomy.md)"),
        ("status", "string", ("Current status (no_information by default); empty when the "
         "deployment does not publish statuses")),
        ("target_date", "string", "Target date (YYYY-MM or YYYY-MM-DD)"),
        ("overdue", "boolean", ("Target date passed and not completed, not accepted or "
         "superseded; empty when statuses are not published")),
        ("state", "string", "current, or missing when the latest extraction no longer finds it"),
        ("recurring_group_id", "string", "Recurring group (see recurring_groups); empty if none"),
        ("repeat", "boolean", ("Joined an existing recurring group when its review was ingested; "
         "empty until recurring groups exist")),
    ),
    "recommendation_owners": _cols(
        ("review_recommendation_id", "string", "The recommendation"),
        ("position", "integer", "Order of the owner (0: the main owner)"),
        ("organisation_id", "string", "Owner organisation id; empty when not in the registry"),
        ("name", "string", "Owner as named in the report"),
    ),
    "appearances": _cols(
        ("review_recommendation_id", "string", "The recommendation"),
        ("document_id", "string", "A document where it is printed"),
        ("doc_type", "string", "That document's kind"),
        ("page", "integer", "Page (1-based)"),
        ("number", "string", "Number as printed there"),
    ),
    "actions": _cols(
        ("action_id", "integer", "Row id of the action-plan row in this export"),
        RK,
        ("review_recommendation_id", "string", "The recommendation it serves; empty if unlinked"),
        ("document_id", "string", "The action plan document"),
        ("page", "integer", "Page (1-based)"),
        ("number", "string", "Recommendation number as printed in the plan"),
        ("action", "string", "Action to take"),
        ("lead_organisation_id", "string", "Lead organisation id"),
        ("lead_name", "string", "Lead as named"),
        ("milestones", "string", "Key milestones"),
        ("target_date", "string", "Target date (YYYY-MM)"),
        ("completed_date", "string", "Date of completion (YYYY-MM)"),
        ("outcome", "string", "Outcome as published"),
        ("status", "string", "Status read from the progress text"),
    ),
    "updates": _cols(
        ("review_recommendation_id", "string", "The recommendation"),
        ("seq", "integer", "Place in its history"),
        ("created_at", "string", "When (ISO 8601)"),
        ("source", "string", "published (from an action plan) or user"),
        ("status", "string", "Status it set"),
        ("note", "string", "Public note"),
        ("organisation_id", "string", "Organisation that made it (user updates)"),
        ("document_id", "string", "Document it came from (published updates)"),
    ),
    "themes": _cols(
        ("document_id", "string", "The document"), RK,
        ("theme", "string", "Theme id (taxonomy.md)"),
        ("theme_label", "string", "Theme name"),
        ("mentions", "integer", "How many passages mention it"),
    ),
    "agencies": _cols(
        ("document_id", "string", "The document"), RK,
        ("agency", "string", "Agency type id (taxonomy.md)"),
        ("agency_label", "string", "Agency type name"),
        ("name", "string", "Agency as named in the report"),
        ("mentions", "integer", "How many times it is mentioned"),
    ),
    "organisations": _cols(
        ("organisation_id", "string", "Stable id in the organisation registry"),
        ("name", "string", "Name"),
        ("kind", "string", "Kind (police_force, csp, government_department, ...)"),
        ("level", "string", "local, regional, national, government_department or other"),
        ("agency", "string", "Agency type id (taxonomy.md)"),
        ("region", "string", "Region"),
    ),
    "recurring_groups": _cols(
        ("recurring_group_id", "string", "Group id (recommendations.recurring_group_id)"),
        ("label", "string", "Readable label of the change asked for"),
        ("size", "integer", "Number of recommendations in the group"),
        ("first_year", "integer", "Earliest year of death among its reviews"),
        ("last_year", "integer", "Latest year of death among its reviews"),
        ("areas", "list", "Areas of its reviews"),
        ("owner_kinds", "list", "Owner levels of its recommendations"),
        ("themes", "list", "Themes of its recommendations"),
    ),
    "dhrd_tags": _cols(
        RK,
        ("incident_id", "string", "DHRD incident id (matched by CSP and month of death)"),
        ("tag", "string", "Facet name (dhrd_relationship, dhrd_verdict, ...)"),
        ("value", "string", ("Value as the DHRD records it ('Unknown' left out). Source: "
         "Cook & Cook, DHRD, CC BY 4.0")),
    ),
}


def recurring_group_rows(session: Session) -> Iterable[Row]:
    """Rows of ``recurring_groups``: every live group (merged ones resolve to the group they went
    into), described from its members (:mod:`accountability.recurring`)."""
    from .models import RecurringGroup
    from .recurring import _describe

    groups = list(session.scalars(select(RecurringGroup).where(
        RecurringGroup.merged_into.is_(None)).order_by(RecurringGroup.id)))
    for g in _describe(session, groups, show_status=False, hide=hidden(session)):
        yield {"recurring_group_id": g["id"], "label": g["label"], "size": g["size"],
               "first_year": g["first_year"], "last_year": g["last_year"],
               "areas": _join(g["areas"]), "owner_kinds": _join(sorted(g["owner_kinds"])),
               "themes": _join(g["themes"])}


def _join(values: Iterable[Any]) -> str:
    return ";".join(str(v) for v in values if v not in (None, ""))


def _review_rows(docs: list[Document], rec_counts: dict[str, int],
                 incidents: dict[str, list[str]]) -> Iterator[Row]:
    by_key: dict[str, list[Document]] = {}
    for d in docs:
        by_key.setdefault(d.review_key or d.id, []).append(d)
    for key in sorted(by_key):
        group = by_key[key]

        def first(get: Callable[[Document], Any], group: list[Document] = group) -> Any:
            return next((v for v in map(get, group) if v not in (None, "", [])), None)

        date = max((d.review.date_of_death for d in group if d.review.date_of_death),
                   key=len, default=None)
        yield {"review_key": key, "area": first(lambda d: d.review.area),
               "region": first(lambda d: d.review.region), "date_of_death": date,
               "year_of_death": int(date[:4]) if date else None,
               "pseudonym": first(lambda d: d.review.pseudonym),
               "review_type": first(lambda d: d.review.review_type),
               "death_type": first(lambda d: d.review.death_type),
               "victim_sex": first(lambda d: d.review.victim.sex),
               "victim_age_band": first(lambda d: d.review.victim.age_band),
               "abuse_types": _join(sorted({a for d in group for a in d.review.abuse_types})),
               "document_count": len(group), "recommendation_count": rec_counts.get(key, 0),
               "dhrd_incident_ids": _join(incidents.get(key, []))}


def _document_rows(docs: list[Document]) -> Iterator[Row]:
    for d in docs:
        src = d.source
        yield {"document_id": d.id, "review_key": d.review_key or d.id, "doc_type": d.doc_type,
               "title": d.title, "filename": d.filename, "format": d.format,
               "page_count": d.page_count, "extractor_version": d.extractor_version,
               "source_url": src.url if src else None, "source_site": src.site if src else None,
               "first_seen": src.first_seen if src else None,
               "last_seen": src.last_seen if src else None,
               "online": src.online if src else None, "url": f"/api/v1/documents/{d.id}"}


def _theme_rows(docs: list[Document]) -> Iterator[Row]:
    for d in docs:
        for t in d.themes:
            yield {"document_id": d.id, "review_key": d.review_key or d.id, "theme": t.id,
                   "theme_label": label("theme", t.id), "mentions": t.mentions}


def _agency_rows(docs: list[Document]) -> Iterator[Row]:
    for d in docs:
        for a in d.agencies:
            yield {"document_id": d.id, "review_key": d.review_key or d.id, "agency": a.id,
                   "agency_label": label("agency", a.id), "name": a.name,
                   "mentions": a.mentions}


@dataclass
class TrackerTables:
    recommendations: list[Row]
    owners: list[Row]
    appearances: list[Row]
    actions: list[Row]
    updates: list[Row]
    organisations: list[Row]
    recurring: list[Row]


def _tracker_tables(session: Session, public_status: bool) -> TrackerTables:
    orgs = {o.id: o for o in session.scalars(select(OrganisationRow))}
    repeated = repeat_ids(session)
    recs, owners, appearances = [], [], []
    hide = hidden(session)  # the dataset is public: suppressed reviews and documents stay out
    shown = visible_clauses(hide) if hide else []
    kept: set[str] = set()
    for r in session.scalars(select(ReviewRecommendation).where(*shown).order_by(
            ReviewRecommendation.review_key, ReviewRecommendation.position)):
        kept.add(r.id)
        owner_ids = [o.organisation_id for o in r.owners if o.organisation_id]
        levels = sorted({owner_level(orgs[i].kind) for i in owner_ids if i in orgs})
        recs.append({
            "review_recommendation_id": r.id, "review_key": r.review_key,
            "position": r.position, "number": r.number, "text": r.text, "agency": r.agency,
            "scope": r.scope, "owner_ids": _join(owner_ids), "owner_levels": _join(levels),
            "no_owner": not r.owners, "owner_source": r.owner_source,
            "smart_score": r.smart_score, "themes": _join(r.themes or []),
            "status": r.status if public_status else None, "target_date": r.target_date,
            "overdue": is_overdue(r.status, r.target_due or due_date(r.target_date))
            if public_status else None,
            "state": r.state, "recurring_group_id": r.recurring_group,
            "repeat": (r.id in repeated) if repeated is not None else None})
        for o in r.owners:
            owners.append({"review_recommendation_id": r.id, "position": o.position,
                           "organisation_id": o.organisation_id, "name": o.name})
        for a in r.appearances:
            if hide and hide.document(a.document_id):
                continue
            appearances.append({"review_recommendation_id": r.id, "document_id": a.document_id,
                                "doc_type": a.doc_type, "page": a.page, "number": a.number})
    actions = [{"action_id": a.id, "review_key": a.review_key,
                "review_recommendation_id": a.recommendation_id, "document_id": a.document_id,
                "page": a.page, "number": a.number, "action": a.action,
                "lead_organisation_id": a.lead_organisation_id, "lead_name": a.lead_name,
                "milestones": a.milestones, "target_date": a.target_date,
                "completed_date": a.completed_date, "outcome": a.outcome, "status": a.status}
               for a in session.scalars(select(ActionRow).order_by(ActionRow.review_key,
                                                                   ActionRow.position))
               if not (hide and (hide.document(a.document_id, a.review_key)
                                 or (a.recommendation_id and a.recommendation_id not in kept)))]
    updates: list[Row] = []
    if public_status:  # public updates only; never a non-public note, author or evidence file
        for u in session.scalars(select(Update).where(Update.public.is_(True)).order_by(
                Update.recommendation_id, Update.seq)):
            if u.recommendation_id not in kept:
                continue
            updates.append({"review_recommendation_id": u.recommendation_id, "seq": u.seq,
                            "created_at": u.created_at.isoformat() if u.created_at else None,
                            "source": u.source, "status": u.status, "note": u.note,
                            "organisation_id": u.organisation_id,
                            "document_id": u.document_id})
    organisations = [{"organisation_id": o.id, "name": o.name, "kind": o.kind,
                      "level": owner_level(o.kind), "agency": o.agency, "region": o.region}
                     for o in sorted(orgs.values(), key=lambda o: o.id)]
    recurring = list(recurring_group_rows(session))
    return TrackerTables(recs, owners, appearances, actions, updates, organisations, recurring)


def _write_csv(path: Path, columns: tuple[Column, ...], rows: Iterable[Row]) -> int:
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([c.name for c in columns])
        for row in rows:
            w.writerow([_csv_value(row.get(c.name)) for c in columns])
            n += 1
    return n


def _csv_value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def _write_parquet(path: Path, columns: tuple[Column, ...], rows: Iterable[Row]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"string": pa.string(), "list": pa.string(), "integer": pa.int64(),
             "boolean": pa.bool_()}
    schema = pa.schema([pa.field(c.name, types[c.type]) for c in columns])
    data = list(rows)
    table = pa.Table.from_pylist([{c.name: r.get(c.name) for c in columns} for r in data],
                                 schema=schema)
    pq.write_table(table, path)
    return len(data)


def _readme(counts: dict[str, int], fmt: str, public_status: bool) -> str:
    lines = ["# DHR repository: research dataset", "",
             (f"Format: {fmt}. One file per table; `codebook.csv` describes every column "
             "(table, column, type, meaning). List columns hold values separated by `;`."), "",
             ("Join keys: `review_key` (reviews, documents, recommendations, actions, themes, "
             "agencies, dhrd_tags), `document_id` (documents, appearances, themes, agencies, "
             "actions) and `review_recommendation_id` (recommendations, recommendation_owners, "
             "appearances, actions, updates). They are stable across re-extraction."), "",
             "Only public data: no non-public note, evidence, user or account. "
             + ("Statuses are published by this deployment." if public_status else
                "This deployment does not publish statuses: status and overdue are empty and "
                "no update is included."), "", "| table | rows |", "|---|---:|"]
    lines += [f"| {t} | {n} |" for t, n in counts.items()]
    lines += ["", "## Licences and attribution", "",
              ("Report-derived tables describe published Domestic Homicide Review documents; "
              "each document's original publisher is in `documents.source_url`."), "",
              (f"`dhrd_tags` and `reviews.dhrd_incident_ids` come from the Domestic Homicide "
              f"Review Dataset, licensed {LICENCE} ({LICENCE_URL}): {ATTRIBUTION}"), ""]
    return "\n".join(lines)


def export_dataset(data_dir: Path, engine: Engine, out_dir: Path, *, fmt: str = "csv",
                   public_status: bool = True,
                   progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Write the dataset into ``out_dir`` (created if missing; must be empty). Returns the row
    count of each table."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use csv or parquet")
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ExportError(f"{out_dir} is not an empty folder: give a new or empty folder")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ExportError("parquet needs pyarrow (pip install pyarrow)") from None
    say = progress or (lambda msg: print(msg, file=sys.stderr))
    store = CorpusStore(data_dir)
    enrichment = EnrichmentStore(data_dir)
    try:
        say("reading documents")
        docs = publishable(store, store.documents())  # suppressed documents stay out
        dhrd = enrichment.matched_records()
        tags = enrichment.tags_by_review()
    finally:
        store.close()
        enrichment.close()
    say("reading the tracker")
    with Session(engine) as session:
        tracker = _tracker_tables(session, public_status)
    if docs and not tracker.recommendations:
        say("the tracker holds no review recommendations: run `dhr tracker sync` first for "
            "the recommendations, owners, appearances and actions tables")
    rec_counts: dict[str, int] = {}
    for r in tracker.recommendations:
        rec_counts[r["review_key"]] = rec_counts.get(r["review_key"], 0) + 1
    incidents: dict[str, list[str]] = {}
    for key, iid, _ in dhrd:
        incidents.setdefault(key, []).append(iid)
    published_keys = {d.review_key for d in docs}
    dhrd_rows = [{"review_key": key, "incident_id": iid, "tag": tag, "value": v}
                 for key, t in sorted(tags.items()) if key in published_keys
                 for iid in t.incident_ids
                 for tag, values in t.tags.items() for v in values]
    rows: dict[str, Iterable[Row]] = {
        "reviews": _review_rows(docs, rec_counts, incidents),
        "documents": _document_rows(docs), "recommendations": tracker.recommendations,
        "recommendation_owners": tracker.owners, "appearances": tracker.appearances,
        "actions": tracker.actions, "updates": tracker.updates, "themes": _theme_rows(docs),
        "agencies": _agency_rows(docs), "organisations": tracker.organisations,
        "recurring_groups": tracker.recurring, "dhrd_tags": dhrd_rows,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    write = _write_parquet if fmt == "parquet" else _write_csv
    counts: dict[str, int] = {}
    for table, columns in TABLES.items():
        path = out_dir / f"{table}.{fmt}"
        counts[table] = write(path, columns, rows[table])
        say(f"wrote {path.name}: {counts[table]} rows")
    with (out_dir / "codebook.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["table", "column", "type", "meaning"])
        for table, columns in TABLES.items():
            for c in columns:
                w.writerow([table, c.name, c.type, c.meaning])
    (out_dir / "README.md").write_text(_readme(counts, fmt, public_status), encoding="utf-8")
    say(f"wrote codebook.csv and README.md to {out_dir}")
    return counts
