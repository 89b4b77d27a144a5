"""Expected answers computed from ground-truth Documents, following contract.md section 3.

Filters: OR within a facet, AND across facets; a year bound excludes documents whose year of
death is unknown. Facet counts are multi-select: a facet's counts ignore its own filter and
respect all others. Phrases match the unstemmed token sequence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from dhr.document import Document, Recommendation
from dhr.enrichment.dhrd import DHRD_FACETS
from dhr.query import fold, tokenize

# The DHRD facets (enrichment from the Domestic Homicide Reviews Dataset) come back too; these
# corpora have no DHRD import, so their truth is empty.
DOC_FACET_NAMES = ("theme", "agency", "abuse_type", "doc_type", "review_type", "death_type",
                   "region", "area", "victim_sex", "victim_age_band", "year", *DHRD_FACETS)
REC_FACET_NAMES = ("agency", "theme", "scope", "area", "region", "review_type", "year",
                   "smart_score")


def doc_values(doc: Document, name: str) -> set[str]:
    if name in DHRD_FACETS:
        return set((getattr(doc, "enrichment", None) or {}).get(name) or [])
    r = doc.review
    if name == "theme":
        return {t.id for t in doc.themes}
    if name == "agency":
        return {a.id for a in doc.agencies}
    if name == "abuse_type":
        return set(r.abuse_types)
    single = {"doc_type": doc.doc_type, "review_type": r.review_type, "death_type": r.death_type,
              "region": r.region, "area": r.area, "victim_sex": r.victim.sex,
              "victim_age_band": r.victim.age_band, "year": r.year_of_death}[name]
    return set() if single in (None, "") else {str(single)}


def rec_values(doc: Document, rec: Recommendation, name: str) -> set[str]:
    r = doc.review
    if name == "theme":
        return set(rec.themes) if rec.themes else {t.id for t in doc.themes}
    single = {"agency": rec.agency, "scope": rec.scope, "area": r.area, "region": r.region,
              "review_type": r.review_type, "year": r.year_of_death,
              "smart_score": rec.smart.score}[name]
    return set() if single in (None, "") else {str(single)}


def _year_ok(year: int | None, year_from: int | None, year_to: int | None) -> bool:
    if year_from is None and year_to is None:
        return True
    if year is None:
        return False
    return (year_from is None or year >= year_from) and (year_to is None or year <= year_to)


def doc_matches(doc: Document, filters: dict[str, list[str]], year_from=None, year_to=None,
                skip: str | None = None) -> bool:
    if not _year_ok(doc.review.year_of_death, year_from, year_to):
        return False
    return all(doc_values(doc, name) & set(values)
               for name, values in filters.items() if name != skip)


def rec_matches(doc: Document, rec: Recommendation, filters: dict[str, list[str]],
                year_from=None, year_to=None, smart_min=None, skip: str | None = None) -> bool:
    if not _year_ok(doc.review.year_of_death, year_from, year_to):
        return False
    if smart_min is not None and rec.smart.score < smart_min:
        return False
    return all(rec_values(doc, rec, name) & set(values)
               for name, values in filters.items() if name != skip)


def expected_doc_facets(docs: Iterable[Document], filters: dict[str, list[str]],
                        year_from=None, year_to=None) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    docs = list(docs)
    for name in DOC_FACET_NAMES:
        counts: Counter[str] = Counter()
        for doc in docs:
            if doc_matches(doc, filters, year_from, year_to, skip=name):
                counts.update(doc_values(doc, name))
        for v in filters.get(name, []):
            counts.setdefault(v, 0)
        out[name] = dict(counts)
    return out


def expected_rec_facets(docs: Iterable[Document], filters: dict[str, list[str]],
                        year_from=None, year_to=None, smart_min=None) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    docs = list(docs)
    for name in REC_FACET_NAMES:
        counts: Counter[str] = Counter()
        for doc in docs:
            for rec in doc.recommendations:
                if rec_matches(doc, rec, filters, year_from, year_to, smart_min, skip=name):
                    counts.update(rec_values(doc, rec, name))
        for v in filters.get(name, []):
            counts.setdefault(v, 0)
        out[name] = dict(counts)
    return out


def facet_counts(api_facets: dict[str, list[dict]]) -> dict[str, dict[str, int]]:
    return {name: {str(v["value"]): v["count"] for v in values}
            for name, values in api_facets.items()}


def contains_phrase(text: str, phrase_tokens: tuple[str, ...]) -> bool:
    return _contains(tokenize(text), phrase_tokens)


def _contains(toks: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    first = phrase[0]
    return any(toks[i] == first and tuple(toks[i:i + n]) == phrase
               for i in range(len(toks) - n + 1))


def doc_text(doc: Document) -> str:
    return "\n\n".join(doc.pages)


_PHRASES: dict[tuple, tuple[str, ...] | None] = {}


def unique_recommendation_phrase(docs: list[Document], length: int = 5,
                                 plain: bool = False) -> tuple[str, ...] | None:
    """A run of words found in exactly one recommendation and in one review's documents only.

    ``plain``: also free of apostrophes and other in-word punctuation, so the words read the
    same whichever way an engine splits them.
    """
    key = (tuple(d.id for d in docs), length, plain)
    if key not in _PHRASES:
        _PHRASES[key] = _find_phrase(docs, length, plain)
    return _PHRASES[key]


def review_of(doc: Document) -> str:
    """Which review a document belongs to: its review_key, else pseudonym and area."""
    return doc.review_key or f"{doc.review.pseudonym}|{doc.review.area}"


def _find_phrase(docs: list[Document], length: int, plain: bool) -> tuple[str, ...] | None:
    recs = [(d, r, tokenize(r.text)) for d in docs for r in d.recommendations]
    doc_tokens = [(d, tokenize(doc_text(d))) for d in docs]
    for doc, rec, toks in recs:
        for i in range(max(0, len(toks) - length + 1)):
            phrase = tuple(toks[i:i + length])
            if plain and not re.search(r"\b" + r"\s+".join(map(re.escape, phrase)) + r"\b",
                                       fold(rec.text)):
                continue
            if sum(_contains(t, phrase) for _, _, t in recs) != 1:
                continue
            holders = {review_of(d) for d, t in doc_tokens if _contains(t, phrase)}
            if holders == {review_of(doc)}:
                return phrase
    return None
