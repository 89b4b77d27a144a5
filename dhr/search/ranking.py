"""What relevance ranking weighs, shared by both backends (README "Search", ranking).

Matching decides which documents are found (the full text, ``dhr/query.py``); ranking only
orders them, by what both backends compute the same way:

- **the full text**, scored with BM25 (FTS5's ``bm25()``; Elasticsearch's default similarity);
- **the key text**, scored with BM25 too and weighted :data:`KEY_WEIGHT` times: the title, the
  section headings, the recommendations and the findings (the sentences extraction kept as
  evidence for each theme, at most :data:`EVIDENCE_PER_THEME` per theme). A word in a
  recommendation or a finding says what the review is about; the same word in boilerplate
  (terms of reference, statutory purposes) or in the chronology is a passing mention;
- **the subjects**: the labels of the themes and abuse types extraction assigned to the
  document ("Coercive control", "Housing and homelessness"), weighted :data:`SUBJECT_WEIGHT`
  times, like a library catalogue's subject headings: a query that names a subject finds the
  reviews about it before those that use its words in passing;
- **the words as typed, side by side**: for plain words typed together (``record keeping``),
  the run of words as a phrase also scores, on both texts, without changing what matches: a
  report that says "record keeping" ranks above one that has "records" on one page and
  "keeping" on another;
- **a prior** per document, multiplied in: :data:`NON_REVIEW_WEIGHT` for documents that are not
  part of a review (``doc_type`` ``other``: protocols, leaflets, annual reports, thematic
  reports), :data:`UNKNOWN_TYPE_WEIGHT` when the type is unknown, times a length factor that
  takes back BM25's advantage for very short documents: below :data:`SHORT_TOKENS` tokens a
  document's score is scaled by ``(tokens / SHORT_TOKENS) ** SHORT_POWER``. BM25 divides a
  word's weight by the document's length relative to the average, so a one-page note that
  repeats a phrase outscores a 60-page overview report that discusses it at length.
"""

from __future__ import annotations

from typing import Any

from ..document import Document
from ..query import And, AtLeast, Node, Or, Phrase, Term
from ..taxonomy import label
from .highlight import normalize_for_index

KEY_WEIGHT = 2.0
SUBJECT_WEIGHT = 6.0
EVIDENCE_PER_THEME = 3
NON_REVIEW = "other"
NON_REVIEW_WEIGHT = 0.25
UNKNOWN_TYPE_WEIGHT = 0.6
SHORT_TOKENS = 1000
SHORT_POWER = 0.5


def key_text(doc: Document) -> str:
    """Title, section headings, recommendations and findings, normalised like the full text."""
    parts: list[str] = [doc.title or ""]
    parts += [s.title for s in doc.sections]
    parts += [r.text for r in doc.recommendations]
    for theme in doc.themes:
        parts += [e.text for e in theme.evidence[:EVIDENCE_PER_THEME]]
    return normalize_for_index("\n".join(p for p in parts if p))


def subjects(doc: Document) -> str:
    """The labels of the document's themes and abuse types: what extraction found it is about."""
    labels = [label("theme", t.id) for t in doc.themes]
    labels += [label("abuse_type", a) for a in doc.review.abuse_types]
    return normalize_for_index("\n".join(labels))


def type_weight(doc_type: str | None) -> float:
    if doc_type is None:
        return UNKNOWN_TYPE_WEIGHT
    return NON_REVIEW_WEIGHT if doc_type == NON_REVIEW else 1.0


def length_weight(tokens: int) -> float:
    if tokens >= SHORT_TOKENS:
        return 1.0
    return (max(tokens, 1) / SHORT_TOKENS) ** SHORT_POWER


def prior(doc: Document, ntext: str) -> float:
    """The document's multiplier (type times length), ``ntext`` its normalised full text."""
    return round(type_weight(doc.doc_type) * length_weight(ntext.count(" ") + 1 if ntext else 0), 6)


def ranking_record(doc: Document, ntext: str) -> dict[str, Any]:
    """What an index stores for ranking: ``key_text``, ``subjects`` and ``prior``."""
    return {"key_text": key_text(doc), "subjects": subjects(doc), "prior": prior(doc, ntext)}


def proximity_phrases(node: Node | None) -> list[Phrase]:
    """Runs of two or more plain words typed together, as stemmed phrases (ranking only)."""
    out: list[Phrase] = []

    def walk(n: Node | None) -> None:
        if isinstance(n, (And, AtLeast)):
            run: list[str] = []
            for c in (*n.children, None):
                if isinstance(c, Term):
                    run.append(c.token)
                    continue
                if len(run) > 1:
                    out.append(Phrase(tuple(run), exact=False))
                run = []
                walk(c)
        elif isinstance(n, Or):
            for c in n.children:
                walk(c)

    walk(node)
    return list(dict.fromkeys(out))
