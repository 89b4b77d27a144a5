"""SMART signals of a recommendation: specific, measurable, time-bound, and their count.

Part of report understanding (``ingest.recommendations``). Research with review chairs found that
broad recommendations diffuse responsibility; these signals let users see how concrete a
recommendation is. Rules are ``rules/smart.yaml``:
- specific: the recommendation names an organisation (its addressee) and a concrete action;
- measurable: it names an output or measure (audit, report, number, percentage, evidence);
- time_bound: it names a date or a timescale.
``score`` is the number of signals present (0-3).
"""

from __future__ import annotations

import re
from functools import cache

from dhr.document import Smart
from ingest.rules import load


def _any(patterns: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\b", re.I)


@cache
def _rules() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    d = load("smart")
    return _any(d["concrete_actions"]), _any(d["measurable"]), _any(d["time_bound"])


def smart_signals(text: str, names_organisation: bool) -> Smart:
    """SMART signals of a recommendation's text; ``names_organisation``: an addressee was found."""
    concrete, measurable, time_bound = _rules()
    specific = names_organisation and bool(concrete.search(text))
    m = bool(measurable.search(text))
    t = bool(time_bound.search(text))
    return Smart(specific=specific, measurable=m, time_bound=t, score=int(specific) + int(m) + int(t))
