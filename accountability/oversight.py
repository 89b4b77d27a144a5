"""Oversight figures (accountability.md, "Oversight reports"): ``GET /api/v1/oversight`` and
the ``/oversight`` page read :func:`oversight_figures`.

Counted over the tracker's current review recommendations (a recommendation the latest
extraction no longer finds is left out), each figure overall and by year of death of its
review:

- by **status**, ``no_information`` included, and **overdue** (target date passed, not
  completed, not accepted or superseded);
- by **owner level** (:func:`owner_level`: local, regional, national, with government
  departments apart), by the registry's **owner kind** (police force, CSP, ...) and by **owner
  organisation**; a recommendation with owners at two
  levels counts once under each; recommendations with **no owner** are their own row;
- **SMART** signals (score 0-3);
- **repeats**: recommendations flagged as joining an existing recurring group when their
  review was ingested (read from ``review_recommendations.repeat`` when that column exists;
  ``available: false`` until then) and those in any recurring group.

Public figures for everyone (status figures only where the deployment publishes statuses).
``private`` (oversight role and admin, :func:`can_read_oversight_private`): statuses that rest
on a non-public update, the number of public and non-public updates, and per organisation the
recommendations with their latest non-public note.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from understanding.owner_registry import KINDS

from .accounts import Principal
from .models import OrganisationRow, RecurringMember, ReviewRecommendation, ReviewRow, Update
from .queries import public_filter, visible_clauses
from .statuses import STATUSES, due_date, is_overdue, today

LEVELS = ("local", "regional", "national", "government_department", "other")
_LEVEL_OF_KIND = {
    "government_department": "government_department", "national_body": "national",
    "probation": "regional", "police_force": "local", "csp": "local", "icb": "local",
    "nhs_trust": "local", "local_authority": "local",
}
NO_OWNER = "none"
MAX_PRIVATE_NOTES = 50  # per organisation


def owner_level(kind: str | None) -> str:
    """The level of an organisation kind: police forces, councils, CSPs, NHS trusts and ICBs are
    local; probation regions regional; national bodies national; government departments apart;
    charities and others ``other``."""
    return _LEVEL_OF_KIND.get(kind or "", "other")


def can_read_oversight_private(who: Principal | None) -> bool:
    return who is not None and (who.has_role("oversight") or who.has_role("admin"))


def repeat_ids(session: Session) -> set[str] | None:
    """Ids of review recommendations flagged as repeats (they joined a recurring group that
    already held another review's recommendation, :mod:`accountability.recurring`), or None
    while nothing has been grouped yet (the figure is then not available)."""
    if session.scalar(select(RecurringMember.recommendation_id).limit(1)) is None:
        return None
    return set(session.scalars(select(RecurringMember.recommendation_id)
                               .where(RecurringMember.repeat.is_(True))))


def _year_key(year: int | None) -> str:
    return str(year) if year is not None else "unknown"


def _table(counter: Counter[tuple[str, str]], keys: Iterable[str]) -> list[dict[str, Any]]:
    """[{"key", "count", "by_year": {year: n}}] for each key, in the given order."""
    out = []
    for key in keys:
        by_year = {y: n for (k, y), n in sorted(counter.items()) if k == key and n}
        out.append({"key": key, "count": sum(by_year.values()), "by_year": by_year})
    return out


def oversight_figures(session: Session, *, viewer: Principal | None, public_status: bool,
                      on: date | None = None) -> dict[str, Any]:
    on = on or today()
    statuses_visible = public_status or viewer is not None
    orgs = {o.id: o for o in session.scalars(select(OrganisationRow))}
    years: dict[str, int | None] = {
        k: y for k, y in session.execute(select(ReviewRow.review_key, ReviewRow.year)).tuples()}
    repeated = repeat_ids(session)
    has_repeat = repeated is not None
    hide = public_filter(session, viewer)  # suppressed content counts for oversight only
    recs = list(session.scalars(select(ReviewRecommendation).where(
        ReviewRecommendation.state == "current", *(visible_clauses(hide) if hide else []))
        .order_by(ReviewRecommendation.id)))

    total: Counter[tuple[str, str]] = Counter()
    status: Counter[tuple[str, str]] = Counter()
    overdue: Counter[tuple[str, str]] = Counter()
    level: Counter[tuple[str, str]] = Counter()
    level_overdue: Counter[tuple[str, str]] = Counter()
    level_status: dict[str, Counter[str]] = defaultdict(Counter)
    kind: Counter[tuple[str, str]] = Counter()
    org_count: Counter[str] = Counter()
    org_status: dict[str, Counter[str]] = defaultdict(Counter)
    org_overdue: Counter[str] = Counter()
    org_year: dict[str, Counter[str]] = defaultdict(Counter)
    smart: Counter[tuple[str, str]] = Counter()
    repeats: Counter[tuple[str, str]] = Counter()
    grouped: Counter[tuple[str, str]] = Counter()
    all_years: set[str] = set()
    for r in recs:
        y = _year_key(years.get(r.review_key))
        all_years.add(y)
        total[("all", y)] += 1
        late = is_overdue(r.status, r.target_due or due_date(r.target_date), on)
        status[(r.status, y)] += 1
        if late:
            overdue[("overdue", y)] += 1
        owner_ids = [o.organisation_id for o in r.owners]
        levels = {owner_level(orgs[i].kind) if i in orgs else "other" for i in owner_ids if i}
        if not r.owners:
            levels = {NO_OWNER}
        elif not levels:  # owners named but none in the registry
            levels = {"other"}
        kinds = {orgs[i].kind if i in orgs else "unregistered" for i in owner_ids if i}
        for k in kinds or ({NO_OWNER} if not r.owners else {"unregistered"}):
            kind[(k, y)] += 1
        for lv in levels:
            level[(lv, y)] += 1
            level_status[lv][r.status] += 1
            if late:
                level_overdue[(lv, y)] += 1
        for oid in dict.fromkeys(i for i in owner_ids if i):
            org_count[oid] += 1
            org_year[oid][y] += 1
            org_status[oid][r.status] += 1
            if late:
                org_overdue[oid] += 1
        smart[(str(r.smart_score) if r.smart_score is not None else "unknown", y)] += 1
        if repeated and r.id in repeated:
            repeats[("repeat", y)] += 1
        if r.recurring_group:
            grouped[("in_group", y)] += 1

    year_list = sorted(all_years, key=lambda v: (v == "unknown", v))
    level_rows = []
    for row in _table(level, (*LEVELS, NO_OWNER)):
        row["overdue"] = sum(n for (k, _), n in level_overdue.items() if k == row["key"])
        row["overdue_by_year"] = {yy: n for (k, yy), n in sorted(level_overdue.items())
                                  if k == row["key"]}
        row["statuses"] = {s: level_status[row["key"]][s] for s in STATUSES}
        if not statuses_visible:
            row.pop("overdue"), row.pop("overdue_by_year"), row.pop("statuses")
        level_rows.append(row)
    org_rows = []
    for oid, n in sorted(org_count.items(), key=lambda kv: (-kv[1], kv[0])):
        org = orgs.get(oid)
        org_row: dict[str, Any] = {"id": oid, "name": org.name if org else oid,
                                   "kind": org.kind if org else None,
                                   "level": owner_level(org.kind) if org else "other",
                                   "count": n, "by_year": dict(sorted(org_year[oid].items()))}
        if statuses_visible:
            org_row["statuses"] = {s: org_status[oid][s] for s in STATUSES}
            org_row["overdue"] = org_overdue[oid]
        org_rows.append(org_row)
    body: dict[str, Any] = {
        "as_of": on.isoformat(),
        "years": year_list,
        "statuses_public": statuses_visible,
        "total": _table(total, ("all",))[0],
        "by_owner_level": level_rows,
        "by_owner_kind": [row for row in _table(kind, (*KINDS, "unregistered", NO_OWNER))
                          if row["count"]],
        "no_owner": _table(level, (NO_OWNER,))[0],
        "by_organisation": org_rows,
        "smart": _table(smart, ("0", "1", "2", "3", "unknown")),
        "repeats": {"available": has_repeat, **_table(repeats, ("repeat",))[0],
                    "in_recurring_group": _table(grouped, ("in_group",))[0]},
        "by_status": _table(status, STATUSES) if statuses_visible else None,
        "overdue": _table(overdue, ("overdue",))[0] if statuses_visible else None,
    }
    if can_read_oversight_private(viewer):
        body["private"] = _private(session, recs, orgs)
    return body


def _private(session: Session, recs: list[ReviewRecommendation],
             orgs: dict[str, OrganisationRow]) -> dict[str, Any]:
    """Detail for the oversight role: what rests on non-public updates."""
    current = {r.id: r for r in recs}
    updates = list(session.scalars(select(Update).where(Update.source == "user").order_by(
        Update.recommendation_id, Update.seq)))
    visibility = Counter("public" if u.public else "private" for u in updates
                         if u.recommendation_id in current)
    latest_status: dict[str, Update] = {}
    latest_private_note: dict[str, Update] = {}
    for u in updates:
        if u.recommendation_id not in current:
            continue
        if u.status:
            latest_status[u.recommendation_id] = u
        if not u.public and u.note:
            latest_private_note[u.recommendation_id] = u
    on_private = Counter(u.status for u in latest_status.values() if not u.public and u.status)
    per_org: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rid, u in sorted(latest_private_note.items()):
        rec = current[rid]
        for oid in dict.fromkeys(o.organisation_id for o in rec.owners if o.organisation_id):
            if len(per_org[oid]) < MAX_PRIVATE_NOTES:
                per_org[oid].append({"id": rid, "review_key": rec.review_key,
                                     "number": rec.number, "status": rec.status,
                                     "note": u.note, "noted_at": u.created_at.isoformat()})
    return {
        "updates": {"public": visibility["public"], "private": visibility["private"]},
        "statuses_from_private_updates": {s: on_private[s] for s in STATUSES if on_private[s]},
        "organisations": [{"id": oid, "name": orgs[oid].name if oid in orgs else oid,
                           "recommendations": rows} for oid, rows in sorted(per_org.items())],
    }


def figures_csv_rows(body: dict[str, Any]) -> list[list[str]]:
    """The public figures as rows ``figure, key, label, year, count`` (``year`` "all" for the
    total): what ``/oversight.csv`` serves."""
    rows = [["figure", "key", "label", "year", "count"]]

    def add(figure: str, key: str, label: str, entry: dict[str, Any]) -> None:
        rows.append([figure, key, label, "all", str(entry["count"])])
        for y, n in entry["by_year"].items():
            rows.append([figure, key, label, y, str(n)])

    add("total", "all", "All recommendations", body["total"])
    for e in body["by_status"] or []:
        add("status", e["key"], e["key"].replace("_", " "), e)
    if body["overdue"] is not None:
        add("overdue", "overdue", "Overdue", body["overdue"])
    for e in body["by_owner_level"]:
        add("owner_level", e["key"], e["key"].replace("_", " "), e)
    for e in body["by_owner_kind"]:
        add("owner_kind", e["key"], e["key"].replace("_", " "), e)
    add("no_owner", NO_OWNER, "No owner named", body["no_owner"])
    for e in body["smart"]:
        add("smart_score", e["key"], f"SMART score {e['key']}", e)
    rep = body["repeats"]
    add("repeats", "repeat", "Repeat of an earlier recommendation", rep)
    add("repeats", "in_group", "In a recurring group", rep["in_recurring_group"])
    for o in body["by_organisation"]:
        add("organisation", o["id"], o["name"], o)
    return rows
