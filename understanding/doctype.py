"""Classify a document: overview report, executive summary, action plan, learning brief, Home
Office QA letter or other (taxonomy ``doc_type``).

Part of report understanding (``understanding.understand``). Signals are ``rules/doc_types.yaml``:
phrases in the title block (the first lines of page 1 and the extractor's title) weigh most,
then the first pages and the whole text; structure adds weight (an action-plan table filling a
short document; many known report sections in a long one). The best total wins; with no signal
reaching ``min_score`` the type is unknown (None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from understanding.doctext import DocText
from understanding.lowercase import case_simple, for_lower_text
from understanding.rules import load

START_CHARS = 4000
PAGE_CHARS = 2500


@dataclass
class _Signal:
    where: str
    weight: float
    pattern: re.Pattern[str]
    lowered: re.Pattern[str] | None  # the same rule for lower-cased text (understanding.lowercase)

    def search(self, text: str, lower: str | None) -> bool:
        """Whether the rule occurs in ``text`` (``lower``: its lower case, when it can stand for
        it)."""
        if lower is not None and self.lowered is not None:
            return self.lowered.search(lower) is not None
        return self.pattern.search(text) is not None


@cache
def _rules() -> tuple[list[tuple[str, list[_Signal]]], dict[str, Any], int, float]:
    data = load("doc_types")
    flags = re.IGNORECASE | re.MULTILINE
    types = [(t, [_Signal(s["where"], float(s["weight"]), re.compile(s["pattern"], flags),
                          for_lower_text(s["pattern"], flags))
                  for s in sigs]) for t, sigs in data["types"].items()]
    return types, data["structure"], int(data["title_lines"]), float(data["min_score"])


def classify_doc_type(doc: DocText, title: str | None, has_action_table: bool,
                      ) -> tuple[str | None, dict[str, float]]:
    """(doc_type or None, score per type) for a document."""
    types, structure, n_title_lines, min_score = _rules()
    scores = _signal_scores(doc, title, types, n_title_lines)
    _add_structure(scores, doc, structure, has_action_table)
    order = [t for t, _ in types]
    best = max(scores, key=lambda t: (scores[t], -order.index(t)), default=None)
    if best is None or scores[best] < min_score:
        return None, scores
    return best, scores


def _signal_scores(doc: DocText, title: str | None, types: list[tuple[str, list[_Signal]]],
                   n_title_lines: int) -> dict[str, float]:
    """Score per type from the rules' phrases in the title, the start and the whole text."""
    first = doc.pages[0] if doc.pages else ""
    title_block = "\n".join(([title] if title else []) + first.splitlines()[:n_title_lines])
    # The first two pages, but no more than a few thousand characters: an HTML or text file is
    # one long "page", and a QA panel named deep inside a report says nothing about its type.
    start = "\n".join(doc.pages[:2])[:START_CHARS]
    where = {"title": title_block, "start": start, "text": doc.text}
    lower = {k: _lower_for(v, doc.lower if k == "text" else v.lower()) for k, v in where.items()}
    scores: dict[str, float] = {}
    for doc_type, signals in types:
        # The strongest title signal counts (titles repeat themselves), plus the others.
        title_hits = [s.weight for s in signals
                      if s.where == "title" and s.search(title_block, lower["title"])]
        total = max(title_hits, default=0) + sum(
            s.weight for s in signals
            if s.where != "title" and s.search(where[s.where], lower[s.where]))
        if total:
            scores[doc_type] = total
    return scores


def _lower_for(text: str, lower: str) -> str | None:
    return lower if case_simple(text, lower) else None


def _add_structure(scores: dict[str, float], doc: DocText, structure: dict[str, Any],
                   has_action_table: bool) -> None:
    """Add the weights the document's shape earns: an action table in a short document, many
    known sections in a long one, findings and recommendations in a short one."""
    # Page-less formats (HTML, text) count in page-sized runs of characters.
    n_pages = max(len(doc.pages), len(doc.text) // PAGE_CHARS)
    if has_action_table and n_pages <= int(structure["action_plan_table_max_pages"]):
        scores["action_plan"] = (scores.get("action_plan", 0)
                                 + float(structure["action_plan_table_weight"]))
    n_known = len({h.title.lower() for h in doc.headings if h.kind and h.kind != "back"})
    if (n_pages >= int(structure["overview_min_pages"])
        and n_known >= int(structure["overview_min_sections"])):
        scores["overview_report"] = (scores.get("overview_report", 0)
                                     + float(structure["overview_weight"]))
    kinds = {h.kind for h in doc.headings if h.kind}
    if n_pages <= int(structure["summary_max_pages"]) and n_known >= 3 and \
            {"analysis", "recommendations"} & kinds and not has_action_table:
        scores["executive_summary"] = (scores.get("executive_summary", 0)
                                       + float(structure["summary_weight"]))
