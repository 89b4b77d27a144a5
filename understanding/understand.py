"""Report understanding: fill a Document's doc_type, title, review metadata, agencies, themes and
recommendations from the extracted text (contract.md section 2).

Flow: ``ingest.extract`` builds an ``Extracted`` (clean page texts, tables, outline) and a
``Document`` with the extraction fields, then calls :func:`understand`. This module builds the
shared text model once (``understanding.doctext.DocText``: pages, headings, section kinds,
boilerplate)
and runs the rule modules over it: ``doctype``, ``metadata`` (with ``areas``), ``agencies``,
``themes``, ``recommendations`` (with ``smart``), ``action_plans`` (action rows, with ``dates``
and ``progress``). Pure functions, no network. Values keep the
page they came from: agencies and recommendations carry ``page``, themes carry evidence
sentences with pages, and ``Document.provenance["review"]`` maps each review field to its page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from dhr.document import Action, Agency, Document, Evidence, Recommendation, Theme
from understanding.action_plans import extract_actions
from understanding.agencies import extract_agencies, find_agency_mentions
from understanding.doctext import DocText
from understanding.doctype import classify_doc_type
from understanding.metadata import extract_review
from understanding.owners import OwnerResolver, assign_owners
from understanding.recommendations import _header_map, extract_recommendations, pipe_tables
from understanding.smart import smart_signals
from understanding.themes import extract_themes, recommendation_themes

UNDERSTANDING_VERSION = "1"
log = logging.getLogger(__name__)
_SYNTHETIC = re.compile(r"synthetic\s+sample", re.IGNORECASE)


def understand_text(pages: Sequence[str], *, tables: Sequence[Any] = (),
                    sections: Sequence[Any] = (), title: str | None = None,
                    actions: Sequence[Any] = ()) -> dict[str, Any]:
    """Everything understood from page texts (and tables/outline), as contract-shaped dicts.
    ``actions``: action-plan rows already extracted (``Document.actions``); a recommendation
    no sentence or heading gives an owner takes its row's lead (``understanding.owners``)."""
    doc = DocText(list(pages), outline=sections)
    tables = list(tables) or pipe_tables(doc)
    has_action_table = any(_header_map(t.rows[0]) is not None for t in tables if t.rows)
    doc_type, _scores = classify_doc_type(doc, title, has_action_table)
    found = extract_review(doc, title, doc_type)
    mentions = find_agency_mentions(doc.text, lower=doc.lower)
    agencies = [{"id": a.id, "name": a.name, "mentions": a.mentions, "page": a.page}
                for a in extract_agencies(doc, mentions)]
    recommendations = extract_recommendations(doc, tables, doc_type, owner_hints=True)
    # One resolver per document, shared by the action-plan rows and the recommendations: the
    # document's abbreviations are looked up in its text only when a name uses one.
    resolver = OwnerResolver(None, found.review.area, text=doc.text)
    action_rows = extract_actions(tables, recommendations, resolver)
    for i in assign_owners(recommendations,
                           actions=_unambiguous([*actions, *action_rows], recommendations),
                           resolver=resolver):
        # an abbreviation named the agency ("GMP should ..."): the recommendation is specific
        recommendations[i]["smart"] = smart_signals(recommendations[i]["text"], True).model_dump()
    for rec in recommendations:
        rec["themes"] = recommendation_themes(rec["text"], rec["agency"])[1]
    agency_spans = [(m.start, m.end) for m in mentions if " " in m.name]
    themes = [{"id": t.id, "mentions": t.mentions,
               "evidence": [{"page": p, "text": s} for p, s in t.evidence]}
              for t in extract_themes(doc, agency_spans, recommendations)]
    return {"doc_type": doc_type, "review": found.review.model_dump(mode="json"),
            "review_pages": found.pages,
            "abuse_evidence": {k: [{"page": p, "text": t} for p, t in ev]
                               for k, ev in found.abuse_evidence.items()},
            "agencies": agencies, "themes": themes,
            "recommendations": recommendations, "actions": action_rows}


def understand(extracted: Any, document: Document) -> Document:
    """The Document with doc_type, review, agencies, themes and recommendations filled.

    ``extracted`` is an ``ingest.extracted.Extracted`` (or anything with ``pages``, ``tables``,
    ``sections`` and ``title``). Values already set on ``document`` from outside the text (e.g.
    a crawler's area) are kept where the text says nothing.
    """
    pages = list(getattr(extracted, "pages", None) or document.pages)
    title = getattr(extracted, "title", None) or document.title
    try:
        result = understand_text(pages, tables=getattr(extracted, "tables", None) or (),
                                 sections=getattr(extracted, "sections", None) or document.sections,
                                 title=title, actions=document.actions)
    except Exception as exc:  # noqa: BLE001 - a rule bug must not lose the extracted text
        log.warning("understanding failed for %s: %s", document.filename or document.id, exc)
        provenance = dict(document.provenance)
        provenance["understanding_error"] = f"{type(exc).__name__}: {exc}"
        return document.model_copy(update={"provenance": provenance})
    review = document.review.model_copy(deep=True)
    found = type(review).model_validate(result["review"])
    for name in type(review).model_fields:
        value = getattr(found, name)
        if name in ("victim", "chair"):
            merged = getattr(review, name).model_copy(
                update={k: v for k, v in value.model_dump().items() if v is not None})
            setattr(review, name, merged)
        elif value not in (None, []):
            setattr(review, name, value)
    provenance = dict(document.provenance)
    provenance["review"] = result["review_pages"]
    provenance["abuse_types"] = result["abuse_evidence"]   # abuse type -> evidence sentences
    provenance["understanding_version"] = UNDERSTANDING_VERSION
    return document.model_copy(update={
        "doc_type": result["doc_type"] or document.doc_type,
        "title": _better_title(document.title, title),
        "review": review,
        "agencies": [Agency(**a) for a in result["agencies"]],
        "themes": [Theme(id=t["id"], mentions=t["mentions"],
                         evidence=[Evidence(**e) for e in t["evidence"]])
                         for t in result["themes"]],
        "recommendations": [Recommendation(**r) for r in result["recommendations"]],
        "actions": [Action(**a) for a in result["actions"]],
        "provenance": provenance,
    })


def _unambiguous(actions: list[Any], recommendations: list[dict[str, Any]]) -> list[Any]:
    """Action rows whose recommendation number names one recommendation of the document: where
    numbering restarts under each agency heading, "2" is several recommendations, and a row's
    lead must not become the owner of the others."""
    counts: dict[str, int] = {}
    for r in recommendations:
        if r.get("number"):
            counts[r["number"]] = counts.get(r["number"], 0) + 1

    def number(a: Any) -> Any:
        return (a.get("recommendation") if isinstance(a, dict)
                else getattr(a, "recommendation", None))

    return [a for a in actions if counts.get(number(a)) == 1]


def _better_title(current: str | None, candidate: str | None) -> str | None:
    if candidate and not _SYNTHETIC.search(candidate) and (not current or len(current) < 8):
        return candidate
    return current
