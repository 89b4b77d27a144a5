"""Matching DHRD incidents to the repository's reviews, by CSP and month of death.

A review is known by its ``review_key`` with the area (CSP) and date of death its documents
give. Names are compared after folding case, accents and punctuation and dropping the words
that vary between spellings of the same partnership ("Community Safety Partnership", "CSP",
"Safer", "Borough", "Council", "City of", ...; "&" is "and").

- **matched**: exactly one review has that area and that month of death, and no other
  incident claims the same review;
- **ambiguous**: several reviews fit (same area and month), a review fits only by year (its
  date of death has no month, or the dataset gives only the year), or several incidents fit
  the same review: the candidates are
  listed for a person to decide, nothing is guessed;
- **unmatched**: no review has that area with that month (or year) of death.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..document import Document
from ..query import fold
from .dhrd import Incident

_DROP = {"community", "safety", "partnership", "partnerships", "csp", "safer", "borough",
         "council", "city", "of", "the", "county", "district", "metropolitan", "royal",
         "london", "lb", "rb", "mbc", "bc", "cc", "dc"}


def normalise_area(name: str | None) -> str:
    words = re.findall(r"[a-z0-9]+", fold((name or "").replace("&", " and ")))
    kept = [w for w in words if w not in _DROP]
    return " ".join(kept or words)


@dataclass(frozen=True)
class ReviewFacts:
    review_key: str
    area: str | None
    date_of_death: str | None  # YYYY-MM or YYYY
    document_ids: tuple[str, ...]


@dataclass
class MatchReport:
    matched: list[dict[str, object]] = field(default_factory=list)
    ambiguous: list[dict[str, object]] = field(default_factory=list)
    unmatched: list[dict[str, object]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"incidents": len(self.matched) + len(self.ambiguous) + len(self.unmatched),
                "matched": len(self.matched), "ambiguous": len(self.ambiguous),
                "unmatched": len(self.unmatched)}


def reviews_of(docs: Iterable[Document]) -> list[ReviewFacts]:
    """One entry per review: its key (the document id for a document without one), the most
    common area and the most precise date of death its documents give."""
    areas: dict[str, Counter[str]] = defaultdict(Counter)
    dates: dict[str, Counter[str]] = defaultdict(Counter)
    ids: dict[str, list[str]] = defaultdict(list)
    for doc in docs:
        key = doc.review_key or doc.id
        ids[key].append(doc.id)
        if doc.review.area:
            areas[key][doc.review.area] += 1
        if doc.review.date_of_death:
            dates[key][doc.review.date_of_death] += 1
    out = []
    for key in sorted(ids):
        area = areas[key].most_common(1)[0][0] if areas[key] else None
        # the month when any document has one (most common), else the year
        by_month = [(n, d) for d, n in dates[key].items() if len(d) == 7]
        by_year = [(n, d) for d, n in dates[key].items()]
        date = (max(by_month)[1] if by_month else max(by_year)[1] if by_year else None)
        out.append(ReviewFacts(key, area, date, tuple(sorted(ids[key]))))
    return out


def match_incidents(incidents: list[Incident], reviews: list[ReviewFacts]) -> MatchReport:
    by_area: dict[str, list[ReviewFacts]] = defaultdict(list)
    for r in reviews:
        if r.area and r.date_of_death:
            by_area[normalise_area(r.area)].append(r)
    first: dict[str, tuple[str, list[str], str | None]] = {}
    for inc in incidents:
        pool = by_area.get(normalise_area(inc.csp), [])
        if not inc.death_month:
            year = inc.death_year
            same = sorted(r.review_key for r in pool
                          if year and r.date_of_death and r.date_of_death[:4] == year)
            first[inc.incident_id] = (
                ("ambiguous", same, "the dataset gives only the year of death") if same else
                ("unmatched", [], "the dataset gives no month of death and no review of this "
                 "area has its year" if year else "the dataset gives no date of death"))
            continue
        same_month = [r.review_key for r in pool if r.date_of_death == inc.death_month]
        same_year = [r.review_key for r in pool
                     if r.date_of_death == inc.death_month[:4]]
        if len(same_month) == 1 and not same_year:
            first[inc.incident_id] = ("matched", same_month, None)
        elif same_month or same_year:
            reason = ("several reviews of this area have this month of death"
                      if len(same_month) > 1 else
                      "a review of this area gives only the year of death")
            first[inc.incident_id] = ("ambiguous", sorted(same_month + same_year), reason)
        else:
            first[inc.incident_id] = ("unmatched", [], "no review of this area with this "
                                      "month of death" if pool else "no review of this area")
    claims = Counter(c[1][0] for c in first.values() if c[0] == "matched")
    report = MatchReport()
    for inc in incidents:
        status, cands, why = first[inc.incident_id]
        if status == "matched" and claims[cands[0]] > 1:
            status, why = "ambiguous", "several incidents fit this review"
        row: dict[str, object] = {"incident_id": inc.incident_id, "csp": inc.csp,
                                  "death_month": inc.death_month}
        if status == "matched":
            report.matched.append({**row, "review_key": cands[0]})
        elif status == "ambiguous":
            report.ambiguous.append({**row, "candidates": cands, "reason": why})
        else:
            report.unmatched.append({**row, "reason": why})
    return report
