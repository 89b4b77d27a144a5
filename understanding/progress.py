"""Progress text of an action-plan row ("Complete - new guidance in use (June 2023)", "Ongoing",
"Not yet started", "Not accepted", "Superseded by the county strategy", "RAG: Amber") read as a
status, a completion date and an outcome (contract.md 2a).

Status phrases are data (``rules/action_plans.yaml``, ``status_phrases``): every phrase is
searched as whole words; the leftmost wins, then the longest, then the kind listed first, so
"not yet complete" is ``in_progress`` and "Red - not started" is ``not_started``. A "Date of
completion and outcome" cell that holds a date and no status phrase ("June 2023 - guidance
issued") is ``completed``. The completion date (``understanding.dates``) is kept only for completed
rows. The outcome is the text left once a leading label ("Status:"), a leading status phrase and
the completion date are taken out, or None when nothing is left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from understanding.dates import find_date
from understanding.rules import compile_any, load

_LABEL = re.compile(r"^\s*(?:rag(?:\s+status|\s+rating)?|status|progress(?:\s+update)?|update|"
                    r"position|outcome)\s*[:\-–—]\s*", re.IGNORECASE)
_EMPTY_BRACKETS = re.compile(r"\(\s*[,;:\-–—]?\s*\)|\[\s*\]")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Progress:
    status: str | None
    completed_date: str | None
    outcome: str | None


@cache
def _rules() -> tuple[list[tuple[str, re.Pattern[str]]], list[re.Pattern[str]]]:
    d = load("action_plans")
    phrases = [(kind, compile_any(pats, words=True)) for kind, pats in d["status_phrases"].items()]
    trims = [re.compile(p, re.IGNORECASE) for p in d["outcome_lead_in"]]
    return phrases, trims


def status_of(text: str) -> tuple[str | None, tuple[int, int] | None]:
    """(status, span of the phrase) for progress text, or (None, None)."""
    best: tuple[int, int, int, str] | None = None
    for order, (kind, pat) in enumerate(_rules()[0]):
        m = pat.search(text)
        if m is None:
            continue
        key = (m.start(), -(m.end() - m.start()), order, kind)
        if best is None or key < best:
            best = key
    if best is None:
        return None, None
    start, neg_len, _order, kind = best
    return kind, (start, start - neg_len)


def read_progress(text: str | None, *, completion_column: bool = False) -> Progress:
    """Status, completion date and outcome of one progress (or completion-and-outcome) cell."""
    text = _WS.sub(" ", text or "").strip()
    if not text:
        return Progress(None, None, None)
    label = _LABEL.match(text)
    body = text[label.end():] if label else text
    status, span = status_of(body)
    date = find_date(body)
    if status is None and completion_column and date is not None:
        status = "completed"
    completed = date.value if status == "completed" and date is not None else None
    rest = body
    if completed is not None and date is not None:
        rest = rest[:date.start] + " " * (date.end - date.start) + rest[date.end:]
    first = True
    while span is not None and not rest[: span[0]].strip(" -–—:;,.()[]") and \
            (first or not rest[span[1]:].strip(" -–—:;,.()[]")):
        rest = rest[span[1]:]  # a leading status phrase ("Red - not started") is not the outcome
        span, first = status_of(rest)[1], False
    rest = _EMPTY_BRACKETS.sub(" ", rest)
    for trim in _rules()[1]:
        rest = trim.sub("", rest, count=1)
    rest = _WS.sub(" ", rest).strip()
    outcome = rest[:1].upper() + rest[1:] if len(rest) >= 3 else None
    return Progress(status, completed, outcome)
