"""Review recommendations from the stored Documents, re-linked across re-extractions.

:func:`sync_documents` groups Documents by ``review_key`` and, for each review whose documents
changed since the last run, in one write transaction:

1. clusters the recommendations its documents print (the overview report first, then the
   executive summary, the action plan, ...) so one printed twice is **one** review
   recommendation with several appearances (document and page);
2. re-links the clusters to the review's tracked recommendations by number and wording
   (:mod:`accountability.matching`). A confident match keeps the tracked id, so its history
   stays with it, and takes the new wording; a tracked recommendation no longer found becomes
   ``missing`` and is flagged for a person; a new one that resembles a tracked one without
   confidence is created and flagged as a possible match. Nothing is dropped, nothing guessed;
3. rebuilds appearances, owners and action-plan rows, and appends the published action-plan
   rows as "as published" updates attributed to their document (once each);
4. writes one audit entry for the review, plus one per published update.
Then the recommendations not yet in a recurring group are grouped (incremental,
:func:`accountability.recurring.assign_pending`), flagging those that repeat an earlier review's.
New ids are stable: derived from the review key, number and wording at creation, and kept.

A document's review key may change between extractions (a better extractor groups a lone
document with its review). A tracked recommendation every one of whose appearances is in
documents now grouped under another review is a re-linking candidate of *that* review: a
confident match moves it there with its history, else it becomes ``missing`` and is flagged.
:func:`sync_store`, which sees every current Document, marks the recommendations of review keys
left without any current document ``missing`` and flags them.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from dhr import corrections as core_corrections
from dhr.document import Document
from understanding.owner_registry import Registry

from . import audit
from .corrections import (
    put_back_recommendation_corrections,
    take_off_recommendation_corrections,
)
from .db import read_session, write_session
from .matching import (
    AMBIGUITY_MARGIN,
    POSSIBLE,
    SAME_NUMBER_TEXT,
    confident,
    normalise_number,
    possible,
    similarity,
)
from .models import (
    ActionRow,
    Appearance,
    OrganisationRow,
    RecommendationOwner,
    RelinkFlag,
    ReviewRecommendation,
    ReviewRow,
    Update,
    utcnow,
)
from .organisations import registry_for, seed_registry
from .outbox import enqueue_new_recommendations
from .updates import next_seq, refresh_current

DOC_PRIORITY = {"overview_report": 0, "executive_summary": 1, "action_plan": 2,
                "learning_brief": 3, "home_office_letter": 4, "other": 5}
ACTOR = "system:sync"


@dataclass
class Printed:
    """One recommendation as one document prints it."""

    doc_id: str
    doc_type: str | None
    extractor_version: str
    page: int | None
    number: str | None
    text: str
    agency: str | None
    scope: str | None
    smart_score: int | None
    themes: list[str]
    owners: list[tuple[str | None, str]]  # (registry id or None, name)
    owner_source: str | None


@dataclass
class Cluster:
    printed: list[Printed] = field(default_factory=list)

    @property
    def main(self) -> Printed:
        return self.printed[0]

    @property
    def number(self) -> str | None:
        return normalise_number(self.main.number)

    def owners(self) -> tuple[list[tuple[str | None, str]], str | None]:
        for p in self.printed:
            if p.owners:
                return p.owners, p.owner_source
        return [], None


@dataclass
class ReviewInput:
    key: str
    docs: list[dict[str, Any]] = field(default_factory=list)

    def fingerprint(self) -> str:
        body = json.dumps(sorted(self.docs, key=lambda d: d["id"]), sort_keys=True, default=str)
        return hashlib.sha256(body.encode()).hexdigest()


def light(doc: Document) -> dict[str, Any]:
    """What the tracker needs of a Document (no page texts). Its recommendations as extraction
    gave them: the recommendation corrections laid over them are the tracker's own (held on
    the tracked recommendations), so re-linking compares extraction with extraction."""
    if any(isinstance(r, dict) and r.get("field") in core_corrections.REC_FIELDS
           for r in doc.provenance.get("corrections") or []):
        recs = core_corrections.strip(doc.to_json_dict()).get("recommendations") or []
    else:
        recs = [r.model_dump(mode="json") for r in doc.recommendations]
    return {
        "id": doc.id, "doc_type": doc.doc_type, "extractor_version": doc.extractor_version,
        "review": {"area": doc.review.area, "region": doc.review.region,
                   "year": doc.review.year_of_death, "pseudonym": doc.review.pseudonym},
        "recommendations": recs,
        "actions": [a.model_dump(mode="json") for a in doc.actions],
    }


def group_reviews(documents: Iterable[Document]) -> dict[str, ReviewInput]:
    reviews: dict[str, ReviewInput] = {}
    for doc in documents:
        key = doc.review_key or doc.id
        reviews.setdefault(key, ReviewInput(key)).docs.append(light(doc))
    return reviews


def sync_documents(engine: Engine, documents: Iterable[Document], *, force: bool = False,
                   every_document: bool = False) -> dict[str, Any]:
    """Sync every review of these Documents; returns counts (and the reviews that changed).

    ``every_document``: these are all the current Documents (as :func:`sync_store` passes), so
    a review key none of them has is gone: its current recommendations become ``missing``."""
    seed_registry(engine)
    reviews = group_reviews(documents)
    with read_session(engine) as s:
        registry = registry_for(s)
        known_orgs = set(s.scalars(select(OrganisationRow.id)))
        hashes: dict[str, str | None] = dict(
            s.execute(select(ReviewRow.review_key, ReviewRow.source_hash)).tuples().all())
    totals: dict[str, Any] = defaultdict(int)
    totals["reviews_changed"] = []
    digests = {key: review.fingerprint() for key, review in reviews.items()}
    changed = [key for key in sorted(reviews) if force or hashes.get(key) != digests[key]]
    totals["reviews_unchanged"] += len(reviews) - len(changed)
    with read_session(engine) as s:
        claims = claimed_across_keys(s, {key: reviews[key] for key in changed})
    for key in changed:
        with write_session(engine) as s:
            result = sync_review(s, reviews[key], digests[key], registry, known_orgs, claims)
        for k, v in result.items():
            totals[k] += v if isinstance(v, int) else len(v)
        totals["reviews_changed"].append(key)
    if every_document:
        for k, v in mark_gone_reviews(engine, set(reviews)).items():
            totals[k] += len(v)
    totals["reviews"] = len(reviews)
    # Recurring groups (issue 16): the new recommendations join existing groups or start new
    # ones; one that joins a group holding another review's is flagged "repeat".
    from .recurring import assign_pending

    grouped = assign_pending(engine)
    totals["recurring_grouped"] += grouped["grouped"]
    totals["recurring_repeats"] += grouped["repeats"]
    if grouped.get("regrouped"):  # the grouping method changed: every group was made again
        totals["recurring_regrouped"] += 1
    if not totals["reviews_unchanged"]:
        del totals["reviews_unchanged"]
    return dict(totals)


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def claimed_across_keys(s: Session, reviews: Mapping[str, ReviewInput]) -> dict[str, str]:
    """{recommendation id: review key} for tracked recommendations of another key every one of
    whose appearances is in documents now grouped under that one review (being synced): the
    review its documents moved to, where it is a re-linking candidate."""
    doc_key = {d["id"]: key for key, review in reviews.items() for d in review.docs}
    rec_ids: set[str] = set()
    for part in _chunks(sorted(doc_key)):
        rec_ids.update(s.scalars(select(Appearance.recommendation_id)
                                 .where(Appearance.document_id.in_(part))))
    docs_of: dict[str, set[str]] = defaultdict(set)
    key_of: dict[str, str] = {}
    for part in _chunks(sorted(rec_ids)):
        for rid, doc, key in s.execute(
                select(Appearance.recommendation_id, Appearance.document_id,
                       ReviewRecommendation.review_key)
                .join(ReviewRecommendation, ReviewRecommendation.id == Appearance.recommendation_id)
                .where(Appearance.recommendation_id.in_(part))):
            docs_of[rid].add(doc)
            key_of[rid] = key
    claims: dict[str, str] = {}
    for rid, docs in docs_of.items():
        keys = {doc_key.get(d) for d in docs}
        if len(keys) == 1 and None not in keys and keys != {key_of[rid]}:
            claims[rid] = str(keys.pop())
    return claims


def mark_gone_reviews(engine: Engine, current_keys: set[str]) -> dict[str, list[str]]:
    """Review keys that no current Document has any more: their current recommendations become
    ``missing`` (history kept, appearances and action rows dropped: no document prints them)
    and are flagged for a person; the review's fingerprint is cleared so its documents
    returning sync it again."""
    with read_session(engine) as s:
        keys = set(s.scalars(select(ReviewRecommendation.review_key).where(
            ReviewRecommendation.state == "current").distinct())) - current_keys
    out: dict[str, list[str]] = {"missing": [], "flagged": []}
    for key in sorted(keys):
        with write_session(engine) as s:
            recs = list(s.scalars(select(ReviewRecommendation).where(
                ReviewRecommendation.review_key == key).order_by(ReviewRecommendation.position)))
            now = utcnow()
            s.execute(delete(Appearance).where(
                Appearance.recommendation_id.in_([r.id for r in recs])))
            s.execute(delete(ActionRow).where(ActionRow.review_key == key))
            gone = []
            for rec in recs:
                if rec.state == "missing":
                    continue
                rec.state, rec.synced_at = "missing", now
                _flag(s, key, rec.id, "missing", None, None,
                      {"text": rec.text, "number": rec.number, "reason": "no_current_document"})
                gone.append(rec.id)
            row = s.get(ReviewRow, key)
            if row is not None:
                row.source_hash, row.synced_at = None, now
            s.flush()
            audit.append(s, ACTOR, "recommendations.sync", target_type="review", target_id=key,
                         detail={"missing": gone, "flagged": gone,
                                 "reason": "no_current_document"})
        out["missing"] += gone
        out["flagged"] += gone
    return out


def _printed(doc: dict[str, Any]) -> list[Printed]:
    out = []
    for r in doc["recommendations"]:
        if not (r.get("text") or "").strip():
            continue
        owners = [(o.get("id"), o.get("name") or o.get("id")) for o in r.get("organisations") or []]
        if not owners and r.get("organisation"):
            o = r["organisation"]
            owners = [(o.get("id"), o.get("name") or o.get("id"))]
        out.append(Printed(doc["id"], doc["doc_type"], doc["extractor_version"], r.get("page"),
                           r.get("number"), r["text"].strip(), r.get("agency"), r.get("scope"),
                           (r.get("smart") or {}).get("score"), list(r.get("themes") or []),
                           owners, r.get("owner_source")))
    return out


def cluster_review(review: ReviewInput) -> list[Cluster]:
    """One cluster per recommendation, however many documents print it."""
    docs = sorted(review.docs, key=lambda d: (DOC_PRIORITY.get(d["doc_type"] or "", 9), d["id"]))
    clusters: list[Cluster] = []
    for doc in docs:
        for p in _printed(doc):
            num = normalise_number(p.number)
            best, best_sim = None, 0.0
            for c in clusters:
                if any(q.doc_id == p.doc_id for q in c.printed):
                    continue  # a document prints each recommendation once
                sim = similarity(c.main.text, p.text)
                if confident(sim, num is not None and num == c.number) and sim > best_sim:
                    best, best_sim = c, sim
            if best is None:
                clusters.append(Cluster([p]))
            else:
                best.printed.append(p)
    return clusters


def new_id(review_key: str, cluster: Cluster, taken: set[str]) -> str:
    base = hashlib.sha256("\x00".join([review_key, cluster.number or "",
                                       " ".join(cluster.main.text.lower().split())]).encode())
    rid = "rr-" + base.hexdigest()[:16]
    n = 2
    while rid in taken:
        rid = "rr-" + hashlib.sha256(f"{base.hexdigest()}:{n}".encode()).hexdigest()[:16]
        n += 1
    return rid


def relink(clusters: list[Cluster], tracked: list[ReviewRecommendation]
           ) -> tuple[dict[int, ReviewRecommendation], list[tuple[int, str, float]]]:
    """Confident, unambiguous matches {cluster index: tracked}, and possible pairs for people."""
    pairs = []
    for i, c in enumerate(clusters):
        owners = {oid for oid, _ in c.owners()[0] if oid}
        for t in tracked:
            same_number = c.number is not None and c.number == normalise_number(t.number)
            # Numbering restarts per agency and wording is formulaic: a number shared by
            # recommendations of two different owners is no evidence they are one.
            held = {o.organisation_id for o in t.owners if o.organisation_id}
            if owners and held and not owners & held:
                same_number = False
            sim = similarity(c.main.text, t.text)
            pairs.append((i, t, sim, same_number))
    pairs.sort(key=lambda x: (not confident(x[2], x[3]), -x[2], not x[3]))
    matched: dict[int, ReviewRecommendation] = {}
    used: set[str] = set()
    ambiguous_c: set[int] = set()
    ambiguous_t: set[str] = set()
    sure = [p for p in pairs if confident(p[2], p[3])]
    by_cluster: dict[int, list] = defaultdict(list)
    by_tracked: dict[str, list] = defaultdict(list)
    for p in sure:
        by_cluster[p[0]].append(p)
        by_tracked[p[1].id].append(p)
    for i, t, sim, same in sure:
        if i in matched or t.id in used or i in ambiguous_c or t.id in ambiguous_t:
            continue
        rivals = [p for p in by_cluster[i] + by_tracked[t.id]
                  if (p[0] == i) != (p[1].id == t.id) and p[0] not in matched
                  and p[1].id not in used and abs(p[2] - sim) < AMBIGUITY_MARGIN
                  and p[3] == same]
        if rivals:
            ambiguous_c.add(i)
            ambiguous_t.add(t.id)
            for r in rivals:
                ambiguous_c.add(r[0])
                ambiguous_t.add(r[1].id)
            continue
        matched[i] = t
        used.add(t.id)
    maybe = [(i, t.id, round(sim, 3)) for i, t, sim, same in pairs
             if i not in matched and t.id not in used and possible(sim, same)]
    return matched, maybe


def sync_review(s: Session, review: ReviewInput, digest: str, registry: Registry,
                known_orgs: set[str], claims: Mapping[str, str] | None = None
                ) -> dict[str, Any]:
    """One review, in the caller's transaction. ``claims`` ({recommendation id: review key},
    :func:`claimed_across_keys`): recommendations of other keys whose documents moved to this
    review are its candidates too; this review's own claimed by another are left to that one."""
    key = review.key
    claims = claims or {}
    doc_ids = [d["id"] for d in review.docs]
    clusters = cluster_review(review)
    row = s.get(ReviewRow, key)
    meta = _review_meta(review, registry)
    if row is None:
        row = ReviewRow(review_key=key)
        s.add(row)
    row.area, row.region, row.year, row.pseudonym = (meta["area"], meta["region"], meta["year"],
                                                     meta["pseudonym"])
    csp = meta["csp"]
    row.csp_organisation_id = csp if csp in known_orgs else None
    row.source_hash, row.synced_at = digest, utcnow()
    s.flush()
    own = [r for r in s.scalars(select(ReviewRecommendation)
                                .where(ReviewRecommendation.review_key == key)
                                .order_by(ReviewRecommendation.position))
           if claims.get(r.id, key) == key]
    incoming = [rid for rid, k in claims.items() if k == key]
    foreign = list(s.scalars(select(ReviewRecommendation)
                             .where(ReviewRecommendation.id.in_(incoming))
                             .order_by(ReviewRecommendation.review_key,
                                       ReviewRecommendation.position))) if incoming else []
    tracked = own + foreign
    # Human corrections (accountability/corrections.py) come off for re-linking and go back on
    # once the recommendations are filled from the new extraction: they win until removed.
    held = take_off_recommendation_corrections(s, tracked)
    matched, maybe = relink(clusters, tracked)
    taken = set(s.scalars(select(ReviewRecommendation.id).where(
        ReviewRecommendation.review_key == key))) | set(incoming)
    result: dict[str, Any] = {"created": [], "relinked": [], "reworded": [], "missing": [],
                              "flagged": [], "moved": []}
    moved_from: dict[str, str] = {}
    by_cluster: dict[int, ReviewRecommendation] = {}
    now = utcnow()
    # Documents the tracker already had (a new recommendation printed only by them comes from
    # a re-extraction, so nobody is notified of it).
    known_documents = set(s.scalars(select(Appearance.document_id).where(
        Appearance.document_id.in_(doc_ids)).distinct())) | set(s.scalars(
        select(ActionRow.document_id).where(ActionRow.document_id.in_(doc_ids)).distinct()))
    # Appearances and action rows are rebuilt from the current extraction: this review's
    # recommendations', and whatever its documents printed under an earlier review key.
    s.execute(delete(Appearance).where(
        Appearance.recommendation_id.in_([r.id for r in tracked])
        | Appearance.document_id.in_(doc_ids)))
    s.execute(delete(ActionRow).where((ActionRow.review_key == key)
                                      | ActionRow.document_id.in_(doc_ids)))
    for i, c in enumerate(clusters):
        rec = matched.get(i)
        if rec is None:
            rec = ReviewRecommendation(id=new_id(key, c, taken), review_key=key, text=c.main.text,
                                       status="no_information", created_at=now)
            taken.add(rec.id)
            s.add(rec)
            result["created"].append(rec.id)
        else:
            result["relinked"].append(rec.id)
            if rec.text != c.main.text or rec.number != c.main.number:
                result["reworded"].append(rec.id)
            if rec.state == "missing":
                for f in s.scalars(select(RelinkFlag).where(RelinkFlag.recommendation_id == rec.id,
                                                            RelinkFlag.kind == "missing",
                                                            RelinkFlag.resolved_at.is_(None))):
                    f.resolved_at, f.resolution = now, "found_again"
            if rec.review_key != key:  # its documents moved to this review: so does it
                moved_from[rec.id] = rec.review_key
                result["moved"].append(rec.id)
                rec.review_key = key
                for f in s.scalars(select(RelinkFlag).where(RelinkFlag.recommendation_id == rec.id,
                                                            RelinkFlag.resolved_at.is_(None))):
                    f.review_key = key
        by_cluster[i] = rec
        _fill(rec, c, i, known_orgs, now)
        s.flush()
        for p in c.printed:
            s.add(Appearance(recommendation_id=rec.id, document_id=p.doc_id, doc_type=p.doc_type,
                             page=p.page, number=p.number, text=p.text,
                             extractor_version=p.extractor_version))
    matched_ids = {r.id for r in matched.values()}
    for t in tracked:
        if t.id in matched_ids:
            continue
        if t.state != "missing":
            t.state, t.synced_at = "missing", now
            result["missing"].append(t.id)
            best = max((m for m in maybe if m[1] == t.id), key=lambda m: m[2], default=None)
            _flag(s, t.review_key, t.id, "missing", by_cluster[best[0]].id if best else None,
                  best[2] if best else None, {"text": t.text, "number": t.number})
            result["flagged"].append(t.id)
    for i, tid, sim in maybe:
        new = by_cluster[i]
        if new.id in result["created"]:
            _flag(s, key, new.id, "uncertain_match", tid, sim,
                  {"text": new.text, "number": new.number})
            result["flagged"].append(new.id)
    s.flush()
    put_back_recommendation_corrections(s, tracked, held)
    s.flush()
    published = _actions(s, review, clusters, by_cluster, known_orgs)
    for rec in by_cluster.values():
        refresh_current(s, rec)
        if rec.target_date is None:
            _target_from_actions(s, rec)
    # Owners with notification contacts are told of new recommendations: the outbox rows
    # commit with the recommendations (same transaction), or neither does.
    uncertain = set(result["flagged"])
    queued = enqueue_new_recommendations(
        s, [r for r in by_cluster.values() if r.id in result["created"] and r.id not in uncertain],
        known_documents)
    audit.append(s, ACTOR, "recommendations.sync", target_type="review", target_id=key,
                 detail={k: v for k, v in result.items() if v} | {"published_updates": published}
                 | ({"moved_from": moved_from} if moved_from else {})
                 | ({"notifications_queued": queued} if queued else {}))
    return {**result, "published_updates": published, "notifications_queued": queued}


def _review_meta(review: ReviewInput, registry: Registry) -> dict[str, Any]:
    docs = sorted(review.docs, key=lambda d: (DOC_PRIORITY.get(d["doc_type"] or "", 9), d["id"]))
    meta: dict[str, Any] = {k: None for k in ("area", "region", "year", "pseudonym")}
    for d in docs:
        for k, value in d["review"].items():
            if meta.get(k) is None and value is not None:
                meta[k] = value
    csp = registry.csp_for_area(meta["area"]) if meta["area"] else None
    meta["csp"] = csp.id if csp else None
    return meta


def _fill(rec: ReviewRecommendation, c: Cluster, position: int, known_orgs: set[str],
          now) -> None:
    p = c.main
    rec.text, rec.number, rec.position = p.text, p.number, position
    rec.agency, rec.scope, rec.smart_score, rec.themes = p.agency, p.scope, p.smart_score, p.themes
    rec.state, rec.synced_at = "current", now
    owners, source = c.owners()
    rec.owner_source = source
    rec.owners = [RecommendationOwner(position=j, name=name or oid or "",
                                      organisation_id=oid if oid in known_orgs else None)
                  for j, (oid, name) in enumerate(owners)]


def _flag(s: Session, key: str, rec_id: str, kind: str, candidate: str | None,
          score: float | None, detail: dict) -> None:
    open_ = s.scalar(select(RelinkFlag).where(RelinkFlag.recommendation_id == rec_id,
                                             RelinkFlag.kind == kind,
                                             RelinkFlag.candidate_id.is_(None) if candidate is None
                                             else RelinkFlag.candidate_id == candidate,
                                             RelinkFlag.resolved_at.is_(None)))
    if open_ is None:
        s.add(RelinkFlag(review_key=key, recommendation_id=rec_id, kind=kind,
                         candidate_id=candidate, score=score, detail=detail))


def _link_action(action: dict, doc_id: str, clusters: list[Cluster],
                 previous: tuple[str | None, int | None] = (None, None)) -> int | None:
    """The cluster an action-plan row serves: by number in its own document, then in the
    review; where numbers restart (one "1" per agency heading) by the row's lead, then by its
    text (a row restates its recommendation), then as a further action of the row before it
    (a merged recommendation cell repeats the number); else None, the row kept unlinked."""
    num = normalise_number(action.get("recommendation"))
    if num is None:
        return None
    same_doc = [i for i, c in enumerate(clusters)
                if any(p.doc_id == doc_id and normalise_number(p.number) == num for p in c.printed)]
    if len(same_doc) == 1:
        return same_doc[0]
    candidates = same_doc or [i for i, c in enumerate(clusters) if c.number == num]
    if len(candidates) == 1:
        return candidates[0]
    lead = (action.get("lead") or {}).get("id")
    if lead:
        owned = [i for i in candidates if lead in {o for o, _ in clusters[i].owners()[0]}]
        if len(owned) == 1:
            return owned[0]
        candidates = owned or candidates
    by_text = _by_text(action.get("action") or "", doc_id, candidates, clusters)
    if by_text is not None and by_text[1] >= SAME_NUMBER_TEXT:
        return by_text[0]
    prev_num, prev_idx = previous
    if prev_num == num and prev_idx in candidates:
        return prev_idx
    if by_text is not None and by_text[1] >= POSSIBLE:
        return by_text[0]
    return None  # ambiguous: the row is kept, unlinked


def _by_text(text: str, doc_id: str, candidates: list[int],
             clusters: list[Cluster]) -> tuple[int, float] | None:
    """The candidate whose wording (as this document prints it, else as the review does) the
    row's action text is clearly closest to, with its similarity; None when two are as close."""
    if not text or not candidates:
        return None

    def score(i: int) -> float:
        printed = [p for p in clusters[i].printed if p.doc_id == doc_id] or clusters[i].printed
        return max(similarity(text, p.text) for p in printed)

    ranked = sorted(((score(i), i) for i in candidates), reverse=True)
    if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < AMBIGUITY_MARGIN:
        return None
    return ranked[0][1], ranked[0][0]


def _actions(s: Session, review: ReviewInput, clusters: list[Cluster],
             by_cluster: dict[int, ReviewRecommendation], known_orgs: set[str]) -> int:
    """Action rows of every document; the "as published" history comes from the review's
    action plan documents first, and from an action plan printed inside another document (an
    overview report's appendix) only for recommendations no action plan document has a row for,
    so the first entries are the action plan's and two printings never compete."""
    published = 0
    from_plan: set[str] = set()
    docs = sorted(review.docs, key=lambda d: (d["doc_type"] != "action_plan",
                                              DOC_PRIORITY.get(d["doc_type"] or "", 9), d["id"]))
    for doc in docs:
        previous: tuple[str | None, int | None] = (None, None)
        for pos, a in enumerate(doc["actions"]):
            idx = _link_action(a, doc["id"], clusters, previous)
            previous = (normalise_number(a.get("recommendation")), idx)
            rec = by_cluster.get(idx) if idx is not None else None
            lead = a.get("lead") or {}
            s.add(ActionRow(review_key=review.key, recommendation_id=rec.id if rec else None,
                            document_id=doc["id"], page=a.get("page"), position=pos,
                            number=a.get("recommendation"), action=a.get("action"),
                            lead_organisation_id=lead.get("id"),
                            lead_name=lead.get("name") or a.get("lead_name"),
                            milestones=a.get("milestones"), target_date=a.get("target_date"),
                            completed_date=a.get("completed_date"), outcome=a.get("outcome"),
                            status=a.get("status")))
            if rec is None:
                continue
            if rec.owners == [] and lead.get("id") in known_orgs:
                rec.owners = [RecommendationOwner(position=0, name=lead.get("name") or lead["id"],
                                                  organisation_id=lead["id"])]
                rec.owner_source = "action_plan"
            if doc["doc_type"] == "action_plan":
                from_plan.add(rec.id)
            elif rec.id in from_plan:
                continue
            published += _publish(s, rec, doc["id"], a)
    return published


def _publish(s: Session, rec: ReviewRecommendation, doc_id: str, a: dict) -> int:
    status = a.get("status") or ("completed" if a.get("completed_date") else None)
    if status is None and not a.get("target_date"):
        return 0
    key = hashlib.sha256(json.dumps([doc_id, status, a.get("target_date"),
                                     a.get("completed_date")]).encode()).hexdigest()[:32]
    exists = s.scalar(select(Update.id).where(Update.recommendation_id == rec.id,
                                              Update.published_key == key))
    if exists is not None:
        return 0
    parts = [p for p in (a.get("action"), a.get("outcome")) if p]
    if a.get("completed_date"):
        parts.append(f"Completed {a['completed_date']}.")
    upd = Update(recommendation_id=rec.id, seq=next_seq(s, rec.id), created_at=utcnow(),
                 source="published", status=status, note=" — ".join(parts) or None, public=True,
                 target_date=a.get("target_date"), document_id=doc_id, published_key=key)
    s.add(upd)
    s.flush()
    audit.append(s, f"document:{doc_id}", "update.publish", target_type="recommendation",
                 target_id=rec.id, detail={"update": upd.id, "seq": upd.seq, "status": status})
    return 1


def _target_from_actions(s: Session, rec: ReviewRecommendation) -> None:
    from .statuses import due_date

    targets = [t for t in s.scalars(select(ActionRow.target_date)
                                    .where(ActionRow.recommendation_id == rec.id)) if t]
    if targets:
        rec.target_date = max(targets, key=lambda t: due_date(t) or t)
        rec.target_due = due_date(rec.target_date)


def sync_store(engine: Engine, data_dir, *, force: bool = False) -> dict[str, Any]:
    """Sync from the corpus store's current Documents (ingest and nightly call this)."""
    from dhr.store import CorpusStore

    store = CorpusStore(data_dir)
    try:
        return sync_documents(engine, store.documents(), force=force, every_document=True)
    finally:
        store.close()
