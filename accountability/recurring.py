"""Recurring recommendations in the tracker: group, store, and answer "made before?".

The method (text normalisation, hashed word features, average-link assignment in a fixed order,
merging of groups that members bridge) is :mod:`accountability.recurring_method`; this module
runs it against the tracker database:

- :func:`assign_pending` (incremental, run by every sync: ingest and nightly) loads the stored
  members' features, assigns each current recommendation not yet grouped (in order of review
  year, review key and position) to an existing group or a new one, merges the groups it
  touched where members now bridge them, and records each new member's ``repeat`` flag (its
  group already held a recommendation of another review: oversight's "repeat");
- :func:`rebuild` (``dhr tracker recurring --rebuild``) forgets every group and assigns all
  recommendations again from scratch (deterministic; it may differ a little from what nightly
  runs built, as term weights then cover everything at once and merging looks at every group);
  :func:`assign_pending` does the same by itself when the groups were built by another version
  of the method (``tracker_meta.recurring_method``, :func:`recurring_method.method_fingerprint`);
- :func:`made_before`, :func:`group_refs`, :func:`list_groups`, :func:`group_detail` and
  :func:`export_groups` are the read side (the API, the pages and the research export).

A recommendation keeps its group when re-extraction rewords it; ``--rebuild`` regroups.
A merged group's id still resolves (``merged_into``) so published links keep working.
"""

from __future__ import annotations

import base64
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, bindparam, cast, delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .accounts import Principal
from .db import read_session, write_session
from .models import (
    OrganisationRow,
    RecommendationOwner,
    RecurringGroup,
    RecurringMember,
    ReviewRecommendation,
    ReviewRow,
    TrackerMeta,
    utcnow,
)
from .recurring_method import Grouper, features, method_fingerprint, normalise
from .statuses import STATUSES
from .takedown import Hidden, hidden, visible_to

LABEL_MAX = 160
METHOD_KEY = "recurring_method"  # tracker_meta: the method that built the stored groups
_FRAME = re.compile(r"^\s*(?:that|it is recommended that|the review recommends that|"
                    r"the panel recommends that)\s+", re.IGNORECASE)
_VERB = re.compile(r"^\s*(?:the\s+)?(?:should|to|must|will|is to|are to)\s+", re.IGNORECASE)


class CursorError(ValueError):
    pass


def label_for(text: str, owners: list[str]) -> str:
    """A readable label: the recommendation with its owner and frame cut away."""
    s = _FRAME.sub("", text.strip())
    for name in sorted((n for n in owners if n), key=len, reverse=True):
        for form in (name, "the " + name, "The " + name):
            if s.startswith(form):
                s = s[len(form):]
                break
    s = _VERB.sub("", s).strip().rstrip(".")
    s = s[:1].upper() + s[1:]
    return s if len(s) <= LABEL_MAX else s[:LABEL_MAX - 1].rsplit(" ", 1)[0] + "\u2026"


def _load(s: Session) -> Grouper:
    """The stored members, in assignment order; their features are read as JSON text and
    decoded in one call (per-row decoding dominated an incremental run)."""
    g = Grouper()
    rows = s.execute(select(RecurringMember.recommendation_id, RecurringMember.review_key,
                            RecurringMember.group_id,
                            cast(RecurringMember.features, Text))
                     .order_by(RecurringMember.seq)).all()
    if rows:
        ids, keys, groups, texts = (list(col) for col in zip(*rows, strict=True))
        feats = json.loads("[" + ",".join(texts) + "]")
        g.load_many(ids, keys, groups, feats)
    return g


@dataclass
class _Pending:
    id: str
    review_key: str
    position: int
    text: str
    year: int | None
    area: str | None
    owners: list[str]


def _pending(s: Session) -> list[_Pending]:
    """Current recommendations in no group yet, in assignment order (plain rows, no ORM
    objects: a rebuild reads every recommendation)."""
    grouped = select(RecurringMember.recommendation_id)
    todo = (select(ReviewRecommendation.id)
            .where(ReviewRecommendation.state == "current",
                   ReviewRecommendation.id.not_in(grouped)))
    q = (select(ReviewRecommendation.id, ReviewRecommendation.review_key,
                ReviewRecommendation.position, ReviewRecommendation.text, ReviewRow.year,
                ReviewRow.area)
         .join(ReviewRow, ReviewRow.review_key == ReviewRecommendation.review_key)
         .where(ReviewRecommendation.id.in_(todo)))
    rows = [_Pending(i, k, p, t, y, a, []) for i, k, p, t, y, a in s.execute(q).all()]
    if not rows:
        return []
    by_id = {r.id: r for r in rows}
    for rid, name in s.execute(select(RecommendationOwner.recommendation_id,
                                      RecommendationOwner.name)
                               .where(RecommendationOwner.recommendation_id.in_(todo))
                               .order_by(RecommendationOwner.recommendation_id,
                                         RecommendationOwner.position)).all():
        if rid in by_id:
            by_id[rid].owners.append(name)
    rows.sort(key=lambda r: (r.year if r.year is not None else 9999, r.review_key, r.position,
                             r.id))
    return rows


def assign_pending(engine: Engine) -> dict[str, int]:
    """Group the recommendations not grouped yet (incremental); returns counts. When the stored
    groups were built by another version of the method (or by one from before the tracker
    recorded it), regroup everything instead, as :func:`rebuild` does (``regrouped``: 1)."""
    with write_session(engine) as s:
        current = method_fingerprint()
        stored = s.get(TrackerMeta, METHOD_KEY)
        if stored is not None and stored.value == current:
            return _assign(s)
        if stored is None and s.scalar(select(func.count()).select_from(RecurringGroup)) == 0:
            result = _assign(s)  # nothing grouped yet: nothing to regroup
        else:
            result = {**_regroup(s), "regrouped": 1}
        _record_method(s, current)
        return result


def _record_method(s: Session, fingerprint: str) -> None:
    row = s.get(TrackerMeta, METHOD_KEY)
    if row is None:
        s.add(TrackerMeta(key=METHOD_KEY, value=fingerprint, updated_at=utcnow()))
    else:
        row.value, row.updated_at = fingerprint, utcnow()


def _assign(s: Session) -> dict[str, int]:
    pending = _pending(s)
    if not pending:
        return {"grouped": 0, "new_groups": 0, "repeats": 0, "merged": 0}
    grouper = _load(s)
    seq = (s.scalar(select(func.max(RecurringMember.seq))) or 0) + 1
    items = [(p.id, p.review_key, features(normalise(p.text, p.owners, p.area)))
             for p in pending]
    meta = {p.id: p for p in pending}
    assigned = grouper.add(items)
    now = utcnow()
    new_groups = [a for a in assigned if a.new_group]
    if new_groups:
        s.execute(insert(RecurringGroup), [
            {"id": a.group, "label": label_for(meta[a.item].text, meta[a.item].owners),
             "size": 0, "reviews": 0, "created_at": now, "updated_at": now}
            for a in new_groups])
    # "repeat": once merged, the group held a recommendation of another review grouped earlier.
    merged = grouper.merge({a.group for a in assigned})
    first_new = len(grouper.ids) - len(items)
    repeats = []
    for i in range(first_new, len(grouper.ids)):
        g = grouper.groups[i]
        repeats.append(any(grouper.reviews[m] != grouper.reviews[i]
                           for m in grouper.members[g] if m < i))
    absorbed = {ab: into for ab, into in merged}

    def final(gid: str) -> str:
        while gid in absorbed:
            gid = absorbed[gid]
        return gid

    s.execute(insert(RecurringMember), [
        {"recommendation_id": rid, "group_id": final(a.group), "seq": seq + n,
         "review_key": key, "year": meta[rid].year, "features": feats, "repeat": rep,
         "assigned_at": now}
        for n, (a, (rid, key, feats), rep) in enumerate(zip(assigned, items, repeats,
                                                             strict=True))])
    s.connection().execute(
        update(ReviewRecommendation.__table__)  # type: ignore[arg-type]  # a Table
        .where(ReviewRecommendation.__table__.c.id == bindparam("rid"))
        .values(recurring_group=bindparam("gid")),
        [{"rid": rid, "gid": final(a.group)} for a, (rid, _, _) in zip(assigned, items,
                                                                         strict=True)])
    for ab, into in merged:
        into = final(into)
        s.execute(update(RecurringMember).where(RecurringMember.group_id == ab)
                  .values(group_id=into))
        s.execute(update(ReviewRecommendation)
                  .where(ReviewRecommendation.recurring_group == ab)
                  .values(recurring_group=into))
        s.execute(update(RecurringGroup).where(RecurringGroup.merged_into == ab)
                  .values(merged_into=into))
        s.execute(update(RecurringGroup).where(RecurringGroup.id == ab)
                  .values(merged_into=into, size=0, reviews=0, updated_at=now))
    touched = {final(a.group) for a in assigned} | {final(into) for _, into in merged}
    _refresh(s, touched, now)
    return {"grouped": len(assigned), "new_groups": len(new_groups),
            "repeats": sum(repeats), "merged": len(merged)}


def _refresh(s: Session, group_ids: set[str], now: datetime) -> None:
    ids = sorted(group_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        stats = s.execute(select(RecurringMember.group_id, func.count(),
                                 func.count(func.distinct(RecurringMember.review_key)),
                                 func.min(RecurringMember.year), func.max(RecurringMember.year))
                          .where(RecurringMember.group_id.in_(chunk))
                          .group_by(RecurringMember.group_id)).all()
        for gid, size, reviews, first, last in stats:
            s.execute(update(RecurringGroup).where(RecurringGroup.id == gid)
                      .values(size=size, reviews=reviews, first_year=first, last_year=last,
                              updated_at=now))


def rebuild(engine: Engine) -> dict[str, int]:
    """Forget every group and group all current recommendations again (full rebuild)."""
    with write_session(engine) as s:
        result = _regroup(s)
        _record_method(s, method_fingerprint())
        return result


def _regroup(s: Session) -> dict[str, int]:
    s.execute(update(ReviewRecommendation).values(recurring_group=None))
    s.execute(delete(RecurringMember))
    s.execute(delete(RecurringGroup))
    s.flush()
    return _assign(s)


# -- read side ----------------------------------------------------------------------------------
def resolve_group(s: Session, group_id: str) -> RecurringGroup | None:
    """The group, following ``merged_into`` when it was merged into another."""
    seen = set()
    g = s.get(RecurringGroup, group_id)
    while g is not None and g.merged_into and g.id not in seen:
        seen.add(g.id)
        g = s.get(RecurringGroup, g.merged_into)
    return g


def made_before(session: Session, rec_id: str) -> list[dict[str, Any]]:
    """The same change recommended by earlier reviews: members of this recommendation's group
    from other reviews whose year is earlier (or the same year, grouped earlier), oldest first.
    Each: ``id``, ``review_key``, ``year``, ``number``, ``text``, ``status``."""
    me = session.get(RecurringMember, rec_id)
    if me is None:
        return []
    q = (select(RecurringMember, ReviewRecommendation)
         .join(ReviewRecommendation,
               ReviewRecommendation.id == RecurringMember.recommendation_id)
         .where(RecurringMember.group_id == me.group_id,
                RecurringMember.review_key != me.review_key))
    out = []
    for m, r in session.execute(q).all():
        earlier = (me.year is None or (m.year is not None and m.year < me.year)
                   or (m.year == me.year and m.seq < me.seq))
        if earlier:
            out.append({"id": r.id, "review_key": r.review_key, "year": m.year,
                        "number": r.number, "text": r.text, "status": r.status,
                        "url": f"/api/v1/review-recommendations/{r.id}"})
    out.sort(key=lambda d: (d["year"] if d["year"] is not None else 9999, d["review_key"]))
    return out


def group_refs(session: Session, rec_ids: list[str]) -> dict[str, dict[str, Any]]:
    """{recommendation id: its group in brief} for a page of recommendations: ``id``,
    ``label``, ``size``, ``reviews``, ``made_before`` (earlier reviews with it), ``since``
    (the earliest such review's year), ``repeat`` and ``url``."""
    if not rec_ids:
        return {}
    mine = {m.recommendation_id: m for m in session.scalars(
        select(RecurringMember).where(RecurringMember.recommendation_id.in_(rec_ids)))}
    gids = {m.group_id for m in mine.values()}
    groups = {g.id: g for g in session.scalars(select(RecurringGroup)
                                               .where(RecurringGroup.id.in_(gids)))}
    others: dict[str, list[tuple[str, int | None, int]]] = defaultdict(list)
    for gid, key, year, seq in session.execute(
            select(RecurringMember.group_id, RecurringMember.review_key, RecurringMember.year,
                   RecurringMember.seq).where(RecurringMember.group_id.in_(gids))).all():
        others[gid].append((key, year, seq))
    out = {}
    for rid, m in mine.items():
        g = groups.get(m.group_id)
        if g is None or g.size < 2:   # a group of one is not (yet) a recurring recommendation
            continue
        before = [(k, y) for k, y, q in others[m.group_id] if k != m.review_key and (
            m.year is None or (y is not None and y < m.year) or (y == m.year and q < m.seq))]
        keys = {k for k, _ in before}
        years = [y for _, y in before if y is not None]
        out[rid] = {"id": g.id, "label": g.label, "size": g.size, "reviews": g.reviews,
                    "made_before": len(keys), "since": min(years) if years else None,
                    "repeat": m.repeat, "url": f"/api/v1/recurring/{g.id}"}
    return out


def hide_for(session: Session, viewer: Principal | None) -> Hidden | None:
    """What of the groups' members this viewer may not see: suppressed reviews and documents
    (takedown) for everyone but admins and oversight; None: nothing hidden."""
    return None if visible_to(viewer) else hidden(session)


def _shown(hide: Hidden | None) -> list:
    if not hide:
        return []
    from .queries import visible_clauses  # (queries imports this module)

    return visible_clauses(hide)


def _describe(session: Session, groups: list[RecurringGroup], show_status: bool,
              hide: Hidden | None = None) -> list[dict[str, Any]]:
    """Groups with areas, owner kinds, themes and status mix (from their members; members the
    viewer may not see (``hide``) count for none of them)."""
    ids = [g.id for g in groups]
    if not ids:
        return []
    rows = session.execute(
        select(RecurringMember.group_id, ReviewRecommendation.id, ReviewRecommendation.status,
               ReviewRecommendation.themes, ReviewRow.area, RecurringMember.review_key,
               RecurringMember.year)
        .join(ReviewRecommendation, ReviewRecommendation.id == RecurringMember.recommendation_id)
        .join(ReviewRow, ReviewRow.review_key == ReviewRecommendation.review_key)
        .where(RecurringMember.group_id.in_(ids), *_shown(hide))).all()
    kinds = session.execute(
        select(RecurringMember.group_id, OrganisationRow.kind, func.count())
        .join(ReviewRecommendation, ReviewRecommendation.id == RecurringMember.recommendation_id)
        .join(RecommendationOwner,
              RecommendationOwner.recommendation_id == RecurringMember.recommendation_id)
        .join(OrganisationRow, OrganisationRow.id == RecommendationOwner.organisation_id)
        .where(RecurringMember.group_id.in_(ids), *_shown(hide))
        .group_by(RecurringMember.group_id, OrganisationRow.kind)).all()
    areas: dict[str, Counter] = defaultdict(Counter)
    themes: dict[str, Counter] = defaultdict(Counter)
    statuses: dict[str, Counter] = defaultdict(Counter)
    owner_kinds: dict[str, dict[str, int]] = defaultdict(dict)
    for gid, _rid, status, th, area, *_member in rows:
        if area:
            areas[gid][area] += 1
        themes[gid].update(th or [])
        statuses[gid][status] += 1
    for gid, kind, n in kinds:
        owner_kinds[gid][kind] = n
    labels: dict[str, str | None] = {g.id: g.label for g in groups}
    figures = {g.id: (g.size, g.reviews, g.first_year, g.last_year) for g in groups}
    if hide:
        # A group's stored label is the wording of one member: where members are hidden from
        # this viewer, label the group from its first visible member instead (or drop it).
        visible: dict[str, list[str]] = defaultdict(list)
        for gid, rid, *_ in rows:
            visible[gid].append(rid)
        with_hidden = [g for g in groups if len(visible[g.id]) < g.size]
        for g in with_hidden:
            first = session.scalar(
                select(ReviewRecommendation).join(
                    RecurringMember, RecurringMember.recommendation_id == ReviewRecommendation.id)
                .where(ReviewRecommendation.id.in_(visible[g.id]))
                .order_by(RecurringMember.seq)) if visible[g.id] else None
            labels[g.id] = (label_for(first.text, [o.name for o in first.owners if o.name])
                            if first is not None else None)
            # ...and give its size, reviews and years from the visible members only, so that
            # nothing says a withdrawn review's recommendation is in it.
            members = [(key, year) for gid, _r, _s, _t, _a, key, year in rows if gid == g.id]
            years = [y for _, y in members if y is not None]
            figures[g.id] = (len(members), len({key for key, _ in members}),
                             min(years, default=None), max(years, default=None))
        groups = [g for g in groups if labels[g.id] is not None]
    out = []
    for g in groups:
        size, reviews, first_year, last_year = figures[g.id]
        out.append({
            "id": g.id, "label": labels[g.id], "size": size, "reviews": reviews,
            "first_year": first_year, "last_year": last_year,
            "areas": sorted(areas[g.id]),
            "owner_kinds": dict(sorted(owner_kinds[g.id].items())),
            "themes": [t for t, _ in sorted(themes[g.id].items(), key=lambda kv: (-kv[1], kv[0]))],
            "status_mix": ({st: statuses[g.id].get(st, 0) for st in STATUSES}
                           if show_status else None),
            "url": f"/api/v1/recurring/{g.id}"})
    return out


def _encode(size: int, gid: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([size, gid]).encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[int, str]:
    try:
        size, gid = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(size, int) or not isinstance(gid, str):
            raise TypeError
    except Exception:  # noqa: BLE001 - any undecodable cursor is the client's mistake
        raise CursorError("cursor is not one this API issued") from None
    return size, gid


def list_groups(session: Session, *, show_status: bool, min_size: int = 2,
                page_size: int = 20, cursor: str | None = None, q: str | None = None,
                viewer: Principal | None = None) -> dict[str, Any]:
    """Groups, largest first (then by id), at least ``min_size`` members; keyset paging."""
    base = select(RecurringGroup).where(RecurringGroup.merged_into.is_(None),
                                        RecurringGroup.size >= min_size)
    if q:
        for w in q.split():
            w = w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            base = base.where(RecurringGroup.label.ilike(f"%{w}%", escape="\\"))
    total = session.scalar(select(func.count()).select_from(base.subquery()))
    page = base.order_by(RecurringGroup.size.desc(), RecurringGroup.id)
    if cursor:
        size, gid = _decode(cursor)
        page = page.where((RecurringGroup.size < size)
                          | ((RecurringGroup.size == size) & (RecurringGroup.id > gid)))
    rows = list(session.scalars(page.limit(page_size + 1)))
    more = len(rows) > page_size
    rows = rows[:page_size]
    return {"total": total,
            "results": _describe(session, rows, show_status, hide_for(session, viewer)),
            "next_cursor": _encode(rows[-1].size, rows[-1].id) if more and rows else None}


def group_detail(session: Session, group_id: str, *, show_status: bool,
                 viewer: Principal | None = None) -> dict[str, Any] | None:
    """One group with its members, oldest first (a merged group's id gives the survivor)."""
    g = resolve_group(session, group_id)
    if g is None:
        return None
    hide = hide_for(session, viewer)
    described = _describe(session, [g], show_status, hide)
    if not described:
        return None  # every member is hidden from this viewer (takedown)
    out = described[0]
    members = session.execute(
        select(RecurringMember, ReviewRecommendation)
        .join(ReviewRecommendation, ReviewRecommendation.id == RecurringMember.recommendation_id)
        .where(RecurringMember.group_id == g.id, *_shown(hide))
        .order_by(RecurringMember.year, RecurringMember.seq)).all()
    out["members"] = [{"id": r.id, "review_key": r.review_key, "year": m.year,
                       "number": r.number, "text": r.text,
                       "owners": [{"id": o.organisation_id, "name": o.name} for o in r.owners],
                       "status": r.status if show_status else None, "repeat": m.repeat,
                       "url": f"/api/v1/review-recommendations/{r.id}"}
                      for m, r in members]
    return out


def export_groups(session: Session) -> Iterator[dict[str, Any]]:
    """Every live group and every membership, for the research export: rows of
    ``{"group_id", "label", "size", "reviews", "first_year", "last_year"}`` then, per member,
    ``{"recommendation_id", "group_id", "repeat"}`` under the key ``"members"``."""
    for g in session.scalars(select(RecurringGroup).where(RecurringGroup.merged_into.is_(None))
                             .order_by(RecurringGroup.id)):
        yield {"group_id": g.id, "label": g.label, "size": g.size, "reviews": g.reviews,
               "first_year": g.first_year, "last_year": g.last_year,
               "members": [{"recommendation_id": rid, "group_id": g.id, "repeat": rep}
                           for rid, rep in session.execute(
                               select(RecurringMember.recommendation_id, RecurringMember.repeat)
                               .where(RecurringMember.group_id == g.id)
                               .order_by(RecurringMember.seq)).all()]}


def counts(engine: Engine) -> dict[str, int]:
    with read_session(engine) as s:
        return {"groups": s.scalar(select(func.count()).select_from(RecurringGroup)
                                   .where(RecurringGroup.merged_into.is_(None),
                                          RecurringGroup.size >= 2)) or 0,
                "grouped": s.scalar(select(func.count()).select_from(RecurringMember)) or 0,
                "repeats": s.scalar(select(func.count()).select_from(RecurringMember)
                                    .where(RecurringMember.repeat.is_(True))) or 0}
